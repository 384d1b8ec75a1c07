//! The JavaScript host both spec suites (`wasm_spec_warm_leads.rs`, `wasm_spec_activities.rs`) drive the engine
//! through: a Pipedrive answering by method and path, a small in-memory store with a leased outbox, a clock that
//! moves only when the engine sleeps, and the task driver.
#![allow(dead_code)]
pub use js_sys::{Promise, Reflect};
pub use pipedrive_sync::wasm::{Task, WasmEngine};
pub use serde_json::{json, Value};
pub use wasm_bindgen::prelude::*;
pub use wasm_bindgen_futures::JsFuture;

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
    pub fn spec_host(seed: &JsValue) -> JsValue;
    #[wasm_bindgen(js_name = specConfig)]
    pub fn spec_config(base_url: &str, options: &JsValue) -> JsValue;
    pub fn drive(task: Task) -> Promise;
}

pub fn js(value: &Value) -> JsValue {
    js_sys::JSON::parse(&value.to_string()).unwrap()
}

/// A JS value (or one of its members, by a dotted path) as JSON.
pub fn read(object: &JsValue, path: &str) -> Value {
    let mut value = object.clone();
    for key in path.split('.') {
        value = Reflect::get(&value, &JsValue::from_str(key)).unwrap();
    }
    if value.is_undefined() {
        return Value::Null;
    }
    serde_json::from_str(&String::from(js_sys::JSON::stringify(&value).unwrap())).unwrap()
}

pub async fn settle(task: Task) -> Result<Value, Value> {
    match JsFuture::from(drive(task)).await {
        Ok(value) => Ok(read(&js_sys::Array::of1(&value), "0")),
        Err(error) => Err(json!({
            "code": read(&error, "code"),
            "message": read(&error, "message"),
        })),
    }
}

/// The requests Pipedrive saw, as `METHOD /path`.
pub fn seen(host: &JsValue) -> Vec<String> {
    read(host, "requests")
        .as_array()
        .unwrap()
        .iter()
        .map(|r| format!("{} {}", r["method"].as_str().unwrap(), r["path"].as_str().unwrap()))
        .collect()
}
