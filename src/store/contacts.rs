//! Store calls about contacts and organizations: reading a contact with its organization, linking both to
//! Pipedrive, the warmness hook, snapshots and conflicts.

use serde_json::{json, Value};

use super::call::call;
use super::outbox::Fence;
use crate::error::SyncError;
use crate::host::Host;
use crate::json::shape::{member, member_or_default, members, FromJson};

/// A CRM organization (`LocalOrganization`).
#[derive(Debug, Clone, PartialEq)]
pub struct LocalOrganization {
    /// The CRM's id.
    pub id: String,
    /// The name, as Pipedrive will show it.
    pub name: String,
    /// Sector, when known.
    pub industry: Option<String>,
    /// Country, when known.
    pub country: Option<String>,
    /// Street address on one line, when known.
    pub address: Option<String>,
    /// The linked Pipedrive organization.
    pub pipedrive_org_id: Option<i64>,
}

/// A CRM contact with its organization (`LocalContact`).
#[derive(Debug, Clone, PartialEq)]
pub struct LocalContact {
    /// The CRM's id.
    pub id: String,
    /// Full name.
    pub name: String,
    /// Email, when known.
    pub email: Option<String>,
    /// Phone, when known.
    pub phone: Option<String>,
    /// Warmness score.
    pub warmness_score: i64,
    /// The CRM user who owns the contact.
    pub owner_id: Option<String>,
    /// The linked Pipedrive person.
    pub pipedrive_person_id: Option<i64>,
    /// The linked Pipedrive organization.
    pub pipedrive_org_id: Option<i64>,
    /// SYNCED | PENDING | FAILED | CONFLICT.
    pub update_sync_status: String,
    /// The contact's organization.
    pub organization: Option<LocalOrganization>,
}

impl FromJson for LocalOrganization {
    fn from_json(value: &Value) -> Result<Self, String> {
        let object = members(value, "LocalOrganization")?;
        Ok(LocalOrganization {
            id: member(object, "id")?,
            name: member(object, "name")?,
            industry: member(object, "industry")?,
            country: member(object, "country")?,
            address: member(object, "address")?,
            pipedrive_org_id: member(object, "pipedriveOrgId")?,
        })
    }
}

impl FromJson for LocalContact {
    fn from_json(value: &Value) -> Result<Self, String> {
        let object = members(value, "LocalContact")?;
        Ok(LocalContact {
            id: member(object, "id")?,
            name: member(object, "name")?,
            email: member(object, "email")?,
            phone: member(object, "phone")?,
            warmness_score: member_or_default(object, "warmnessScore")?,
            owner_id: member(object, "ownerId")?,
            pipedrive_person_id: member(object, "pipedrivePersonId")?,
            pipedrive_org_id: member(object, "pipedriveOrgId")?,
            update_sync_status: member_or_default(object, "updateSyncStatus")?,
            organization: member(object, "organization")?,
        })
    }
}

/// What `updateWarmness` did.
#[derive(Debug, Clone, PartialEq)]
pub struct WarmnessUpdate {
    /// Whether the contact exists (and got the score).
    pub updated: bool,
    /// The `warm_lead` job recorded (or merged into), when one was needed.
    pub job_id: Option<i64>,
}

impl FromJson for WarmnessUpdate {
    fn from_json(value: &Value) -> Result<Self, String> {
        let object = members(value, "WarmnessUpdate")?;
        Ok(WarmnessUpdate { updated: member(object, "updated")?, job_id: member(object, "jobId")? })
    }
}

/// `findContact(contactId)`.
pub async fn find_contact<H: Host>(host: &H, contact_id: &str) -> Result<Option<LocalContact>, SyncError> {
    call(host, "findContact", json!([contact_id])).await
}

/// `linkContact(contactId, {pipedrivePersonId, pipedriveOrgId, syncedAt, fence})`: `false` when there is no such
/// contact or the fencing claim no longer holds its job.
pub async fn link_contact<H: Host>(
    host: &H,
    contact_id: &str,
    person_id: i64,
    org_id: Option<i64>,
    synced_at: &str,
    fence: &Fence,
) -> Result<bool, SyncError> {
    let link =
        json!({ "pipedrivePersonId": person_id, "pipedriveOrgId": org_id, "syncedAt": synced_at, "fence": fence });
    call(host, "linkContact", json!([contact_id, link])).await
}

/// `linkOrganization(organizationId, {pipedriveOrgId, syncedAt})`.
pub async fn link_organization<H: Host>(
    host: &H,
    organization_id: &str,
    org_id: i64,
    synced_at: &str,
) -> Result<bool, SyncError> {
    call(host, "linkOrganization", json!([organization_id, { "pipedriveOrgId": org_id, "syncedAt": synced_at }])).await
}

/// `setContactSyncStatus(contactId, status)`.
pub async fn set_contact_sync_status<H: Host>(host: &H, contact_id: &str, status: &str) -> Result<bool, SyncError> {
    call(host, "setContactSyncStatus", json!([contact_id, status])).await
}

/// `updateWarmness(contactId, score, {threshold, userId, queueJob})`: stores the score and, unless `queue_job` is
/// false, records the `warm_lead` job when the score reaches `threshold` and the contact is unlinked.
pub async fn update_warmness<H: Host>(
    host: &H,
    contact_id: &str,
    score: i64,
    threshold: i64,
    user_id: &str,
    queue_job: bool,
) -> Result<WarmnessUpdate, SyncError> {
    let options = json!({ "threshold": threshold, "userId": user_id, "queueJob": queue_job });
    call(host, "updateWarmness", json!([contact_id, score, options])).await
}
