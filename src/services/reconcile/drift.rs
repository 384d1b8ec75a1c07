//! The pure part of reconciliation (DESIGN §12): given a linked local record's values (`Update*Data` form), the
//! record as Pipedrive holds it and the snapshot of the last sync, which fields changed on which side, which of
//! the remote changes are pulled (`options.pullFields`), and the base a record without a snapshot starts from.
//!
//! The comparisons use the canonical form of record updates (`updates::canonical`). Two asymmetries of the
//! reference models are allowed for: a contact keeps one email and one phone, so a local list changed only when it
//! holds an element the base does not (Pipedrive may hold more); and an organization's `country`/`address` are
//! compared with those parts of Pipedrive's address object only. `industry` is an option id in Pipedrive and a
//! label locally: it is not compared here (an update sends it by label).

use serde_json::{Map, Value};

use crate::pipedrive::entities::Entity;
use crate::services::updates::canonical::{element_key, items, parts, same, wire_name};

/// The wire field a local `Update*Data` field is compared with.
fn wire_key(entity: Entity, field: &str) -> Option<&str> {
    match (entity, field) {
        (_, "industry") => None,
        (Entity::Organization, "country" | "address") => Some("address"),
        _ => Some(wire_name(field)),
    }
}

/// The local value of `field` as Pipedrive would hold it, compared with `base` (the wire value).
fn local_differs(entity: Entity, field: &str, local: &Value, base: &Value) -> bool {
    match (entity, field) {
        (_, "email" | "phone") => {
            let key = wire_name(field);
            let known: Vec<Option<String>> = items(base).iter().map(|item| element_key(key, item)).collect();
            items(local).iter().filter_map(|item| element_key(key, item)).any(|k| !known.contains(&Some(k)))
        }
        (Entity::Organization, "address") => !same("value", local, parts(base).get("value").unwrap_or(&Value::Null)),
        (Entity::Organization, "country") => {
            !same("country", local, parts(base).get("country").unwrap_or(&Value::Null))
        }
        _ => !same(wire_name(field), local, base),
    }
}

/// The wire fields of the snapshot whose value in `remote` differs from the base.
pub fn remote_changes(remote: &Value, base: &Map<String, Value>) -> Vec<String> {
    base.iter()
        .filter(|(field, value)| !same(field, remote.get(field.as_str()).unwrap_or(&Value::Null), value))
        .map(|(field, _)| field.clone())
        .collect()
}

/// The local fields (`Update*Data` names and values) that differ from the base; fields the base never held
/// are not compared (nothing was synced for them).
pub fn local_changes(entity: Entity, local: &Map<String, Value>, base: &Map<String, Value>) -> Map<String, Value> {
    let mut changed = Map::new();
    for (field, value) in local {
        let Some(base_value) = wire_key(entity, field).and_then(|key| base.get(key)) else { continue };
        if local_differs(entity, field, value, base_value) {
            changed.insert(field.clone(), value.clone());
        }
    }
    changed
}

/// The value of the local field `field` in the record `remote` (`Update*Data` form): lists as plain strings,
/// an organization's address and country out of its address object.
fn local_form(entity: Entity, field: &str, remote: &Value) -> Value {
    match (entity, field) {
        (_, "email" | "phone") => {
            let values: Vec<Value> = items(remote.get(wire_name(field)).unwrap_or(&Value::Null))
                .iter()
                .filter_map(|item| match item {
                    Value::Object(object) => object.get("value").cloned(),
                    other => Some(other.clone()),
                })
                .collect();
            Value::Array(values)
        }
        (Entity::Organization, "address" | "country") => {
            let part = if field == "address" { "value" } else { "country" };
            parts(remote.get("address").unwrap_or(&Value::Null)).get(part).cloned().unwrap_or(Value::Null)
        }
        _ => remote.get(field).cloned().unwrap_or(Value::Null),
    }
}

/// The remote changes to write on the local record: the `pull` fields whose wire field changed remotely and
/// that were not changed locally, in `Update*Data` form.
pub fn pulled(
    entity: Entity,
    remote: &Value,
    remote_changed: &[String],
    local_changed: &Map<String, Value>,
    pull: &[String],
) -> Map<String, Value> {
    let mut fields = Map::new();
    for field in pull {
        let changed = wire_key(entity, field).is_some_and(|key| remote_changed.iter().any(|c| c == key));
        if changed && !local_changed.contains_key(field) {
            fields.insert(field.clone(), local_form(entity, field, remote));
        }
    }
    fields
}

