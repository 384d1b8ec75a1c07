//! Activity replication (spec Feature 2, §4.2, §8.2): an activity logged for a contact that has a Pipedrive
//! person is created in Pipedrive, linked to the person as primary participant (v2: `person_id` is read-only),
//! owned by the user's Pipedrive user, with the mapped type and the due moment as one UTC instant. The local
//! activity records the id, the attempts and the sync status.
//!
//! Local first, like warm leads: the store's `activityLogged` hook records the job with the insert, and
//! `replicateActivity` tries it at once within the real-time budget (the spec's 3 seconds).

pub mod due;
pub mod job;

use serde::Serialize;
use serde_json::{json, Value};

use crate::engine::Engine;
use crate::error::SyncError;
use crate::host::{Host, LogLevel};
use crate::json_args::{member, required_string};
use crate::services::job_kinds::job_kinds;
use crate::store;

/// How long the immediate attempt may take (spec: activity replication within 3 s).
pub const REALTIME_BUDGET_MS: u64 = 3_000;

/// The answer of `GET /api/activities/[id]/sync-status` (spec §8.2).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivitySyncStatus {
    /// The status could be read.
    pub success: bool,
    /// The activity is in Pipedrive.
    pub synced: bool,
    /// Its Pipedrive id, as a string (spec).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pipedrive_activity_id: Option<String>,
    /// Attempts so far.
    pub sync_attempts: i64,
    /// The last attempt (ISO 8601).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_attempt: Option<String>,
    /// SYNCED | PENDING | FAILED | CONFLICT.
    pub update_sync_status: String,
}

/// `{activityId, contactId?, userId}`: the request of `replicateActivity`.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplicateActivityRequest {
    /// The CRM activity.
    pub activity_id: String,
    /// The activity's contact, when the caller names it (checked against the activity's own).
    pub contact_id: Option<String>,
    /// The CRM user acting.
    pub user_id: String,
}

impl ReplicateActivityRequest {
    /// Reads the request; the error names the field and the rule.
    pub fn from_json(value: &Value) -> Result<Self, SyncError> {
        Ok(ReplicateActivityRequest {
            activity_id: required_string("activityId", member(value, "activityId"))?.to_string(),
            contact_id: member(value, "contactId").as_str().map(str::to_string),
            user_id: required_string("userId", member(value, "userId"))?.to_string(),
        })
    }
}

impl<H: Host> Engine<H> {
    /// `sync.activities.replicateActivity({activityId, contactId?, userId})`: `true` when the activity is (now) in
    /// Pipedrive; `false` when its contact has no Pipedrive person, the user has no token, or Pipedrive could not
    /// be reached in time (the queue then finishes it).
    ///
    /// When Pipedrive is slower than the real-time budget, `on_late(false)` is called at the end of the budget
    /// and the attempt goes on; the future resolves once it has settled.
    pub async fn replicate_activity(
        &self,
        request: &ReplicateActivityRequest,
        on_late: &dyn Fn(bool),
    ) -> Result<bool, SyncError> {
        let (activity_id, user_id) = (request.activity_id.as_str(), request.user_id.as_str());
        let activity = store::find_activity(&self.host, activity_id)
            .await?
            .ok_or_else(|| SyncError::not_found(format!("there is no activity with id {activity_id}")))?;
        if let Some(contact_id) = &request.contact_id {
            if *contact_id != activity.contact_id {
                return Err(SyncError::validation(
                    "contactId",
                    format!("must be the activity's contact ({})", activity.contact_id),
                ));
            }
        }
        if activity.pipedrive_activity_id.is_some() {
            return Ok(true);
        }
        if activity.contact.pipedrive_person_id.is_none() {
            self.host.log(
                LogLevel::Info,
                "activity.not_replicable",
                json!({ "activityId": activity_id, "reason": "the contact has no Pipedrive person" }),
            );
            return Ok(false);
        }
        if self.token_for(Some(user_id)).await.is_err() {
            self.host.log(LogLevel::Warn, "activity.no_token", json!({ "activityId": activity_id, "userId": user_id }));
            return Ok(false);
        }
        let Some(job_id) = store::activity_logged(&self.host, activity_id, Some(user_id)).await? else {
            return Ok(false);
        };
        let outcome = self.run_job_within(&job_kinds(), job_id, REALTIME_BUDGET_MS, &|_| on_late(false)).await?;
        if let Some(reason) = &outcome {
            self.host.log(LogLevel::Warn, "activity.deferred", json!({ "activityId": activity_id, "reason": reason }));
        }
        Ok(outcome.is_none())
    }

    /// `sync.activities.syncStatus(activityId)` (spec §8.2).
    pub async fn activity_sync_status(&self, activity_id: &str) -> Result<ActivitySyncStatus, SyncError> {
        let activity = store::find_activity(&self.host, activity_id)
            .await?
            .ok_or_else(|| SyncError::not_found(format!("there is no activity with id {activity_id}")))?;
        Ok(ActivitySyncStatus {
            success: true,
            synced: activity.pipedrive_activity_id.is_some(),
            pipedrive_activity_id: activity.pipedrive_activity_id.map(|id| id.to_string()),
            sync_attempts: activity.pipedrive_sync_attempts,
            last_attempt: activity.last_pipedrive_sync_attempt,
            update_sync_status: activity.update_sync_status,
        })
    }

    /// Queues replication of the contact's earlier activities, oldest first (after it became a warm lead).
    pub(crate) async fn backfill_activities(
        &self,
        contact_id: &str,
        user_id: Option<&str>,
    ) -> Result<usize, SyncError> {
        let activities = store::list_unreplicated_activities(&self.host, contact_id).await?;
        let mut queued = 0;
        for activity in &activities {
            if store::activity_logged(&self.host, &activity.id, user_id.or(Some(&activity.user_id))).await?.is_some() {
                queued += 1;
            }
        }
        if queued > 0 {
            self.host.log(
                LogLevel::Info,
                "activity.backfill_queued",
                json!({ "contactId": contact_id, "activities": queued }),
            );
        }
        Ok(queued)
    }
}
