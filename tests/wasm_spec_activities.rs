//! The spec's §9.2.2 unit tests (activity replication), as a wasm-bindgen-test suite under Node: the exported
//! engine driven through a JavaScript host, as the facade drives it (the approach of `tests/wasm_updates.rs`).
//! The fixture stands in for the spec's vitest mocks: a Pipedrive answering API v2 / v1 requests by method and
//! path, and a small in-memory store (contacts, activities, users, a leased outbox). The spec's mocked
//! `createActivity` calls are the `POST /api/v2/activities` requests the engine sends; its `person_id: 123` is the
//! v2 primary participant (v2's `person_id` is read-only), and its due date and time are one UTC instant.
#![cfg(target_arch = "wasm32")]

mod spec_host;

use serde_json::{json, Value};
use wasm_bindgen_test::wasm_bindgen_test;

use spec_host::*;

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
    let report = settle(engine.drain(js(&json!({"workerId": "w1", "concurrency": 1})), None, None)).await.unwrap();
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
