//! The `webhook_event` job: one stored webhooks v2 event carried out (DESIGN §12, UPDATES-FACTS §2, §3).
//!
//! - `create`/`change` of a linked record: the record is read from the API (webhook `data` is trimmed and never a
//!   base) and taken through the three-way rule (`reconcile::check`): our own write coming back equals the
//!   snapshot we saved and changes nothing; a change made in Pipedrive is drift, pulled for `options.pullFields`.
//! - `delete`: the local record becomes `REMOTE_DELETED` (never deleted locally).
//! - a merge, as a `delete` with `meta.merged_to_id` and a `change` with `meta.merged_from_id`, in either order: the
//!   link moves to the survivor (a second relink moves nothing), and the merged-away record is not marked deleted.
//! - events of objects or records we do not sync are logged and done.
//!
//! Every step is idempotent, so an interrupted attempt is simply run again.

use serde_json::{json, Value};

use super::intake::{id_of, parse_meta};
use crate::engine::Engine;
use crate::error::SyncError;
use crate::host::{Host, LogLevel};
use crate::iso_time::iso_millis;
use crate::outbox::attempt::JobAttempt;
use crate::outbox::{JobFuture, JobKind};
use crate::pipedrive::client::CallOptions;
use crate::pipedrive::entities::Entity;
use crate::pipedrive::limits::Priority;
use crate::store::mark_linked_record;
use crate::store::remote_changes::{find_linked_state, relink_record};
use crate::store::ClaimedJob;

/// The job kind's name in the outbox.
pub const KIND: &str = "webhook_event";

/// The `webhook_event` kind for the outbox.
pub(crate) fn job_kind<H: Host>() -> JobKind<H> {
    fn run<'a, H: Host>(engine: &'a Engine<H>, job: &'a JobAttempt<'a, H>, _: Priority) -> JobFuture<'a> {
        Box::pin(engine.run_webhook_event(job))
    }
    JobKind { name: KIND, run: run::<H>, on_dead: None }
}

impl<H: Host> Engine<H> {
    /// Carries out one stored event.
    pub(crate) async fn run_webhook_event(&self, job: &ClaimedJob) -> Result<(), SyncError> {
        let meta = parse_meta(&job.payload)?;
        let merged_to = id_of(job.payload["meta"].get("merged_to_id"));
        let merged_from = id_of(job.payload["meta"].get("merged_from_id"));
        let Some(entity) = Entity::parse(&meta.entity) else {
            self.host.log(LogLevel::Debug, "webhook.ignored", json!({ "entity": meta.entity, "reason": "not synced" }));
            return Ok(());
        };
        let id = meta.entity_id;
        match meta.action.as_str() {
            "delete" => match merged_to {
                Some(survivor) => {
                    self.relink(entity, id, survivor).await?;
                    self.refresh(entity, survivor).await
                }
                None => {
                    let now = iso_millis(self.host.now_ms());
                    if !mark_linked_record(&self.host, entity.name(), id, "REMOTE_DELETED", Some(&now)).await? {
                        self.host.log(
                            LogLevel::Debug,
                            "webhook.ignored",
                            json!({ "entity": entity.name(), "id": id, "reason": "not linked" }),
                        );
                    }
                    Ok(())
                }
            },
            _ => {
                if let Some(from) = merged_from {
                    self.relink(entity, from, id).await?;
                }
                self.refresh(entity, id).await
            }
        }
    }

    /// Moves the links of a merged-away record to its survivor.
    async fn relink(&self, entity: Entity, from: i64, to: i64) -> Result<(), SyncError> {
        let moved = relink_record(&self.host, entity.name(), from, to).await?;
        if moved > 0 {
            self.host.log(
                LogLevel::Info,
                "webhook.merged",
                json!({ "entity": entity.name(), "from": from, "to": to, "moved": moved }),
            );
        }
        Ok(())
    }

    /// Reads a linked record from the API and checks it; an unlinked one is ignored, a deleted one marked.
    async fn refresh(&self, entity: Entity, id: i64) -> Result<(), SyncError> {
        let Some(linked) = find_linked_state(&self.host, entity.name(), id).await? else {
            self.host.log(
                LogLevel::Debug,
                "webhook.ignored",
                json!({ "entity": entity.name(), "id": id, "reason": "not linked" }),
            );
            return Ok(());
        };
        let token = self.token_for(None).await?;
        let remote = match self.get_record(&token, entity, id, CallOptions::BACKGROUND).await {
            Ok(record) if record.get("is_deleted") != Some(&Value::Bool(true)) => record,
            Ok(_) | Err(SyncError::NotFound { .. }) => {
                // Deleted since the event: its own delete event marks it; mark it now all the same.
                let now = iso_millis(self.host.now_ms());
                mark_linked_record(&self.host, entity.name(), id, "REMOTE_DELETED", Some(&now)).await?;
                return Ok(());
            }
            Err(error) => return Err(error),
        };
        let checked = self.check_linked(entity, &linked, &remote, false).await?;
        self.host.log(
            LogLevel::Debug,
            "webhook.checked",
            json!({ "entity": entity.name(), "id": id, "verdict": checked.verdict.name(), "pulled": checked.pulled }),
        );
        Ok(())
    }
}
