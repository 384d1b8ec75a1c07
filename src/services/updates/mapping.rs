//! From the spec's `Update*Data` to a v2 PATCH body (DESIGN §11, UPDATES-FACTS §1): the pure part, given the
//! record as read and what the account holds (industry options, whether a deal has products).
//!
//! - `email`/`phone` → `emails`/`phones` as `{value, primary, label}` (the first primary; a label Pipedrive
//!   already has for that address is kept);
//! - `user_id` → `owner_id`; activity `person_id` → the primary of `participants` (the others stay);
//! - `address`/`country` → the whole `address` object: the change merged into the current one (Pipedrive
//!   replaces the object), where a new street address drops the parts of the old one (locality, postal code...)
//!   and keeps the country;
//! - `industry` → the option id of the account's industry field, built-in or custom, by label;
//! - `org_name` stays for the caller to resolve to `org_id` (a lookup, under the organization lock);
//! - never read-only fields, `attendees` that were not read, a deal's `value` when it has products (its value
//!   is their total), or `pipeline_id` beside `stage_id` (the stage sets the pipeline).

use std::collections::BTreeSet;

use serde_json::{json, Map, Value};

use super::canonical::{element_key, is_empty, items, same};
use crate::error::SyncError;
use crate::json::ordered::object_of;
use crate::json_args::pipedrive_id;
use crate::pipedrive::entities::Entity;
use crate::text::lowercase::Lowercased;

/// One option of the account's industry field.
#[derive(Debug, Clone, PartialEq)]
pub struct IndustryOption {
    /// The option id (a number, or a numeric string: built-in fields may give strings).
    pub id: Value,
    /// The label a person sees, e.g. `Retail`.
    pub label: String,
}

/// Where the account keeps industries.
#[derive(Debug, Clone, PartialEq)]
pub struct IndustryField {
    /// `None` for the built-in `industry` field; the custom field's key on older accounts.
    pub key: Option<String>,
    /// The field's options.
    pub options: Vec<IndustryOption>,
}

/// What the mapping needs beyond the update and the record as read.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct MappingContext<'a> {
    /// The account's industry field, when it was read (needed only for `industry`).
    pub industry: Option<&'a IndustryField>,
    /// The deal has products, so its `value` is theirs (`products_count` > 0).
    pub deal_has_products: bool,
}

/// A v2 PATCH body, and what the caller still has to resolve.
#[derive(Debug, Clone, PartialEq)]
pub struct MappedUpdate {
    /// The fields to send, in wire form.
    pub body: Map<String, Value>,
    /// An organization name to find or create; its id goes in `org_id`.
    pub org_name_to_resolve: Option<String>,
}

/// The subfields of an address object (UPDATES-FACTS §1.8).
pub const ADDRESS_PARTS: [&str; 10] = [
    "value",
    "country",
    "admin_area_level_1",
    "admin_area_level_2",
    "locality",
    "sublocality",
    "route",
    "street_number",
    "subpremise",
    "postal_code",
];

/// Maps a validated `Update*Data` of `entity`; `remote` is the record as read.
pub fn map_update(
    entity: Entity,
    data: &Value,
    remote: &Value,
    context: &MappingContext,
) -> Result<MappedUpdate, SyncError> {
    let data =
        data.as_object().ok_or_else(|| SyncError::validation("data", "must be an object of the fields to update"))?;
    let mut body = Map::new();
    let mut org_name_to_resolve = None;
    for (field, value) in data {
        let id = || pipedrive_id(field, value).map(Value::from);
        let (key, mapped) = match (entity, field.as_str()) {
            (_, "email") => ("emails", contact_list("emails", value, remote)),
            (_, "phone") => ("phones", contact_list("phones", value, remote)),
            (_, "org_name") => {
                org_name_to_resolve = value.as_str().map(|name| name.trim().to_string());
                continue;
            }
            (Entity::Activity, "person_id") => ("participants", participants(id()?, remote)),
            (_, "user_id") => ("owner_id", id()?),
            (_, "label_ids") => {
                let ids =
                    items(value).into_iter().enumerate().map(|(i, item)| pipedrive_id(&format!("{field}[{i}]"), &item));
                ("label_ids", Value::Array(ids.map(|id| id.map(Value::from)).collect::<Result<_, _>>()?))
            }
            (_, name) if name.ends_with("_id") => (name, id()?),
            (Entity::Organization, "industry") => match industry(value, context.industry)? {
                (None, option) => ("industry", option),
                (Some(key), option) => ("custom_fields", json!({ key: option })),
            },
            (Entity::Organization, "address" | "country") => continue,
            (Entity::Deal, "value") if context.deal_has_products => {
                return Err(SyncError::validation(
                    "value",
                    "cannot be set on a deal with products: its value is the products' total",
                ))
            }
            (_, name) => (name, trimmed(name, value)),
        };
        body.insert(key.to_string(), mapped);
    }
    if entity == Entity::Organization && (data.contains_key("address") || data.contains_key("country")) {
        body.insert("address".into(), address(data, remote)?);
    }
    Ok(MappedUpdate { body: writable_body(entity, body, remote, context.deal_has_products), org_name_to_resolve })
}

