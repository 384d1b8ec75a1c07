//! Crossing the boundary: one serde configuration for every value sent to JS, and engine errors as JS `Error`
//! objects carrying `code` and `details`.

use serde::Serialize;
use serde_json::Value;
use wasm_bindgen::JsValue;

use super::js_json::js_to_json;
use crate::error::SyncError;

/// Serializes a value for JS. JSON-compatible: maps become plain objects, `None` fields marked
/// `skip_serializing_if` are absent and other `None`s are `null` (Prisma reads `undefined` as "leave unchanged"
/// and `null` as "set to NULL", so the difference is deliberate).
pub fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, SyncError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|error| SyncError::internal(format!("could not convert a result for JavaScript: {error}")))
}

/// A JS value as JSON; `what` names it in the error.
pub fn from_js(value: &JsValue, what: &str) -> Result<Value, SyncError> {
    js_to_json(value).map_err(|error| SyncError::internal(format!("{what} has an unexpected shape: {error}")))
}

/// A JS `Error` whose message is the error's text, with `code` and `details` properties.
pub fn to_js_error(error: &SyncError) -> JsValue {
    let js_error = js_sys::Error::new(&error.to_string());
    js_error.set_name("PipedriveSyncError");
    let object: &JsValue = js_error.as_ref();
    let details = to_js(&error.details()).unwrap_or(JsValue::NULL);
    // Setting properties on a fresh Error cannot fail; ignoring the Result keeps this function infallible.
    let _ = js_sys::Reflect::set(object, &"code".into(), &error.code().into());
    let _ = js_sys::Reflect::set(object, &"details".into(), &details);
    js_error.into()
}