/// The snapshot of a linked record seen for the first time: the remote's values of the wire fields the local
/// record has and of the pulled ones (the remote as read becomes the base).
pub fn baseline(entity: Entity, remote: &Value, local: &Map<String, Value>, pull: &[String]) -> Map<String, Value> {
    let mut base = Map::new();
    for field in local.keys().chain(pull.iter()) {
        if let Some(key) = wire_key(entity, field) {
            base.insert(key.to_string(), remote.get(key).cloned().unwrap_or(Value::Null));
        }
    }
    base
}

/// The base after pulling `fields`: their wire fields take the remote's values.
pub fn base_after_pull(entity: Entity, base: &mut Map<String, Value>, remote: &Value, fields: &Map<String, Value>) {
    for field in fields.keys() {
        if let Some(key) = wire_key(entity, field) {
            base.insert(key.to_string(), remote.get(key).cloned().unwrap_or(Value::Null));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap()
    }

    #[test]
    fn remote_changes_are_the_snapshot_fields_pipedrive_now_holds_otherwise() {
        let base = map(json!({"name": "Ann", "emails": [{"value": "a@x.com", "primary": true}], "label_ids": [1]}));
        let remote = json!({"name": "Ann", "emails": [{"value": "A@x.com"}], "label_ids": [1, 2], "update_time": "x"});
        assert_eq!(remote_changes(&remote, &base), vec!["label_ids"]);
        assert!(remote_changes(&json!({"name": " Ann ", "emails": ["a@x.com"], "label_ids": [1]}), &base).is_empty());
    }

    #[test]
    fn a_local_list_changed_only_when_it_holds_something_new() {
        let base = map(json!({"name": "Ann", "emails": [{"value": "a@x.com"}, {"value": "b@x.com"}]}));
        let same_email = map(json!({"name": "Ann", "email": ["b@x.com"]}));
        assert!(local_changes(Entity::Person, &same_email, &base).is_empty(), "one of the known emails is no change");
        let new_email = map(json!({"name": "Ann", "email": ["c@x.com"]}));
        assert_eq!(local_changes(Entity::Person, &new_email, &base), map(json!({"email": ["c@x.com"]})));
        let renamed = map(json!({"name": "Anna", "phone": ["+1 555"]}));
        assert_eq!(local_changes(Entity::Person, &renamed, &base), map(json!({"name": "Anna"})), "phone never synced");
    }

    #[test]
    fn an_organizations_country_and_address_are_compared_with_those_parts() {
        let base = map(json!({"address": {"value": "Main St 1", "country": "Estonia", "locality": "Tallinn"}}));
        let local = map(json!({"address": "Main St 1", "country": "Estonia", "industry": "Retail"}));
        assert!(local_changes(Entity::Organization, &local, &base).is_empty());
        let moved = map(json!({"address": "Main St 1", "country": "Latvia"}));
        assert_eq!(local_changes(Entity::Organization, &moved, &base), map(json!({"country": "Latvia"})));
    }

    #[test]
    fn only_the_pulled_fields_changed_remotely_and_not_locally_are_pulled() {
        let remote = json!({"name": "Ann R", "emails": [{"value": "r@x.com", "primary": true}], "phones": []});
        let changed = vec!["name".to_string(), "emails".to_string()];
        let pull = vec!["name".to_string(), "email".to_string(), "phone".to_string()];
        assert_eq!(
            pulled(Entity::Person, &remote, &changed, &Map::new(), &pull),
            map(json!({"name": "Ann R", "email": ["r@x.com"]}))
        );
        let local_changed = map(json!({"name": "Ann L"}));
        assert_eq!(
            pulled(Entity::Person, &remote, &changed, &local_changed, &pull),
            map(json!({"email": ["r@x.com"]})),
            "a field changed on both sides goes to the strategy, not to the pull"
        );
        let org = json!({"address": {"value": "New St 2", "country": "Latvia"}});
        let org_pull = vec!["country".to_string()];
        assert_eq!(
            pulled(Entity::Organization, &org, &["address".to_string()], &Map::new(), &org_pull),
            map(json!({"country": "Latvia"}))
        );
    }

    #[test]
    fn a_first_base_holds_the_remote_values_of_the_fields_the_local_record_has() {
        let remote = json!({"name": "Ann", "emails": [{"value": "a@x.com"}], "phones": [], "label_ids": [3]});
        let local = map(json!({"name": "Ann", "email": ["a@x.com"]}));
        assert_eq!(
            baseline(Entity::Person, &remote, &local, &["phone".to_string()]),
            map(json!({"name": "Ann", "emails": [{"value": "a@x.com"}], "phones": []}))
        );
        let mut base = map(json!({"name": "Old"}));
        base_after_pull(Entity::Person, &mut base, &remote, &map(json!({"name": "Ann"})));
        assert_eq!(base, map(json!({"name": "Ann"})));
    }
}
