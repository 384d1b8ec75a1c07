//! Reading, searching and creating v2 records with the guarantees the flows rely on: a search that fails is an
//! error (never "not found"), and a create whose outcome is unknown is looked up before any new attempt, so one
//! local record never becomes two remote ones (DESIGN invariant 3).

use std::future::Future;

use serde_json::{json, Value};

use crate::api_token::ApiToken;
use crate::engine::Engine;
use crate::error::SyncError;
use crate::host::{Host, LogLevel};
use crate::iso_time::iso_seconds;
use crate::iso_time::parse_rfc3339;
use crate::local_async::join::LocalFuture;
use crate::pipedrive::client::CallOptions;
use crate::pipedrive::entities::Entity;
use crate::pipedrive::retry_policy::{RetryDecision, RetryPolicy};
use crate::pipedrive::search::{parse_hits, SearchHit};

impl<H: Host> Engine<H> {
    /// Exact-match search of persons or organizations on one field (`email`, `name`, `phone`).
    pub(crate) async fn search(
        &self,
        token: &ApiToken,
        entity: Entity,
        field: &str,
        term: &str,
        options: CallOptions,
    ) -> Result<Vec<SearchHit>, SyncError> {
        let path = format!("{}/search", entity.collection_path());
        let request = self.requests.get(
            token,
            &path,
            &[("term", term.trim()), ("fields", field), ("exact_match", "true"), ("limit", "50")],
        );
        parse_hits(self.call(token, request, options).await?)
    }

    /// One record by id.
    pub(crate) async fn get_record(
        &self,
        token: &ApiToken,
        entity: Entity,
        id: i64,
        options: CallOptions,
    ) -> Result<Value, SyncError> {
        self.call(token, self.requests.get(token, &entity.record_path(id), &[]), options).await
    }

    /// Records of `entity` updated at or after `since_ms` (newest first, at most [`RECENT_PAGES`] pages of 500)
    /// that satisfy `wanted`, with `query` as extra filters: the lookup that does not depend on the search index,
    /// which may not yet see a record created a moment ago (API-FACTS §2.3, marked unverified: so never trusted
    /// alone after an unknown outcome).
    pub(crate) async fn find_recent(
        &self,
        token: &ApiToken,
        entity: Entity,
        since_ms: i64,
        query: &[(&str, &str)],
        wanted: &dyn Fn(&Value) -> bool,
        options: CallOptions,
    ) -> Result<Option<i64>, SyncError> {
        // One second earlier: Pipedrive's times have one-second resolution.
        let since = iso_seconds(since_ms - 1000);
        let mut cursor: Option<String> = None;
        for _ in 0..RECENT_PAGES {
            let mut params: Vec<(&str, &str)> = vec![
                ("updated_since", &since),
                ("sort_by", "update_time"),
                ("sort_direction", "desc"),
                ("limit", "500"),
            ];
            params.extend_from_slice(query);
            if let Some(cursor) = &cursor {
                params.push(("cursor", cursor));
            }
            let request = self.requests.get(token, entity.collection_path(), &params);
            let page = self.call_envelope(token, request, options).await?;
            let found = page.data.as_array().into_iter().flatten().find(|record| {
                record.get("is_deleted") != Some(&Value::Bool(true))
                    && added_since(record, since_ms - 1000)
                    && wanted(record)
            });
            if let Some(id) = found.and_then(|record| record.get("id").and_then(Value::as_i64)) {
                return Ok(Some(id));
            }
            cursor = page.additional_data.get("next_cursor").and_then(Value::as_str).map(str::to_string);
            if cursor.is_none() {
                return Ok(None);
            }
        }
        Ok(None)
    }

