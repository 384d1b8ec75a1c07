//! The record-update part of the exported engine (`sync.updates`, `sync.validation`, `sync.conflicts`): uniform
//! adapters over `services::updates`, in a second `impl` block of the same JS class.

use serde_json::{json, Value};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;

use super::engine_export::{answer, arg, WasmEngine};
use super::task::Task;
use crate::error::SyncError;
use crate::pipedrive::entities::Entity;
use crate::pipedrive::limits::Priority;
use crate::services::updates::flow::UpdateOrigin;
use crate::services::updates::request::UpdateRequest;
use crate::services::updates::strategy::{merge_data, parse_instant, resolve_by_timestamp, MergePolicy};
use crate::services::updates::three_way::{detect_conflicts, Side};
use crate::services::updates::validation::{validate_update_data, ValidationContext};

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** What happened to one field of an update. */
export type FieldDecisionName = 'pushed' | 'kept-remote' | 'unchanged' | 'conflict' | 'merged';
/** The seed's `UpdateResult`, with the conflict waiting for a person and the decision per field. */
export interface UpdateResultAnswer {
  success: boolean; recordId?: string; error?: string; timestamp: string; retryCount: number; conflictId?: number;
  fields: Record<string, FieldDecisionName>;
}
/** The seed's `BatchUpdateResult`. */
export interface BatchUpdateResultAnswer {
  success: boolean; results: UpdateResultAnswer[];
  summary: { total: number; successful: number; failed: number; errors: string[] };
}
/** `validateUpdateData`'s answer: every broken rule, by field. */
export interface ValidationResultAnswer { valid: boolean; errors: Array<{ field: string; rule: string; message: string }> }
/** One field's decision with the values it was made from. */
export interface FieldDecisionAnswer {
  field: string; decision: FieldDecisionName; base?: unknown; local: unknown; remote: unknown; value?: unknown; rule?: string;
}
/** `detectConflicts`'s answer. */
export interface ConflictResultAnswer {
  hasConflicts: boolean; conflicts: Array<{ field: string; base: unknown; local: unknown; remote: unknown }>;
  fields: FieldDecisionAnswer[];
}
/** `mergeData`'s answer: the decisions, the held conflicts and the PATCH body. */
export interface MergeResultAnswer extends ConflictResultAnswer { patch: Record<string, unknown> }
"#;

/// Reads an entity name (`activity`, `person`, `organization`, `deal`).
fn entity(value: &Value, field: &str) -> Result<Entity, SyncError> {
    Entity::parse(value.as_str().unwrap_or_default())
        .ok_or_else(|| SyncError::validation(field, "must be 'activity', 'person', 'organization' or 'deal'"))
}

/// A user's update: interactive, acting with the configured token, changed now.
const NOW: UpdateOrigin<'static> = UpdateOrigin { priority: Priority::Interactive, user_id: None, changed_at_ms: None };

#[wasm_bindgen(js_class = Engine)]
impl WasmEngine {
    /// `sync.updates.update{Activity,Person,Organization,Deal}(id, data)`: the `UpdateResult` (failures included).
    #[wasm_bindgen(js_name = updateRecord, unchecked_return_type = "TaskOf<UpdateResultAnswer>")]
    pub fn update_record(
        &self,
        #[wasm_bindgen(js_name = "recordType", unchecked_param_type = "string")] record_type: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string | number")] id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Record<string, unknown>")] data: JsValue,
    ) -> Task {
        self.task(|engine| async move {
            let request = UpdateRequest::new(
                entity(&arg(record_type, "recordType")?, "recordType")?,
                &arg(id, "id")?,
                arg(data, "data")?,
            )?;
            Ok(engine.update_record(&request, NOW).await)
        })
    }

