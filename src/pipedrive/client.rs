//! Talking to Pipedrive through the host: every request paced by the limits, sent, classified, logged, and
//! retried by the retry policy when that is safe. The token never appears in a message or a log line.

use serde_json::{json, Value};

use crate::api_token::ApiToken;
use crate::config::{HOST_GRACE_MS, MIN_WAIT_CAP_MS};
use crate::engine::Engine;
use crate::error::{RateScope, SyncError};
use crate::host::{Host, HttpRequest, LogLevel, TransportError};
use crate::local_async::join::{race, Either};
use crate::pipedrive::limits::shared_pacing::Reserved;
use crate::pipedrive::limits::shared_window::{Correction, SharedBudget, WindowKind};
use crate::pipedrive::limits::token_costs::token_cost;
use crate::pipedrive::limits::{
    Admission, Priority, RateHeaders, AUTH_PAUSE_MS, BLOCK_PAUSE_MS, SEARCH_LIMIT, WINDOW_MS,
};
use crate::pipedrive::outcome::{classify, transport_failure, Envelope};
use crate::pipedrive::request::path_of;
use crate::pipedrive::retry_policy::{RetryDecision, RetryPolicy};

/// How one call may be handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallOptions {
    /// Whose work it is.
    pub priority: Priority,
    /// Whether a failure with an unknown outcome (timeout, dropped connection, 5xx) may be retried blindly.
    /// True for reads and idempotent writes (PATCH, DELETE); false for creates, which the calling flow must
    /// look up first (DESIGN invariant 3).
    pub retry_unknown_outcome: bool,
}

impl CallOptions {
    /// A read or an idempotent write for a user's action.
    pub const INTERACTIVE: CallOptions = CallOptions { priority: Priority::Interactive, retry_unknown_outcome: true };
    /// A read or an idempotent write for the queue.
    pub const BACKGROUND: CallOptions = CallOptions { priority: Priority::Background, retry_unknown_outcome: true };

    /// The same options for a create (no blind retry of an unknown outcome).
    pub fn create(self) -> CallOptions {
        CallOptions { retry_unknown_outcome: false, ..self }
    }
}

/// One exchange: the classified result and the rate headers of the response, if there was one.
struct Exchange {
    result: Result<Envelope, SyncError>,
    headers: Option<RateHeaders>,
}

/// The longest a JS timer can wait: `setTimeout` fires at once for anything above 2^31 - 1 ms.
pub const TIMER_MAX_MS: u64 = (1 << 31) - 1;

/// Whether an error leaves the outcome of the request unknown (it may have been applied).
fn outcome_unknown(error: &SyncError) -> bool {
    matches!(error, SyncError::Unavailable { .. })
}

impl<H: Host> Engine<H> {
    /// Sends `request` with `token`: waits for a slot, retries per the retry policy, and returns the envelope's
    /// `data` or the last error.
    pub(crate) async fn call(
        &self,
        token: &ApiToken,
        request: HttpRequest,
        options: CallOptions,
    ) -> Result<Value, SyncError> {
        self.call_envelope(token, request, options).await.map(|envelope| envelope.data)
    }

