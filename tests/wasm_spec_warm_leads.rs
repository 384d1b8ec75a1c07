//! The spec's §9.2.1 unit tests (warm lead detection), as a wasm-bindgen-test suite under Node: the exported
//! engine driven through a JavaScript host, as the facade drives it (the approach of `tests/wasm_updates.rs`).
//! The fixture stands in for the spec's vitest mocks: a Pipedrive answering API v2 / v1 requests by method and
//! path, and a small in-memory store (contacts, organizations, users, a leased outbox). The spec's mocked
//! `createPerson` / `createOrganization` calls are the `POST /api/v2/persons` / `organizations` requests the engine
//! sends; its `org_name` is the v2 `org_id` of the organization created first.
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

/// The spec's `beforeEach`: contact-123, John Doe, warmness 5, no Pipedrive person, organization Test Corp
/// without a Pipedrive organization; the acting CRM user user-456, whose email is a Pipedrive user's (id 2).
fn spec_seed(contact: Value) -> Value {
    let mut base = json!({
        "id": "contact-123", "name": "John Doe", "email": "john@example.com", "phone": "+1234567890",
        "warmnessScore": 5, "ownerId": "user-456", "pipedrivePersonId": null, "pipedriveOrgId": null,
        "updateSyncStatus": "PENDING", "organizationId": "org-123",
    });
    base.as_object_mut().unwrap().extend(contact.as_object().unwrap().clone());
    json!({
        "contacts": [base],
        "localOrganizations": [{"id": "org-123", "name": "Test Corp", "industry": null, "country": null,
                                "address": null, "pipedriveOrgId": null}],
        "localUsers": [{"id": "user-456", "email": "sam.seller@example.com", "name": "Sam", "pipedriveUserId": null}],
    })
}

/// A host and an engine of its own (rate limits are shared per base URL within a process).
fn engine_for(seed: Value, base_url: &str) -> (JsValue, WasmEngine) {
    let host = spec_host(&js(&seed));
    let engine = WasmEngine::new(spec_config(base_url, &JsValue::UNDEFINED), host.clone()).unwrap();
    (host, engine)
}

fn request(score: Option<i64>) -> JsValue {
    js(&json!({"contactId": "contact-123", "userId": "user-456", "warmnessScore": score}))
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

/// The bodies of the requests with this method and path.
fn bodies(host: &JsValue, method: &str, path: &str) -> Vec<Value> {
    read(host, "requests")
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["method"] == method && r["path"] == path)
        .map(|r| r["body"].clone())
        .collect()
}

/// The arguments of each store call of `method`.
fn store_calls(host: &JsValue, method: &str) -> Vec<Value> {
    read(host, "calls").as_array().unwrap().iter().filter(|c| c[0] == method).map(|c| c[1].clone()).collect()
}

// Spec §9.2.1: "should detect warm lead when score >= 4".
#[wasm_bindgen_test]
async fn should_detect_warm_lead_when_score_reaches_4() {
    let (host, engine) = engine_for(spec_seed(json!({})), "https://wl-detect.test");
    let result = settle(engine.check_and_create_warm_lead(request(Some(5)), None)).await;
    assert_eq!(result, Ok(json!(true)), "logs: {}", read(&host, "logs"));
    // createPerson was called with the name, the email and the warm-lead label.
    let created = bodies(&host, "POST", "/api/v2/persons");
    assert_eq!(created.len(), 1, "{:?}", seen(&host));
    let person = &created[0];
    assert_eq!(person["name"], "John Doe");
    assert_eq!(person["emails"], json!([{"value": "john@example.com", "primary": true, "label": "work"}]));
    assert_eq!(person["phones"], json!([{"value": "+1234567890", "primary": true, "label": "work"}]));
    assert_eq!(person["label_ids"], json!([3]), "the 'Warm Lead' label option of the person fields");
    assert_eq!(person["owner_id"], 2, "owned by the Pipedrive user with the CRM user's email");
    // The ids are stored locally through the store, fenced by the job's claim, and the job is done.
    let links = store_calls(&host, "linkContact");
    assert_eq!(links.len(), 1);
    assert_eq!(links[0][0], "contact-123");
    assert_eq!(links[0][1]["pipedrivePersonId"], 101);
    assert_eq!(links[0][1]["pipedriveOrgId"], 456);
    assert_eq!(links[0][1]["fence"]["jobId"], 1);
    assert_eq!(links[0][1]["fence"]["token"], 1);
    let contact = read(&host, "db.contacts.0");
    assert_eq!(
        (contact["pipedrivePersonId"].clone(), contact["updateSyncStatus"].clone()),
        (json!(101), json!("SYNCED"))
    );
    assert_eq!(read(&host, "db.users.0.pipedriveUserId"), 2, "the owner's Pipedrive id is stored on first use");
    let job = read(&host, "db.jobs.0");
    assert_eq!(
        (job["kind"].clone(), job["state"].clone(), job["attempts"].clone()),
        (json!("warm_lead"), json!("DONE"), json!(1))
    );
    assert_eq!(
        store_calls(&host, "updateWarmness")[0],
        json!(["contact-123", 5, {"threshold": 4, "userId": "user-456", "queueJob": true}])
    );
}

