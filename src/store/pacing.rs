//! The store call behind shared pacing (DESIGN §13): `swapPacing`, a compare-and-swap on one row per pacing key
//! (a token's fingerprint and its Pipedrive, never the token). The store keeps the state as opaque text; what it
//! means and what to do with it is decided in `pipedrive::limits::shared_pacing`.

use serde_json::{json, Value};

use super::call::call;
use crate::error::SyncError;
use crate::host::Host;
use crate::json::shape::{member, members, FromJson};

/// The answer of `swapPacing`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PacingSwap {
    /// Whether `state` was written (the stored version was the expected one).
    pub swapped: bool,
    /// The row's version now: the new one after a swap, else the current one (0 when there is no row).
    pub version: i64,
    /// The current state when not swapped (`null` when there is no row); `null` after a swap.
    pub state: Option<String>,
}

impl FromJson for PacingSwap {
    fn from_json(value: &Value) -> Result<Self, String> {
        let object = members(value, "PacingSwap")?;
        Ok(PacingSwap {
            swapped: member(object, "swapped")?,
            version: member(object, "version")?,
            state: member(object, "state")?,
        })
    }
}

/// `swapPacing(key, {version, state, nowMs})`: writes `state` when the row's version is `version` (0: no row yet)
/// and answers the new version; otherwise writes nothing and answers the current version and state. `state: None`
/// only reads.
pub async fn swap_pacing<H: Host>(
    host: &H,
    key: &str,
    version: i64,
    state: Option<&str>,
    now_ms: i64,
) -> Result<PacingSwap, SyncError> {
    call(host, "swapPacing", json!([key, { "version": version, "state": state, "nowMs": now_ms }])).await
}
