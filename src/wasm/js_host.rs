//! [`Host`] over the JavaScript host object built by the facade's `bindHost()`. Every async method there
//! resolves to `{ok: true, value}` or `{ok: false, error}` and never rejects; a host that breaks that contract
//! anyway is reported as a failure of the call, never as a crash.

use js_sys::{Array, Function, Promise, Reflect};
use serde_json::Value;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use super::convert::{from_js, to_js};
use crate::error::SyncError;
use crate::host::{Host, HttpRequest, HttpResponse, LogLevel, StoreFailure, TransportError};
use crate::json::shape::{member, members, FromJson};
use crate::local_async::join::LocalFuture;

/// The JS host object and its methods, looked up once.
pub struct JsHost {
    this: JsValue,
    send: Function,
    store: Function,
    token_for: Function,
    now: Function,
    sleep: Function,
    deadline: Function,
    random: Function,
    zone_offset: Function,
    log: Function,
}

impl JsHost {
    /// Wraps `host`, checking that every method the engine calls is a function.
    pub fn from_js(host: JsValue) -> Result<Self, SyncError> {
        let method = |name: &str| -> Result<Function, SyncError> {
            Reflect::get(&host, &JsValue::from_str(name))
                .ok()
                .and_then(|value| value.dyn_into::<Function>().ok())
                .ok_or_else(|| SyncError::config(format!("host.{name}"), "must be a function"))
        };
        Ok(JsHost {
            send: method("send")?,
            store: method("store")?,
            token_for: method("tokenFor")?,
            now: method("now")?,
            sleep: method("sleep")?,
            deadline: method("deadline")?,
            random: method("random")?,
            zone_offset: method("zoneOffset")?,
            log: method("log")?,
            this: host,
        })
    }

    /// Calls an async host method and reads its `{ok, value, error}` envelope. `Err(message)` when the host
    /// broke its contract.
    async fn call<T: FromJson, E: FromJson>(
        &self,
        function: &Function,
        args: &[JsValue],
        what: &str,
    ) -> Result<Result<Option<T>, E>, String> {
        let reply = self.settle(function, args, what).await?;
        let shape = |error: String| SyncError::internal(format!("{what} has an unexpected shape: {error}")).to_string();
        let object = members(&reply, "Reply").map_err(shape)?;
        let ok: bool = member(object, "ok").map_err(shape)?;
        let value: Option<T> = member(object, "value").map_err(shape)?;
        let error: Option<E> = member(object, "error").map_err(shape)?;
        match (ok, error) {
            (true, _) => Ok(Ok(value)),
            (false, Some(error)) => Ok(Err(error)),
            (false, None) => Err(format!("{what} answered ok: false without an error")),
        }
    }

    /// Calls an async host method and reads what it settled with as JSON (one compiled state machine for every
    /// typed [`JsHost::call`]).
    fn settle<'a>(
        &'a self,
        function: &'a Function,
        args: &'a [JsValue],
        what: &'a str,
    ) -> LocalFuture<'a, Result<Value, String>> {
        Box::pin(async move {
            let args: Array = args.iter().collect();
            let returned = function.apply(&self.this, &args).map_err(|thrown| describe(what, "threw", &thrown))?;
            let settled = JsFuture::from(Promise::resolve(&returned))
                .await
                .map_err(|thrown| describe(what, "rejected", &thrown))?;
            from_js(&settled, what).map_err(|error| error.to_string())
        })
    }
}

fn describe(what: &str, verb: &str, thrown: &JsValue) -> String {
    let message = thrown
        .dyn_ref::<js_sys::Error>()
        .map(|error| String::from(error.message()))
        .or_else(|| thrown.as_string())
        .unwrap_or_else(|| "a non-Error value".to_string());
    format!("{what} {verb} instead of answering {{ok, value}}: {message}")
}

/// Calls a JS `cancel` function when dropped (unless disarmed): a deadline the engine no longer needs.
struct CancelOnDrop(Option<Function>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        if let Some(cancel) = self.0.take() {
            let _ = cancel.call0(&JsValue::UNDEFINED);
        }
    }
}

