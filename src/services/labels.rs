//! The labels service (spec §4.5.2, API-FACTS §4): person labels are options of the `label_ids` field. Finding
//! one matches option texts trimmed and case-insensitively (Pipedrive's default is "Warm lead"); creating one
//! rewrites the whole option list, so it runs under a lock and re-reads the field first: two concurrent callers
//! create one option, and no existing option is dropped.

use serde_json::json;

use crate::api_token::ApiToken;
use crate::engine::Engine;
use crate::error::SyncError;
use crate::host::{Host, LogLevel};
use crate::pipedrive::client::CallOptions;
use crate::pipedrive::fields::{find_option, label_field, options_with_added, Field, FieldsOf};

/// The colour of labels the engine creates (Pipedrive's colour of its own "Warm lead").
pub const NEW_LABEL_COLOR: &str = "yellow";

impl<H: Host> Engine<H> {
    /// `sync.labels.findOrCreateLabel(name)`: the id of the person label called `name`, created when missing.
    pub async fn find_or_create_label(&self, name: &str) -> Result<i64, SyncError> {
        let token = self.token_for(None).await?;
        self.person_label_id(&token, name).await
    }

    /// `sync.labels.getWarmLeadLabelId()`: the id of the configured warm-lead label (`options.warmLeadLabel`).
    pub async fn get_warm_lead_label_id(&self) -> Result<i64, SyncError> {
        let token = self.token_for(None).await?;
        self.person_label_id(&token, &self.config.options.warm_lead_label.clone()).await
    }

    /// The id of the person label `name` as seen with `token`, created when missing.
    pub(crate) async fn person_label_id(&self, token: &ApiToken, name: &str) -> Result<i64, SyncError> {
        if let Some(id) = Self::label_option(&self.fields(token, FieldsOf::Person, false).await?, name)? {
            return Ok(id);
        }
        let _turn = self.label_lock.lock().await;
        // Another caller may have created it while this one waited: look again, fresh from Pipedrive.
        let fields = self.fields(token, FieldsOf::Person, true).await?;
        if let Some(id) = Self::label_option(&fields, name)? {
            return Ok(id);
        }
        let field = label_field(&fields).ok_or_else(Self::no_label_field)?;
        let body = options_with_added(field, name, NEW_LABEL_COLOR);
        let request =
            self.requests.with_body("PUT", token, &format!("{}/{}", FieldsOf::Person.path(), field.id), &body);
        match self.call(token, request, CallOptions::INTERACTIVE.create()).await {
            Ok(_) => {}
            // The option list may or may not have been written: the fresh read below tells.
            Err(SyncError::Unavailable { .. }) => {}
            Err(error) => return Err(error),
        }
        let fields = self.fields(token, FieldsOf::Person, true).await?;
        let id = Self::label_option(&fields, name)?.ok_or_else(|| SyncError::Unavailable {
            message: format!("Pipedrive did not keep the new label option '{name}'"),
            status: None,
        })?;
        self.host.log(LogLevel::Info, "labels.created", json!({ "label": name, "id": id }));
        Ok(id)
    }

    fn label_option(fields: &[Field], name: &str) -> Result<Option<i64>, SyncError> {
        let field = label_field(fields).ok_or_else(Self::no_label_field)?;
        Ok(find_option(field, name).map(|option| option.id))
    }

    fn no_label_field() -> SyncError {
        SyncError::Unavailable {
            message: "Pipedrive's person fields have no labels field (label_ids or label)".into(),
            status: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::test_host::{block_on, test_engine, TestHost};
    use serde_json::Value;

    fn person_fields(options: Value) -> Value {
        json!({
            "success": true,
            "data": [
                {"id": 9001, "key": "name", "name": "Name", "field_type": "varchar", "options": null},
                {"id": 9040, "key": "label_ids", "name": "Labels", "field_type": "set", "options": options},
            ],
            "additional_data": {"pagination": {"start": 0, "limit": 500, "more_items_in_collection": false}},
        })
    }

    #[test]
    fn an_existing_label_is_found_case_insensitively_with_one_read() {
        let host = TestHost::default();
        host.answer(200, person_fields(json!([{"id": 3, "label": "Warm lead", "color": "yellow"}])));
        let engine = test_engine(host);
        assert_eq!(block_on(engine.find_or_create_label("  WARM LEAD ")).unwrap(), 3);
        assert_eq!(block_on(engine.get_warm_lead_label_id()).unwrap(), 3, "the second call is served from the cache");
        let requests = engine.host().requests.borrow();
        assert_eq!(requests.len(), 1);
        assert!(requests[0].url.contains("/v1/personFields"));
    }

    #[test]
    fn a_missing_label_is_added_to_the_options_kept_whole() {
        let host = TestHost::default();
        let existing = json!([{"id": 1, "label": "Customer", "color": "green"}]);
        host.answer(200, person_fields(existing.clone()));
        host.answer(200, person_fields(existing.clone()));
        host.answer(200, json!({"success": true, "data": {"id": 9040}}));
        host.answer(200, person_fields(json!([{"id": 1, "label": "Customer", "color": "green"}, {"id": 8, "label": "Warm Lead", "color": "yellow"}])));
        let engine = test_engine(host);
        assert_eq!(block_on(engine.find_or_create_label("Warm Lead")).unwrap(), 8);
        let requests = engine.host().requests.borrow();
        let methods: Vec<&str> = requests.iter().map(|r| r.method.as_str()).collect();
        assert_eq!(methods, ["GET", "GET", "PUT", "GET"], "read, read again under the lock, write, read back");
        assert!(requests[2].url.ends_with("/v1/personFields/9040"));
        let body: Value = serde_json::from_str(requests[2].body.as_deref().unwrap()).unwrap();
        assert_eq!(
            body,
            json!({"options": [{"id": 1, "label": "Customer", "color": "green"}, {"label": "Warm Lead", "color": NEW_LABEL_COLOR}]})
        );
    }

    #[test]
    fn a_write_that_pipedrive_did_not_keep_is_unavailable() {
        let host = TestHost::default();
        for _ in 0..2 {
            host.answer(200, person_fields(json!([])));
        }
        host.answer(200, json!({"success": true, "data": {"id": 9040}}));
        host.answer(200, person_fields(json!([])));
        let engine = test_engine(host);
        let error = block_on(engine.find_or_create_label("Warm Lead")).unwrap_err();
        assert_eq!(error.code(), "UNAVAILABLE");
        assert!(error.to_string().contains("did not keep the new label option 'Warm Lead'"));
    }
}
