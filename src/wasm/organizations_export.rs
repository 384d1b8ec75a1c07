//! The `sync.organizations` part of the exported engine (spec §4.5.3): uniform adapters over
//! `services::organization_service`; `updateOrganization` is `updateRecord('organization', ...)` in the facade.

use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;

use super::engine_export::{arg, text, WasmEngine};
use super::task::Task;

#[wasm_bindgen(js_class = Engine)]
impl WasmEngine {
    /// `sync.organizations.createOrganization(data)`: the id of the organization with that exact name, created
    /// once from `data` when none has it.
    #[wasm_bindgen(js_name = createOrganization, unchecked_return_type = "TaskOf<number>")]
    pub fn create_organization(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Record<string, unknown>")] data: JsValue,
    ) -> Task {
        self.task(|engine| async move { engine.create_organization(&arg(data, "data")?).await })
    }

    /// `sync.organizations.findOrganizationByName(name)`: the v2 record of the organization with that exact
    /// name, or `null`.
    #[wasm_bindgen(js_name = findOrganizationByName, unchecked_return_type = "TaskOf<Record<string, unknown> | null>")]
    pub fn find_organization_by_name(&self, #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue) -> Task {
        self.task(|engine| async move { engine.find_organization_by_name(&text(name, "name")?).await })
    }
}
