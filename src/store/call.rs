//! The one way into the host's store: a method by name with positional arguments, its reply read as a typed
//! value, and a reply of the wrong shape reported as a broken `SyncStore` contract.

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::SyncError;
use crate::host::Host;

/// Calls `method` with positional `args` and reads its result as `T`.
pub(crate) async fn call<H: Host, T: DeserializeOwned>(host: &H, method: &str, args: Value) -> Result<T, SyncError> {
    let value = host.store(method, args).await.map_err(|failure| failure.into_error(method))?;
    serde_json::from_value(value).map_err(|error| SyncError::Store {
        method: method.to_string(),
        message: format!("returned a value that breaks the SyncStore contract: {error}"),
        js_error_id: None,
    })
}