    /// Creates a record exactly once, whatever the timing of faults (DESIGN invariant 2). `fence` is the job the
    /// create runs in: when an earlier attempt of it may have sent a create, `lookup` runs first; before every
    /// send the job is marked in doubt durably (and a worker that lost the job stops there). After a send whose
    /// outcome is unknown (timeout, dropped connection, 5xx) `lookup` decides: without any response Pipedrive may
    /// still be working on the request, so the lookup waits [`SETTLE_MS`] first, and when it finds nothing the
    /// attempt ends with the error instead of sending again (the job's next attempt, rescheduled, looks again
    /// before it creates). `lookup` gets the instant (ms) since which a create may have happened. Returns the id
    /// and the created record (`null` when the record was found by a lookup).
    pub(crate) async fn create_exactly_once<F, Fut>(
        &self,
        token: &ApiToken,
        entity: Entity,
        body: &Value,
        options: CallOptions,
        fence: &dyn CreateFence,
        lookup: F,
    ) -> Result<(i64, Value), SyncError>
    where
        F: Fn(i64) -> Fut,
        Fut: Future<Output = Result<Option<i64>, SyncError>>,
    {
        if let Some(since) = fence.in_doubt_since() {
            if let Some(id) = lookup(since).await? {
                self.host.log(
                    LogLevel::Info,
                    "pipedrive.create_found_in_doubt",
                    json!({ "entity": entity.name(), "id": id }),
                );
                return Ok((id, Value::Null));
            }
        }
        let policy = RetryPolicy::from_options(&self.config.options);
        let mut retries = 0;
        loop {
            let since = fence.before_create().await?;
            let request = self.requests.with_body("POST", token, entity.collection_path(), body);
            let error = match self.call(token, request, options.create()).await {
                Ok(record) => {
                    let id = record.get("id").and_then(Value::as_i64).ok_or_else(|| SyncError::Unavailable {
                        message: format!("Pipedrive created a {} but answered without its id", entity.name()),
                        status: None,
                    })?;
                    return Ok((id, record));
                }
                Err(error @ SyncError::Unavailable { .. }) => error,
                Err(error) => return Err(error),
            };
            let answered = matches!(error, SyncError::Unavailable { status: Some(_), .. });
            self.host.log(
                LogLevel::Warn,
                "pipedrive.create_outcome_unknown",
                json!({ "entity": entity.name(), "error": error.to_string(), "answered": answered }),
            );
            if !answered {
                self.host.sleep(SETTLE_MS).await;
            }
            if let Some(id) = lookup(since).await? {
                self.host.log(
                    LogLevel::Info,
                    "pipedrive.create_found_after_failure",
                    json!({ "entity": entity.name(), "id": id }),
                );
                return Ok((id, Value::Null));
            }
            if !answered {
                // Still perhaps in flight at Pipedrive: "not there" is concluded by a later attempt, not now.
                return Err(error);
            }
            match policy.decide(retries, &error, self.host.random()) {
                RetryDecision::RetryAfter(delay_ms) => {
                    self.host.sleep(delay_ms).await;
                    retries += 1;
                }
                _ => return Err(error),
            }
        }
    }
}

/// What a create needs from the job it runs in (implemented by the outbox's attempt).
pub trait CreateFence {
    /// Since when (ms) an earlier attempt of this job may have created a record: creates look it up first.
    fn in_doubt_since(&self) -> Option<i64>;
    /// Marks the job in doubt durably before a create is sent and answers since when (ms) it is; fails when this
    /// worker no longer holds the job, so nothing more is sent.
    fn before_create(&self) -> LocalFuture<'_, Result<i64, SyncError>>;
}

/// How many pages of 500 [`Engine::find_recent`] reads at most.
pub const RECENT_PAGES: usize = 4;

/// How long a lookup waits after a create that got no response at all, so that a request still being processed
/// by Pipedrive is visible when it looks.
pub const SETTLE_MS: u64 = 1_000;

/// Whether `record` was added at or after `since_ms` (by its `add_time`).
fn added_since(record: &Value, since_ms: i64) -> bool {
    record
        .get("add_time")
        .and_then(Value::as_str)
        .and_then(parse_rfc3339)
        .is_some_and(|added| added.timestamp_millis() >= since_ms)
}