    /// [`Engine::call`] keeping the whole envelope (for `additional_data`: pagination and cursors).
    pub(crate) async fn call_envelope(
        &self,
        token: &ApiToken,
        request: HttpRequest,
        options: CallOptions,
    ) -> Result<Envelope, SyncError> {
        let path = path_of(&request.url).split('?').next().unwrap_or("/").to_string();
        let operation = format!("{} {}", request.method, path);
        let search = path.ends_with("/search");
        let cost = token_cost(&request.method, &path);
        let policy = RetryPolicy::from_options(&self.config.options);
        let mut retries = 0;
        loop {
            let shared_slot = self.wait_for_slot(token, search, cost, options.priority).await?;
            let exchange = self.exchange(&operation, token, request.clone()).await;
            let now = self.host.now_ms();
            self.limits.finish(token, search, exchange.headers, now, shared_slot.is_some());
            if let Some(slot) = &shared_slot {
                self.learn_shared(token, search, slot, exchange.headers, now);
            }
            let error = match exchange.result {
                Ok(data) => return Ok(data),
                Err(error) => error,
            };
            if outcome_unknown(&error) && !options.retry_unknown_outcome {
                return Err(error);
            }
            match policy.decide(retries, &error, self.host.random()) {
                RetryDecision::RetryAfter(delay_ms) => {
                    if let SyncError::RateLimited { retry_after_ms, .. } = &error {
                        let wait_ms = retry_after_ms.unwrap_or(delay_ms);
                        self.limits.hold_off(token, search, wait_ms, now);
                        if self.config.options.shared_pacing {
                            // Every process holds off, not only this one.
                            let window = if search { WindowKind::Search } else { WindowKind::Burst };
                            let until = now.saturating_add(i64::try_from(wait_ms).unwrap_or(i64::MAX));
                            self.limits.shared.learn(&self.pacing_key(token), Correction::Block { window, until });
                        }
                    }
                    if delay_ms > self.wait_cap_ms() {
                        // Too long to sleep inside a call (and a lease): fail now, saying when to come back; the
                        // outbox reschedules the job for then.
                        return Err(too_long(error, delay_ms));
                    }
                    self.host.log(LogLevel::Warn, "pipedrive.retry", json!({
                        "operation": operation, "retry": retries + 1, "delayMs": delay_ms, "error": error.to_string(),
                    }));
                    self.host.sleep(delay_ms).await;
                    retries += 1;
                    self.counters.retries.set(self.counters.retries.get() + 1);
                }
                RetryDecision::WaitForBudget(wait_ms) => {
                    self.limits.budget_exhausted(wait_ms, now);
                    return Err(error);
                }
                RetryDecision::StopToken => {
                    let pause_ms = if matches!(error, SyncError::RateLimited { scope: RateScope::Blocked, .. }) {
                        BLOCK_PAUSE_MS
                    } else {
                        AUTH_PAUSE_MS
                    };
                    self.limits.pause(token, now + pause_ms as i64, error.clone());
                    self.host.log(
                        LogLevel::Error,
                        "pipedrive.token_paused",
                        json!({
                            "token": token.fingerprint(), "forMs": pause_ms, "error": error.to_string(),
                        }),
                    );
                    return Err(error);
                }
                RetryDecision::GiveUp => return Err(error),
            }
        }
    }

    /// The key of `token`'s row of shared pacing: its fingerprint and the Pipedrive it talks to, never the token.
    fn pacing_key(&self, token: &ApiToken) -> String {
        format!("{}@{}", token.fingerprint(), self.config.base_url)
    }

    /// What a response taught about the shared windows, written with this process's next reservation: the slot's
    /// real end (response + window), the headers' limit and remaining, the daily budget.
    fn learn_shared(&self, token: &ApiToken, search: bool, slot: &str, headers: Option<RateHeaders>, now: i64) {
        let key = self.pacing_key(token);
        let shared = &self.limits.shared;
        let until = now.saturating_add(WINDOW_MS as i64);
        let windows: &[WindowKind] =
            if search { &[WindowKind::Burst, WindowKind::Search] } else { &[WindowKind::Burst] };
        for window in windows {
            shared.learn(&key, Correction::Release { window: *window, id: slot.to_string(), until });
        }
        let Some(headers) = headers else { return };
        let reset_at = now.saturating_add(i64::try_from(headers.reset_ms.unwrap_or(WINDOW_MS)).unwrap_or(i64::MAX));
        if headers.limit.is_some() || headers.remaining.is_some() {
            // The headers describe the burst window (API-FACTS §6.2), on a search response too.
            let (limit, remaining) = (headers.limit, headers.remaining);
            shared.learn(&key, Correction::Headers { window: WindowKind::Burst, limit, remaining, reset_at });
        }
        if let Some(remaining) = headers.daily_remaining {
            shared
                .learn(&key, Correction::Budget(SharedBudget { limit: headers.daily_limit, remaining, seen_at: now }));
        }
    }

