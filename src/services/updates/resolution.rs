//! `sync.conflicts.resolve(conflictId, decision)` and `sync.conflicts.list({status?})`: a person's decision on a
//! conflict held by the `manual` strategy, applied to Pipedrive and recorded. The decision is `'local'`,
//! `'pipedrive'`, or per field `'local' | 'pipedrive' | <value>` (fields not named keep Pipedrive's value).

use serde_json::{Map, Value};

use super::request::UpdateResult;
use crate::engine::Engine;
use crate::error::SyncError;
use crate::host::Host;
use crate::iso_time::iso_millis;
use crate::json::ordered::map_of;
use crate::pipedrive::client::CallOptions;
use crate::pipedrive::entities::Entity;
use crate::store;

/// The value a decision picks for one conflicting field: `Some(value)` to send, `None` to keep Pipedrive's.
pub fn chosen(decision: &Value, field: &str, conflict: &Value) -> Result<Option<Value>, SyncError> {
    let pick = match decision {
        Value::String(_) => decision,
        Value::Object(per_field) => per_field.get(field).unwrap_or(&Value::Null),
        _ => {
            return Err(SyncError::validation(
                "decision",
                "must be 'local', 'pipedrive' or an object of field → choice",
            ))
        }
    };
    Ok(match pick.as_str() {
        Some("local") => Some(conflict.get("local").cloned().unwrap_or(Value::Null)),
        Some("pipedrive") => None,
        _ if pick.is_null() => None,
        _ if decision.is_object() => Some(pick.clone()),
        _ => {
            return Err(SyncError::validation(
                "decision",
                "must be 'local', 'pipedrive' or an object of field → choice",
            ))
        }
    })
}

impl<H: Host> Engine<H> {
    /// `sync.conflicts.list({status?})`: the conflicts, newest first.
    pub async fn list_conflicts(&self, status: Option<&str>) -> Result<Value, SyncError> {
        if let Some(status) = status.filter(|status| !["OPEN", "RESOLVED"].contains(status)) {
            return Err(SyncError::validation("status", format!("must be 'OPEN' or 'RESOLVED' (got '{status}')")));
        }
        store::list_conflicts(&self.host, status).await
    }

    /// `sync.conflicts.resolve(conflictId, decision)`: sends the chosen values, saves the snapshot, marks the
    /// local record `SYNCED` and the conflict `RESOLVED`; answered as an `UpdateResult`.
    pub async fn resolve_conflict(&self, conflict_id: i64, decision: &Value) -> Result<UpdateResult, SyncError> {
        let conflict = store::find_conflict(&self.host, conflict_id)
            .await?
            .ok_or_else(|| SyncError::not_found(format!("there is no conflict {conflict_id}")))?;
        if conflict.status != "OPEN" {
            return Err(SyncError::Conflict {
                message: format!("conflict {conflict_id} is already resolved"),
                conflict_id: Some(conflict_id),
            });
        }
        let (Some(entity), Some(id)) = (Entity::parse(&conflict.record_type), conflict.pipedrive_id) else {
            return Err(SyncError::validation(
                "conflictId",
                "names a conflict about no single Pipedrive record; link the right record instead",
            ));
        };
        let fields = conflict.fields.as_object().cloned().unwrap_or_default();
        let mut patch = Map::new();
        for (field, values) in &fields {
            if let Some(value) = chosen(decision, field, values)? {
                patch.insert(field.clone(), value);
            }
        }
        let retries_before = self.counters.retries.get();
        let token = self.token_for(None).await?;
        let written = if patch.is_empty() {
            self.get_record(&token, entity, id, CallOptions::INTERACTIVE).await?
        } else {
            let body = Value::Object(patch);
            let request = self.requests.with_body("PATCH", &token, &entity.record_path(id), &body);
            self.call(&token, request, CallOptions::INTERACTIVE).await?
        };
        let now = iso_millis(self.host.now_ms());
        let mut base = store::find_snapshot(&self.host, entity.name(), id)
            .await?
            .and_then(|snapshot| snapshot.fields.as_object().cloned())
            .unwrap_or_default();
        for field in fields.keys() {
            base.insert(field.clone(), written.get(field).cloned().unwrap_or(Value::Null));
        }
        let update_time = written.get("update_time").and_then(Value::as_str);
        store::save_snapshot(&self.host, entity.name(), None, id, Value::Object(base), update_time, &now).await?;
        store::mark_linked_record(&self.host, entity.name(), id, "SYNCED", Some(&now)).await?;
        if !store::resolve_conflict(&self.host, conflict_id, decision, &now).await? {
            return Err(SyncError::Conflict {
                message: format!("conflict {conflict_id} was resolved meanwhile by someone else"),
                conflict_id: Some(conflict_id),
            });
        }
        Ok(UpdateResult {
            success: true,
            record_id: Some(id.to_string()),
            error: None,
            timestamp: now,
            retry_count: self.counters.retries.get() - retries_before,
            conflict_id: Some(conflict_id),
            fields: map_of(fields.keys().map(|field| (field.clone(), super::three_way::Decision::Merged))),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_decision_picks_a_value_per_field() {
        let values = json!({"base": "A", "local": "L", "remote": "R"});
        assert_eq!(chosen(&json!("local"), "name", &values).unwrap(), Some(json!("L")));
        assert_eq!(chosen(&json!("pipedrive"), "name", &values).unwrap(), None);
        assert_eq!(chosen(&json!({"name": "pipedrive"}), "name", &values).unwrap(), None);
        assert_eq!(chosen(&json!({"name": "Both"}), "name", &values).unwrap(), Some(json!("Both")));
        assert_eq!(
            chosen(&json!({"other": "local"}), "name", &values).unwrap(),
            None,
            "unnamed fields keep Pipedrive's"
        );
        assert_eq!(chosen(&json!("mine"), "name", &values).unwrap_err().details()["field"], "decision");
        assert_eq!(chosen(&json!(5), "name", &values).unwrap_err().details()["field"], "decision");
    }
}
