//! The spec's §9.2.2 unit tests (activity replication), as a wasm-bindgen-test suite under Node: the exported
//! engine driven through a JavaScript host, as the facade drives it (the approach of `tests/wasm_updates.rs`).
//! The fixture stands in for the spec's vitest mocks: a Pipedrive answering API v2 / v1 requests by method and
//! path, and a small in-memory store (contacts, activities, users, a leased outbox). The spec's mocked
//! `createActivity` calls are the `POST /api/v2/activities` requests the engine sends; its `person_id: 123` is the
//! v2 primary participant (v2's `person_id` is read-only), and its due date and time are one UTC instant.
#![cfg(target_arch = "wasm32")]

use js_sys::{Promise, Reflect};
use pipedrive_sync::wasm::{Task, WasmEngine};
use serde_json::{json, Value};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen(inline_js = r#"
const iso = (ms) => new Date(ms).toISOString();
const seconds = (ms) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
const envelope = (status, data, extra) => ({
  status,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(Object.assign({ success: status < 400 }, status < 400 ? { data } : { error: data }, extra || {})),
});

// A Pipedrive (users, person fields with the "Warm Lead" label, activity types, persons, organizations,
// activities; search, lists, GET, POST, PATCH) and a small in-memory SyncStore with a leased outbox, in the
// spirit of the spec's §9.5 mock manager. `faults` fail the next requests of a method and path with a status.
export function specHost(seed) {
  let clock = Date.parse('2026-12-01T10:00:00Z');
  const requests = [];
  const calls = [];
  const logs = [];
  const pd = {
    users: seed.pipedriveUsers || [{ id: 2, name: 'Sam', email: 'sam.seller@example.com', active_flag: true, is_admin: 0 }],
    labels: seed.labels || [{ id: 3, label: 'Warm Lead', color: 'yellow' }],
    activityTypes: seed.activityTypes || ['call', 'email', 'meeting', 'task', 'deadline', 'lunch'],
    persons: seed.persons || [],
    organizations: seed.organizations || [],
    activities: seed.activities || [],
    nextId: Object.assign({ persons: 101, organizations: 456, activities: 789 }, seed.nextId || {}),
  };
  const faults = [];
  const db = {
    users: seed.localUsers || [],
    contacts: seed.contacts || [],
    organizations: seed.localOrganizations || [],
    activities: seed.localActivities || [],
    jobs: [],
    snapshots: [],
    conflicts: [],
  };
  const collections = ['persons', 'organizations', 'activities'];

  async function send(req) {
    const url = new URL(req.url);
    const body = req.body ? JSON.parse(req.body) : null;
    const query = Object.fromEntries(url.searchParams);
    requests.push({ method: req.method, path: url.pathname, query, body });
    const fault = faults.find((f) => f.count > 0 && f.method === req.method && f.path === url.pathname);
    if (fault) {
      fault.count -= 1;
      if (fault.status === 0) return { ok: false, error: { kind: 'network', message: 'ECONNRESET' } };
      return { ok: true, value: envelope(fault.status, fault.error || 'API Error') };
    }
    const path = url.pathname;
    if (req.method === 'GET' && path === '/v1/users') return { ok: true, value: envelope(200, pd.users) };
    if (req.method === 'GET' && path === '/v1/personFields') {
      const fields = [{ id: 9040, key: 'label_ids', name: 'Labels', field_type: 'set', options: pd.labels }];
      return { ok: true, value: envelope(200, fields, { additional_data: { pagination: { more_items_in_collection: false } } }) };
    }
    if (req.method === 'GET' && path === '/v1/activityTypes') {
      return { ok: true, value: envelope(200, pd.activityTypes.map((key, i) => ({ id: i + 1, key_string: key, name: key, active_flag: true }))) };
    }
    const [, api, version, collection, id] = path.split('/');
    if (api !== 'api' || version !== 'v2' || !collections.includes(collection)) return { ok: true, value: envelope(404, 'no route') };
    const records = pd[collection];
    if (req.method === 'GET' && id === 'search') {
      const term = (query.term || '').trim().toLowerCase();
      const hits = records.filter((r) => query.fields === 'email'
        ? (r.emails || []).some((e) => e.value.toLowerCase() === term)
        : (r.name || '').toLowerCase() === term);
      const items = hits.map((r) => ({ result_score: 1, item: { id: r.id, name: r.name, emails: (r.emails || []).map((e) => e.value) } }));
      return { ok: true, value: envelope(200, { items }) };
    }
    if (req.method === 'GET' && !id) {
      const since = query.updated_since ? Date.parse(query.updated_since) : 0;
      const person = query.person_id ? Number(query.person_id) : null;
      const data = records.filter((r) => Date.parse(r.update_time) >= since
        && (person === null || (r.participants || []).some((p) => p.person_id === person)));
      return { ok: true, value: envelope(200, data, { additional_data: { next_cursor: null } }) };
    }
    if (req.method === 'POST' && !id) {
      const record = Object.assign({ id: pd.nextId[collection]++ }, body, { add_time: seconds(clock), update_time: seconds(clock) });
      records.push(record);
      return { ok: true, value: envelope(201, record) };
    }
    const record = records.find((r) => String(r.id) === id);
    if (!record) return { ok: true, value: envelope(404, 'not found') };
    if (req.method === 'GET') return { ok: true, value: envelope(200, record) };
    if (req.method === 'PATCH') return { ok: true, value: envelope(200, Object.assign(record, body, { update_time: seconds(clock) })) };
    return { ok: true, value: envelope(405, 'method not allowed') };
  }

  // The outbox rules of js/store/memory.ts, in few lines: a claim raises the lease token; writes about a job
  // are accepted only while {workerId, token} is its current claim.
  const job = (id) => db.jobs.find((j) => j.id === id);
  const held = (j, lease) => !!j && j.state === 'RUNNING' && j.leaseOwner === lease.workerId && j.leaseToken === lease.token;
  const fenceHolds = (fence) => fence === undefined || fence === null || held(job(fence.jobId), fence);
  const open = (j) => j.state === 'PENDING' || j.state === 'RUNNING';
  const blocked = (j) => db.jobs.some((o) => o.id < j.id && o.recordType === j.recordType && o.recordId === j.recordId && open(o));
  const claimable = (j, now, anySchedule) => (j.state === 'PENDING' && (anySchedule || Date.parse(j.nextAttemptAt) <= now))
    || (j.state === 'RUNNING' && j.leaseUntil !== null && Date.parse(j.leaseUntil) < now);
  const lease = (j, request) => {
    const recovered = j.state === 'RUNNING';
    Object.assign(j, { state: 'RUNNING', leaseOwner: request.workerId, leaseUntil: iso(Date.parse(request.now) + request.leaseMs),
      attempts: j.attempts + 1, leaseToken: j.leaseToken + 1 });
    return Object.assign({}, j, { payload: Object.assign({}, j.payload) }, recovered ? { recovered: true } : {});
  };
  const enqueue = (kind, recordType, recordId, payload) => {
    const key = `${kind}:${recordId}`;
    const pending = db.jobs.find((j) => j.dedupeKey === key && j.state === 'PENDING');
    if (pending) {
      for (const [k, v] of Object.entries(payload)) if (v !== null) pending.payload[k] = v;
      return pending.id;
    }
    const id = db.jobs.length + 1;
    db.jobs.push({ id, kind, recordType, recordId, dedupeKey: key, payload, state: 'PENDING', priority: 10, attempts: 0,
      nextAttemptAt: iso(clock), leaseOwner: null, leaseUntil: null, lastError: null, leaseToken: 0, inDoubtSince: null });
    return id;
  };
  const contact = (id) => db.contacts.find((c) => c.id === id);
  const activity = (id) => db.activities.find((a) => a.id === id);
  const localActivity = (a) => {
    const c = contact(a.contactId);
    return Object.assign({}, a, { contact: { pipedrivePersonId: c ? c.pipedrivePersonId : null, pipedriveOrgId: c ? c.pipedriveOrgId : null } });
  };
  const methods = {
    findUserById: (id) => db.users.find((u) => u.id === id) || null,
    findUserByEmail: (email) => db.users.find((u) => u.email.toLowerCase() === email.trim().toLowerCase()) || null,
    setUserPipedriveId: (id, pipedriveUserId) => {
      const user = db.users.find((u) => u.id === id);
      if (user) user.pipedriveUserId = pipedriveUserId;
      return !!user;
    },
    findContact: (id) => {
      const c = contact(id);
      if (!c) return null;
      const org = db.organizations.find((o) => o.id === c.organizationId);
      return Object.assign({}, c, { organization: org ? Object.assign({}, org) : null });
    },
    linkContact: (id, link) => {
      const c = contact(id);
      if (!c || !fenceHolds(link.fence)) return false;
      c.pipedrivePersonId = link.pipedrivePersonId;
      if (link.pipedriveOrgId !== null) c.pipedriveOrgId = link.pipedriveOrgId;
      c.updateSyncStatus = 'SYNCED';
      return true;
    },
    linkOrganization: (id, link) => {
      const org = db.organizations.find((o) => o.id === id);
      if (org) org.pipedriveOrgId = link.pipedriveOrgId;
      return !!org;
    },
    setContactSyncStatus: (id, status) => {
      const c = contact(id);
      if (c) c.updateSyncStatus = status;
      return !!c;
    },
    updateWarmness: (id, score, options) => {
      const c = contact(id);
      if (!c) return { updated: false, jobId: null };
      c.warmnessScore = score;
      if (options.queueJob === false || score < (options.threshold ?? 4) || c.pipedrivePersonId !== null) return { updated: true, jobId: null };
      c.updateSyncStatus = 'PENDING';
      return { updated: true, jobId: enqueue('warm_lead', 'contact', id, { contactId: id, userId: options.userId ?? null }) };
    },
    saveSnapshot: (snapshot) => { db.snapshots.push(snapshot); return null; },
    recordConflict: (conflict) => { db.conflicts.push(conflict); return db.conflicts.length; },
    findActivity: (id) => { const a = activity(id); return a ? localActivity(a) : null; },
    listUnreplicatedActivities: (contactId) => db.activities.filter((a) => a.contactId === contactId && !a.replicatedToPipedrive).map(localActivity),
    recordActivityAttempt: (id, attempt) => {
      const a = activity(id);
      if (!a) return false;
      Object.assign(a, { pipedriveSyncAttempts: a.pipedriveSyncAttempts + 1, lastPipedriveSyncAttempt: attempt.at, updateSyncStatus: attempt.status });
      return true;
    },
    markActivityReplicated: (id, link) => {
      const a = activity(id);
      if (!a || !fenceHolds(link.fence)) return false;
      Object.assign(a, { pipedriveActivityId: link.pipedriveActivityId, replicatedToPipedrive: true, updateSyncStatus: 'SYNCED' });
      return true;
    },
    activityLogged: (id, options) => {
      const a = activity(id);
      const c = a && contact(a.contactId);
      if (!c || c.pipedrivePersonId === null) return null;
      a.updateSyncStatus = 'PENDING';
      return enqueue('replicate_activity', 'activity', id, { activityId: id, userId: (options && options.userId) || a.userId });
    },
    claimJob: (id, request) => {
      const j = job(id);
      if (!j || !claimable(j, Date.parse(request.now), true) || blocked(j)) return null;
      return lease(j, request);
    },
    claimJobs: (request) => {
      const now = Date.parse(request.now);
      const claimed = [];
      for (const j of db.jobs.filter((c) => claimable(c, now, false) && !blocked(c)).sort((a, b) => b.priority - a.priority || a.id - b.id)) {
        if (claimed.length < request.limit && !claimed.some((c) => c.recordType === j.recordType && c.recordId === j.recordId)) claimed.push(lease(j, request));
      }
      return claimed;
    },
    renewLease: (id, l, renewal) => {
      const j = job(id);
      if (!held(j, l)) return false;
      j.leaseUntil = iso(Date.parse(renewal.now) + renewal.leaseMs);
      return true;
    },
    markJobInDoubt: (id, l, mark) => {
      const j = job(id);
      if (!held(j, l)) return false;
      j.inDoubtSince = j.inDoubtSince ?? mark.since;
      return true;
    },
    completeJob: (id, l) => {
      const j = job(id);
      if (!held(j, l)) return false;
      Object.assign(j, { state: 'DONE', leaseOwner: null, leaseUntil: null });
      return true;
    },
    failJob: (id, l, failure) => {
      const j = job(id);
      if (!held(j, l)) return false;
      Object.assign(j, { state: failure.retryAt === null ? 'DEAD' : 'PENDING', nextAttemptAt: failure.retryAt ?? j.nextAttemptAt,
        lastError: failure.error, leaseOwner: null, leaseUntil: null });
      return true;
    },
  };
  const host = {
    requests, calls, logs, faults, pd, db,
    send,
    async store(method, args) {
      calls.push([method, JSON.parse(JSON.stringify(args))]);
      const fn = methods[method];
      if (!fn) return { ok: false, error: { message: 'the spec fixture has no store method ' + method } };
      try { return { ok: true, value: fn(...args) }; } catch (error) { return { ok: false, error: { message: String(error) } }; }
    },
    async tokenFor() { return { ok: true, value: null }; },
    now() { return clock; },
    // Time moves only by sleeping, so backoffs end without real waiting.
    sleep(ms) { clock += ms; return Promise.resolve(); },
    // The real-time budget never runs out here.
    deadline() { return { promise: new Promise(() => {}), cancel() {} }; },
    random() { return 0.5; },
    zoneOffset() { return 0; },
    log(level, event, fields) { logs.push({ level, event, fields }); },
  };
  return host;
}

export function specConfig(baseUrl, options) {
  return { pipedrive: { apiToken: 'tok-spec-1', baseUrl, perUserTokens: false },
    options: Object.assign({ baseDelayMs: 10, maxDelayMs: 100 }, options || {}) };
}

export function drive(task) {
  return new Promise((resolve, reject) => {
    const step = () => {
      let result;
      try { result = task.poll(wake); } catch (error) { reject(error); return; }
      if (result !== undefined) result.ok ? resolve(result.value) : reject(result.error);
    };
    const wake = () => queueMicrotask(step);
    step();
  });
}
"#)]
extern "C" {
    #[wasm_bindgen(js_name = specHost)]
    fn spec_host(seed: &JsValue) -> JsValue;
    #[wasm_bindgen(js_name = specConfig)]
    fn spec_config(base_url: &str, options: &JsValue) -> JsValue;
    fn drive(task: Task) -> Promise;
}

fn js(value: &Value) -> JsValue {
    js_sys::JSON::parse(&value.to_string()).unwrap()
}

/// A JS value (or one of its members, by a dotted path) as JSON.
fn read(object: &JsValue, path: &str) -> Value {
    let mut value = object.clone();
    for key in path.split('.') {
        value = Reflect::get(&value, &JsValue::from_str(key)).unwrap();
    }
    if value.is_undefined() {
        return Value::Null;
    }
    serde_json::from_str(&String::from(js_sys::JSON::stringify(&value).unwrap())).unwrap()
}

async fn settle(task: Task) -> Result<Value, Value> {
    match JsFuture::from(drive(task)).await {
        Ok(value) => Ok(read(&js_sys::Array::of1(&value), "0")),
        Err(error) => Err(json!({
            "code": read(&error, "code"),
            "message": read(&error, "message"),
        })),
    }
}

/// The spec's `beforeEach`: activity-123, an EMAIL "Follow up email" due 2025-12-25T10:00:00Z, of contact-456
/// whose Pipedrive person is 123, logged by user-789, whose email is a Pipedrive user's (id 2).
fn spec_seed(activity: Value, person: Option<i64>) -> Value {
    let mut base = json!({
        "id": "activity-123", "contactId": "contact-456", "userId": "user-789", "type": "EMAIL",
        "subject": "Follow up email", "note": "Important follow up", "dueDate": "2025-12-25T10:00:00Z",
        "allDay": false, "done": false, "pipedriveActivityId": null, "replicatedToPipedrive": false,
        "pipedriveSyncAttempts": 0, "lastPipedriveSyncAttempt": null, "updateSyncStatus": "PENDING",
        "createdAt": "2026-12-01T09:00:00Z",
    });
    base.as_object_mut().unwrap().extend(activity.as_object().unwrap().clone());
    json!({
        "localActivities": [base],
        "contacts": [{"id": "contact-456", "name": "Jane Roe", "email": "jane@example.com", "phone": null,
                      "warmnessScore": 5, "ownerId": "user-789", "pipedrivePersonId": person, "pipedriveOrgId": null,
                      "updateSyncStatus": "SYNCED", "organizationId": null}],
        "localUsers": [{"id": "user-789", "email": "sam.seller@example.com", "name": "Sam", "pipedriveUserId": null}],
    })
}

fn engine_with(seed: Value, base_url: &str, options: Value) -> (JsValue, WasmEngine) {
    let host = spec_host(&js(&seed));
    let engine = WasmEngine::new(spec_config(base_url, &js(&options)), host.clone()).unwrap();
    (host, engine)
}

fn request() -> JsValue {
    js(&json!({"activityId": "activity-123", "contactId": "contact-456", "userId": "user-789"}))
}

/// The requests Pipedrive saw, as `METHOD /path`.
fn seen(host: &JsValue) -> Vec<String> {
    read(host, "requests")
        .as_array()
        .unwrap()
        .iter()
        .map(|r| format!("{} {}", r["method"].as_str().unwrap(), r["path"].as_str().unwrap()))
        .collect()
}

/// The bodies of the activity creates (the spec's `createActivity` calls).
fn creates(host: &JsValue) -> Vec<Value> {
    read(host, "requests")
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["method"] == "POST" && r["path"] == "/api/v2/activities")
        .map(|r| r["body"].clone())
        .collect()
}