    /// Reserves the request's slot in the shared windows once the local window admitted it: `Ok(Some(id))` with
    /// the shared slot, `Ok(None)` when pacing is local (not enabled, or the store is unavailable), `Err(wait)`
    /// when the shared windows are full (the local slot is given back).
    async fn reserve_shared(&self, token: &ApiToken, search: bool, cost: u32) -> Result<Option<String>, u64> {
        if !self.config.options.shared_pacing {
            return Ok(None);
        }
        let key = self.pacing_key(token);
        let now = self.host.now_ms();
        let hold_ms = WINDOW_MS + self.config.options.request_timeout_ms + HOST_GRACE_MS;
        let limit = self.limits.burst_limit(token, now);
        let reserved = self.limits.shared.reserve(&self.host, &key, search, (limit, SEARCH_LIMIT), hold_ms).await;
        let (burst_limit, budget) = self.limits.shared.seen(&key);
        self.limits.adopt_shared(token, burst_limit, budget, self.host.now_ms());
        match reserved {
            Reserved::Go(slot) => Ok(Some(slot)),
            Reserved::Local => Ok(None),
            Reserved::Wait(wait_ms) => {
                self.limits.cancel(token, search, cost);
                Err(wait_ms)
            }
        }
    }

    /// Waits until the limits (the local window, then the shared windows) admit the request, or returns why it
    /// may not go; answers the shared slot's id when one was reserved.
    async fn wait_for_slot(
        &self,
        token: &ApiToken,
        search: bool,
        cost: u32,
        priority: Priority,
    ) -> Result<Option<String>, SyncError> {
        let _waiting = (priority == Priority::Interactive).then(|| self.limits.interactive_waiter());
        loop {
            match self.limits.admit(token, search, cost, priority, self.host.now_ms()) {
                Admission::Go => match self.reserve_shared(token, search, cost).await {
                    Ok(slot) => return Ok(slot),
                    Err(wait_ms) => self.host.sleep(wait_ms).await,
                },
                Admission::Refuse(error) => return Err(error),
                Admission::Wait(wait_ms) if wait_ms > self.wait_cap_ms() => {
                    let scope = if search { RateScope::Search } else { RateScope::Burst };
                    let message =
                        format!("Pipedrive asked to wait {} s before the next request", wait_ms.div_ceil(1000));
                    return Err(SyncError::RateLimited { message, retry_after_ms: Some(wait_ms), scope });
                }
                Admission::Wait(wait_ms) => self.host.sleep(wait_ms).await,
            }
        }
    }

    /// The longest single wait inside a call: `maxDelayMs` or [`MIN_WAIT_CAP_MS`], never beyond a JS timer.
    fn wait_cap_ms(&self) -> u64 {
        self.config.options.max_delay_ms.clamp(MIN_WAIT_CAP_MS, TIMER_MAX_MS)
    }

    /// Sends once and classifies the outcome.
    async fn exchange(&self, operation: &str, token: &ApiToken, request: HttpRequest) -> Exchange {
        let timeout_ms = request.timeout_ms;
        let started = self.host.now_ms();
        self.counters.requests.set(self.counters.requests.get() + 1);
        // The engine keeps its own deadline: a host that ignores `timeoutMs` must not hang a drain.
        let sent = race(Box::pin(self.host.send(request)), Box::pin(self.host.deadline(timeout_ms + HOST_GRACE_MS)));
        let answer = match sent.await {
            Either::Left(answer) => answer,
            Either::Right(()) => Err(TransportError::Timeout {
                message: format!("the HTTP host did not answer within {} ms", timeout_ms + HOST_GRACE_MS),
            }),
        };
        let exchange = match answer {
            Ok(response) => {
                if response.status == 429 {
                    self.counters.rate_limited.set(self.counters.rate_limited.get() + 1);
                }
                self.host.log(
                    LogLevel::Debug,
                    "pipedrive.response",
                    json!({
                        "operation": operation,
                        "status": response.status,
                        "ms": self.host.now_ms() - started,
                        "rateLimitRemaining": response.header("x-ratelimit-remaining"),
                    }),
                );
                Exchange { result: classify(operation, &response), headers: Some(RateHeaders::of(&response)) }
            }
            Err(failure) => Exchange { result: Err(transport_failure(operation, &failure, timeout_ms)), headers: None },
        };
        Exchange { result: exchange.result.map_err(|error| error.redacted(token.expose())), ..exchange }
    }
}

