//! Outbox job kinds: what each kind's payload holds and how it is carried out. A job is executed at least once
//! and must have its effect exactly once, so every kind knows how to tell whether an interrupted attempt already
//! did the work.

use serde_json::Value;

use crate::engine::Engine;
use crate::error::SyncError;
use crate::host::Host;
use crate::pipedrive::limits::Priority;
use crate::store::ClaimedJob;

impl<H: Host> Engine<H> {
    /// Carries out one claimed job; `priority` is whose work it is (a user waiting, or the queue).
    pub(crate) async fn execute_job(&self, job: &ClaimedJob, priority: Priority) -> Result<(), SyncError> {
        match job.kind.as_str() {
            crate::services::record_updates::KIND => self.run_update_record(job).await,
            crate::services::warm_leads::KIND => self.run_warm_lead(job, priority).await,
            crate::services::activities::KIND => self.run_replicate_activity(job, priority).await,
            other => {
                Err(SyncError::internal(format!("the outbox holds a job of unknown kind '{other}' (job {})", job.id)))
            }
        }
    }
}

/// The CRM user a job acts for (`payload.userId`), when it names one: decides the token with per-user tokens.
pub(crate) fn acting_user(payload: &Value) -> Option<&str> {
    payload.get("userId").and_then(Value::as_str)
}