/// Fails the next `count` requests of `method path` with `status` (0: the connection drops, no answer).
fn fail_next(host: &JsValue, method: &str, path: &str, status: u16, count: u32) {
    let faults: js_sys::Array = Reflect::get(host, &JsValue::from_str("faults")).unwrap().into();
    faults.push(&js(&json!({"method": method, "path": path, "status": status, "count": count})));
}

// Spec §9.2.2: "should replicate activity for contact with Pipedrive ID".
#[wasm_bindgen_test]
async fn should_replicate_activity_for_contact_with_pipedrive_id() {
    let (host, engine) = engine_with(spec_seed(json!({}), Some(123)), "https://act-replicate.test", json!({}));
    let result = settle(engine.replicate_activity(request(), None)).await;
    assert_eq!(result, Ok(json!(true)), "logs: {}", read(&host, "logs"));
    assert_eq!(
        creates(&host),
        vec![json!({
            "subject": "Follow up email", "type": "email", "due_date": "2025-12-25", "due_time": "10:00:00",
            "note": "Important follow up", "done": false, "participants": [{"person_id": 123, "primary": true}],
            "owner_id": 2,
        })],
        "{:?}",
        seen(&host)
    );
    // The local activity records the Pipedrive id, the attempt and the status; the job is done.
    let activity = read(&host, "db.activities.0");
    assert_eq!(activity["pipedriveActivityId"], 789);
    assert_eq!(activity["replicatedToPipedrive"], true);
    assert_eq!(activity["pipedriveSyncAttempts"], 1);
    assert_eq!(activity["updateSyncStatus"], "SYNCED");
    let job = read(&host, "db.jobs.0");
    assert_eq!((job["kind"].clone(), job["state"].clone()), (json!("replicate_activity"), json!("DONE")));
    let status = settle(engine.activity_sync_status("activity-123".into())).await.unwrap();
    assert_eq!(
        status,
        json!({"success": true, "synced": true, "pipedriveActivityId": "789", "syncAttempts": 1,
               "lastAttempt": activity["lastPipedriveSyncAttempt"], "updateSyncStatus": "SYNCED"})
    );
}

