//! The one way into the host's store: a method by name with positional arguments, its reply read as a typed
//! value, and a reply of the wrong shape reported as a broken `SyncStore` contract.

use serde_json::Value;

use crate::error::SyncError;
use crate::host::Host;
use crate::json::shape::FromJson;
use crate::local_async::join::LocalFuture;

/// Calls `method` with positional `args` and reads its result as `T`.
pub(crate) async fn call<H: Host, T: FromJson>(host: &H, method: &str, args: Value) -> Result<T, SyncError> {
    let value = reply(host, method, args).await?;
    T::from_json(&value).map_err(|error| SyncError::Store {
        method: method.to_string(),
        message: format!("returned a value that breaks the SyncStore contract: {error}"),
        js_error_id: None,
    })
}

/// The store's reply to `method`, boxed: one compiled state machine for every typed [`call`].
fn reply<'a, H: Host>(host: &'a H, method: &'a str, args: Value) -> LocalFuture<'a, Result<Value, SyncError>> {
    Box::pin(async move { host.store(method, args).await.map_err(|failure| failure.into_error(method)) })
}
