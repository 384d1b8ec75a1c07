//! A scripted in-memory host for native tests of flows: canned HTTP answers, a recorded request log, an
//! in-memory user table, a settable clock, and a tiny executor to run the flows' futures.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, VecDeque};
use std::future::Future;
use std::pin::pin;
use std::rc::Rc;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use serde_json::{json, Value};

use crate::host::{Host, HttpRequest, HttpResponse, LogLevel, StoreFailure, TransportError};

/// Runs a future whose host calls complete immediately (everything here is in memory).
pub fn block_on<F: Future>(future: F) -> F::Output {
    struct Noop;
    impl Wake for Noop {
        fn wake(self: Arc<Self>) {}
    }
    let waker = Waker::from(Arc::new(Noop));
    let mut context = Context::from_waker(&waker);
    let mut future = pin!(future);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut context) {
            return output;
        }
    }
}

/// The scripted host.
#[derive(Default)]
pub struct TestHost {
    /// Answers handed out in order, one per request.
    pub answers: RefCell<VecDeque<Result<HttpResponse, TransportError>>>,
    /// Every request sent, in order.
    pub requests: RefCell<Vec<HttpRequest>>,
    /// CRM users: `{id, email, name, pipedriveUserId}`.
    pub users: RefCell<Vec<Value>>,
    /// Per-user tokens for `token_for`.
    pub tokens: RefCell<BTreeMap<String, String>>,
    /// When set, every store call fails with this message.
    pub store_down: RefCell<Option<String>>,
    /// The clock.
    pub now: Cell<i64>,
    /// Every log event: (level, event, fields).
    pub logs: RefCell<Vec<(LogLevel, String, Value)>>,
    /// Scripted store answers by method name, handed out in order (before the built-in user table).
    pub store_answers: RefCell<BTreeMap<String, VecDeque<Value>>>,
    /// Every store call: (method, arguments).
    pub store_calls: RefCell<Vec<(String, Value)>>,
    /// Whether `deadline` fires (after advancing the clock) instead of never.
    pub deadlines_fire: Cell<bool>,
    /// The shared pacing rows (`swapPacing`): key → (version, state). Hosts given one `Rc` share a store, as
    /// processes on one database do.
    pub pacing_rows: Rc<RefCell<BTreeMap<String, (i64, String)>>>,
    /// Whether `swapPacing` never answers (a stalled database).
    pub pacing_hangs: Cell<bool>,
}

/// An engine over `host` with the company token `company-token-123` and a base URL of its own (rate limits and
/// token pauses are shared per base URL in a process, so each test gets a fresh Pipedrive).
pub fn test_engine(host: TestHost) -> crate::engine::Engine<TestHost> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let base_url = format!("https://engine{}.test", NEXT.fetch_add(1, Ordering::Relaxed));
    let config = crate::config::EngineConfig::from_json(
        &json!({"pipedrive": {"apiToken": "company-token-123", "baseUrl": base_url}}),
    )
    .expect("a valid test configuration");
    crate::engine::Engine::new(config, host)
}

impl TestHost {
    /// Queues a JSON answer.
    pub fn answer(&self, status: u16, body: Value) {
        self.answer_raw(status, &body.to_string(), "application/json");
    }

    /// Queues a JSON answer with extra headers.
    pub fn answer_with_headers(&self, status: u16, body: Value, extra: &[(&str, &str)]) {
        let mut headers = BTreeMap::from([("content-type".to_string(), "application/json".to_string())]);
        headers.extend(extra.iter().map(|(name, value)| (name.to_string(), value.to_string())));
        self.answers.borrow_mut().push_back(Ok(HttpResponse { status, headers, body: body.to_string() }));
    }

    /// Queues an answer with a raw body.
    pub fn answer_raw(&self, status: u16, body: &str, content_type: &str) {
        let headers = BTreeMap::from([("content-type".to_string(), content_type.to_string())]);
        self.answers.borrow_mut().push_back(Ok(HttpResponse { status, headers, body: body.to_string() }));
    }

    /// Queues a transport failure.
    pub fn fail(&self, failure: TransportError) {
        self.answers.borrow_mut().push_back(Err(failure));
    }

    /// Adds a CRM user.
    pub fn add_user(&self, id: &str, email: &str) {
        self.users.borrow_mut().push(json!({"id": id, "email": email, "name": null, "pipedriveUserId": null}));
    }

    /// Queues the answer of the store method `method`.
    pub fn answer_store(&self, method: &str, value: Value) {
        self.store_answers.borrow_mut().entry(method.to_string()).or_default().push_back(value);
    }