/// `body` without what must never be sent: fields a v2 PATCH of `entity` does not take (read-only ones
/// included), `attendees` unless `remote` was read with them, a deal's `value` when it has products, and
/// `pipeline_id` beside `stage_id`.
pub fn writable_body(
    entity: Entity,
    body: Map<String, Value>,
    remote: &Value,
    deal_has_products: bool,
) -> Map<String, Value> {
    let has_stage = body.contains_key("stage_id");
    object_of(body.into_iter().filter(|(key, _)| {
        let key = key.as_str();
        let read_attendees = entity == Entity::Activity && key == "attendees" && remote.get("attendees").is_some();
        let derived =
            entity == Entity::Deal && ((key == "value" && deal_has_products) || (key == "pipeline_id" && has_stage));
        (entity.patch_fields().contains(&key) || read_attendees) && !derived
    }))
}

/// A string trimmed (a note keeps its whitespace); anything else as it is.
fn trimmed(field: &str, value: &Value) -> Value {
    match value.as_str() {
        Some(text) if field != "note" => Value::from(text.trim()),
        _ => value.clone(),
    }
}

/// Emails or phones as v2 objects, one per address (or number), the first primary.
fn contact_list(field: &str, value: &Value, remote: &Value) -> Value {
    let known = items(remote.get(field).unwrap_or(&Value::Null));
    let mut seen = BTreeSet::new();
    let list = items(value).into_iter().filter_map(|item| {
        let key = element_key(field, &item)?;
        let label = known
            .iter()
            .find(|k| element_key(field, k).as_ref() == Some(&key))
            .and_then(|k| k.get("label"))
            .filter(|label| label.as_str().is_some_and(|l| !l.is_empty()))
            .cloned()
            .unwrap_or_else(|| Value::from("work"));
        seen.insert(key).then(|| (item.as_str().unwrap_or_default().trim().to_string(), label))
    });
    list.enumerate().map(|(i, (text, label))| json!({ "value": text, "primary": i == 0, "label": label })).collect()
}

/// The activity's participants with `person` as the primary one (added when missing).
fn participants(person: Value, remote: &Value) -> Value {
    let key = element_key("participants", &person);
    let mut list: Vec<Value> = items(remote.get("participants").unwrap_or(&Value::Null))
        .into_iter()
        .filter_map(|p| {
            let mut object = p.as_object()?.clone();
            let primary = element_key("participants", &p).is_some() && element_key("participants", &p) == key;
            object.insert("primary".into(), Value::Bool(primary));
            Some(Value::Object(object))
        })
        .collect();
    if !list.iter().any(|p| p["primary"] == true) {
        list.push(json!({ "person_id": person, "primary": true }));
    }
    Value::Array(list)
}

/// The option id of an industry label (case and spacing aside), with the custom field's key if it is one.
fn industry(value: &Value, field: Option<&IndustryField>) -> Result<(Option<String>, Value), SyncError> {
    let label = value.as_str().unwrap_or_default().trim().lowercased();
    let field = field.ok_or_else(|| {
        SyncError::validation("industry", "cannot be mapped: the account's industry options were not read")
    })?;
    let option = field.options.iter().find(|o| o.label.trim().lowercased() == label).ok_or_else(|| {
        let labels: Vec<&str> = field.options.iter().take(12).map(|o| o.label.as_str()).collect();
        SyncError::validation("industry", format!("must be one of the account's industries ({})", labels.join(", ")))
    })?;
    let id = match &option.id {
        Value::String(text) => text.trim().parse::<i64>().map_or_else(|_| option.id.clone(), Value::from),
        id => id.clone(),
    };
    Ok((field.key.clone(), id))
}

