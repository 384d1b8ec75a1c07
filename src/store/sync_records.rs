//! Store calls about linked records, the package's own tables: the snapshot of each record (the base of
//! three-way conflict detection), the conflicts waiting for a person, and the linked local record's sync state.

use serde_json::{json, Value};

use super::call::call;
use crate::error::SyncError;
use crate::host::Host;
use crate::json::shape::{member, member_or_default, members, FromJson};

/// A snapshot as stored (`SyncSnapshot`): the values last synced, and Pipedrive's `update_time` then.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    /// Field values in v2 wire form.
    pub fields: Value,
    /// Pipedrive's `update_time` of that version, when known.
    pub remote_update_time: Option<String>,
}

/// A conflict as stored (`SyncConflict`): per field `{base, local, remote}` in wire form.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredConflict {
    /// The conflict's id.
    pub id: i64,
    /// `person`, `organization`, `activity`, `deal`.
    pub record_type: String,
    /// The Pipedrive record, when one is concerned.
    pub pipedrive_id: Option<i64>,
    /// Per field `{base, local, remote}` (or `{candidates, match}` for an ambiguous match).
    pub fields: Value,
    /// `OPEN` or `RESOLVED`.
    pub status: String,
}

impl FromJson for Snapshot {
    fn from_json(value: &Value) -> Result<Self, String> {
        let object = members(value, "Snapshot")?;
        Ok(Snapshot {
            fields: member_or_default(object, "fields")?,
            remote_update_time: member(object, "remoteUpdateTime")?,
        })
    }
}

impl FromJson for StoredConflict {
    fn from_json(value: &Value) -> Result<Self, String> {
        let object = members(value, "StoredConflict")?;
        Ok(StoredConflict {
            id: member(object, "id")?,
            record_type: member(object, "recordType")?,
            pipedrive_id: member(object, "pipedriveId")?,
            fields: member_or_default(object, "fields")?,
            status: member(object, "status")?,
        })
    }
}

/// `findConflict(conflictId)`.
pub async fn find_conflict<H: Host>(host: &H, conflict_id: i64) -> Result<Option<StoredConflict>, SyncError> {
    call(host, "findConflict", json!([conflict_id])).await
}

/// `listConflicts({status?})`, passed through as JSON.
pub async fn list_conflicts<H: Host>(host: &H, status: Option<&str>) -> Result<Value, SyncError> {
    let filter = match status {
        Some(status) => json!({ "status": status }),
        None => json!({}),
    };
    call(host, "listConflicts", json!([filter])).await
}

/// `resolveConflict(conflictId, {decision, resolvedAt})`: `false` when it was not OPEN any more.
pub async fn resolve_conflict<H: Host>(
    host: &H,
    conflict_id: i64,
    decision: &Value,
    resolved_at: &str,
) -> Result<bool, SyncError> {
    call(host, "resolveConflict", json!([conflict_id, { "decision": decision, "resolvedAt": resolved_at }])).await
}

/// `findSnapshot(recordType, pipedriveId)`.
pub async fn find_snapshot<H: Host>(
    host: &H,
    record_type: &str,
    pipedrive_id: i64,
) -> Result<Option<Snapshot>, SyncError> {
    call(host, "findSnapshot", json!([record_type, pipedrive_id])).await
}

/// `markLinkedRecord(recordType, pipedriveId, {status, syncedAt})`: whether a local record is linked to it.
pub async fn mark_linked_record<H: Host>(
    host: &H,
    record_type: &str,
    pipedrive_id: i64,
    status: &str,
    synced_at: Option<&str>,
) -> Result<bool, SyncError> {
    call(host, "markLinkedRecord", json!([record_type, pipedrive_id, { "status": status, "syncedAt": synced_at }]))
        .await
}

/// `saveSnapshot({recordType, localId, pipedriveId, fields, remoteUpdateTime, syncedAt})`.
pub async fn save_snapshot<H: Host>(
    host: &H,
    record_type: &str,
    local_id: Option<&str>,
    pipedrive_id: i64,
    fields: Value,
    remote_update_time: Option<&str>,
    synced_at: &str,
) -> Result<(), SyncError> {
    let snapshot = json!({
        "recordType": record_type, "localId": local_id, "pipedriveId": pipedrive_id, "fields": fields,
        "remoteUpdateTime": remote_update_time, "syncedAt": synced_at,
    });
    let _: Value = call(host, "saveSnapshot", json!([snapshot])).await?;
    Ok(())
}

/// `recordConflict({recordType, localId, pipedriveId, fields, now})`: the conflict's id.
pub async fn record_conflict<H: Host>(
    host: &H,
    record_type: &str,
    local_id: Option<&str>,
    pipedrive_id: Option<i64>,
    fields: Value,
    now: &str,
) -> Result<i64, SyncError> {
    call(host, "recordConflict", json!([{ "recordType": record_type, "localId": local_id, "pipedriveId": pipedrive_id, "fields": fields, "now": now }])).await
}
