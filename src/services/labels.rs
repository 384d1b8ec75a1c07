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
