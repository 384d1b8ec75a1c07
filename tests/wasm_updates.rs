//! The spec's §9.2.3 unit tests (record updates), as a wasm-bindgen-test suite under Node: the exported engine
//! driven through a JavaScript host, as the facade drives it. The fixture is in the spirit of the spec's §9.5 mock
//! manager: Pipedrive answers by method and path, and a store that keeps snapshots and conflicts in memory. The
//! spec's ids (`'activity-123'`) are CRM-looking; the update API takes Pipedrive ids, so these tests use numbers.
#![cfg(target_arch = "wasm32")]

mod spec_host;

use js_sys::Array;
use spec_host::{drive, JsFuture, Reflect, Task, WasmEngine};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen(inline_js = r#"
const json = (status, data) => ({ status, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ success: status < 400, data }) });

// A Pipedrive of `records` (by "entity/id"), answering GET, ids= lists and PATCH like API v2, and a store.
export function updateHost(records, snapshots) {
  const requests = [];
  const conflicts = [];
  const marks = [];
  const saved = [];
  const path = (url) => new URL(url).pathname.replace(/^\/api\/v2\//, '');
  const host = {
    requests, conflicts, marks, saved,
    async send(req) {
      requests.push({ method: req.method, url: req.url, body: req.body ? JSON.parse(req.body) : null });
      const url = new URL(req.url);
      const [collection, id] = path(req.url).split('/');
      const entity = { activities: 'activity', persons: 'person', organizations: 'organization', deals: 'deal' }[collection];
      if (req.method === 'GET' && !id) {
        const ids = (url.searchParams.get('ids') || '').split(',').filter(Boolean);
        return { ok: true, value: json(200, ids.map((i) => records[`${entity}/${i}`]).filter(Boolean)) };
      }
      const record = records[`${entity}/${id}`];
      if (!record) return { ok: true, value: json(404, null) };
      if (req.method === 'GET') return { ok: true, value: json(200, record) };
      if (req.method === 'PATCH') {
        Object.assign(record, JSON.parse(req.body), { update_time: '2026-12-01T10:00:05Z' });
        return { ok: true, value: json(200, record) };
      }
      return { ok: true, value: json(405, null) };
    },
    async store(method, args) {
      if (method === 'findSnapshot') return { ok: true, value: snapshots[`${args[0]}/${args[1]}`] || null };
      if (method === 'saveSnapshot') { saved.push(args[0]); return { ok: true, value: null }; }
      if (method === 'recordConflict') { conflicts.push(args[0]); return { ok: true, value: conflicts.length + 6 }; }
      if (method === 'markLinkedRecord') { marks.push(args); return { ok: true, value: false }; }
      return { ok: false, error: { message: 'no method ' + method } };
    },
    async tokenFor() { return { ok: true, value: null }; },
    now() { return Date.parse('2026-12-01T10:00:10Z'); },
    sleep() { return Promise.resolve(); },
    deadline() { return { promise: new Promise(() => {}), cancel() {} }; },
    random() { return 0.5; },
    zoneOffset() { return 0; },
    log() {},
  };
  return host;
}

export function updateConfig(strategy) {
  return { pipedrive: { apiToken: 'tok-updates-1', baseUrl: 'https://pd.test', perUserTokens: false }, options: { conflictStrategy: strategy } };
}
"#)]
extern "C" {
    #[wasm_bindgen(js_name = updateHost)]
    fn update_host(records: &JsValue, snapshots: &JsValue) -> JsValue;
    #[wasm_bindgen(js_name = updateConfig)]
    fn update_config(strategy: &str) -> JsValue;
}

fn get(object: &JsValue, key: &str) -> JsValue {
    Reflect::get(object, &JsValue::from_str(key)).unwrap()
}

fn json(text: &str) -> JsValue {
    js_sys::JSON::parse(text).unwrap()
}

async fn settle(task: Task) -> JsValue {
    JsFuture::from(drive(task)).await.unwrap()
}

fn patches(host: &JsValue) -> Vec<JsValue> {
    Array::from(&get(host, "requests"))
        .iter()
        .filter(|r| get(r, "method").as_string().as_deref() == Some("PATCH"))
        .collect()
}

#[wasm_bindgen_test]
async fn update_activity_updates_the_activity_in_pipedrive() {
    let records = json(
        r#"{"activity/123": {"id": 123, "subject": "Call", "note": "", "done": false, "update_time": "2026-12-01T09:00:00Z"}}"#,
    );
    let host = update_host(&records, &json("{}"));
    let engine = WasmEngine::new(update_config("last-write-wins"), host.clone()).unwrap();
    let data = json(r#"{"subject": "Updated subject", "note": "Updated note", "done": true}"#);
    let result = settle(engine.update_record("activity".into(), 123.into(), data)).await;
    assert_eq!(get(&result, "success").as_bool(), Some(true), "{:?}", js_sys::JSON::stringify(&result));
    assert_eq!(get(&result, "recordId").as_string().as_deref(), Some("123"));
    let sent = patches(&host);
    assert_eq!(sent.len(), 1);
    assert!(get(&sent[0], "url").as_string().unwrap().ends_with("/api/v2/activities/123"));
    let body = get(&sent[0], "body");
    assert_eq!(get(&body, "subject").as_string().as_deref(), Some("Updated subject"));
    assert_eq!(get(&body, "note").as_string().as_deref(), Some("Updated note"));
    assert_eq!(get(&body, "done").as_bool(), Some(true));
    assert_eq!(get(&get(&result, "fields"), "subject").as_string().as_deref(), Some("pushed"));
    assert_eq!(Array::from(&get(&host, "saved")).length(), 1, "the snapshot is saved");
}

#[wasm_bindgen_test]
async fn update_activity_handles_update_conflicts() {
    // The subject was changed in Pipedrive by another user since the last sync, and here too.
    let records = json(
        r#"{"activity/123": {"id": 123, "subject": "Changed by another user", "note": "n", "update_time": "2026-12-01T10:00:09Z"}}"#,
    );
    let snapshots =
        json(r#"{"activity/123": {"fields": {"subject": "Original"}, "remoteUpdateTime": "2026-11-30T10:00:00Z"}}"#);
    let host = update_host(&records, &snapshots);
    let engine = WasmEngine::new(update_config("manual"), host.clone()).unwrap();
    let result =
        settle(engine.update_record("activity".into(), 123.into(), json(r#"{"subject": "Updated subject"}"#))).await;
    assert_eq!(get(&result, "success").as_bool(), Some(false));
    let error = get(&result, "error").as_string().unwrap();
    assert!(error.contains("Conflict"), "{error}");
    assert_eq!(get(&result, "conflictId").as_f64(), Some(7.0));
    assert!(patches(&host).is_empty(), "the conflicting field is not sent");
    let conflict = Array::from(&get(&host, "conflicts")).get(0);
    assert_eq!(
        get(&get(&get(&conflict, "fields"), "subject"), "remote").as_string().as_deref(),
        Some("Changed by another user")
    );
}

#[wasm_bindgen_test]
async fn batch_update_processes_multiple_updates() {
    let records = json(
        r#"{"activity/1": {"id": 1, "subject": "Old 1", "update_time": "2026-12-01T09:00:00Z"},
            "person/2": {"id": 2, "name": "Old 2", "update_time": "2026-12-01T09:00:00Z"}}"#,
    );
    let host = update_host(&records, &json("{}"));
    let engine = WasmEngine::new(update_config("last-write-wins"), host.clone()).unwrap();
    let requests = json(
        r#"[{"recordType": "activity", "recordId": 1, "data": {"subject": "Update 1"}},
            {"recordType": "person", "recordId": "2", "data": {"name": "Update 2"}}]"#,
    );
    let result = settle(engine.batch_update(requests)).await;
    assert_eq!(get(&result, "success").as_bool(), Some(true));
    let summary = get(&result, "summary");
    assert_eq!(get(&summary, "total").as_f64(), Some(2.0));
    assert_eq!(get(&summary, "successful").as_f64(), Some(2.0));
    let methods: Vec<String> =
        Array::from(&get(&host, "requests")).iter().map(|r| get(&r, "method").as_string().unwrap()).collect();
    assert_eq!(methods, ["GET", "GET", "PATCH", "PATCH"], "one ids= list per entity type, then the PATCHes");
}

#[wasm_bindgen_test]
async fn a_batch_of_51_is_refused_whole_and_nothing_is_sent() {
    let host = update_host(&json("{}"), &json("{}"));
    let engine = WasmEngine::new(update_config("last-write-wins"), host.clone()).unwrap();
    let item = r#"{"recordType": "person", "recordId": 1, "data": {"name": "x"}}"#;
    let requests = json(&format!("[{}]", vec![item; 51].join(",")));
    let error = JsFuture::from(drive(engine.batch_update(requests))).await.unwrap_err();
    assert_eq!(get(&error, "code").as_string().as_deref(), Some("VALIDATION"));
    assert_eq!(Array::from(&get(&host, "requests")).length(), 0);
}