    /// The arguments of every call of the store method `method`, in order.
    pub fn store_calls_of(&self, method: &str) -> Vec<Value> {
        self.store_calls.borrow().iter().filter(|(name, _)| name == method).map(|(_, args)| args.clone()).collect()
    }

    /// The CRM user with `id`.
    pub fn user(&self, id: &str) -> Option<Value> {
        self.users.borrow().iter().find(|user| user["id"] == id).cloned()
    }
}

impl TestHost {
    /// `swapPacing(key, {version, state})` over [`TestHost::pacing_rows`], as the store contract says.
    fn swap_pacing(&self, args: &Value) -> Value {
        let key = args[0].as_str().unwrap_or_default().to_string();
        let expected = args[1]["version"].as_i64().unwrap_or(-1);
        let mut rows = self.pacing_rows.borrow_mut();
        let (version, state) = rows.get(&key).cloned().map_or((0, Value::Null), |(v, s)| (v, Value::String(s)));
        match args[1]["state"].as_str() {
            Some(new_state) if version == expected => {
                rows.insert(key, (version + 1, new_state.to_string()));
                json!({ "swapped": true, "version": version + 1, "state": null })
            }
            _ => json!({ "swapped": false, "version": version, "state": state }),
        }
    }
}

impl Host for TestHost {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        self.requests.borrow_mut().push(request);
        self.answers
            .borrow_mut()
            .pop_front()
            .unwrap_or_else(|| Err(TransportError::Network { message: "no scripted answer left".into() }))
    }

    async fn store(&self, method: &str, args: Value) -> Result<Value, StoreFailure> {
        if let Some(message) = self.store_down.borrow().clone() {
            return Err(StoreFailure { message, js_error_id: Some(7) });
        }
        self.store_calls.borrow_mut().push((method.to_string(), args.clone()));
        if let Some(answer) = self.store_answers.borrow_mut().get_mut(method).and_then(VecDeque::pop_front) {
            return Ok(answer);
        }
        if method == "swapPacing" {
            if self.pacing_hangs.get() {
                std::future::pending::<()>().await;
            }
            return Ok(self.swap_pacing(&args));
        }
        let mut users = self.users.borrow_mut();
        match method {
            "findUserById" => Ok(users.iter().find(|user| user["id"] == args[0]).cloned().unwrap_or(Value::Null)),
            "findUserByEmail" => {
                let wanted = args[0].as_str().unwrap_or_default().trim().to_lowercase();
                let found =
                    users.iter().find(|user| user["email"].as_str().unwrap_or_default().to_lowercase() == wanted);
                Ok(found.cloned().unwrap_or(Value::Null))
            }
            "setUserPipedriveId" => match users.iter_mut().find(|user| user["id"] == args[0]) {
                Some(user) => {
                    user["pipedriveUserId"] = args[1].clone();
                    Ok(json!(true))
                }
                None => Ok(json!(false)),
            },
            // The outbox, unless scripted: empty, and every lease still held.
            "claimJobs" => Ok(json!([])),
            "completeJob" | "failJob" | "renewLease" | "markJobInDoubt" | "linkContact" | "markActivityReplicated" => {
                Ok(json!(true))
            }
            other => Err(StoreFailure { message: format!("TestHost has no store method {other}"), js_error_id: None }),
        }
    }

    async fn token_for(&self, user_id: &str) -> Result<Option<String>, StoreFailure> {
        Ok(self.tokens.borrow().get(user_id).cloned())
    }

    fn now_ms(&self) -> i64 {
        self.now.get()
    }

    async fn sleep(&self, ms: u64) {
        self.now.set(self.now.get() + ms as i64);
    }

    async fn deadline(&self, ms: u64) {
        // Every answer of this host is ready at once, so a deadline only matters where a test makes it fire.
        if self.deadlines_fire.get() {
            self.sleep(ms).await
        } else {
            std::future::pending::<()>().await
        }
    }

    fn random(&self) -> f64 {
        0.5
    }

    fn zone_offset_minutes(&self, zone: &str, _instant_ms: i64) -> Option<i32> {
        match zone {
            "UTC" => Some(0),
            "Europe/Tallinn" => Some(120),
            "America/New_York" => Some(-300),
            _ => None,
        }
    }

    fn log(&self, level: LogLevel, event: &str, fields: Value) {
        self.logs.borrow_mut().push((level, event.to_string(), fields));
    }
}
