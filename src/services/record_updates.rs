//! `update_record`: one Pipedrive record brought in step with a change.
//!
//! Payload, either form:
//! - `{"entity": "person", "id": 123, "data": {...Update*Data}, "changedAt"?: ISO, "userId"?: "..."}`, queued by the
//!   store hooks for a local edit: it goes through the whole update flow (`services::updates::flow`), three-way
//!   against the snapshot, so a change made in Pipedrive meanwhile is never silently overwritten;
//! - `{"entity": "person", "id": 123, "fields": {...v2 wire fields}, "userId"?: "..."}`: a plain PATCH. A PATCH is
//!   idempotent, so an interrupted attempt could simply be repeated; a recovered job still reads the record first
//!   and completes without writing when Pipedrive already holds the values, so each change reaches Pipedrive once.

use serde_json::{Map, Value};

use crate::engine::Engine;
use crate::error::SyncError;
use crate::host::{Host, LogLevel};
use crate::json_args::pipedrive_id;
use crate::outbox::attempt::JobAttempt;
use crate::outbox::{JobFuture, JobKind};
use crate::pipedrive::client::CallOptions;
use crate::pipedrive::entities::Entity;
use crate::pipedrive::limits::Priority;
use crate::pipedrive::records::holds;
use crate::services::updates::flow::UpdateOrigin;
use crate::services::updates::request::UpdateRequest;
use crate::services::updates::strategy::parse_instant;
use crate::store::ClaimedJob;

/// The job kind's name in the outbox.
pub const KIND: &str = "update_record";

/// A validated `update_record` payload.
#[derive(Debug, Clone, PartialEq)]
pub struct UpdateRecord {
    /// What to update.
    pub entity: Entity,
    /// The Pipedrive id.
    pub id: i64,
    /// The v2 fields to set.
    pub fields: Map<String, Value>,
}

/// The payload's `entity`; the error names it.
fn parse_payload_entity(payload: &Value) -> Result<Entity, SyncError> {
    let entity_name = payload.get("entity").and_then(Value::as_str).unwrap_or_default();
    Entity::parse(entity_name).ok_or_else(|| {
        SyncError::validation("payload.entity", "must be 'person', 'organization', 'activity' or 'deal'")
    })
}

/// Checks a payload; the error names the offending field.
pub fn parse_payload(payload: &Value) -> Result<UpdateRecord, SyncError> {
    let entity = parse_payload_entity(payload)?;
    let id = pipedrive_id("payload.id", payload.get("id").unwrap_or(&Value::Null))?;
    let fields = payload
        .get("fields")
        .and_then(Value::as_object)
        .filter(|fields| !fields.is_empty())
        .ok_or_else(|| SyncError::validation("payload.fields", "must be an object with at least one field"))?;
    if let Some(unknown) = fields.keys().find(|key| !entity.patch_fields().contains(&key.as_str())) {
        return Err(SyncError::validation(
            format!("payload.fields.{unknown}"),
            format!(
                "is not a field a {} update may set (allowed: {})",
                entity.name(),
                entity.patch_fields().join(", ")
            ),
        ));
    }
    Ok(UpdateRecord { entity, id, fields: fields.clone() })
}

/// The `update_record` kind for the outbox.
pub(crate) fn job_kind<H: Host>() -> JobKind<H> {
    fn run<'a, H: Host>(engine: &'a Engine<H>, job: &'a JobAttempt<'a, H>, _: Priority) -> JobFuture<'a> {
        Box::pin(engine.run_update_record(job))
    }
    JobKind { name: KIND, run: run::<H>, on_dead: None }
}

impl<H: Host> Engine<H> {
    /// Carries out an `update_record` job: reads the record first when an earlier attempt was cut off, then
    /// PATCHes the fields.
    pub(crate) async fn run_update_record(&self, job: &ClaimedJob) -> Result<(), SyncError> {
        if let Some(data) = job.payload.get("data") {
            let entity = parse_payload_entity(&job.payload)?;
            let request = UpdateRequest::new(entity, job.payload.get("id").unwrap_or(&Value::Null), data.clone())?;
            let changed_at_ms = job.payload.get("changedAt").and_then(|at| parse_instant("payload.changedAt", at).ok());
            let origin = UpdateOrigin { priority: Priority::Background, user_id: job.acting_user(), changed_at_ms };
            return self.update_for_job(&request, origin).await;
        }
        let update = parse_payload(&job.payload)?;
        let token = self.token_for(job.acting_user()).await?;
        let path = update.entity.record_path(update.id);
        let wanted = Value::Object(update.fields.clone());
        if job.recovered {
            let current = self.call(&token, self.requests.get(&token, &path, &[]), CallOptions::BACKGROUND).await?;
            if holds(&current, &wanted) {
                self.host.log(
                    LogLevel::Info,
                    "outbox.already_applied",
                    serde_json::json!({ "jobId": job.id, "entity": update.entity.name(), "id": update.id }),
                );
                return Ok(());
            }
        }
        let request = self.requests.with_body("PATCH", &token, &path, &wanted);
        self.call(&token, request, CallOptions::BACKGROUND).await.map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn payloads_are_checked_field_by_field() {
        let good = parse_payload(&json!({"entity": "person", "id": 5, "fields": {"name": "Ann"}})).unwrap();
        assert_eq!(good.entity, Entity::Person);
        assert_eq!(good.id, 5);
        let cases = [
            (json!({"entity": "people", "id": 5, "fields": {"name": "A"}}), "payload.entity"),
            (json!({"entity": "person", "id": 0, "fields": {"name": "A"}}), "payload.id"),
            (json!({"entity": "person", "id": 5, "fields": {}}), "payload.fields"),
            (json!({"entity": "person", "id": 5}), "payload.fields"),
            (json!({"entity": "activity", "id": 5, "fields": {"person_id": 3}}), "payload.fields.person_id"),
        ];
        for (payload, field) in cases {
            assert_eq!(parse_payload(&payload).unwrap_err().details()["field"], field, "{payload}");
        }
    }
}
