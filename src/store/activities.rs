//! Store calls about activities: reading one with its contact's Pipedrive ids, the contact's unreplicated ones,
//! counting attempts and recording the replication (spec §4.2).

use serde_json::{json, Value};

use super::call::call;
use super::outbox::Fence;
use crate::error::SyncError;
use crate::host::Host;
use crate::json::shape::{member, member_or_default, members, FromJson};

/// The contact's Pipedrive ids, as an activity carries them.
#[derive(Debug, Clone, PartialEq)]
pub struct ActivityContact {
    /// The contact's Pipedrive person.
    pub pipedrive_person_id: Option<i64>,
    /// The contact's Pipedrive organization.
    pub pipedrive_org_id: Option<i64>,
}

/// A CRM activity (`LocalActivity`).
#[derive(Debug, Clone, PartialEq)]
pub struct LocalActivity {
    /// The CRM's id.
    pub id: String,
    /// The contact it was logged for.
    pub contact_id: String,
    /// The CRM user who logged it.
    pub user_id: String,
    /// CALL, EMAIL, MEETING, LINKEDIN, REFERRAL or CONFERENCE.
    pub activity_type: String,
    /// Subject line.
    pub subject: String,
    /// Note, when any.
    pub note: Option<String>,
    /// Due instant (ISO 8601), when any.
    pub due_date: Option<String>,
    /// Date-only activity.
    pub all_day: bool,
    /// Done already.
    pub done: bool,
    /// The linked Pipedrive activity.
    pub pipedrive_activity_id: Option<i64>,
    /// Attempts so far.
    pub pipedrive_sync_attempts: i64,
    /// The last attempt (ISO 8601).
    pub last_pipedrive_sync_attempt: Option<String>,
    /// SYNCED | PENDING | FAILED | CONFLICT.
    pub update_sync_status: String,
    /// The contact's Pipedrive ids.
    pub contact: ActivityContact,
}

impl FromJson for ActivityContact {
    fn from_json(value: &Value) -> Result<Self, String> {
        let object = members(value, "ActivityContact")?;
        Ok(ActivityContact {
            pipedrive_person_id: member(object, "pipedrivePersonId")?,
            pipedrive_org_id: member(object, "pipedriveOrgId")?,
        })
    }
}

impl FromJson for LocalActivity {
    fn from_json(value: &Value) -> Result<Self, String> {
        let object = members(value, "LocalActivity")?;
        Ok(LocalActivity {
            id: member(object, "id")?,
            contact_id: member(object, "contactId")?,
            user_id: member(object, "userId")?,
            activity_type: member(object, "type")?,
            subject: member(object, "subject")?,
            note: member(object, "note")?,
            due_date: member(object, "dueDate")?,
            all_day: member_or_default(object, "allDay")?,
            done: member_or_default(object, "done")?,
            pipedrive_activity_id: member(object, "pipedriveActivityId")?,
            pipedrive_sync_attempts: member_or_default(object, "pipedriveSyncAttempts")?,
            last_pipedrive_sync_attempt: member(object, "lastPipedriveSyncAttempt")?,
            update_sync_status: member_or_default(object, "updateSyncStatus")?,
            contact: member(object, "contact")?,
        })
    }
}

/// `findActivity(activityId)`.
pub async fn find_activity<H: Host>(host: &H, activity_id: &str) -> Result<Option<LocalActivity>, SyncError> {
    call(host, "findActivity", json!([activity_id])).await
}

/// `listUnreplicatedActivities(contactId)`, oldest first.
pub async fn list_unreplicated_activities<H: Host>(
    host: &H,
    contact_id: &str,
) -> Result<Vec<LocalActivity>, SyncError> {
    call(host, "listUnreplicatedActivities", json!([contact_id])).await
}

/// `recordActivityAttempt(activityId, {at, status})`.
pub async fn record_activity_attempt<H: Host>(
    host: &H,
    activity_id: &str,
    at: &str,
    status: &str,
) -> Result<bool, SyncError> {
    call(host, "recordActivityAttempt", json!([activity_id, { "at": at, "status": status }])).await
}

/// `markActivityReplicated(activityId, {pipedriveActivityId, syncedAt, fence})`: `false` when there is no such
/// activity or the fencing claim no longer holds its job.
pub async fn mark_activity_replicated<H: Host>(
    host: &H,
    activity_id: &str,
    pipedrive_activity_id: i64,
    synced_at: &str,
    fence: &Fence,
) -> Result<bool, SyncError> {
    let link = json!({ "pipedriveActivityId": pipedrive_activity_id, "syncedAt": synced_at, "fence": fence });
    call(host, "markActivityReplicated", json!([activity_id, link])).await
}

/// `activityLogged(activityId, {userId})`: the job id, or `None` when the contact has no Pipedrive person yet.
pub async fn activity_logged<H: Host>(
    host: &H,
    activity_id: &str,
    user_id: Option<&str>,
) -> Result<Option<i64>, SyncError> {
    let job_id: Value = call(host, "activityLogged", json!([activity_id, { "userId": user_id }])).await?;
    Ok(job_id.as_i64())
}
