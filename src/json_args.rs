//! Reading operation arguments that arrive from JavaScript as JSON: each reader names the field and the rule
//! when the value is unusable.

use serde_json::Value;

use crate::error::SyncError;
use crate::text::decimal::parse_decimal;

/// The lowest warmness score (the stores' range too: `js/store/ranges.ts`).
pub const WARMNESS_MIN: i64 = 0;
/// The highest warmness score.
pub const WARMNESS_MAX: i64 = 1_000_000;
/// The largest Pipedrive id (and job id) the engine takes: what the stores' 32-bit `Int` columns hold.
pub const MAX_PIPEDRIVE_ID: i64 = 2_147_483_647;

/// The member `key` of a request object; `null` when it is missing (or the request is not an object).
pub fn member<'a>(request: &'a Value, key: &str) -> &'a Value {
    request.get(key).unwrap_or(&Value::Null)
}

/// A non-empty string (trimmed).
pub fn required_string<'a>(field: &str, value: &'a Value) -> Result<&'a str, SyncError> {
    match value.as_str().map(str::trim) {
        Some(text) if !text.is_empty() => Ok(text),
        Some(_) => Err(SyncError::validation(field, "must not be empty")),
        None => Err(SyncError::validation(field, "must be a string")),
    }
}

/// A Pipedrive record id: a whole number from 1 to [`MAX_PIPEDRIVE_ID`]. Numeric strings ("123") are accepted, as the spec's routes
/// carry ids in paths.
pub fn pipedrive_id(field: &str, value: &Value) -> Result<i64, SyncError> {
    let rule = "must be a whole number from 1 to 2147483647 (a Pipedrive id)";
    let number = match value {
        Value::Number(number) => number.as_f64(),
        Value::String(text) => parse_decimal(text.trim()).filter(|_| text.trim().chars().all(|c| c.is_ascii_digit())),
        _ => None,
    };
    match number {
        Some(n) if n.fract() == 0.0 && (1.0..=MAX_PIPEDRIVE_ID as f64).contains(&n) => Ok(n as i64),
        _ => Err(SyncError::validation(field, rule)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn strings_must_be_present() {
        assert_eq!(required_string("userId", &json!(" u1 ")).unwrap(), "u1");
        assert_eq!(
            required_string("userId", &json!("")).unwrap_err().to_string(),
            "VALIDATION: userId must not be empty"
        );
        assert_eq!(
            required_string("userId", &json!(7)).unwrap_err().to_string(),
            "VALIDATION: userId must be a string"
        );
    }

    #[test]
    fn ids_are_positive_whole_numbers() {
        assert_eq!(pipedrive_id("id", &json!(42)).unwrap(), 42);
        assert_eq!(pipedrive_id("id", &json!("42")).unwrap(), 42);
        for bad in [json!(0), json!(-1), json!(1.5), json!("4x"), json!("-3"), json!(null), json!(true), json!("")] {
            let error = pipedrive_id("id", &bad).unwrap_err();
            assert_eq!(error.details()["field"], "id", "{bad}");
        }
    }
}
