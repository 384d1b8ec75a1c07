//! Activity types (`GET /v1/activityTypes`, API-FACTS §5) and the choice of the type an activity is sent with:
//! the mapped type when the account has it active, else a deliberate fallback.

use serde_json::Value;

use crate::error::SyncError;
use crate::json::shape::{member, members, FromJson};
use crate::pipedrive::outcome::parse_list;

/// The CRM type → Pipedrive type map of the spec (§2.1).
pub const DEFAULT_TYPE_MAP: [(&str, &str); 6] = [
    ("CALL", "call"),
    ("EMAIL", "email"),
    ("MEETING", "meeting"),
    ("LINKEDIN", "task"),
    ("REFERRAL", "task"),
    ("CONFERENCE", "meeting"),
];

/// The fallbacks, in order, when the mapped type is not active in the account.
pub const FALLBACK_TYPES: [&str; 2] = ["task", "call"];

#[derive(Debug)]
struct ActivityTypeWire {
    key_string: String,
    active_flag: Option<bool>,
}

impl FromJson for ActivityTypeWire {
    fn from_json(value: &Value) -> Result<Self, String> {
        let object = members(value, "ActivityTypeWire")?;
        Ok(ActivityTypeWire { key_string: member(object, "key_string")?, active_flag: member(object, "active_flag")? })
    }
}

/// The `key_string`s of the account's active activity types (`data: null` is none).
pub fn parse_active_types(data: Value) -> Result<Vec<String>, SyncError> {
    let types: Vec<ActivityTypeWire> = parse_list(data, "activity type list")?;
    Ok(types.into_iter().filter(|t| t.active_flag != Some(false)).map(|t| t.key_string).collect())
}

/// The Pipedrive type for a CRM type: the configured override, else the spec's map, else `task`.
pub fn mapped_type<'a>(crm_type: &str, overrides: &'a std::collections::BTreeMap<String, String>) -> &'a str {
    if let Some(chosen) = overrides.get(crm_type) {
        return chosen;
    }
    DEFAULT_TYPE_MAP.iter().find(|(crm, _)| *crm == crm_type).map_or("task", |(_, pipedrive)| pipedrive)
}

/// The type to send: `wanted` when active, else the first active fallback, else the first active type. The second
/// value says why a fallback was taken.
pub fn choose_type(wanted: &str, active: &[String]) -> (String, Option<String>) {
    if active.is_empty() || active.iter().any(|key| key == wanted) {
        return (wanted.to_string(), None);
    }
    let fallback =
        FALLBACK_TYPES.iter().find(|candidate| active.iter().any(|key| key == *candidate)).map(|key| key.to_string());
    let chosen = fallback.unwrap_or_else(|| active[0].clone());
    let reason =
        format!("the activity type '{wanted}' is not active in this Pipedrive account; '{chosen}' was used instead");
    (chosen, Some(reason))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::collections::BTreeMap;

    #[test]
    fn the_spec_map_with_overrides() {
        let none = BTreeMap::new();
        let table = [
            ("CALL", "call"),
            ("EMAIL", "email"),
            ("MEETING", "meeting"),
            ("LINKEDIN", "task"),
            ("REFERRAL", "task"),
            ("CONFERENCE", "meeting"),
        ];
        for (crm, pipedrive) in table {
            assert_eq!(mapped_type(crm, &none), pipedrive);
        }
        let overrides = BTreeMap::from([("LINKEDIN".to_string(), "linkedin_message".to_string())]);
        assert_eq!(mapped_type("LINKEDIN", &overrides), "linkedin_message");
    }

    #[test]
    fn an_inactive_type_falls_back_deliberately() {
        let active: Vec<String> = ["call", "task", "email"].iter().map(|s| s.to_string()).collect();
        assert_eq!(choose_type("email", &active), ("email".to_string(), None));
        let (chosen, reason) = choose_type("meeting", &active);
        assert_eq!(chosen, "task");
        assert!(reason.unwrap().contains("'meeting' is not active"));
        assert_eq!(choose_type("meeting", &["lunch".to_string()]).0, "lunch");
    }

    #[test]
    fn inactive_types_are_not_listed() {
        let data = json!([{"key_string": "call", "active_flag": true}, {"key_string": "old", "active_flag": false}]);
        assert_eq!(parse_active_types(data).unwrap(), vec!["call".to_string()]);
        assert!(parse_active_types(Value::Null).unwrap().is_empty());
    }
}
