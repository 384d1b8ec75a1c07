//! Search results of API v2 (`/api/v2/persons/search`, `/organizations/search`; API-FACTS §2.3): the shape
//! `data.items[].item`, and the exact-match filters the flows apply on top, because "one remote record per
//! local record" must not rest on a search engine's idea of a match.

use serde_json::Value;

use crate::error::SyncError;
use crate::json::shape::{member, member_or_default, members, FromJson};
use crate::pipedrive::outcome::parse_list;
use crate::text::lowercase::Lowercased;

/// One hit: its id, name and (for persons) emails.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchHit {
    /// The record's id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// Email addresses (persons), as plain strings.
    pub emails: Vec<String>,
}

fn strings_or_null(value: &Value) -> Result<Vec<String>, String> {
    let values = Option::<Vec<Value>>::from_json(value)?.unwrap_or_default();
    // Tolerate both plain strings and `{value}` objects: the two shapes have been seen across API versions.
    Ok(values
        .into_iter()
        .filter_map(|value| match value {
            Value::String(text) => Some(text),
            Value::Object(object) => object.get("value").and_then(Value::as_str).map(str::to_string),
            _ => None,
        })
        .collect())
}

impl FromJson for SearchHit {
    fn from_json(value: &Value) -> Result<Self, String> {
        let object = members(value, "SearchHit")?;
        Ok(SearchHit {
            id: member(object, "id")?,
            name: member_or_default(object, "name")?,
            emails: object.get("emails").map_or_else(|| Ok(Vec::new()), strings_or_null)?,
        })
    }
}

/// One element of `data.items`: the hit is under `item`.
struct SearchItem {
    item: SearchHit,
}

impl FromJson for SearchItem {
    fn from_json(value: &Value) -> Result<Self, String> {
        Ok(SearchItem { item: member(members(value, "SearchItem")?, "item")? })
    }
}

/// Parses `data` of a v2 search (`{items: [{result_score, item}]}`; `null` is no hit).
pub fn parse_hits(data: Value) -> Result<Vec<SearchHit>, SyncError> {
    let items = data.get("items").cloned().unwrap_or(Value::Null);
    Ok(parse_list::<SearchItem>(items, "search answer")?.into_iter().map(|entry| entry.item).collect())
}

/// The hits whose emails include `email` (compared trimmed and case-insensitively).
pub fn with_email<'a>(hits: &'a [SearchHit], email: &str) -> Vec<&'a SearchHit> {
    let wanted = email.trim().lowercased();
    hits.iter().filter(|hit| hit.emails.iter().any(|candidate| candidate.trim().lowercased() == wanted)).collect()
}

/// The hits whose name equals `name` (trimmed, case-insensitive).
pub fn with_name<'a>(hits: &'a [SearchHit], name: &str) -> Vec<&'a SearchHit> {
    let wanted = name.trim().lowercased();
    hits.iter().filter(|hit| hit.name.trim().lowercased() == wanted).collect()
}

/// Whether a v2 record (a list item, not a search hit) is named `name` (trimmed, case-insensitive).
pub fn record_named(record: &Value, name: &str) -> bool {
    let wanted = name.trim().lowercased();
    record.get("name").and_then(Value::as_str).is_some_and(|candidate| candidate.trim().lowercased() == wanted)
}

/// Whether a v2 person record has the email `email` among its `emails` (trimmed, case-insensitive).
pub fn record_has_email(record: &Value, email: &str) -> bool {
    let wanted = email.trim().lowercased();
    record.get("emails").and_then(Value::as_array).into_iter().flatten().any(|entry| {
        entry.get("value").and_then(Value::as_str).is_some_and(|value| value.trim().lowercased() == wanted)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn list_records_match_by_name_and_email() {
        let record = json!({"name": " Ann Smith", "emails": [{"value": "Ann@Acme.com ", "primary": true}]});
        assert!(record_named(&record, "ann smith"));
        assert!(!record_named(&record, "Ann"));
        assert!(record_has_email(&record, "ann@acme.com"));
        assert!(!record_has_email(&json!({"emails": []}), "ann@acme.com"));
    }

    #[test]
    fn hits_are_read_from_items() {
        let data = json!({"items": [
            {"result_score": 1.0, "item": {"id": 7, "type": "person", "name": "Ann Lee", "emails": ["Ann@Acme.com"], "phones": []}},
            {"result_score": 0.5, "item": {"id": 8, "type": "person", "name": "Ann Leeds", "emails": [{"value": "ann.leeds@acme.com"}]}},
        ]});
        let hits = parse_hits(data).unwrap();
        assert_eq!(hits.len(), 2);
        assert_eq!(with_email(&hits, " ann@acme.com").iter().map(|h| h.id).collect::<Vec<_>>(), vec![7]);
        assert_eq!(with_email(&hits, "ann.leeds@acme.com").iter().map(|h| h.id).collect::<Vec<_>>(), vec![8]);
        assert_eq!(with_name(&hits, "ann lee").iter().map(|h| h.id).collect::<Vec<_>>(), vec![7]);
        assert!(parse_hits(json!({"items": null})).unwrap().is_empty());
        assert!(parse_hits(Value::Null).unwrap().is_empty());
        assert_eq!(parse_hits(json!({"items": "x"})).unwrap_err().code(), "UNAVAILABLE");
    }
}
