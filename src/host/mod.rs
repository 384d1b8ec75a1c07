//! The host boundary: everything the engine asks of the outside world.
//!
//! Rust never opens a socket or a database. The JavaScript layer passes one host object whose methods never
//! throw: each resolves to a value or to a classified failure, which arrives here as the types below.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::error::SyncError;
use crate::json::shape::{invalid, member, member_or_default, members, FromJson};

/// One HTTP request for the host to send.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HttpRequest {
    /// `GET`, `POST`, `PATCH`, `PUT` or `DELETE`.
    pub method: String,
    /// The full URL; never carries a token.
    pub url: String,
    /// Request headers (lowercase names), including `x-api-token`.
    pub headers: BTreeMap<String, String>,
    /// The JSON body, already serialized.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// How long the host waits for the whole response before giving up with a timeout.
    pub timeout_ms: u64,
}

/// An HTTP response, whatever its status.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpResponse {
    /// The HTTP status code.
    pub status: u16,
    /// Response headers with lowercase names.
    pub headers: BTreeMap<String, String>,
    /// The body as text.
    pub body: String,
}

impl FromJson for HttpResponse {
    fn from_json(value: &Value) -> Result<Self, String> {
        let object = members(value, "HttpResponse")?;
        Ok(HttpResponse {
            status: member(object, "status")?,
            headers: member_or_default(object, "headers")?,
            body: member_or_default(object, "body")?,
        })
    }
}

impl HttpResponse {
    /// A header value by lowercase name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }
}

/// Why an HTTP request produced no response.
#[derive(Debug, Clone, PartialEq)]
pub enum TransportError {
    /// The connection failed or was reset; the request may or may not have been applied.
    Network {
        /// The host's description.
        message: String,
    },
    /// No complete response within the request's timeout.
    Timeout {
        /// The host's description.
        message: String,
    },
}

impl FromJson for TransportError {
    /// `{kind: 'network' | 'timeout', message}`.
    fn from_json(value: &Value) -> Result<Self, String> {
        let object = members(value, "TransportError")?;
        let kind = object.get("kind").ok_or("missing field `kind`")?;
        match kind.as_str() {
            Some("network") => Ok(TransportError::Network { message: member(object, "message")? }),
            Some("timeout") => Ok(TransportError::Timeout { message: member(object, "message")? }),
            Some(other) => Err(format!("unknown variant `{other}`, expected `network` or `timeout`")),
            None => Err(invalid(kind, "variant identifier")),
        }
    }
}

/// A store method that rejected.
#[derive(Debug, Clone, PartialEq)]
pub struct StoreFailure {
    /// The error's message.
    pub message: String,
    /// Id of the original JS error in the host's registry, so JS can rethrow it with its stack.
    pub js_error_id: Option<u32>,
}

impl FromJson for StoreFailure {
    fn from_json(value: &Value) -> Result<Self, String> {
        let object = members(value, "StoreFailure")?;
        Ok(StoreFailure { message: member(object, "message")?, js_error_id: member(object, "jsErrorId")? })
    }
}

impl StoreFailure {
    /// The engine error for this failure of `method`.
    pub fn into_error(self, method: &str) -> SyncError {
        // Stores often name the method themselves; say it once.
        let message =
            self.message.strip_prefix(&format!("{method} failed: ")).map_or(self.message.clone(), str::to_string);
        SyncError::Store { method: method.to_string(), message, js_error_id: self.js_error_id }
    }
}

/// Severity of a log event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LogLevel {
    /// Detail for debugging.
    Debug,
    /// Normal operation worth recording.
    Info,
    /// Something went wrong but was handled.
    Warn,
    /// An operation failed.
    Error,
}

impl LogLevel {
    /// The level's name as the host receives it.
    pub fn as_str(self) -> &'static str {
        match self {
            LogLevel::Debug => "debug",
            LogLevel::Info => "info",
            LogLevel::Warn => "warn",
            LogLevel::Error => "error",
        }
    }
}

/// The capabilities the engine needs. Implemented over the JS host object in the `wasm` module and by plain
/// Rust fakes in tests. Futures are not `Send`: the engine runs on one thread (WebAssembly's event loop).
#[allow(async_fn_in_trait)]
pub trait Host {
    /// Sends one HTTP request. An HTTP error status is a response, not an error.
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError>;

    /// Calls the store method `method` with positional JSON `args`; resolves to its JSON result.
    async fn store(&self, method: &str, args: Value) -> Result<Value, StoreFailure>;

    /// The API token for a CRM user when the CRM configured per-user tokens (`apiTokenFor`), or `None`.
    async fn token_for(&self, user_id: &str) -> Result<Option<String>, StoreFailure>;

    /// Milliseconds since the Unix epoch.
    fn now_ms(&self) -> i64;

    /// Resolves after `ms` milliseconds.
    async fn sleep(&self, ms: u64);

    /// Resolves after `ms` milliseconds, for a deadline raced against other work (a request, a real-time budget,
    /// a lease renewal). The engine drops a deadline as soon as the work finished first, and the host then clears
    /// its timer, so that no timer outlives its use (nor keeps a process alive).
    async fn deadline(&self, ms: u64);

    /// A uniformly distributed number in `[0, 1)`.
    fn random(&self) -> f64;

    /// The offset from UTC, in minutes east, of the IANA time zone `zone` at `instant_ms` (daylight saving
    /// included); `None` when the zone is unknown. The time-zone database lives in the host (ICU in Node).
    fn zone_offset_minutes(&self, zone: &str, instant_ms: i64) -> Option<i32>;

    /// Records a structured event. `fields` never contains a secret.
    fn log(&self, level: LogLevel, event: &str, fields: Value);
}

#[cfg(test)]
pub(crate) mod test_host;