// Spec §9.2.2: "should not replicate activity for contact without Pipedrive ID".
#[wasm_bindgen_test]
async fn should_not_replicate_activity_for_contact_without_pipedrive_id() {
    let (host, engine) = engine_with(spec_seed(json!({}), None), "https://act-unlinked.test", json!({}));
    let result = settle(engine.replicate_activity(request(), None)).await;
    assert_eq!(result, Ok(json!(false)));
    assert!(creates(&host).is_empty(), "createActivity was not called");
    assert!(seen(&host).is_empty(), "nothing at all was sent: {:?}", seen(&host));
    assert_eq!(read(&host, "db.jobs"), json!([]), "no job: the warm-lead backfill replicates it later");
    let status = settle(engine.activity_sync_status("activity-123".into())).await.unwrap();
    assert_eq!((status["synced"].clone(), status["syncAttempts"].clone()), (json!(false), json!(0)));
}

// Spec §9.2.2: "should handle retry logic on failure" (the first create fails with an API error, the second
// succeeds).
#[wasm_bindgen_test]
async fn should_handle_retry_logic_on_failure() {
    let (host, engine) = engine_with(spec_seed(json!({}), Some(123)), "https://act-retry.test", json!({}));
    fail_next(&host, "POST", "/api/v2/activities", 500, 1);
    let result = settle(engine.replicate_activity(request(), None)).await;
    assert_eq!(result, Ok(json!(true)), "logs: {}", read(&host, "logs"));
    assert_eq!(creates(&host).len(), 2, "createActivity called twice: {:?}", seen(&host));
    // Before sending again, the engine looked for an activity the failed create might have made.
    let sent = seen(&host);
    let first = sent.iter().position(|r| r == "POST /api/v2/activities").unwrap();
    assert!(sent[first + 1..].iter().any(|r| r == "GET /api/v2/activities"), "{sent:?}");
    assert_eq!(read(&host, "pd.activities").as_array().unwrap().len(), 1, "exactly one activity in Pipedrive");
    let activity = read(&host, "db.activities.0");
    assert_eq!(
        (activity["pipedriveActivityId"].clone(), activity["pipedriveSyncAttempts"].clone()),
        (json!(789), json!(1))
    );
    assert_eq!(read(&host, "db.jobs.0.state"), "DONE");
}

