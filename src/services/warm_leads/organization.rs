//! The contact's organization in Pipedrive: the linked one, else one found by exact name, else a new one. Runs
//! under the engine's organization lock and re-reads the link inside it, so two contacts of one new organization
//! synced at once create it once.

use serde_json::{json, Map, Value};

use crate::api_token::ApiToken;
use crate::engine::Engine;
use crate::error::SyncError;
use crate::host::{Host, LogLevel};
use crate::iso_time::iso_millis;
use crate::pipedrive::client::CallOptions;
use crate::pipedrive::records::CreateFence;
use crate::services::organizations::OrganizationByName;
use crate::store::{self, LocalOrganization};

/// The v2 body that creates `organization` (API-FACTS §2.4): country and address go in `address`.
pub fn organization_body(organization: &LocalOrganization, owner_id: Option<i64>) -> Value {
    let mut body = Map::new();
    body.insert("name".into(), json!(organization.name.trim()));
    if let Some(owner_id) = owner_id {
        body.insert("owner_id".into(), json!(owner_id));
    }
    let address = organization.address.as_deref().map(str::trim).filter(|text| !text.is_empty());
    let country = organization.country.as_deref().map(str::trim).filter(|text| !text.is_empty());
    if let Some(value) = address.or(country) {
        let mut object = Map::new();
        object.insert("value".into(), json!(value));
        if let Some(country) = country {
            object.insert("country".into(), json!(country));
        }
        body.insert("address".into(), Value::Object(object));
    }
    Value::Object(body)
}

impl<H: Host> Engine<H> {
    /// The Pipedrive id of the contact's organization, linking or creating it as needed.
    pub(super) async fn ensure_organization(
        &self,
        token: &ApiToken,
        contact_id: &str,
        organization: &LocalOrganization,
        owner_id: Option<i64>,
        options: CallOptions,
        fence: &dyn CreateFence,
    ) -> Result<i64, SyncError> {
        if let Some(id) = organization.pipedrive_org_id {
            return Ok(id);
        }
        let _turn = self.org_lock.lock().await;
        // Another contact of the same organization may have linked it while this one waited.
        let fresh = store::find_contact(&self.host, contact_id).await?.and_then(|contact| contact.organization);
        if let Some(id) = fresh.and_then(|organization| organization.pipedrive_org_id) {
            return Ok(id);
        }
        let name = organization.name.trim();
        let body = || self.with_industry(token, organization_body(organization, owner_id), organization);
        let id = match self.organization_by_name(token, name, options, fence, body).await? {
            OrganizationByName::Found(id) => id,
            OrganizationByName::Created { id, body, record } => {
                self.host.log(
                    LogLevel::Info,
                    "warm_lead.organization_created",
                    json!({ "organizationId": organization.id, "orgId": id }),
                );
                let now = iso_millis(self.host.now_ms());
                let update_time = record.get("update_time").and_then(Value::as_str);
                store::save_snapshot(&self.host, "organization", Some(&organization.id), id, body, update_time, &now)
                    .await?;
                id
            }
            OrganizationByName::Ambiguous(ids) => {
                return Err(self.ambiguous("organization", &organization.id, &format!("name '{name}'"), &ids).await);
            }
        };
        store::link_organization(&self.host, &organization.id, id, &iso_millis(self.host.now_ms())).await?;
        Ok(id)
    }

    /// Adds the organization's industry when the account has an `industry` organization field (API-FACTS §2.4:
    /// a 2026 built-in field, or a custom one on older accounts); otherwise the body is unchanged and it is logged.
    async fn with_industry(
        &self,
        token: &ApiToken,
        mut body: Value,
        organization: &LocalOrganization,
    ) -> Result<Value, SyncError> {
        let Some(industry) = organization.industry.as_deref().map(str::trim).filter(|text| !text.is_empty()) else {
            return Ok(body);
        };
        let fields = self.fields(token, crate::pipedrive::fields::FieldsOf::Organization, false).await?;
        let Some(field) = crate::pipedrive::fields::industry_field(&fields) else {
            self.host.log(
                LogLevel::Debug,
                "warm_lead.industry_skipped",
                json!({ "reason": "the account has no industry organization field" }),
            );
            return Ok(body);
        };
        // Option fields take the option id; text fields the text.
        let value = if field.options.is_empty() {
            json!(industry)
        } else {
            match crate::pipedrive::fields::find_option(field, industry) {
                Some(option) => json!(option.id),
                None => {
                    self.host.log(
                        LogLevel::Warn,
                        "warm_lead.industry_skipped",
                        json!({ "reason": format!("'{industry}' is not an option of the industry field") }),
                    );
                    return Ok(body);
                }
            }
        };
        if let Some(object) = body.as_object_mut() {
            if field.key == "industry" {
                object.insert("industry".into(), value);
            } else {
                object.insert("custom_fields".into(), json!({ field.key.clone(): value }));
            }
        }
        Ok(body)
    }

    /// Records an ambiguous match for a person to resolve and answers the `CONFLICT` error.
    pub(super) async fn ambiguous(&self, record_type: &str, local_id: &str, what: &str, ids: &[i64]) -> SyncError {
        let now = iso_millis(self.host.now_ms());
        let fields = json!({ "candidates": ids, "match": what });
        let conflict_id =
            store::record_conflict(&self.host, record_type, Some(local_id), None, fields, &now).await.ok();
        SyncError::Conflict {
            message: format!(
                "{} Pipedrive {record_type}s match the {what} ({}); choose the right one and link it, then replay the job",
                ids.len(),
                ids.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
            ),
            conflict_id,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn organization(address: Option<&str>, country: Option<&str>) -> LocalOrganization {
        LocalOrganization {
            id: "o1".into(),
            name: " Test Corp ".into(),
            industry: None,
            country: country.map(str::to_string),
            address: address.map(str::to_string),
            pipedrive_org_id: None,
        }
    }

    #[test]
    fn country_and_address_go_in_the_address_object() {
        assert_eq!(organization_body(&organization(None, None), None), json!({"name": "Test Corp"}));
        assert_eq!(
            organization_body(&organization(None, Some("Estonia")), Some(4)),
            json!({
                "name": "Test Corp", "owner_id": 4, "address": {"value": "Estonia", "country": "Estonia"}
            })
        );
        assert_eq!(
            organization_body(&organization(Some("Main St 1, Tallinn"), Some("Estonia")), None),
            json!({
                "name": "Test Corp", "address": {"value": "Main St 1, Tallinn", "country": "Estonia"}
            })
        );
    }
}