    /// `sync.updates.batchUpdate(requests)`: at most 50 `{recordType, recordId, data}`.
    #[wasm_bindgen(js_name = batchUpdate, unchecked_return_type = "TaskOf<BatchUpdateResultAnswer>")]
    pub fn batch_update(
        &self,
        #[wasm_bindgen(
            unchecked_param_type = "Array<{ recordType: string; recordId: string | number; data: Record<string, unknown> }>"
        )]
        requests: JsValue,
    ) -> Task {
        self.task(|engine| async move { engine.batch_update(&arg(requests, "requests")?, NOW).await })
    }

    /// `sync.validation.validateUpdateData(data, recordType)`, with the configured plan's `visible_to` values.
    #[wasm_bindgen(js_name = validateUpdateData, unchecked_return_type = "ValidationResultAnswer")]
    pub fn validate_update_data(
        &self,
        #[wasm_bindgen(unchecked_param_type = "unknown")] data: JsValue,
        #[wasm_bindgen(js_name = "recordType", unchecked_param_type = "string")] record_type: JsValue,
    ) -> Result<JsValue, JsValue> {
        let context = ValidationContext::for_plan(self.inner.config().options.plan);
        answer(arg(record_type, "recordType").and_then(|record_type| {
            let entity = entity(&record_type, "recordType")?;
            Ok(validate_update_data(&arg(data, "data")?, entity.name(), &context))
        }))
    }

    /// `sync.validation.detectConflicts(local, remote, base?)`: the three-way decision per field.
    #[wasm_bindgen(js_name = detectConflicts, unchecked_return_type = "ConflictResultAnswer")]
    pub fn detect_conflicts(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Record<string, unknown>")] local: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Record<string, unknown>")] remote: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Record<string, unknown> | undefined")] base: JsValue,
    ) -> Result<JsValue, JsValue> {
        answer((|| {
            let base = arg(base, "base")?;
            Ok(detect_conflicts(&arg(local, "local")?, &arg(remote, "remote")?, (!base.is_null()).then_some(&base)))
        })())
    }

    /// `sync.validation.mergeData(local, remote, strategy, base?)`: `strategy` a name or `{strategy, tie?,
    /// fieldRules?, localChangedAt?}`.
    #[wasm_bindgen(js_name = mergeData, unchecked_return_type = "MergeResultAnswer")]
    pub fn merge_data(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Record<string, unknown>")] local: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Record<string, unknown>")] remote: JsValue,
        #[wasm_bindgen(unchecked_param_type = "unknown")] strategy: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Record<string, unknown> | undefined")] base: JsValue,
    ) -> Result<JsValue, JsValue> {
        answer((|| {
            let policy = MergePolicy::from_json(&arg(strategy, "strategy")?)?;
            let base = arg(base, "base")?;
            Ok(merge_data(&arg(local, "local")?, &arg(remote, "remote")?, &policy, (!base.is_null()).then_some(&base)))
        })())
    }

    /// `sync.conflicts.list({status?})`: the conflicts, newest first.
    #[wasm_bindgen(js_name = listConflicts, unchecked_return_type = "TaskOf<unknown[]>")]
    pub fn list_conflicts(&self, #[wasm_bindgen(unchecked_param_type = "string | undefined")] status: JsValue) -> Task {
        self.task(|engine| async move {
            let status = arg(status, "status")?;
            engine.list_conflicts(status.as_str()).await
        })
    }

    /// `sync.conflicts.resolve(conflictId, decision)`: applies and records a person's decision.
    #[wasm_bindgen(js_name = resolveConflict, unchecked_return_type = "TaskOf<UpdateResultAnswer>")]
    pub fn resolve_conflict(
        &self,
        #[wasm_bindgen(js_name = "conflictId", unchecked_param_type = "number")] conflict_id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "unknown")] decision: JsValue,
    ) -> Task {
        self.task(|engine| async move {
            let conflict_id = crate::json_args::pipedrive_id("conflictId", &arg(conflict_id, "conflictId")?)?;
            engine.resolve_conflict(conflict_id, &arg(decision, "decision")?).await
        })
    }

    /// `sync.conflicts.resolveByTimestamp(localTs, remoteTs)`: `'local'` or `'pipedrive'` (ties as configured).
    #[wasm_bindgen(js_name = resolveByTimestamp, unchecked_return_type = "'local' | 'pipedrive'")]
    pub fn resolve_by_timestamp(
        &self,
        #[wasm_bindgen(js_name = "localTimestamp", unchecked_param_type = "string | number")] local: JsValue,
        #[wasm_bindgen(js_name = "remoteTimestamp", unchecked_param_type = "string | number")] remote: JsValue,
    ) -> Result<JsValue, JsValue> {
        let tie = if self.inner.config().options.tie_to_pipedrive { Side::Pipedrive } else { Side::Local };
        answer((|| {
            let local = parse_instant("localTimestamp", &arg(local, "localTimestamp")?)?;
            let remote = parse_instant("remoteTimestamp", &arg(remote, "remoteTimestamp")?)?;
            Ok(json!(resolve_by_timestamp(local, remote, tie)))
        })())
    }
}
