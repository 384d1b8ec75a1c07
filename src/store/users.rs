//! Store calls about CRM users.

use serde::Deserialize;
use serde_json::json;

use super::call::call;
use crate::error::SyncError;
use crate::host::Host;

/// A CRM user as the store returns it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LocalUser {
    /// The CRM's id.
    pub id: String,
    /// The user's email as stored.
    pub email: String,
    /// Display name, if any.
    #[serde(default)]
    pub name: Option<String>,
    /// The linked Pipedrive user id, once known.
    #[serde(default)]
    pub pipedrive_user_id: Option<i64>,
}

/// `findUserById(userId)`.
pub async fn find_user_by_id<H: Host>(host: &H, user_id: &str) -> Result<Option<LocalUser>, SyncError> {
    call(host, "findUserById", json!([user_id])).await
}

/// `findUserByEmail(email)`: the store compares case-insensitively.
pub async fn find_user_by_email<H: Host>(host: &H, email: &str) -> Result<Option<LocalUser>, SyncError> {
    call(host, "findUserByEmail", json!([email])).await
}

/// `setUserPipedriveId(userId, pipedriveUserId)`: `false` when the user does not exist.
pub async fn set_user_pipedrive_id<H: Host>(
    host: &H,
    user_id: &str,
    pipedrive_user_id: i64,
) -> Result<bool, SyncError> {
    call(host, "setUserPipedriveId", json!([user_id, pipedrive_user_id])).await
}