// Spec §2.1 / §9.2.2 (`type: 'email'`): each CRM type is sent as its Pipedrive type.
#[wasm_bindgen_test]
async fn activity_types_are_mapped_as_the_spec_says() {
    let table = [
        ("CALL", "call"),
        ("EMAIL", "email"),
        ("MEETING", "meeting"),
        ("LINKEDIN", "task"),
        ("REFERRAL", "task"),
        ("CONFERENCE", "meeting"),
    ];
    for (crm, pipedrive) in table {
        let (host, engine) = engine_with(
            spec_seed(json!({"type": crm}), Some(123)),
            &format!("https://act-type-{}.test", crm.to_lowercase()),
            json!({}),
        );
        assert_eq!(settle(engine.replicate_activity(request(), None)).await, Ok(json!(true)), "{crm}");
        assert_eq!(creates(&host)[0]["type"], pipedrive, "{crm}");
    }
}

// Spec §9.2.2 (`due_date: '2025-12-25', due_time: '10:00:00'` from one instant): due date and time are one UTC
// instant, whatever the offset the CRM stored it with; an all-day activity sends its date and no time.
#[wasm_bindgen_test]
async fn due_date_and_time_are_one_utc_instant() {
    let table = [
        ("2025-12-25T10:00:00Z", false, "2025-12-25", Some("10:00:00")),
        ("2025-12-25T23:30:00+02:00", false, "2025-12-25", Some("21:30:00")),
        ("2025-12-26T00:30:00+02:00", false, "2025-12-25", Some("22:30:00")),
        ("2025-12-25T20:00:00-05:00", false, "2025-12-26", Some("01:00:00")),
        ("2025-12-25T00:00:00Z", true, "2025-12-25", None),
    ];
    for (index, (due, all_day, date, time)) in table.into_iter().enumerate() {
        let (host, engine) = engine_with(
            spec_seed(json!({"dueDate": due, "allDay": all_day}), Some(123)),
            &format!("https://act-due-{index}.test"),
            json!({}),
        );
        assert_eq!(settle(engine.replicate_activity(request(), None)).await, Ok(json!(true)), "{due}");
        let body = &creates(&host)[0];
        assert_eq!(body["due_date"], date, "{due}");
        assert_eq!(body.get("due_time").and_then(Value::as_str), time, "{due}");
    }
}