/// The organization's whole address with the update's `address` and `country` merged in.
fn address(data: &Map<String, Value>, remote: &Value) -> Result<Value, SyncError> {
    let current = remote.get("address").filter(|a| a.is_object());
    let mut address =
        object_of(ADDRESS_PARTS.iter().filter_map(|part| Some((part.to_string(), current?.get(*part)?.clone()))));
    let text = |key: &str| data.get(key).map(|v| v.as_str().map(str::trim).filter(|t| !t.is_empty()));
    if let Some(value) = text("address") {
        let old = address.get("value").cloned().unwrap_or_default();
        if !same("value", &old, &Value::from(value)) {
            for part in &ADDRESS_PARTS[2..] {
                address.insert(part.to_string(), Value::Null);
            }
        }
        address.insert("value".into(), value.map_or(Value::Null, Value::from));
    }
    if let Some(country) = text("country") {
        address.insert("country".into(), country.map_or(Value::Null, Value::from));
    }
    if !is_empty("value", address.get("value").unwrap_or(&Value::Null)) {
        return Ok(Value::Object(address));
    }
    match text("country") {
        Some(Some(_)) => Err(SyncError::validation(
            "country",
            "needs an address: the organization has none in Pipedrive, so send address too",
        )),
        _ => Ok(Value::Null),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(entity: Entity, data: Value, remote: Value) -> Result<MappedUpdate, SyncError> {
        map_update(entity, &data, &remote, &MappingContext::default())
    }

    fn body(entity: Entity, data: Value, remote: Value) -> Value {
        Value::Object(map(entity, data, remote).unwrap().body)
    }

    #[test]
    fn field_by_field() {
        let none = json!({});
        let table = [
            (
                Entity::Person,
                json!({"email": ["a@x.com", " B@x.com", "A@X.com"]}),
                json!({"emails": [{"value": "b@x.com", "label": "home"}]}),
                json!({"emails": [
                    {"value": "a@x.com", "primary": true, "label": "work"},
                    {"value": "B@x.com", "primary": false, "label": "home"},
                ]}),
            ),
            (
                Entity::Person,
                json!({"phone": ["+1 555 0100"]}),
                none.clone(),
                json!({"phones": [{"value": "+1 555 0100", "primary": true, "label": "work"}]}),
            ),
            (
                Entity::Person,
                json!({"name": " Ann ", "owner_id": "4", "label_ids": [2, "3"], "visible_to": 3}),
                none.clone(),
                json!({"name": "Ann", "owner_id": 4, "label_ids": [2, 3], "visible_to": 3}),
            ),
            (
                Entity::Activity,
                json!({"user_id": 7, "subject": "Call", "note": " as typed ", "done": true,
                       "due_date": "2026-01-02", "due_time": "10:00"}),
                none.clone(),
                json!({"owner_id": 7, "subject": "Call", "note": " as typed ", "done": true,
                       "due_date": "2026-01-02", "due_time": "10:00"}),
            ),
            (
                Entity::Activity,
                json!({"person_id": "5"}),
                json!({"participants": [{"person_id": 3, "primary": true}]}),
                json!({"participants": [{"person_id": 3, "primary": false}, {"person_id": 5, "primary": true}]}),
            ),
            (
                Entity::Activity,
                json!({"person_id": 3}),
                json!({"participants": [{"person_id": 3, "primary": false}, {"person_id": 4, "primary": true}]}),
                json!({"participants": [{"person_id": 3, "primary": true}, {"person_id": 4, "primary": false}]}),
            ),
            (
                Entity::Activity,
                json!({"person_id": 3}),
                json!({"participants": null}),
                json!({"participants": [{"person_id": 3, "primary": true}]}),
            ),
            (
                Entity::Deal,
                json!({"stage_id": 4, "title": "Big", "status": "lost", "lost_reason": "Price", "value": 10,
                       "currency": " EUR"}),
                none.clone(),
                json!({"stage_id": 4, "title": "Big", "status": "lost", "lost_reason": "Price", "value": 10,
                       "currency": "EUR"}),
            ),
        ];
        for (entity, data, remote, expected) in table {
            assert_eq!(body(entity, data.clone(), remote), expected, "{data}");
        }
        let mapped = map(Entity::Person, json!({"org_name": " Acme ", "name": "Ann"}), none).unwrap();
        assert_eq!(mapped.org_name_to_resolve.as_deref(), Some("Acme"));
        assert_eq!(Value::Object(mapped.body), json!({"name": "Ann"}), "org_id comes from the caller's lookup");
    }

    #[test]
    fn the_address_is_merged_into_the_current_one_and_sent_whole() {
        let remote = json!({"address": {"value": "Main St 1, Berlin", "country": "DE", "locality": "Berlin",
                                        "postal_code": "10115", "formatted_address": "x"}});
        let table = [
            (
                json!({"country": "AT"}),
                json!({"value": "Main St 1, Berlin", "country": "AT", "locality": "Berlin", "postal_code": "10115"}),
            ),
            (
                json!({"address": " Main St 1, Berlin "}),
                json!({"value": "Main St 1, Berlin", "country": "DE", "locality": "Berlin", "postal_code": "10115"}),
            ),
            (
                json!({"address": "High St 5, London", "country": "GB"}),
                json!({"value": "High St 5, London", "country": "GB", "locality": null, "postal_code": null,
                "admin_area_level_1": null, "admin_area_level_2": null, "sublocality": null, "route": null,
                "street_number": null, "subpremise": null}),
            ),
            (json!({"address": ""}), json!(null)),
        ];
        for (data, expected) in table {
            assert_eq!(body(Entity::Organization, data.clone(), remote.clone())["address"], expected, "{data}");
        }
        let error = map(Entity::Organization, json!({"country": "DE"}), json!({"address": null})).unwrap_err();
        assert_eq!(error.details()["field"], "country");
        assert_eq!(
            body(Entity::Organization, json!({"address": "Elm St 2"}), json!({}))["address"]["value"],
            "Elm St 2"
        );
    }

    #[test]
    fn industry_labels_become_option_ids() {
        let builtin = IndustryField {
            key: None,
            options: vec![
                IndustryOption { id: json!("12"), label: "Retail".into() },
                IndustryOption { id: json!(13), label: "Software".into() },
            ],
        };
        let custom = IndustryField { key: Some("abc123".into()), ..builtin.clone() };
        let mapped = |field: &IndustryField, label: &str| {
            let context = MappingContext { industry: Some(field), ..MappingContext::default() };
            map_update(Entity::Organization, &json!({"industry": label}), &json!({}), &context)
                .map(|m| Value::Object(m.body))
        };
        assert_eq!(mapped(&builtin, " retail").unwrap(), json!({"industry": 12}));
        assert_eq!(mapped(&custom, "Software").unwrap(), json!({"custom_fields": {"abc123": 13}}));
        let error = mapped(&builtin, "Mining").unwrap_err();
        assert_eq!(
            error.to_string(),
            "VALIDATION: industry must be one of the account's industries (Retail, Software)"
        );
        assert_eq!(
            map(Entity::Organization, json!({"industry": "Retail"}), json!({})).unwrap_err().details()["field"],
            "industry"
        );
    }

    #[test]
    fn what_is_never_sent() {
        let products = MappingContext { deal_has_products: true, ..MappingContext::default() };
        let error = map_update(Entity::Deal, &json!({"value": 5, "title": "T"}), &json!({}), &products).unwrap_err();
        assert_eq!(error.details()["field"], "value");
        let body = Map::from_iter(
            [("id", 1), ("update_time", 1), ("person_id", 2), ("attendees", 3), ("creator_user_id", 4), ("subject", 5)]
                .map(|(k, v)| (k.to_string(), json!(v))),
        );
        let kept = |remote: Value| {
            writable_body(Entity::Activity, body.clone(), &remote, false).keys().cloned().collect::<Vec<_>>()
        };
        assert_eq!(kept(json!({})), ["subject"], "read-only fields and unread attendees are dropped");
        assert_eq!(kept(json!({"attendees": []})), ["attendees", "subject"], "attendees that were read may be sent");
        let deal =
            Map::from_iter([("stage_id", 1), ("pipeline_id", 2), ("value", 3)].map(|(k, v)| (k.to_string(), json!(v))));
        let sent = |products: bool| {
            writable_body(Entity::Deal, deal.clone(), &json!({}), products).keys().cloned().collect::<Vec<_>>()
        };
        assert_eq!(sent(false), ["stage_id", "value"], "stage_id alone");
        assert_eq!(sent(true), ["stage_id"]);
    }
}
