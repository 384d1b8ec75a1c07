//! Field definitions and their options (`GET /v1/personFields`, `/v1/organizationFields`; API-FACTS §4): where
//! labels live, and how an option is added without dropping the others (`PUT /v1/personFields/{id}` replaces the
//! whole option list).

use serde::Serialize;
use serde_json::{json, Value};

use crate::error::SyncError;
use crate::json::shape::{member, member_or_default, members, FromJson};
use crate::pipedrive::outcome::parse_list;
use crate::text::lowercase::Lowercased;

/// One option of an enum or set field, e.g. a label.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldOption {
    /// The option id (what `label_ids` holds).
    pub id: i64,
    /// The option's text.
    pub label: String,
    /// Its colour, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
}

/// A field definition as far as the engine needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// Numeric id (for `PUT /v1/personFields/{id}`).
    pub id: i64,
    /// API key, e.g. `label_ids`.
    pub key: String,
    /// Display name.
    pub name: String,
    /// The field's type (`set`, `enum`, `varchar`, ...).
    pub field_type: String,
    /// Options of enum and set fields.
    pub options: Vec<FieldOption>,
}

impl FromJson for FieldOption {
    fn from_json(value: &Value) -> Result<Self, String> {
        let object = members(value, "FieldOption")?;
        Ok(FieldOption { id: member(object, "id")?, label: member(object, "label")?, color: member(object, "color")? })
    }
}

impl FromJson for Field {
    fn from_json(value: &Value) -> Result<Self, String> {
        let object = members(value, "Field")?;
        Ok(Field {
            id: member(object, "id")?,
            key: member(object, "key")?,
            name: member_or_default(object, "name")?,
            field_type: member_or_default(object, "field_type")?,
            // `null` reads as no options.
            options: member::<Option<Vec<FieldOption>>>(object, "options")?.unwrap_or_default(),
        })
    }
}

/// Parses one page of a v1 field list: the fields and whether more pages follow (`start` of the next page).
pub fn parse_field_page(data: Value, additional: Option<&Value>) -> Result<(Vec<Field>, Option<u64>), SyncError> {
    let fields: Vec<Field> = parse_list(data, "field list")?;
    let pagination = additional.and_then(|extra| extra.get("pagination"));
    let more = pagination.and_then(|page| page.get("more_items_in_collection")).and_then(Value::as_bool) == Some(true);
    let next = pagination.and_then(|page| page.get("next_start")).and_then(Value::as_u64);
    Ok((fields, if more { next } else { None }))
}

/// The field holding a person's or organization's labels: `label_ids` (the multi-label field), else `label`.
pub fn label_field(fields: &[Field]) -> Option<&Field> {
    fields.iter().find(|field| field.key == "label_ids").or_else(|| fields.iter().find(|field| field.key == "label"))
}

/// The account's industry organization field: the built-in `industry` (API-FACTS §2.4), or a custom field named
/// "Industry" on older accounts.
pub fn industry_field(fields: &[Field]) -> Option<&Field> {
    fields.iter().find(|field| field.key == "industry" || field.name.trim().eq_ignore_ascii_case("industry"))
}

/// The option whose text matches `name`, compared trimmed and case-insensitively ("Warm Lead" finds "Warm lead").
pub fn find_option<'a>(field: &'a Field, name: &str) -> Option<&'a FieldOption> {
    let wanted = name.trim().lowercased();
    field.options.iter().find(|option| option.label.trim().lowercased() == wanted)
}

/// The body of `PUT /v1/personFields/{id}` that adds `name` and keeps every existing option (with its id).
pub fn options_with_added(field: &Field, name: &str, color: &str) -> Value {
    let mut options: Vec<Value> = field.options.iter().map(|option| json!(option)).collect();
    options.push(json!({ "label": name.trim(), "color": color }));
    json!({ "options": options })
}

/// Label ids after adding `add` to `current`: a set union in first-seen order (labels are added, never wiped).
pub fn union_label_ids(current: &[i64], add: &[i64]) -> Vec<i64> {
    let mut result: Vec<i64> = Vec::with_capacity(current.len() + add.len());
    for id in current.iter().chain(add) {
        if !result.contains(id) {
            result.push(*id);
        }
    }
    result
}

/// Which field list: persons or organizations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldsOf {
    /// `/v1/personFields`.
    Person,
    /// `/v1/organizationFields`.
    Organization,
}

impl FieldsOf {
    /// The v1 path of the field list.
    pub fn path(self) -> &'static str {
        match self {
            FieldsOf::Person => "/v1/personFields",
            FieldsOf::Organization => "/v1/organizationFields",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels_field() -> Field {
        Field::from_json(&json!({"id": 9040, "key": "label_ids", "name": "Labels", "field_type": "set", "options": [
            {"id": 1, "label": "Customer", "color": "green"}, {"id": 3, "label": "Warm lead", "color": "yellow"}
        ]}))
        .unwrap()
    }

    #[test]
    fn options_match_trimmed_and_case_insensitively() {
        assert_eq!(find_option(&labels_field(), " Warm Lead ").map(|o| o.id), Some(3));
        assert_eq!(find_option(&labels_field(), "Hot lead"), None);
    }

    #[test]
    fn adding_an_option_keeps_every_other_with_its_id() {
        let body = options_with_added(&labels_field(), " VIP ", "purple");
        assert_eq!(
            body,
            json!({"options": [
                {"id": 1, "label": "Customer", "color": "green"},
                {"id": 3, "label": "Warm lead", "color": "yellow"},
                {"label": "VIP", "color": "purple"},
            ]})
        );
    }

    #[test]
    fn the_labels_field_is_label_ids_else_label() {
        let fields: Vec<Field> = FromJson::from_json(&json!([
            {"id": 1, "key": "label", "options": null}, {"id": 2, "key": "label_ids", "options": []}
        ]))
        .unwrap();
        assert_eq!(label_field(&fields).map(|f| f.id), Some(2));
        assert_eq!(label_field(&fields[..1]).map(|f| f.id), Some(1));
    }

    #[test]
    fn pages_say_where_the_next_starts() {
        let extra =
            json!({"pagination": {"start": 0, "limit": 100, "more_items_in_collection": true, "next_start": 100}});
        let (fields, next) = parse_field_page(json!([{"id": 1, "key": "name"}]), Some(&extra)).unwrap();
        assert_eq!((fields.len(), next), (1, Some(100)));
        assert_eq!(parse_field_page(Value::Null, None).unwrap(), (vec![], None));
    }

    #[test]
    fn label_union_keeps_existing_labels_and_adds_once() {
        assert_eq!(union_label_ids(&[2, 5], &[3]), vec![2, 5, 3]);
        assert_eq!(union_label_ids(&[2, 3], &[3]), vec![2, 3]);
        assert_eq!(union_label_ids(&[], &[3, 3]), vec![3]);
    }
}
