//! One canonical form for comparing field values, whatever shape they arrive in: a REST v2 record, webhook
//! `data`, or the CRM's `Update*Data` (DESIGN §11: "values are compared in one canonical form").
//!
//! - Lists merged as sets (`label_ids`, `emails`, `phones`, `participants`) become sorted sets of element keys:
//!   emails by trimmed lowercased address, phones by digits (a leading `+` kept), participants by person id,
//!   labels by id. Plain strings and `{value}` objects give the same key, so `email: ["A@x.com"]` equals
//!   `emails: [{"value": "a@x.com", "primary": true}]`.
//! - `address` is compared by its parts (a plain string is the `value` part; `formatted_address` is derived and
//!   ignored).
//! - Numbers compare numerically (`100` = `100.0`); ids also as digit strings or v1 `{value}` objects.
//! - Strings are trimmed. Empty means absent: `""`, `null`, `[]` and an object of empty parts are all `null`,
//!   since Pipedrive stores a cleared value as `null` (UPDATES-FACTS §1.2 to §1.4), while `0` and `false` are
//!   values ("emptiness is not nothing").

use crate::json::ordered::{object_of, set_of};
use crate::text::decimal::{parse_decimal, plain_decimal};
use crate::text::lowercase::Lowercased;
use serde_json::{Map, Value};

/// How a field's values are compared and merged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// A list merged as a set (DESIGN invariant 4): remote minus what local removed, plus what local added.
    Set,
    /// An object compared and merged part by part, then sent whole (Pipedrive replaces it: UPDATES-FACTS §1.2).
    Parts,
    /// One value: equal or not.
    Scalar,
}

/// The lists merged as sets.
pub const SET_FIELDS: [&str; 4] = ["label_ids", "emails", "phones", "participants"];

/// The kind of the field named `field` (its v2 name, see [`wire_name`]).
pub fn field_kind(field: &str) -> FieldKind {
    match field {
        _ if SET_FIELDS.contains(&field) => FieldKind::Set,
        "address" => FieldKind::Parts,
        _ => FieldKind::Scalar,
    }
}

/// The v2 name of a field given in another shape: v1 and `Update*Data` say `email`, `phone` and `user_id`.
pub fn wire_name(field: &str) -> &str {
    match field {
        "email" => "emails",
        "phone" => "phones",
        "user_id" => "owner_id",
        _ => field,
    }
}

/// The fields of a record under their v2 names; a v2 name wins over its alias when a record has both.
pub fn wire_fields(record: &Value) -> Map<String, Value> {
    let object = record.as_object();
    let mut fields = object_of(
        object.into_iter().flatten().filter(|(key, _)| wire_name(key) == *key).map(|(k, v)| (k.clone(), v.clone())),
    );
    for (key, value) in object.into_iter().flatten().filter(|(key, _)| wire_name(key) != *key) {
        if fields.get(wire_name(key)).is_none_or(Value::is_null) {
            fields.insert(wire_name(key).to_string(), value.clone());
        }
    }
    fields
}

/// The canonical form of `value` as a value of `field`: two values are the same when their forms are equal.
pub fn canonical(field: &str, value: &Value) -> Value {
    match field_kind(field) {
        FieldKind::Set => {
            // In order, each once.
            let keys = set_of(items(value).iter().filter_map(|item| element_key(field, item)));
            if keys.is_empty() {
                Value::Null
            } else {
                keys.into_iter().map(Value::String).collect()
            }
        }
        FieldKind::Parts => generic(&Value::Object(parts(value))),
        FieldKind::Scalar if is_id(field) => id_number(value).map_or_else(|| generic(value), Value::from),
        FieldKind::Scalar => match (field, value) {
            ("done" | "busy", Value::Number(n)) => Value::Bool(n.as_f64() != Some(0.0)),
            ("due_time", Value::String(text)) => {
                let text = text.trim();
                generic(&Value::from(text.strip_suffix(":00").filter(|t| t.len() == 5).unwrap_or(text)))
            }
            _ => generic(value),
        },
    }
}

/// Whether two values of `field` are the same in canonical form.
pub fn same(field: &str, a: &Value, b: &Value) -> bool {
    canonical(field, a) == canonical(field, b)
}

/// Whether `value` is empty as a value of `field` (`null`, `""`, `[]`, no parts).
pub fn is_empty(field: &str, value: &Value) -> bool {
    canonical(field, value).is_null()
}

/// The elements of a list value (`null` and a lone element read as a list of none and of one).
pub fn items(value: &Value) -> Vec<Value> {
    match value {
        Value::Array(items) => items.clone(),
        Value::Null => Vec::new(),
        one => vec![one.clone()],
    }
}

/// The identity of one element of the set field `field`: what two elements must share to be the same element.
/// `None` for an element that names nothing (an empty address, a phone without digits).
pub fn element_key(field: &str, item: &Value) -> Option<String> {
    let text = |item: &Value| match item {
        Value::Object(object) => object.get("value").and_then(Value::as_str).map(str::to_string),
        Value::String(text) => Some(text.clone()),
        _ => None,
    };
    let key = match field {
        "emails" => text(item)?.trim().lowercased(),
        "phones" => {
            let phone = text(item)?;
            let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
            let plus = if phone.trim().starts_with('+') && !digits.is_empty() { "+" } else { "" };
            format!("{plus}{digits}")
        }
        "participants" => id_text(item.get("person_id").unwrap_or(item))?,
        _ => id_text(item)?,
    };
    Some(key).filter(|key| !key.is_empty())
}

