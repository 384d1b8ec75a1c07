//! Typed values read out of JSON replies (the store's, the host's, Pipedrive's) by hand, with serde's rules:
//! unknown members ignored, an absent `Option` is `None`, an absent member with a default takes it, `null` is
//! only an `Option`'s `None`. `derive(Deserialize)` would compile a visitor per type into the `.wasm`; here each
//! type reads its members through the few shared readers below. Errors are worded as serde words them
//! (`missing field `id``, `invalid type: null, expected a string`).

use std::collections::BTreeMap;

use serde_json::{Map, Value};

/// A type read from a JSON value; `Err` says why the value does not fit.
pub trait FromJson: Sized {
    /// Reads `value`.
    fn from_json(value: &Value) -> Result<Self, String>;

    /// The value of an absent member `name`: an error, except for an `Option` (`None`).
    fn absent(name: &str) -> Result<Self, String> {
        Err(format!("missing field `{name}`"))
    }
}

/// The members of a struct's object; `what` names the struct in the error.
pub fn members<'a>(value: &'a Value, what: &str) -> Result<&'a Map<String, Value>, String> {
    value.as_object().ok_or_else(|| invalid(value, &format!("struct {what}")))
}

/// The member `name` (absent: see [`FromJson::absent`]).
pub fn member<T: FromJson>(object: &Map<String, Value>, name: &str) -> Result<T, String> {
    match object.get(name) {
        Some(value) => T::from_json(value),
        None => T::absent(name),
    }
}

/// The member `name`, or the type's default when it is absent (serde's `#[serde(default)]`).
pub fn member_or_default<T: FromJson + Default>(object: &Map<String, Value>, name: &str) -> Result<T, String> {
    object.get(name).map_or_else(|| Ok(T::default()), T::from_json)
}

/// serde's "invalid type" error for `value` where `expected` was wanted.
pub fn invalid(value: &Value, expected: &str) -> String {
    let unexpected = match value {
        Value::Null => "null".to_string(),
        Value::Bool(flag) => format!("boolean `{flag}`"),
        Value::Number(number) if number.is_f64() => format!("floating point `{number}`"),
        Value::Number(number) => format!("integer `{number}`"),
        Value::String(text) => format!("string \"{text}\""),
        Value::Array(_) => "sequence".to_string(),
        Value::Object(_) => "map".to_string(),
    };
    format!("invalid type: {unexpected}, expected {expected}")
}

impl FromJson for Value {
    fn from_json(value: &Value) -> Result<Self, String> {
        Ok(value.clone())
    }
}

impl FromJson for String {
    fn from_json(value: &Value) -> Result<Self, String> {
        value.as_str().map(str::to_string).ok_or_else(|| invalid(value, "a string"))
    }
}

impl FromJson for bool {
    fn from_json(value: &Value) -> Result<Self, String> {
        value.as_bool().ok_or_else(|| invalid(value, "a boolean"))
    }
}

impl FromJson for i64 {
    fn from_json(value: &Value) -> Result<Self, String> {
        value.as_i64().ok_or_else(|| invalid(value, "i64"))
    }
}

impl FromJson for u64 {
    fn from_json(value: &Value) -> Result<Self, String> {
        value.as_u64().ok_or_else(|| invalid(value, "u64"))
    }
}

impl FromJson for u32 {
    fn from_json(value: &Value) -> Result<Self, String> {
        value.as_u64().and_then(|n| u32::try_from(n).ok()).ok_or_else(|| invalid(value, "u32"))
    }
}

impl FromJson for u16 {
    fn from_json(value: &Value) -> Result<Self, String> {
        value.as_u64().and_then(|n| u16::try_from(n).ok()).ok_or_else(|| invalid(value, "u16"))
    }
}

impl FromJson for () {
    fn from_json(value: &Value) -> Result<Self, String> {
        if value.is_null() {
            Ok(())
        } else {
            Err(invalid(value, "unit"))
        }
    }
}

impl<T: FromJson> FromJson for Option<T> {
    fn from_json(value: &Value) -> Result<Self, String> {
        if value.is_null() {
            Ok(None)
        } else {
            T::from_json(value).map(Some)
        }
    }

    fn absent(_name: &str) -> Result<Self, String> {
        Ok(None)
    }
}

impl<T: FromJson> FromJson for Vec<T> {
    fn from_json(value: &Value) -> Result<Self, String> {
        let items = value.as_array().ok_or_else(|| invalid(value, "a sequence"))?;
        let mut list = Vec::with_capacity(items.len());
        for item in items {
            list.push(T::from_json(item)?);
        }
        Ok(list)
    }
}

impl FromJson for Map<String, Value> {
    fn from_json(value: &Value) -> Result<Self, String> {
        value.as_object().cloned().ok_or_else(|| invalid(value, "a map"))
    }
}

impl FromJson for BTreeMap<String, String> {
    fn from_json(value: &Value) -> Result<Self, String> {
        let object = value.as_object().ok_or_else(|| invalid(value, "a map"))?;
        let mut map = BTreeMap::new();
        for (key, value) in object {
            map.insert(key.clone(), String::from_json(value)?);
        }
        Ok(map)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn reads_as_serde_does() {
        let object = json!({"a": 1, "n": null, "s": "x"});
        let object = object.as_object().unwrap();
        assert_eq!(member::<i64>(object, "a"), Ok(1));
        assert_eq!(member::<Option<i64>>(object, "n"), Ok(None));
        assert_eq!(member::<Option<i64>>(object, "gone"), Ok(None));
        assert_eq!(member_or_default::<i64>(object, "gone"), Ok(0));
        assert_eq!(member::<i64>(object, "gone"), Err("missing field `gone`".to_string()));
        assert_eq!(member_or_default::<String>(object, "n"), Err("invalid type: null, expected a string".to_string()));
        assert_eq!(member::<i64>(object, "s"), Err("invalid type: string \"x\", expected i64".to_string()));
        assert_eq!(i64::from_json(&json!(1.5)), Err("invalid type: floating point `1.5`, expected i64".to_string()));
        assert_eq!(<()>::from_json(&json!(true)), Err("invalid type: boolean `true`, expected unit".to_string()));
        assert_eq!(Vec::<u32>::from_json(&json!([1, 2])), Ok(vec![1, 2]));
        assert!(u16::from_json(&json!(70_000)).is_err());
    }
}