/// Whether `remote` already holds `wanted`: every key of an object, every element of an array (same length),
/// equal scalars. Pipedrive adds defaults (an email's `label`), so extra remote keys do not count.
pub fn holds(remote: &Value, wanted: &Value) -> bool {
    match (remote, wanted) {
        (Value::Object(remote), Value::Object(wanted)) => {
            wanted.iter().all(|(key, value)| holds(remote.get(key).unwrap_or(&Value::Null), value))
        }
        (Value::Array(remote), Value::Array(wanted)) => {
            remote.len() == wanted.len() && remote.iter().zip(wanted).all(|(remote, wanted)| holds(remote, wanted))
        }
        (Value::Number(remote), Value::Number(wanted)) => remote.as_f64() == wanted.as_f64(),
        _ => remote == wanted,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::test_host::{block_on, test_engine, TestHost};
    use crate::host::TransportError;
    use std::cell::Cell;

    fn token() -> ApiToken {
        ApiToken::parse("t", "company-token-123").unwrap()
    }

    fn outage() -> Value {
        json!({"success": false, "error": "Service unavailable"})
    }

    #[test]
    fn a_failing_search_is_an_error_never_no_match() {
        let host = TestHost::default();
        for _ in 0..4 {
            host.answer(503, outage());
        }
        let engine = test_engine(host);
        let result =
            block_on(engine.search(&token(), Entity::Person, "email", "ann@acme.com", CallOptions::BACKGROUND));
        assert_eq!(result.unwrap_err().code(), "UNAVAILABLE");
        let host = TestHost::default();
        host.answer(200, json!({"success": true, "data": {"items": [{"result_score": 1.0, "item": {"id": 5, "name": "Ann", "emails": ["ann@acme.com"]}}]}}));
        let engine = test_engine(host);
        let hits =
            block_on(engine.search(&token(), Entity::Person, "email", " ann@acme.com ", CallOptions::BACKGROUND))
                .unwrap();
        assert_eq!(hits, vec![SearchHit { id: 5, name: "Ann".into(), emails: vec!["ann@acme.com".into()] }]);
        let url = &engine.host().requests.borrow()[0].url;
        assert!(url.contains("term=ann%40acme.com") && url.contains("exact_match=true"), "{url}");
    }

    /// A job's fence as the tests script it: in doubt or not, refusing or not, counting its marks.
    #[derive(Default)]
    struct TestFence {
        in_doubt: Cell<Option<i64>>,
        refuse: bool,
        marks: Cell<u32>,
    }

    impl CreateFence for TestFence {
        fn in_doubt_since(&self) -> Option<i64> {
            self.in_doubt.get()
        }
        fn before_create(&self) -> LocalFuture<'_, Result<i64, SyncError>> {
            Box::pin(async move {
                if self.refuse {
                    return Err(SyncError::internal("lease lost"));
                }
                self.marks.set(self.marks.get() + 1);
                self.in_doubt.set(Some(self.in_doubt.get().unwrap_or(1_000)));
                Ok(self.in_doubt.get().unwrap())
            })
        }
    }

    fn create(
        engine: &Engine<TestHost>,
        fence: &TestFence,
        found: Result<Option<i64>, SyncError>,
        lookups: &Cell<u32>,
    ) -> Result<(i64, Value), SyncError> {
        let body = json!({"name": "Acme"});
        let lookup = |_since: i64| {
            lookups.set(lookups.get() + 1);
            let found = found.clone();
            async move { found }
        };
        block_on(engine.create_exactly_once(
            &token(),
            Entity::Organization,
            &body,
            CallOptions::BACKGROUND,
            fence,
            lookup,
        ))
    }

    fn methods(engine: &Engine<TestHost>) -> Vec<String> {
        engine.host().requests.borrow().iter().map(|r| r.method.clone()).collect()
    }

    #[test]
    fn a_create_is_marked_in_doubt_before_it_is_sent_and_looked_up_after_a_5xx() {
        // Found by the lookup: one POST, no second create.
        let host = TestHost::default();
        host.answer(503, outage());
        let engine = test_engine(host);
        let (fence, lookups) = (TestFence::default(), Cell::new(0));
        assert_eq!(create(&engine, &fence, Ok(Some(41)), &lookups).unwrap(), (41, Value::Null));
        assert_eq!((methods(&engine).len(), lookups.get(), fence.marks.get()), (1, 1, 1));

        // Not found after an answered 5xx (Pipedrive is done with it): sent again.
        let host = TestHost::default();
        host.answer(503, outage());
        host.answer(201, json!({"success": true, "data": {"id": 42, "name": "Acme"}}));
        let engine = test_engine(host);
        let fence = TestFence::default();
        assert_eq!(create(&engine, &fence, Ok(None), &Cell::new(0)).unwrap().0, 42);
        assert_eq!(methods(&engine), ["POST", "POST"]);
        assert_eq!(fence.marks.get(), 2, "marked before every send");

        // A failing lookup is an error: nothing is sent blind, and the mark stays for the next attempt.
        let host = TestHost::default();
        host.answer(503, outage());
        let engine = test_engine(host);
        let failing = Err(SyncError::Unavailable { message: "search down".into(), status: Some(503) });
        let result = create(&engine, &TestFence::default(), failing, &Cell::new(0));
        assert!(result.unwrap_err().to_string().contains("search down"));
        assert_eq!(engine.host().requests.borrow().len(), 1);
    }

    #[test]
    fn without_any_response_the_lookup_waits_and_not_found_is_left_to_a_later_attempt() {
        let host = TestHost::default();
        host.fail(TransportError::Timeout { message: "aborted".into() });
        host.answer(201, json!({"success": true, "data": {"id": 43}}));
        let engine = test_engine(host);
        let started = engine.host().now.get();
        let lookups = Cell::new(0);
        let error = create(&engine, &TestFence::default(), Ok(None), &lookups).unwrap_err();
        assert_eq!(error.code(), "UNAVAILABLE");
        assert_eq!(methods(&engine), ["POST"], "no second POST while the first may still be in flight");
        assert_eq!(lookups.get(), 1);
        assert!(engine.host().now.get() - started >= SETTLE_MS as i64, "the lookup waited for Pipedrive to settle");
    }

    #[test]
    fn an_in_doubt_job_looks_up_before_its_first_send_and_a_lost_claim_sends_nothing() {
        let engine = test_engine(TestHost::default());
        let fence = TestFence { in_doubt: Cell::new(Some(500)), ..TestFence::default() };
        let lookups = Cell::new(0);
        assert_eq!(create(&engine, &fence, Ok(Some(40)), &lookups).unwrap(), (40, Value::Null));
        assert!(methods(&engine).is_empty(), "found by an earlier attempt's create: nothing sent");

        let engine = test_engine(TestHost::default());
        let refused = TestFence { refuse: true, ..TestFence::default() };
        assert!(create(&engine, &refused, Ok(None), &Cell::new(0)).is_err());
        assert!(methods(&engine).is_empty(), "a worker that lost the job sends nothing");
    }

    #[test]
    fn holds_ignores_remote_defaults_but_not_differences() {
        let remote =
            json!({"name": "Ann", "emails": [{"value": "a@x.com", "primary": true, "label": "work"}], "owner_id": 1});
        assert!(holds(&remote, &json!({"name": "Ann"})));
        assert!(holds(&remote, &json!({"emails": [{"value": "a@x.com", "primary": true}]})));
        assert!(!holds(&remote, &json!({"emails": [{"value": "b@x.com"}]})));
        assert!(!holds(&remote, &json!({"emails": [{"value": "a@x.com"}, {"value": "b@x.com"}]})));
        assert!(!holds(&remote, &json!({"label_ids": [1]})));
        assert!(holds(&json!({"value": 100.0}), &json!({"value": 100})));
    }
}
