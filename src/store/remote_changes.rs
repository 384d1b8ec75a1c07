//! Store calls of reconciliation and webhooks (DESIGN §12): the linked local records with their values, a
//! merge's relink, values pulled from Pipedrive onto a local record (the CRM's `applyRemoteChanges` hook), the
//! reconcile cursor per entity type, the webhook inbox, and the update job a local change not yet pushed gets.

use serde_json::{json, Map, Value};

use super::call::call;
use crate::error::SyncError;
use crate::host::Host;
use crate::json::shape::{member, member_or_default, members, FromJson};

/// One local record linked to a Pipedrive record (`LinkedRecordState`).
#[derive(Debug, Clone, PartialEq)]
pub struct LinkedState {
    /// The CRM's id.
    pub local_id: String,
    /// The Pipedrive record it is linked to.
    pub pipedrive_id: i64,
    /// Its `updateSyncStatus`; empty when the store did not say.
    pub status: String,
    /// Its values in the spec's `Update*Data` form.
    pub fields: Map<String, Value>,
}

/// What `receiveWebhookEvent` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Received {
    /// The event id was in the inbox already: nothing new was written.
    pub duplicate: bool,
}

impl FromJson for LinkedState {
    fn from_json(value: &Value) -> Result<Self, String> {
        let object = members(value, "LinkedState")?;
        Ok(LinkedState {
            local_id: member(object, "localId")?,
            pipedrive_id: member_or_default(object, "pipedriveId")?,
            status: member_or_default(object, "status")?,
            fields: member_or_default(object, "fields")?,
        })
    }
}

/// What `enqueueJob` answers.
struct Enqueued {
    id: i64,
}

impl FromJson for Enqueued {
    fn from_json(value: &Value) -> Result<Self, String> {
        Ok(Enqueued { id: member(members(value, "Enqueued")?, "id")? })
    }
}

impl FromJson for Received {
    fn from_json(value: &Value) -> Result<Self, String> {
        Ok(Received { duplicate: member(members(value, "Received")?, "duplicate")? })
    }
}

/// `listLinkedRecords(recordType, {after, limit})`: a page ordered by local id.
pub async fn list_linked_records<H: Host>(
    host: &H,
    record_type: &str,
    after: Option<&str>,
    limit: u32,
) -> Result<Vec<LinkedState>, SyncError> {
    call(host, "listLinkedRecords", json!([record_type, { "after": after, "limit": limit }])).await
}

/// `findLinkedRecord(recordType, pipedriveId)`: the local record linked to it, with its state and values.
pub async fn find_linked_state<H: Host>(
    host: &H,
    record_type: &str,
    pipedrive_id: i64,
) -> Result<Option<LinkedState>, SyncError> {
    let found: Option<LinkedState> = call(host, "findLinkedRecord", json!([record_type, pipedrive_id])).await?;
    Ok(found.map(|state| LinkedState { pipedrive_id, ..state }))
}

/// `relinkRecord(recordType, from, to)`: how many local records now point at the survivor of a merge.
pub async fn relink_record<H: Host>(host: &H, record_type: &str, from: i64, to: i64) -> Result<u64, SyncError> {
    call(host, "relinkRecord", json!([record_type, from, to])).await
}

/// `applyRemoteChanges(recordType, localId, fields)`: whether the local record exists.
pub async fn apply_remote_changes<H: Host>(
    host: &H,
    record_type: &str,
    local_id: &str,
    fields: &Map<String, Value>,
) -> Result<bool, SyncError> {
    call(host, "applyRemoteChanges", json!([record_type, local_id, fields])).await
}

/// `getReconcileCursor(recordType)`.
pub async fn reconcile_cursor<H: Host>(host: &H, record_type: &str) -> Result<Option<String>, SyncError> {
    call(host, "getReconcileCursor", json!([record_type])).await
}

/// `saveReconcileCursor(recordType, cursor)`.
pub async fn save_reconcile_cursor<H: Host>(host: &H, record_type: &str, cursor: &str) -> Result<(), SyncError> {
    let _: Value = call(host, "saveReconcileCursor", json!([record_type, cursor])).await?;
    Ok(())
}

/// `receiveWebhookEvent({eventId, recordType, action, pipedriveId, payload, receivedAt})`.
pub async fn receive_webhook_event<H: Host>(host: &H, event: Value) -> Result<Received, SyncError> {
    call(host, "receiveWebhookEvent", json!([event])).await
}

/// `enqueueJob(job)`: the `update_record` job of a local change reconcile found not pushed, in the form the edit
/// hooks give it (a newer edit merges into it).
pub async fn enqueue_update<H: Host>(
    host: &H,
    record_type: &str,
    pipedrive_id: i64,
    local_id: &str,
    data: &Map<String, Value>,
    changed_at: &str,
) -> Result<i64, SyncError> {
    let job = json!({
        "kind": "update_record", "recordType": record_type, "recordId": pipedrive_id.to_string(),
        "dedupeKey": format!("update_record:{record_type}:{pipedrive_id}"),
        "payload": { "entity": record_type, "id": pipedrive_id, "data": data, "changedAt": changed_at, "localId": local_id },
    });
    let enqueued: Enqueued = call(host, "enqueueJob", json!([job])).await?;
    Ok(enqueued.id)
}
