//! The two-way sync part of the exported engine (`sync.reconcile`, `sync.webhooks`): uniform adapters over
//! `services::reconcile` and `services::webhooks`.

use serde_json::Value;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;

use super::convert::to_js;
use super::engine_export::{arg, WasmEngine};
use super::task::Task;
use crate::error::SyncError;
use crate::iso_time::iso_seconds;
use crate::pipedrive::entities::Entity;
use crate::services::reconcile::run::{ReconcileProgress, RECONCILED};
use crate::services::updates::strategy::parse_instant;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** `sync.reconcile.run`'s options as the engine reads them. */
export interface ReconcileRequest { entities?: Array<'person' | 'organization' | 'activity'>; since?: string }
/** What reconcile found for one entity type. */
export interface EntityReconcileAnswer {
  entity: string; linked: number; listed: number; inStep: number; baselined: number; pending: number;
  changedLocally: number; changedRemotely: number; changedBoth: number; pulledFields: number; gone: number;
  hidden: number; merged: number; tombstones: number; cursor: string | null;
}
/** `ReconcileReport`: per entity type, and what it cost. */
export interface ReconcileReportAnswer { entities: EntityReconcileAnswer[]; requests: number; tokens: number; durationMs: number }
/** Where a reconcile run is. */
export interface ReconcileProgressAnswer { entity: string; phase: 'listing' | 'checking' | 'done'; checked: number; linked: number }
/** `sync.webhooks.receive`'s answer. */
export interface WebhookReceiptAnswer { accepted: boolean; duplicate: boolean }
/** `sync.webhooks.ensure`'s answer: Pipedrive's webhook records, without passwords. */
export interface EnsureWebhooksAnswer { created: Array<Record<string, unknown>>; existing: Array<Record<string, unknown>> }
"#;

/// The entity types of `options.entities`; the error names the entry.
fn entities(options: &Value) -> Result<Vec<Entity>, SyncError> {
    let Some(list) = options.get("entities").filter(|value| !value.is_null()) else { return Ok(Vec::new()) };
    let list = list.as_array().ok_or_else(|| SyncError::validation("entities", "must be a list of record types"))?;
    list.iter()
        .enumerate()
        .map(|(index, name)| {
            name.as_str().and_then(Entity::parse).filter(|entity| RECONCILED.contains(entity)).ok_or_else(|| {
                SyncError::validation(format!("entities[{index}]"), "must be 'person', 'organization' or 'activity'")
            })
        })
        .collect()
}

#[wasm_bindgen(js_class = Engine)]
impl WasmEngine {
    /// `sync.reconcile.run({entities?, since?}, onProgress?)`: the `ReconcileReport`.
    #[wasm_bindgen(unchecked_return_type = "TaskOf<ReconcileReportAnswer>")]
    pub fn reconcile(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ReconcileRequest")] options: JsValue,
        #[wasm_bindgen(
            js_name = "onProgress",
            unchecked_param_type = "((progress: ReconcileProgressAnswer) => void) | undefined"
        )]
        on_progress: Option<js_sys::Function>,
    ) -> Task {
        self.task(|engine| async move {
            let options = arg(options, "options")?;
            let entities = entities(&options)?;
            // Pipedrive's filters take RFC 3339 to the second.
            let since = match options.get("since") {
                None | Some(Value::Null) => None,
                Some(since) => Some(iso_seconds(parse_instant("since", since)?)),
            };
            let progress = |report: &ReconcileProgress<'_>| {
                if let (Some(callback), Ok(value)) = (&on_progress, to_js(report)) {
                    let _ = callback.call1(&JsValue::UNDEFINED, &value);
                }
            };
            engine.reconcile(&entities, since.as_deref(), &progress).await
        })
    }

    /// `sync.webhooks.receive(event, {authorization})`.
    #[wasm_bindgen(js_name = receiveWebhook, unchecked_return_type = "TaskOf<WebhookReceiptAnswer>")]
    pub fn receive_webhook(
        &self,
        #[wasm_bindgen(unchecked_param_type = "unknown")] event: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string | null | undefined")] authorization: JsValue,
    ) -> Task {
        self.task(|engine| async move {
            let event = arg(event, "event")?;
            let authorization = authorization.as_string();
            engine.receive_webhook(&event, authorization.as_deref()).await
        })
    }

    /// `sync.webhooks.ensure({url, username, password, events?})`.
    #[wasm_bindgen(js_name = ensureWebhooks, unchecked_return_type = "TaskOf<EnsureWebhooksAnswer>")]
    pub fn ensure_webhooks(&self, #[wasm_bindgen(unchecked_param_type = "unknown")] options: JsValue) -> Task {
        self.task(|engine| async move { engine.ensure_webhooks(&arg(options, "options")?).await })
    }

    /// `sync.webhooks.list()`.
    #[wasm_bindgen(js_name = listWebhooks, unchecked_return_type = "TaskOf<Array<Record<string, unknown>>>")]
    pub fn list_webhooks(&self) -> Task {
        self.task(|engine| async move { engine.list_webhooks().await })
    }

    /// `sync.webhooks.remove(id)`.
    #[wasm_bindgen(js_name = removeWebhook, unchecked_return_type = "TaskOf<void>")]
    pub fn remove_webhook(&self, #[wasm_bindgen(unchecked_param_type = "number | string")] id: JsValue) -> Task {
        self.task(|engine| async move { engine.remove_webhook(&arg(id, "id")?).await })
    }
}
