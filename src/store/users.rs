//! Store calls about CRM users.

use serde_json::{json, Value};

use super::call::call;
use crate::error::SyncError;
use crate::host::Host;
use crate::json::shape::{member, members, FromJson};

/// A CRM user as the store returns it.
#[derive(Debug, Clone, PartialEq)]
pub struct LocalUser {
    /// The CRM's id.
    pub id: String,
    /// The user's email as stored.
    pub email: String,
    /// Display name, if any.
    pub name: Option<String>,
    /// The linked Pipedrive user id, once known.
    pub pipedrive_user_id: Option<i64>,
}

impl FromJson for LocalUser {
    fn from_json(value: &Value) -> Result<Self, String> {
        let object = members(value, "LocalUser")?;
        Ok(LocalUser {
            id: member(object, "id")?,
            email: member(object, "email")?,
            name: member(object, "name")?,
            pipedrive_user_id: member(object, "pipedriveUserId")?,
        })
    }
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