// Spec §9.2.2, failure that outlasts the immediate attempt: `false`, the attempt counted as FAILED, the job back
// in the queue; a drain once Pipedrive is back replicates it, once.
#[wasm_bindgen_test]
async fn a_create_that_keeps_failing_is_left_to_the_queue_then_replicated_once() {
    let (host, engine) =
        engine_with(spec_seed(json!({}), Some(123)), "https://act-queue.test", json!({"maxRetries": 2}));
    fail_next(&host, "POST", "/api/v2/activities", 503, 50);
    let result = settle(engine.replicate_activity(request(), None)).await;
    assert_eq!(result, Ok(json!(false)));
    let tried = creates(&host).len();
    assert_eq!(tried, 3, "one create and maxRetries retries: {:?}", seen(&host));
    let activity = read(&host, "db.activities.0");
    assert_eq!(
        (activity["updateSyncStatus"].clone(), activity["pipedriveSyncAttempts"].clone()),
        (json!("FAILED"), json!(1))
    );
    let job = read(&host, "db.jobs.0");
    assert_eq!(job["state"], "PENDING", "rescheduled, not dead: {job}");
    assert!(job["lastError"].as_str().unwrap().starts_with("UNAVAILABLE"), "{job}");
    // Pipedrive is back, and a day later the retry is due.
    let faults: js_sys::Array = Reflect::get(&host, &JsValue::from_str("faults")).unwrap().into();
    faults.set_length(0);
    let sleep: js_sys::Function = Reflect::get(&host, &JsValue::from_str("sleep")).unwrap().into();
    sleep.call1(&host, &JsValue::from_f64(24.0 * 3600.0 * 1000.0)).unwrap();
    let report = settle(engine.drain(js(&json!({"workerId": "w1", "concurrency": 1})), None)).await.unwrap();
    assert_eq!(report["succeeded"], 1, "{report}");
    assert_eq!(creates(&host).len(), tried + 1);
    assert_eq!(read(&host, "pd.activities").as_array().unwrap().len(), 1);
    let activity = read(&host, "db.activities.0");
    assert_eq!(
        (activity["updateSyncStatus"].clone(), activity["pipedriveSyncAttempts"].clone()),
        (json!("SYNCED"), json!(2))
    );
    assert_eq!(read(&host, "db.jobs.0.state"), "DONE");
}
