//! `sync.organizations` (spec §4.5.3): an organization created by exact name at most once, found by exact name,
//! and updated through the record-update flow. A create validates its data with the update rules (plus a name),
//! maps it as an update of an empty record (country and address in one `address` object, industry by option
//! label), and goes through the shared lookup: an organization that already has the name is answered, not
//! duplicated.

use serde_json::{json, Value};

use crate::engine::Engine;
use crate::error::SyncError;
use crate::host::{Host, LogLevel};
use crate::iso_time::iso_millis;
use crate::pipedrive::client::CallOptions;
use crate::pipedrive::entities::Entity;
use crate::pipedrive::limits::Priority;
use crate::pipedrive::search::with_name;
use crate::services::organizations::{ambiguous_name, OrganizationByName};
use crate::services::updates::mapping::{map_update, MappingContext};
use crate::services::updates::validation::{validate_update_data, ValidationContext};
use crate::store;

/// A person is waiting on these calls.
const INTERACTIVE: CallOptions = CallOptions { priority: Priority::Interactive, retry_unknown_outcome: true };

impl<H: Host> Engine<H> {
    /// `createOrganization(data)`: the id of the organization named `data.name`, created from `data` unless one
    /// already has that exact name (then that one's id, unchanged). Several with the name: `CONFLICT`.
    pub async fn create_organization(&self, data: &Value) -> Result<i64, SyncError> {
        let name = data.get("name").and_then(Value::as_str).map(str::trim).unwrap_or_default();
        if name.is_empty() {
            return Err(SyncError::validation("name", "is required: a non-empty organization name"));
        }
        let context = ValidationContext::for_plan(self.config.options.plan);
        if let Some(error) = validate_update_data(data, Entity::Organization.name(), &context).to_error() {
            return Err(error);
        }
        let token = self.token_for(None).await?;
        let industry = match data.get("industry") {
            Some(_) => Some(self.industry_field(&token).await?),
            None => None,
        };
        let mapping = MappingContext { industry: industry.as_ref(), deal_has_products: false };
        // A new organization has no address to merge a country into: the country alone is its address, as for
        // a warm lead's organization.
        let mut data = data.clone();
        if let (Some(country), None) = (data.get("country").cloned(), data.get("address")) {
            data["address"] = country;
        }
        // Mapped before the lookup so that bad data is refused with nothing sent.
        let body = Value::Object(map_update(Entity::Organization, &data, &json!({}), &mapping)?.body);
        let _turn = self.org_lock.lock().await;
        let fence = super::updates::flow::Direct(&self.host);
        let send = body.clone();
        match self.organization_by_name(&token, name, INTERACTIVE, &fence, || async { Ok(send) }).await? {
            OrganizationByName::Found(id) => {
                self.host.log(LogLevel::Info, "organization.exists", json!({ "orgId": id }));
                Ok(id)
            }
            OrganizationByName::Created { id, record, .. } => {
                let now = iso_millis(self.host.now_ms());
                let update_time = record.get("update_time").and_then(Value::as_str);
                store::save_snapshot(&self.host, "organization", None, id, body, update_time, &now).await?;
                Ok(id)
            }
            OrganizationByName::Ambiguous(ids) => Err(ambiguous_name(name, &ids, "choose one by its id")),
        }
    }

    /// `findOrganizationByName(name)`: the v2 record of the one organization named exactly `name` (trimmed,
    /// case-insensitive), `None` when there is none. Search only: an organization created seconds ago may not be
    /// found yet (the search index lags), which is why `create_organization` also reads the ones added lately.
    pub async fn find_organization_by_name(&self, name: &str) -> Result<Option<Value>, SyncError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(SyncError::validation("name", "is required: a non-empty organization name"));
        }
        let token = self.token_for(None).await?;
        let hits = self.search(&token, Entity::Organization, "name", name, INTERACTIVE).await?;
        match with_name(&hits, name).as_slice() {
            [] => Ok(None),
            [one] => Ok(Some(self.get_record(&token, Entity::Organization, one.id, INTERACTIVE).await?)),
            several => {
                let ids: Vec<i64> = several.iter().map(|hit| hit.id).collect();
                Err(ambiguous_name(name, &ids, "choose one by its id"))
            }
        }
    }
}