/// The parts of an address: a plain string is its `value`; `formatted_address` is derived and left out.
pub fn parts(value: &Value) -> Map<String, Value> {
    match value {
        Value::Object(object) => {
            object_of(object.iter().filter(|(key, _)| *key != "formatted_address").map(|(k, v)| (k.clone(), v.clone())))
        }
        Value::String(text) => object_of([("value".to_string(), Value::from(text.as_str()))]),
        _ => Map::new(),
    }
}

/// Whether `field` holds a record id (compared as a number whatever its shape).
fn is_id(field: &str) -> bool {
    field.ends_with("_id") || field == "visible_to"
}

/// An id as a number: a number, a digit string, or a v1 `{value}` / webhook `{id}` object.
fn id_number(value: &Value) -> Option<f64> {
    match value {
        Value::Number(number) => number.as_f64(),
        Value::String(text) => parse_decimal(text.trim()).filter(|n| n.is_finite()),
        Value::Object(object) => object.get("value").or_else(|| object.get("id")).and_then(id_number),
        _ => None,
    }
}

/// An id as text: whole numbers without a fraction (`7.0` and `"7"` are both `7`).
fn id_text(value: &Value) -> Option<String> {
    let n = id_number(value)?;
    if n.fract() == 0.0 && n.abs() < 9e15 {
        Some(format!("{}", n as i64))
    } else {
        plain_decimal(n)
    }
}

/// The shape-free form of any value: trimmed strings, numbers as floats, empty parts dropped, empty as `null`.
fn generic(value: &Value) -> Value {
    match value {
        Value::String(text) if text.trim().is_empty() => Value::Null,
        Value::String(text) => Value::from(text.trim()),
        Value::Number(number) => number.as_f64().map_or(Value::Null, Value::from),
        Value::Array(items) if items.is_empty() => Value::Null,
        Value::Array(items) => items.iter().map(generic).collect(),
        Value::Object(object) => {
            let kept = object_of(object.iter().map(|(k, v)| (k.clone(), generic(v))).filter(|(_, v)| !v.is_null()));
            if kept.is_empty() {
                Value::Null
            } else {
                Value::Object(kept)
            }
        }
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_same_value_in_every_shape_is_the_same() {
        let table = [
            (
                "emails",
                json!(["Ann@Example.com "]),
                json!([{"value": "ann@example.com", "primary": true, "label": "work"}]),
            ),
            ("emails", json!(["b@x.com", "a@x.com", "A@x.com"]), json!([{"value": "a@x.com"}, {"value": "b@x.com"}])),
            ("phones", json!(["+1 (555) 010-0000"]), json!([{"value": "+15550100000", "label": "mobile"}])),
            ("participants", json!([{"person_id": 7, "primary": true}, {"person_id": "8"}]), json!([8, 7])),
            ("label_ids", json!([3, 1, 2]), json!(["1", 2.0, 3, 3])),
            ("owner_id", json!("12"), json!(12)),
            ("org_id", json!({"value": 5, "name": "Acme"}), json!(5)),
            ("value", json!(100), json!(100.0)),
            ("name", json!("  Ann "), json!("Ann")),
            ("note", json!(""), json!(null)),
            ("emails", json!([]), json!(null)),
            ("label_ids", json!(null), json!([])),
            ("address", json!("Main St 1"), json!({"value": "Main St 1 ", "country": null, "formatted_address": "x"})),
            ("address", json!({"country": "", "value": ""}), json!(null)),
            ("done", json!(1), json!(true)),
            ("due_time", json!("10:30:00"), json!("10:30")),
        ];
        for (field, a, b) in table {
            assert!(same(field, &a, &b), "{field}: {a} vs {b}");
        }
    }

    #[test]
    fn different_values_stay_different() {
        let table = [
            ("emails", json!(["a@x.com"]), json!(["b@x.com"])),
            ("phones", json!(["+15550100000"]), json!(["15550100000"])),
            ("label_ids", json!([1, 2]), json!([1])),
            ("value", json!(0), json!(null)),
            ("done", json!(false), json!(null)),
            ("name", json!("Ann"), json!("ann")),
            ("address", json!("Main St 1"), json!({"value": "Main St 1", "country": "DE"})),
            ("due_time", json!("10:30:15"), json!("10:30")),
        ];
        for (field, a, b) in table {
            assert!(!same(field, &a, &b), "{field}: {a} vs {b}");
        }
    }

    #[test]
    fn kinds_names_and_emptiness() {
        for field in SET_FIELDS {
            assert_eq!(field_kind(field), FieldKind::Set);
        }
        assert_eq!(field_kind("address"), FieldKind::Parts);
        assert_eq!(field_kind("name"), FieldKind::Scalar);
        assert_eq!((wire_name("email"), wire_name("phone"), wire_name("user_id")), ("emails", "phones", "owner_id"));
        let fields =
            wire_fields(&json!({"email": ["a@x.com"], "user_id": 3, "phone": ["1"], "phones": [{"value": "2"}]}));
        assert_eq!(json!(fields), json!({"emails": ["a@x.com"], "owner_id": 3, "phones": [{"value": "2"}]}));
        assert!(is_empty("phones", &json!([{"value": "n/a"}])), "a phone without digits names nothing");
        assert!(!is_empty("value", &json!(0)));
    }
}
