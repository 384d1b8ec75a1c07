//! wasm-bindgen-test suite, run under Node: the exported engine driven through hosts written in JavaScript,
//! exactly as the TypeScript facade drives it.
#![cfg(target_arch = "wasm32")]

use js_sys::{Promise, Reflect};
use pipedrive_sync::wasm::{Task, WasmEngine};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen(inline_js = r#"
export function makeHost(script) {
  const requests = [];
  const users = [{ id: 'u1', email: 'Ann@Acme.com', name: 'Ann', pipedriveUserId: null }];
  const logs = [];
  const answers = script.slice();
  const host = {
    requests, users, logs,
    async send(req) {
      requests.push(req);
      const next = answers.shift();
      if (next === undefined) return { ok: false, error: { kind: 'network', message: 'ECONNREFUSED' } };
      if (next.kind) return { ok: false, error: next };
      return { ok: true, value: { status: next.status, headers: next.headers || {}, body: next.body } };
    },
    async store(method, args) {
      if (method === 'findUserByEmail') {
        const found = users.find((u) => u.email.toLowerCase() === args[0].trim().toLowerCase());
        return { ok: true, value: found || null };
      }
      if (method === 'findUserById') return { ok: true, value: users.find((u) => u.id === args[0]) || null };
      if (method === 'setUserPipedriveId') {
        const user = users.find((u) => u.id === args[0]);
        if (user) user.pipedriveUserId = args[1];
        return { ok: true, value: !!user };
      }
      return { ok: false, error: { message: 'no method ' + method, jsErrorId: 3 } };
    },
    async tokenFor() { return { ok: true, value: null }; },
    now() { return 1_700_000_000_000; },
    sleep(ms) { return new Promise((resolve) => setTimeout(resolve, ms)); },
    // Deadlines never fire here: every scripted answer comes in time.
    deadline() { return { promise: new Promise(() => {}), cancel() { host.cancelled = (host.cancelled || 0) + 1; } }; },
    random() { return 0.5; },
    zoneOffset(zone) { return zone === 'UTC' ? 0 : null; },
    log(level, event, fields) { logs.push({ level, event, fields }); },
  };
  return host;
}

export function usersAnswer() {
  return {
    status: 200,
    headers: { 'content-type': 'application/json', 'x-ratelimit-remaining': '19' },
    body: JSON.stringify({ success: true, data: [
      { id: 11, name: 'Ann', email: 'ann@acme.com', active_flag: true, is_admin: 1 },
      { id: 12, name: 'Ivan', email: 'ivan@acme.com', active_flag: false },
    ] }),
  };
}

export function config(extra) {
  return Object.assign({ pipedrive: { apiToken: 'tok-secret-9', baseUrl: 'https://pd.test', perUserTokens: false } }, extra || {});
}

// The facade's driver: polls a task inside try/catch and re-polls when woken.
export function runTask(task) {
  return new Promise((resolve, reject) => {
    let finished = false;
    const step = () => {
      if (finished) return;
      let result;
      try { result = task.poll(wake); } catch (error) { finished = true; reject(error); return; }
      if (result !== undefined) { finished = true; result.ok ? resolve(result.value) : reject(result.error); }
    };
    const wake = () => queueMicrotask(step);
    step();
  });
}

// A host whose sleeps return at once (recorded), and whose store holds an outbox of jobs.
export function fastHost(script, jobs) {
  const host = makeHost(script);
  host.sleeps = [];
  // Time moves only by sleeping, so waits end without real waiting.
  let clock = 1_700_000_000_000;
  host.now = () => clock;
  host.sleep = (ms) => { host.sleeps.push(ms); clock += ms; return Promise.resolve(); };
  host.jobs = jobs || [];
  const plain = host.store;
  host.store = async (method, args) => {
    const job = (id) => host.jobs.find((j) => j.id === id);
    if (method === 'claimJobs') {
      const next = host.jobs.find((j) => j.state === 'PENDING');
      if (!next) return { ok: true, value: [] };
      Object.assign(next, { state: 'RUNNING', leaseOwner: args[0].workerId, attempts: next.attempts + 1 });
      return { ok: true, value: [Object.assign({}, next)] };
    }
    if (method === 'completeJob') { job(args[0]).state = 'DONE'; return { ok: true, value: true }; }
    if (method === 'failJob') { Object.assign(job(args[0]), { state: args[2].retryAt ? 'PENDING_LATER' : 'DEAD', lastError: args[2].error }); return { ok: true, value: true }; }
    return plain(method, args);
  };
  return host;
}

export function answer(status, body, headers) {
  return { status, headers: Object.assign({ 'content-type': 'application/json' }, headers || {}), body: JSON.stringify(body) };
}

export function throwingHost() {
  const host = makeHost([]);
  host.send = () => { throw new Error('host exploded'); };
  return host;
}
"#)]
extern "C" {
    #[wasm_bindgen(js_name = makeHost)]
    fn make_host(script: &js_sys::Array) -> JsValue;
    #[wasm_bindgen(js_name = usersAnswer)]
    fn users_answer() -> JsValue;
    fn config(extra: &JsValue) -> JsValue;
    #[wasm_bindgen(js_name = runTask)]
    fn run_task(task: Task) -> Promise;
    #[wasm_bindgen(js_name = fastHost)]
    fn fast_host(script: &js_sys::Array, jobs: &JsValue) -> JsValue;
    fn answer(status: u16, body: &JsValue, headers: &JsValue) -> JsValue;
    #[wasm_bindgen(js_name = throwingHost)]
    fn throwing_host() -> JsValue;
}

fn get(object: &JsValue, key: &str) -> JsValue {
    Reflect::get(object, &JsValue::from_str(key)).unwrap()
}

async fn settle(task: Task) -> Result<JsValue, JsValue> {
    JsFuture::from(run_task(task)).await
}

fn script(answers: &[JsValue]) -> js_sys::Array {
    answers.iter().collect()
}

#[wasm_bindgen_test]
async fn finds_a_user_through_a_js_host() {
    let host = make_host(&script(&[users_answer()]));
    let engine = WasmEngine::new(config(&JsValue::UNDEFINED), host.clone()).unwrap();
    let user = settle(engine.find_user_by_email("ANN@acme.com".into())).await.unwrap();
    assert_eq!(get(&user, "id").as_f64(), Some(11.0));
    assert_eq!(get(&user, "isAdmin").as_bool(), Some(true));
    let requests: js_sys::Array = get(&host, "requests").into();
    assert_eq!(requests.length(), 1);
    let request = requests.get(0);
    assert_eq!(get(&request, "url").as_string().unwrap(), "https://pd.test/v1/users");
    assert_eq!(get(&get(&request, "headers"), "x-api-token").as_string().unwrap(), "tok-secret-9");
    let inactive = settle(engine.find_user_by_email("ivan@acme.com".into())).await.unwrap();
    assert!(inactive.is_null(), "inactive users never match; the list came from the cache");
    assert_eq!(js_sys::Array::from(&get(&host, "requests")).length(), 1);
}

#[wasm_bindgen_test]
async fn setup_user_links_the_crm_user_through_the_js_store() {
    let host = make_host(&script(&[users_answer()]));
    let engine = WasmEngine::new(config(&JsValue::UNDEFINED), host.clone()).unwrap();
    let response = settle(engine.setup_user("ann@acme.com".into())).await.unwrap();
    assert_eq!(get(&response, "success").as_bool(), Some(true));
    assert_eq!(get(&response, "pipedriveUserId").as_f64(), Some(11.0));
    let users: js_sys::Array = get(&host, "users").into();
    assert_eq!(get(&users.get(0), "pipedriveUserId").as_f64(), Some(11.0));
}

#[wasm_bindgen_test]
async fn errors_arrive_as_js_errors_with_codes_and_no_token() {
    let host = make_host(&script(&[]));
    let engine = WasmEngine::new(config(&JsValue::UNDEFINED), host).unwrap();
    let error = settle(engine.find_user_by_email("ann@acme.com".into())).await.unwrap_err();
    assert!(error.is_instance_of::<js_sys::Error>());
    assert_eq!(get(&error, "code").as_string().unwrap(), "UNAVAILABLE");
    let message = get(&error, "message").as_string().unwrap();
    assert!(message.contains("ECONNREFUSED"), "{message}");
    assert!(!message.contains("tok-secret-9"));

    let invalid = settle(
        WasmEngine::new(config(&JsValue::UNDEFINED), make_host(&script(&[])))
            .unwrap()
            .find_user_by_email("nope".into()),
    )
    .await
    .unwrap_err();
    assert_eq!(get(&invalid, "code").as_string().unwrap(), "VALIDATION");
    assert_eq!(get(&get(&invalid, "details"), "field").as_string().unwrap(), "email");
}

#[wasm_bindgen_test]
async fn a_host_that_throws_is_a_failure_not_a_crash() {
    let engine = WasmEngine::new(config(&JsValue::UNDEFINED), throwing_host()).unwrap();
    let error = settle(engine.find_user_by_email("ann@acme.com".into())).await.unwrap_err();
    assert_eq!(get(&error, "code").as_string().unwrap(), "UNAVAILABLE");
    assert!(get(&error, "message").as_string().unwrap().contains("host exploded"));
}

#[wasm_bindgen_test]
fn bad_config_is_a_config_error_naming_the_setting() {
    let bad = js_sys::JSON::parse(r#"{"options": {"maxRetries": "three"}}"#).unwrap();
    let error = WasmEngine::new(config(&bad), make_host(&script(&[]))).err().unwrap();
    assert_eq!(get(&error, "code").as_string().unwrap(), "CONFIG");
    assert_eq!(get(&get(&error, "details"), "field").as_string().unwrap(), "options.maxRetries");
}

#[wasm_bindgen_test]
async fn concurrent_calls_on_one_engine_both_finish() {
    let host = make_host(&script(&[users_answer(), users_answer()]));
    let engine = WasmEngine::new(config(&JsValue::UNDEFINED), host.clone()).unwrap();
    let both: js_sys::Array = [
        run_task(engine.find_user_by_email("ann@acme.com".into())),
        run_task(engine.setup_user("ann@acme.com".into())),
    ]
    .iter()
    .collect();
    let results = JsFuture::from(Promise::all(&both)).await.unwrap();
    let results: js_sys::Array = results.into();
    assert_eq!(get(&results.get(0), "id").as_f64(), Some(11.0));
    assert_eq!(get(&results.get(1), "success").as_bool(), Some(true));
}

fn json(text: &str) -> JsValue {
    js_sys::JSON::parse(text).unwrap()
}

/// Each test gets its own Pipedrive host: rate limits and token pauses are shared per base URL in a process.
fn config_at(base_url: &str) -> JsValue {
    json(&format!(
        r#"{{"pipedrive": {{"apiToken": "tok-secret-9", "baseUrl": "{base_url}", "perUserTokens": false}}, "options": {{"baseDelayMs": 10, "maxDelayMs": 100}}}}"#
    ))
}

#[wasm_bindgen_test]
async fn a_503_is_retried_three_times_and_no_more_through_a_js_host() {
    let unavailable =
        || answer(503, &json(r#"{"success": false, "error": "Service unavailable"}"#), &JsValue::UNDEFINED);
    let host = fast_host(
        &script(&[unavailable(), unavailable(), unavailable(), unavailable(), unavailable()]),
        &JsValue::UNDEFINED,
    );
    let engine = WasmEngine::new(config_at("https://w503.test"), host.clone()).unwrap();
    let error = settle(engine.find_user_by_email("ann@acme.com".into())).await.unwrap_err();
    assert_eq!(get(&error, "code").as_string().unwrap(), "UNAVAILABLE");
    assert_eq!(js_sys::Array::from(&get(&host, "requests")).length(), 4);
    assert_eq!(js_sys::Array::from(&get(&host, "sleeps")).length(), 3, "three backoffs");
}

#[wasm_bindgen_test]
async fn a_400_is_tried_once_through_a_js_host() {
    let host = fast_host(
        &script(&[answer(400, &json(r#"{"success": false, "error": "bad"}"#), &JsValue::UNDEFINED)]),
        &JsValue::UNDEFINED,
    );
    let engine = WasmEngine::new(config_at("https://w400.test"), host.clone()).unwrap();
    let error = settle(engine.find_user_by_email("ann@acme.com".into())).await.unwrap_err();
    assert_eq!(get(&error, "code").as_string().unwrap(), "VALIDATION");
    assert_eq!(js_sys::Array::from(&get(&host, "requests")).length(), 1);
}

#[wasm_bindgen_test]
async fn a_429_is_waited_out_for_its_reset_through_a_js_host() {
    let limited = answer(
        429,
        &json(r#"{"success": false, "error": "Request over limit"}"#),
        &json(r#"{"x-ratelimit-reset": "2"}"#),
    );
    let host = fast_host(&script(&[limited, users_answer()]), &JsValue::UNDEFINED);
    let engine = WasmEngine::new(config_at("https://w429.test"), host.clone()).unwrap();
    let user = settle(engine.find_user_by_email("ann@acme.com".into())).await.unwrap();
    assert_eq!(get(&user, "id").as_f64(), Some(11.0));
    let sleeps: Vec<f64> = js_sys::Array::from(&get(&host, "sleeps")).iter().filter_map(|ms| ms.as_f64()).collect();
    assert!(sleeps.iter().any(|ms| *ms >= 2000.0), "waited {sleeps:?}");
}

#[wasm_bindgen_test]
async fn a_drain_carries_out_a_job_through_a_js_store() {
    let jobs = json(
        r#"[{"id": 1, "kind": "update_record", "recordType": "person", "recordId": "5", "attempts": 0, "state": "PENDING",
             "payload": {"entity": "person", "id": 5, "fields": {"name": "Ann"}}},
            {"id": 2, "kind": "update_record", "recordType": "person", "recordId": "6", "attempts": 0, "state": "PENDING",
             "payload": {"entity": "person", "id": 6, "fields": {"nickname": "x"}}}]"#,
    );
    let patched = answer(200, &json(r#"{"success": true, "data": {"id": 5, "name": "Ann"}}"#), &JsValue::UNDEFINED);
    let host = fast_host(&script(&[patched]), &jobs);
    let engine = WasmEngine::new(config_at("https://wdrain.test"), host.clone()).unwrap();
    let report = settle(engine.drain(json(r#"{"workerId": "w1", "concurrency": 1}"#), None, None)).await.unwrap();
    assert_eq!(get(&report, "succeeded").as_f64(), Some(1.0));
    assert_eq!(get(&report, "dead").as_f64(), Some(1.0), "an invalid payload is dead without a request");
    let jobs = js_sys::Array::from(&get(&host, "jobs"));
    assert_eq!(get(&jobs.get(0), "state").as_string().unwrap(), "DONE");
    assert_eq!(get(&jobs.get(1), "state").as_string().unwrap(), "DEAD");
    let request = js_sys::Array::from(&get(&host, "requests")).get(0);
    assert_eq!(get(&request, "method").as_string().unwrap(), "PATCH");
    assert_eq!(get(&request, "url").as_string().unwrap(), "https://wdrain.test/api/v2/persons/5");
}