// Spec §9.2.1, "score >= 4" from below: a score of 3 is stored, and nothing is created.
#[wasm_bindgen_test]
async fn should_not_create_when_below_threshold() {
    let (host, engine) = engine_for(spec_seed(json!({"warmnessScore": 1})), "https://wl-below.test");
    let result = settle(engine.check_and_create_warm_lead(request(Some(3)), None)).await;
    assert_eq!(result, Ok(json!(false)));
    assert!(seen(&host).is_empty(), "no request: {:?}", seen(&host));
    assert_eq!(read(&host, "db.contacts.0.warmnessScore"), 3, "the score is stored locally");
    assert_eq!(read(&host, "db.jobs"), json!([]), "no job");
    assert!(store_calls(&host, "linkContact").is_empty());
}

// Spec §9.2.1: "should not create Pipedrive contact if already exists".
#[wasm_bindgen_test]
async fn should_not_create_pipedrive_contact_if_already_exists() {
    let (host, engine) = engine_for(
        spec_seed(json!({"pipedrivePersonId": 999, "updateSyncStatus": "SYNCED"})),
        "https://wl-exists.test",
    );
    let result = settle(engine.check_and_create_warm_lead(request(Some(5)), None)).await;
    assert_eq!(result, Ok(json!(false)));
    assert!(bodies(&host, "POST", "/api/v2/persons").is_empty(), "createPerson was not called");
    assert!(seen(&host).is_empty(), "nothing at all was sent: {:?}", seen(&host));
    assert_eq!(read(&host, "db.jobs"), json!([]));
    assert_eq!(read(&host, "db.contacts.0.pipedrivePersonId"), 999, "the link is kept");
}

// Spec §9.2.1: "should create organization before contact".
#[wasm_bindgen_test]
async fn should_create_organization_before_contact() {
    let (host, engine) = engine_for(spec_seed(json!({})), "https://wl-org.test");
    let result = settle(engine.check_and_create_warm_lead(request(Some(5)), None)).await;
    assert_eq!(result, Ok(json!(true)), "logs: {}", read(&host, "logs"));
    let sent = seen(&host);
    let org = sent.iter().position(|r| r == "POST /api/v2/organizations");
    let person = sent.iter().position(|r| r == "POST /api/v2/persons");
    assert!(matches!((org, person), (Some(o), Some(p)) if o < p), "organization before person: {sent:?}");
    // createOrganization({name: 'Test Corp'}), which answers 456 …
    let orgs = bodies(&host, "POST", "/api/v2/organizations");
    assert_eq!(orgs, vec![json!({"name": "Test Corp", "owner_id": 2})]);
    // … then createPerson with that organization (v2 takes its id: the spec's `org_name: 'Test Corp'`).
    assert_eq!(bodies(&host, "POST", "/api/v2/persons")[0]["org_id"], 456);
    assert_eq!(read(&host, "pd.persons.0.org_id"), 456);
    assert_eq!(read(&host, "pd.organizations.0.name"), "Test Corp");
    let linked = &store_calls(&host, "linkOrganization")[0];
    assert_eq!((linked[0].clone(), linked[1]["pipedriveOrgId"].clone()), (json!("org-123"), json!(456)));
    assert_eq!(read(&host, "db.contacts.0.pipedriveOrgId"), 456);
}
