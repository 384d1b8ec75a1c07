//! The requests and answers of record updates (spec §3.1-3.3): one update of a Pipedrive record by its id, a
//! batch of at most [`MAX_BATCH`], and the seed's `UpdateResult` / `BatchUpdateResult` with what a caller needs on
//! top (`conflictId`, the decision per field).

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use super::three_way::Decision;
use crate::error::SyncError;
use crate::json_args::{member, pipedrive_id};
use crate::pipedrive::entities::Entity;

/// The most updates one batch takes (spec §8.3); a longer batch is refused whole.
pub const MAX_BATCH: usize = 50;

/// One update: which Pipedrive record, and the `Update*Data` to apply.
#[derive(Debug, Clone, PartialEq)]
pub struct UpdateRequest {
    /// The record's type.
    pub entity: Entity,
    /// The Pipedrive id.
    pub id: i64,
    /// The spec's `Update*Data` for the entity (validated by the flow).
    pub data: Value,
}

impl UpdateRequest {
    /// The update of `entity` `id` (a number or a numeric string) with `data`; errors name the field.
    pub fn new(entity: Entity, id: &Value, data: Value) -> Result<Self, SyncError> {
        let id = pipedrive_id("id", id)?;
        if !data.is_object() {
            return Err(SyncError::validation("data", "must be an object of the fields to update"));
        }
        Ok(UpdateRequest { entity, id, data })
    }

    /// Reads a batch item `{recordType, recordId, data}` (`recordType`: activity, person, organization, deal).
    pub fn from_batch_item(item: &Value) -> Result<Self, SyncError> {
        let record_type = member(item, "recordType").as_str().unwrap_or_default();
        let entity = Entity::parse(record_type).ok_or_else(|| {
            SyncError::validation("recordType", "must be 'activity', 'person', 'organization' or 'deal'")
        })?;
        let id = pipedrive_id("recordId", member(item, "recordId"))?;
        let data = member(item, "data").clone();
        if !data.is_object() {
            return Err(SyncError::validation("data", "must be an object of the fields to update"));
        }
        Ok(UpdateRequest { entity, id, data })
    }
}

/// The seed's `UpdateResult`, plus `conflictId` and the decision per field.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateResult {
    /// Every field reached Pipedrive or was already there (a held conflict is not a success).
    pub success: bool,
    /// The Pipedrive id, as a string (spec).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record_id: Option<String>,
    /// Why not, starting with a stable code (`VALIDATION:`, `CONFLICT:`, `NOT_FOUND:`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// When the update finished (ISO 8601).
    pub timestamp: String,
    /// Requests sent again after a transient failure.
    pub retry_count: u64,
    /// The conflict waiting for a person (`manual`), when one was recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conflict_id: Option<i64>,
    /// What happened to each requested field, by its v2 name.
    pub fields: BTreeMap<String, Decision>,
}

impl UpdateResult {
    /// A failed result for `id` with `error`.
    pub fn failed(id: Option<i64>, error: &SyncError, timestamp: String, retry_count: u64) -> Self {
        UpdateResult {
            success: false,
            record_id: id.map(|id| id.to_string()),
            error: Some(error.to_string()),
            timestamp,
            retry_count,
            conflict_id: None,
            fields: BTreeMap::new(),
        }
    }
}

/// The seed's `BatchUpdateResult`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchUpdateResult {
    /// Every item succeeded.
    pub success: bool,
    /// One result per request, in input order.
    pub results: Vec<UpdateResult>,
    /// Counts and the errors.
    pub summary: BatchSummary,
}

/// The counts of a batch.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BatchSummary {
    /// Requests in the batch.
    pub total: usize,
    /// Of those, succeeded.
    pub successful: usize,
    /// Of those, failed.
    pub failed: usize,
    /// The failed items' errors, in input order.
    pub errors: Vec<String>,
}

impl BatchUpdateResult {
    /// The batch result of `results`.
    pub fn of(results: Vec<UpdateResult>) -> Self {
        let successful = results.iter().filter(|result| result.success).count();
        let errors: Vec<String> = results.iter().filter_map(|result| result.error.clone()).collect();
        BatchUpdateResult {
            success: successful == results.len(),
            summary: BatchSummary { total: results.len(), successful, failed: results.len() - successful, errors },
            results,
        }
    }
}

/// Reads a batch: an array of at most [`MAX_BATCH`] items. A longer batch, or one that is not an array, is refused
/// whole (nothing sent); each item is read alone (a bad item is its own failed result).
pub fn parse_batch(requests: &Value) -> Result<Vec<Result<UpdateRequest, SyncError>>, SyncError> {
    let items = requests.as_array().ok_or_else(|| SyncError::validation("requests", "must be an array"))?;
    if items.len() > MAX_BATCH {
        return Err(SyncError::validation(
            "requests",
            format!("must hold at most {MAX_BATCH} updates (got {}); split the batch", items.len()),
        ));
    }
    Ok(items.iter().map(UpdateRequest::from_batch_item).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_batch_of_51_is_refused_whole_and_bad_items_fail_alone() {
        let item = json!({"recordType": "person", "recordId": "5", "data": {"name": "Ann"}});
        let too_many = Value::Array(vec![item.clone(); MAX_BATCH + 1]);
        let error = parse_batch(&too_many).unwrap_err();
        assert_eq!(error.details()["field"], "requests");
        let parsed = parse_batch(&json!([item, {"recordType": "people", "recordId": 1, "data": {}}])).unwrap();
        assert_eq!(parsed[0].as_ref().unwrap().id, 5);
        assert_eq!(parsed[1].as_ref().unwrap_err().details()["field"], "recordType");
    }

    #[test]
    fn the_summary_counts_and_keeps_errors_in_order() {
        let ok =
            UpdateResult { success: true, ..UpdateResult::failed(Some(1), &SyncError::internal("x"), "t".into(), 0) };
        let ok = UpdateResult { error: None, ..ok };
        let bad = UpdateResult::failed(Some(2), &SyncError::not_found("gone"), "t".into(), 1);
        let batch = BatchUpdateResult::of(vec![ok, bad]);
        assert!(!batch.success);
        assert_eq!((batch.summary.total, batch.summary.successful, batch.summary.failed), (2, 1, 1));
        assert_eq!(batch.summary.errors, vec!["NOT_FOUND: gone".to_string()]);
    }
}
