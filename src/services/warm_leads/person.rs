//! The contact's person in Pipedrive: one found by exact email (then labelled: the warm-lead label joins its
//! existing labels), else a new one with name, emails, phones, organization, owner and the label.

use serde_json::{json, Map, Value};

use crate::api_token::ApiToken;
use crate::engine::Engine;
use crate::error::SyncError;
use crate::host::{Host, LogLevel};
use crate::iso_time::iso_millis;
use crate::pipedrive::client::CallOptions;
use crate::pipedrive::entities::Entity;
use crate::pipedrive::fields::union_label_ids;
use crate::pipedrive::records::CreateFence;
use crate::pipedrive::search::{record_has_email, record_named, with_email, with_name, SearchHit};
use crate::store::{self, LocalContact};

/// The v2 body that creates the contact's person (API-FACTS §2.3: emails and phones as objects).
pub fn person_body(contact: &LocalContact, org_id: Option<i64>, owner_id: Option<i64>, label_id: i64) -> Value {
    let mut body = Map::new();
    body.insert("name".into(), json!(contact.name.trim()));
    let entry = |value: &str| json!([{ "value": value.trim(), "primary": true, "label": "work" }]);
    if let Some(email) = contact.email.as_deref().filter(|text| !text.trim().is_empty()) {
        body.insert("emails".into(), entry(email));
    }
    if let Some(phone) = contact.phone.as_deref().filter(|text| !text.trim().is_empty()) {
        body.insert("phones".into(), entry(phone));
    }
    if let Some(org_id) = org_id {
        body.insert("org_id".into(), json!(org_id));
    }
    if let Some(owner_id) = owner_id {
        body.insert("owner_id".into(), json!(owner_id));
    }
    body.insert("label_ids".into(), json!([label_id]));
    Value::Object(body)
}

impl<H: Host> Engine<H> {
    /// The Pipedrive id of the contact's person: an existing exact match (labelled with `label_id`), or a new
    /// person created from `body` ([`person_body`]).
    pub(super) async fn ensure_person(
        &self,
        token: &ApiToken,
        contact: &LocalContact,
        body: &Value,
        label_id: i64,
        options: CallOptions,
        fence: &dyn CreateFence,
    ) -> Result<i64, SyncError> {
        let matches = self.matching_persons(token, contact, options).await?;
        match matches.as_slice() {
            [existing] => {
                self.add_label(token, existing.id, label_id, options).await?;
                self.host.log(
                    LogLevel::Info,
                    "warm_lead.person_found",
                    json!({ "contactId": contact.id, "personId": existing.id }),
                );
                Ok(existing.id)
            }
            [] => {
                // Recently added persons first (the search index may not see a create yet), then the search.
                let lookup = |since: i64| async move {
                    let is_contact = |record: &Value| match contact.email.as_deref().map(str::trim) {
                        Some(email) if !email.is_empty() => record_has_email(record, email),
                        _ => record_named(record, &contact.name),
                    };
                    if let Some(id) = self.find_recent(token, Entity::Person, since, &[], &is_contact, options).await? {
                        return Ok(Some(id));
                    }
                    Ok(self.matching_persons(token, contact, options).await?.first().map(|hit| hit.id))
                };
                let (id, created) =
                    self.create_exactly_once(token, Entity::Person, body, options, fence, lookup).await?;
                let now = iso_millis(self.host.now_ms());
                let update_time = created.get("update_time").and_then(Value::as_str);
                store::save_snapshot(&self.host, "person", Some(&contact.id), id, body.clone(), update_time, &now)
                    .await?;
                self.host.log(
                    LogLevel::Info,
                    "warm_lead.person_created",
                    json!({ "contactId": contact.id, "personId": id }),
                );
                Ok(id)
            }
            several => {
                let ids: Vec<i64> = several.iter().map(|hit| hit.id).collect();
                let what = contact.email.as_deref().map_or_else(
                    || format!("name '{}'", contact.name.trim()),
                    |email| format!("email {}", email.trim()),
                );
                Err(self.ambiguous("person", &contact.id, &what, &ids).await)
            }
        }
    }

    /// Persons that are exactly this contact: by email when it has one, else by name.
    async fn matching_persons(
        &self,
        token: &ApiToken,
        contact: &LocalContact,
        options: CallOptions,
    ) -> Result<Vec<SearchHit>, SyncError> {
        match contact.email.as_deref().map(str::trim).filter(|email| !email.is_empty()) {
            Some(email) => Ok(with_email(&self.search(token, Entity::Person, "email", email, options).await?, email)
                .into_iter()
                .cloned()
                .collect()),
            None => {
                let name = contact.name.trim();
                Ok(with_name(&self.search(token, Entity::Person, "name", name, options).await?, name)
                    .into_iter()
                    .cloned()
                    .collect())
            }
        }
    }

    /// Adds `label_id` to the person's labels, keeping the others (labels are added, never wiped).
    async fn add_label(
        &self,
        token: &ApiToken,
        person_id: i64,
        label_id: i64,
        options: CallOptions,
    ) -> Result<(), SyncError> {
        let person = self.get_record(token, Entity::Person, person_id, options).await?;
        let current: Vec<i64> = person
            .get("label_ids")
            .and_then(Value::as_array)
            .map(|ids| ids.iter().filter_map(Value::as_i64).collect())
            .unwrap_or_default();
        if current.contains(&label_id) {
            return Ok(());
        }
        let body = json!({ "label_ids": union_label_ids(&current, &[label_id]) });
        let request = self.requests.with_body("PATCH", token, &Entity::Person.record_path(person_id), &body);
        self.call(token, request, options).await.map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_person_body_uses_v2_objects_and_the_label() {
        let contact = LocalContact {
            id: "c1".into(),
            name: "John Doe".into(),
            email: Some(" john@example.com ".into()),
            phone: Some("+1234567890".into()),
            warmness_score: 5,
            owner_id: None,
            pipedrive_person_id: None,
            pipedrive_org_id: None,
            update_sync_status: "PENDING".into(),
            organization: None,
        };
        assert_eq!(
            person_body(&contact, Some(456), Some(7), 3),
            json!({
                "name": "John Doe",
                "emails": [{"value": "john@example.com", "primary": true, "label": "work"}],
                "phones": [{"value": "+1234567890", "primary": true, "label": "work"}],
                "org_id": 456, "owner_id": 7, "label_ids": [3],
            })
        );
        let bare = LocalContact { email: None, phone: Some("  ".into()), ..contact };
        assert_eq!(person_body(&bare, None, None, 3), json!({"name": "John Doe", "label_ids": [3]}));
    }
}
