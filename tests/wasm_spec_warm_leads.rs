//! The spec's §9.2.1 unit tests (warm lead detection), as a wasm-bindgen-test suite under Node: the exported
//! engine driven through a JavaScript host, as the facade drives it (the approach of `tests/wasm_updates.rs`).
//! The fixture stands in for the spec's vitest mocks: a Pipedrive answering API v2 / v1 requests by method and
//! path, and a small in-memory store (contacts, organizations, users, a leased outbox). The spec's mocked
//! `createPerson` / `createOrganization` calls are the `POST /api/v2/persons` / `organizations` requests the engine
//! sends; its `org_name` is the v2 `org_id` of the organization created first.
#![cfg(target_arch = "wasm32")]

mod spec_host;

use serde_json::{json, Value};
use wasm_bindgen_test::wasm_bindgen_test;

use spec_host::*;

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