impl Host for JsHost {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let request = to_js(&request).map_err(|error| TransportError::Network { message: error.to_string() })?;
        match self.call::<HttpResponse, TransportError>(&self.send, &[request], "host.send").await {
            Ok(Ok(Some(response))) => Ok(response),
            Ok(Ok(None)) => Err(TransportError::Network { message: "host.send answered without a response".into() }),
            Ok(Err(failure)) => Err(failure),
            Err(message) => Err(TransportError::Network { message }),
        }
    }

    async fn store(&self, method: &str, args: Value) -> Result<Value, StoreFailure> {
        let args = to_js(&args).map_err(|error| StoreFailure { message: error.to_string(), js_error_id: None })?;
        match self.call::<Value, StoreFailure>(&self.store, &[JsValue::from_str(method), args], "host.store").await {
            Ok(Ok(value)) => Ok(value.unwrap_or(Value::Null)),
            Ok(Err(failure)) => Err(failure),
            Err(message) => Err(StoreFailure { message, js_error_id: None }),
        }
    }

    async fn token_for(&self, user_id: &str) -> Result<Option<String>, StoreFailure> {
        match self.call::<String, StoreFailure>(&self.token_for, &[JsValue::from_str(user_id)], "apiTokenFor").await {
            Ok(result) => result,
            Err(message) => Err(StoreFailure { message, js_error_id: None }),
        }
    }

    fn now_ms(&self) -> i64 {
        // The facade's `now` falls back to Date.now itself; NaN here would be a broken host, so fall back again.
        let value = self.now.call0(&self.this).ok().and_then(|value| value.as_f64()).filter(|n| n.is_finite());
        value.unwrap_or_else(js_sys::Date::now) as i64
    }

    async fn sleep(&self, ms: u64) {
        if let Ok(promise) = self.sleep.call1(&self.this, &JsValue::from_f64(ms as f64)) {
            let _ = JsFuture::from(Promise::resolve(&promise)).await;
        }
    }

    async fn deadline(&self, ms: u64) {
        let Ok(handle) = self.deadline.call1(&self.this, &JsValue::from_f64(ms as f64)) else {
            // A deadline that fired at once would fail every request it guards: wait like `sleep` instead.
            return self.sleep(ms).await;
        };
        // `{promise, cancel}`; a host answering a bare promise gets no cancellation.
        let promise = Reflect::get(&handle, &JsValue::from_str("promise"))
            .ok()
            .filter(|promise| !promise.is_undefined())
            .unwrap_or_else(|| handle.clone());
        let cancel =
            Reflect::get(&handle, &JsValue::from_str("cancel")).ok().and_then(|f| f.dyn_into::<Function>().ok());
        // Dropped before it fires (the work it guarded finished first): the JS timer is cleared at once.
        let mut guard = CancelOnDrop(cancel);
        let _ = JsFuture::from(Promise::resolve(&promise)).await;
        guard.0 = None;
    }

    fn random(&self) -> f64 {
        let value = self.random.call0(&self.this).ok().and_then(|value| value.as_f64());
        value.filter(|n| (0.0..1.0).contains(n)).unwrap_or_else(js_sys::Math::random)
    }

    fn zone_offset_minutes(&self, zone: &str, instant_ms: i64) -> Option<i32> {
        let offset =
            self.zone_offset.call2(&self.this, &JsValue::from_str(zone), &JsValue::from_f64(instant_ms as f64)).ok()?;
        offset
            .as_f64()
            .filter(|minutes| minutes.is_finite() && minutes.abs() <= 24.0 * 60.0)
            .map(|minutes| minutes as i32)
    }

    fn log(&self, level: LogLevel, event: &str, fields: Value) {
        let fields = to_js(&fields).unwrap_or(JsValue::NULL);
        let _ = self.log.call3(&self.this, &JsValue::from_str(level.as_str()), &JsValue::from_str(event), &fields);
    }
}
