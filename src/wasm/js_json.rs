//! JavaScript values read as JSON, by the rules serde-wasm-bindgen applied before (so the engine sees the same
//! values): `null` and `undefined` are `null`; safe integers are integers and other numbers floats (`NaN` and
//! the infinities `null`); BigInts are integers when they fit `i64`/`u64`; arrays element by element; a `Map` or
//! a plain (non-iterable) object member by member. Anything else (a function, a `Set`, bytes) is an error.
//! One function for every reply instead of a deserializer compiled per type.

use js_sys::{Array, Number, Object, Reflect, Symbol};
use serde_json::{Map, Value};
use wasm_bindgen::{JsCast, JsValue};

/// `value` as JSON; `Err` names what could not be read.
pub fn js_to_json(value: &JsValue) -> Result<Value, String> {
    if value.is_null() || value.is_undefined() {
        return Ok(Value::Null);
    }
    if let Some(flag) = value.as_bool() {
        return Ok(Value::Bool(flag));
    }
    if value.is_bigint() {
        return match i64::try_from(value.clone()) {
            Ok(n) => Ok(Value::from(n)),
            Err(value) => u64::try_from(value).map(Value::from).map_err(|_| {
                "Couldn't deserialize i64 or u64 from a BigInt outside i64::MIN..u64::MAX bounds".to_string()
            }),
        };
    }
    if let Some(n) = value.as_f64() {
        return Ok(if Number::is_safe_integer(value) { Value::from(n as i64) } else { Value::from(n) });
    }
    if let Some(text) = value.as_string() {
        return Ok(Value::String(text));
    }
    if let Some(array) = value.dyn_ref::<Array>() {
        let mut items = Vec::with_capacity(array.length() as usize);
        for item in array.iter() {
            items.push(js_to_json(&item)?);
        }
        return Ok(Value::Array(items));
    }
    if value.is_instance_of::<js_sys::Uint8Array>() || value.is_instance_of::<js_sys::ArrayBuffer>() {
        return Err("invalid type: byte array, expected any valid JSON value".to_string());
    }
    if !value.is_object() {
        return Err(format!("invalid type: {}, expected any valid JSON value", describe(value)));
    }
    let is_map = value.is_instance_of::<js_sys::Map>();
    if !is_map && Reflect::has(value, &Symbol::iterator()).unwrap_or(false) {
        return Err("invalid type: an iterable object, expected any valid JSON value".to_string());
    }
    // A Map iterates `[key, value]` pairs; a plain object's entries are the same pairs.
    let pairs: Array = if is_map { Array::from(value) } else { Object::entries(value.unchecked_ref::<Object>()) };
    let mut object = Map::new();
    for pair in pairs.iter() {
        let pair = pair.unchecked_into::<Array>();
        let key = pair.get(0).as_string().ok_or("invalid type: a map key that is not a string, expected a string")?;
        object.insert(key, js_to_json(&pair.get(1))?);
    }
    Ok(Value::Object(object))
}

/// The kind of a value that is not JSON, for the error.
fn describe(value: &JsValue) -> String {
    value.js_typeof().as_string().unwrap_or_else(|| "a value".to_string())
}