/// `error` (a 429 or an outage) as the answer to a wait too long to sleep: `RATE_LIMITED` with when to retry.
fn too_long(error: SyncError, wait_ms: u64) -> SyncError {
    let scope = match &error {
        SyncError::RateLimited { scope, .. } => *scope,
        _ => RateScope::Burst,
    };
    SyncError::RateLimited {
        message: format!("{error}; Pipedrive asked to wait {} s, longer than one call waits", wait_ms.div_ceil(1000)),
        retry_after_ms: Some(wait_ms),
        scope,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::EngineConfig;
    use crate::host::test_host::{block_on, TestHost};
    use crate::host::TransportError;

    fn engine(base_url: &str) -> Engine<TestHost> {
        let config = EngineConfig::from_json(&json!({"pipedrive": {"apiToken": "tok", "baseUrl": base_url}, "options": {"baseDelayMs": 100, "maxDelayMs": 1000}})).unwrap();
        Engine::new(config, TestHost::default())
    }

    fn token() -> ApiToken {
        ApiToken::parse("t", "tok").unwrap()
    }

    fn get(engine: &Engine<TestHost>) -> HttpRequest {
        engine.requests.get(&token(), "/api/v2/persons/1", &[])
    }

    #[test]
    fn a_503_is_retried_three_times_and_no_more() {
        let engine = engine("https://client-503.test");
        for _ in 0..5 {
            engine.host.answer(503, json!({"success": false, "error": "down"}));
        }
        let error = block_on(engine.call(&token(), get(&engine), CallOptions::BACKGROUND)).unwrap_err();
        assert_eq!(error.code(), "UNAVAILABLE");
        assert_eq!(engine.host.requests.borrow().len(), 4);
        assert_eq!(engine.counters.requests.get(), 4);
    }

    #[test]
    fn a_400_is_tried_once() {
        let engine = engine("https://client-400.test");
        engine.host.answer(400, json!({"success": false, "error": "bad"}));
        assert_eq!(
            block_on(engine.call(&token(), get(&engine), CallOptions::BACKGROUND)).unwrap_err().code(),
            "VALIDATION"
        );
        assert_eq!(engine.host.requests.borrow().len(), 1);
    }

    #[test]
    fn a_429_is_waited_out_for_at_least_its_reset() {
        let engine = engine("https://client-429.test");
        let headers = [("x-ratelimit-reset", "3")];
        engine.host.answer_with_headers(429, json!({"success": false, "error": "Request over limit"}), &headers);
        engine.host.answer(200, json!({"success": true, "data": {"id": 1}}));
        let data = block_on(engine.call(&token(), get(&engine), CallOptions::BACKGROUND)).unwrap();
        assert_eq!(data["id"], 1);
        assert!(engine.host.now.get() >= 3_000, "slept {} ms", engine.host.now.get());
        assert_eq!(engine.counters.rate_limited.get(), 1);
    }

    #[test]
    fn a_429_asking_for_a_day_fails_at_once_saying_when_to_come_back() {
        let engine = engine("https://client-429-day.test");
        let headers = [("retry-after", "86400")];
        engine.host.answer_with_headers(429, json!({"success": false, "error": "Request over limit"}), &headers);
        let error = block_on(engine.call(&token(), get(&engine), CallOptions::BACKGROUND)).unwrap_err();
        assert_eq!(error.code(), "RATE_LIMITED");
        assert_eq!(error.details()["retryAfterMs"], 86_400_000);
        assert!(engine.host.now.get() < 60_000, "slept {} ms", engine.host.now.get());
        assert_eq!(engine.host.requests.borrow().len(), 1);
        // The window stays blocked: the next call is refused the same way instead of sleeping a day.
        let next = block_on(engine.call(&token(), get(&engine), CallOptions::INTERACTIVE)).unwrap_err();
        assert_eq!(next.code(), "RATE_LIMITED");
        assert_eq!(engine.host.requests.borrow().len(), 1);
        assert!(engine.host.now.get() < 60_000);
    }

    #[test]
    fn a_create_with_an_unknown_outcome_is_not_retried_blindly() {
        let engine = engine("https://client-create.test");
        engine.host.fail(TransportError::Timeout { message: "aborted".into() });
        let request = engine.requests.with_body("POST", &token(), "/api/v2/persons", &json!({"name": "A"}));
        let error = block_on(engine.call(&token(), request, CallOptions::BACKGROUND.create())).unwrap_err();
        assert_eq!(error.code(), "UNAVAILABLE");
        assert_eq!(engine.host.requests.borrow().len(), 1);
    }

    #[test]
    fn a_401_pauses_the_token() {
        let engine = engine("https://client-401.test");
        engine.host.answer(401, json!({"success": false, "error": "unauthorized access"}));
        assert_eq!(block_on(engine.call(&token(), get(&engine), CallOptions::INTERACTIVE)).unwrap_err().code(), "AUTH");
        let again = block_on(engine.call(&token(), get(&engine), CallOptions::INTERACTIVE)).unwrap_err();
        assert_eq!(again.code(), "AUTH");
        assert_eq!(engine.host.requests.borrow().len(), 1, "no request while the token is paused");
    }

    fn shared_engine(base_url: &str, host: TestHost) -> Engine<TestHost> {
        let config = EngineConfig::from_json(
            &json!({"pipedrive": {"apiToken": "tok", "baseUrl": base_url}, "options": {"sharedPacing": true}}),
        )
        .unwrap();
        Engine::new(config, host)
    }

    #[test]
    fn with_shared_pacing_each_request_reserves_its_slot_in_the_store_and_writes_its_release_with_the_next() {
        let engine = shared_engine("https://client-shared.test", TestHost::default());
        let headers = [("x-ratelimit-limit", "40"), ("x-ratelimit-remaining", "39"), ("x-ratelimit-reset", "2")];
        for _ in 0..2 {
            engine.host.answer_with_headers(200, json!({"success": true, "data": {"id": 1}}), &headers);
        }
        block_on(engine.call(&token(), get(&engine), CallOptions::BACKGROUND)).unwrap();
        block_on(engine.call(&token(), get(&engine), CallOptions::BACKGROUND)).unwrap();
        let swaps = engine.host.store_calls_of("swapPacing");
        assert_eq!(swaps.len(), 2, "one round trip per request while this process's copy is current");
        let key = swaps[0][0].as_str().unwrap();
        assert!(key.starts_with("tok_") && key.ends_with("@https://client-shared.test"), "{key}");
        let rows = engine.host.pacing_rows.borrow();
        let (version, state) = rows.get(key).unwrap();
        assert_eq!(*version, 2);
        assert!(!state.contains("\"tok\"") && !key.contains(":tok"), "the token itself is stored nowhere");
        let state: Value = serde_json::from_str(state).unwrap();
        assert_eq!(state["burst"]["limit"], 40, "the header's limit reaches every process");
        let slots = state["burst"]["slots"].as_array().unwrap();
        assert_eq!(slots.len(), 2);
        assert_eq!(slots[0]["u"], 2_000, "the first slot was released to response + window by the second request");
        assert!(slots[1]["u"].as_i64().unwrap() > 10_000, "the second is held pessimistically until its release");
    }

    #[test]
    fn with_shared_pacing_a_store_failure_paces_locally_with_a_warning() {
        let host = TestHost::default();
        *host.store_down.borrow_mut() = Some("database is down".into());
        let engine = shared_engine("https://client-shared-down.test", host);
        engine.host.answer(200, json!({"success": true, "data": {"id": 1}}));
        block_on(engine.call(&token(), get(&engine), CallOptions::BACKGROUND)).unwrap();
        assert_eq!(engine.host.requests.borrow().len(), 1, "the request still went, paced by the local window");
        assert!(engine
            .host
            .logs
            .borrow()
            .iter()
            .any(|(level, event, _)| *level == LogLevel::Warn && event == "pacing.shared_unavailable"));
        assert_eq!(engine.limits.snapshot(0)["tokens"][0]["burst"]["used"], 1, "the local window counted it");
    }
}
