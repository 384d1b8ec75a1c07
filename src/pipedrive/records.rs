//! Reading, searching and creating v2 records with the guarantees the flows rely on: a search that fails is an
//! error (never "not found"), and a create whose outcome is unknown is looked up before any new attempt, so one
//! local record never becomes two remote ones (DESIGN invariant 3).

use std::future::Future;

use serde_json::{json, Value};

use crate::api_token::ApiToken;
use crate::engine::Engine;
use crate::error::SyncError;
use crate::host::{Host, LogLevel};
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

    /// Creates a record exactly once: after a create whose outcome is unknown (timeout, dropped connection, 5xx),
    /// `lookup` decides whether it was applied before the next attempt. Returns the id and the created record
    /// (`null` when the record was found by the lookup).
    pub(crate) async fn create_exactly_once<F, Fut>(
        &self,
        token: &ApiToken,
        entity: Entity,
        body: &Value,
        options: CallOptions,
        lookup: F,
    ) -> Result<(i64, Value), SyncError>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<Option<i64>, SyncError>>,
    {
        let policy = RetryPolicy::from_options(&self.config.options);
        let mut retries = 0;
        loop {
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
            self.host.log(
                LogLevel::Warn,
                "pipedrive.create_outcome_unknown",
                json!({ "entity": entity.name(), "error": error.to_string() }),
            );
            if let Some(id) = lookup().await? {
                self.host.log(
                    LogLevel::Info,
                    "pipedrive.create_found_after_failure",
                    json!({ "entity": entity.name(), "id": id }),
                );
                return Ok((id, Value::Null));
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

    #[test]
    fn a_create_whose_outcome_is_unknown_is_looked_up_before_it_is_sent_again() {
        // Found by the lookup: one POST, no second create.
        let host = TestHost::default();
        host.answer(503, outage());
        let engine = test_engine(host);
        let lookups = Cell::new(0);
        let lookup = || {
            lookups.set(lookups.get() + 1);
            async { Ok(Some(41)) }
        };
        let body = json!({"name": "Acme"});
        let created = block_on(engine.create_exactly_once(
            &token(),
            Entity::Organization,
            &body,
            CallOptions::BACKGROUND,
            lookup,
        ));
        assert_eq!(created.unwrap(), (41, Value::Null));
        assert_eq!((engine.host().requests.borrow().len(), lookups.get()), (1, 1));

        // Not found: sent again, and the second answer's id is the record.
        let host = TestHost::default();
        host.answer(503, outage());
        host.answer(201, json!({"success": true, "data": {"id": 42, "name": "Acme"}}));
        let engine = test_engine(host);
        let created = block_on(engine.create_exactly_once(
            &token(),
            Entity::Organization,
            &body,
            CallOptions::BACKGROUND,
            || async { Ok(None) },
        ));
        assert_eq!(created.unwrap().0, 42);
        let methods: Vec<String> = engine.host().requests.borrow().iter().map(|r| r.method.clone()).collect();
        assert_eq!(methods, ["POST", "POST"]);

        // A failing lookup is an error: nothing is sent blind.
        let host = TestHost::default();
        host.answer(503, outage());
        let engine = test_engine(host);
        let failing = || async { Err(SyncError::Unavailable { message: "search down".into(), status: Some(503) }) };
        let result = block_on(engine.create_exactly_once(
            &token(),
            Entity::Organization,
            &body,
            CallOptions::BACKGROUND,
            failing,
        ));
        assert!(result.unwrap_err().to_string().contains("search down"));
        assert_eq!(engine.host().requests.borrow().len(), 1);
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
