//! Typed calls into the CRM's store (the JS `SyncStore`): one function per store method, so a flow never
//! handles raw JSON from the host. Grouped by what they touch: users, contacts, the outbox.

pub mod activities;
pub mod contacts;
pub mod outbox;
pub mod users;

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::SyncError;
use crate::host::Host;

pub use activities::*;
pub use contacts::*;
pub use outbox::*;
pub use users::*;

/// Calls `method` with positional `args` and reads its result as `T`.
pub(crate) async fn call<H: Host, T: DeserializeOwned>(host: &H, method: &str, args: Value) -> Result<T, SyncError> {
    let value = host.store(method, args).await.map_err(|failure| failure.into_error(method))?;
    serde_json::from_value(value).map_err(|error| SyncError::Store {
        method: method.to_string(),
        message: format!("returned a value that breaks the SyncStore contract: {error}"),
        js_error_id: None,
    })
}
