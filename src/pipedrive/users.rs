//! Pipedrive users (`GET /v1/users`, API-FACTS §3): the wire format and matching a CRM email to a user.

use serde::Serialize;
use serde_json::Value;

use crate::error::SyncError;
use crate::json::shape::{member, members, FromJson};
use crate::pipedrive::outcome::parse_list;
use crate::text::lowercase::Lowercased;

/// A Pipedrive user as the engine reports it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PipedriveUser {
    /// Pipedrive's user id (the `owner_id` of records).
    pub id: i64,
    /// Display name.
    pub name: String,
    /// Login email as Pipedrive stores it.
    pub email: String,
    /// Whether the user is active (`active_flag`).
    pub active: bool,
    /// Whether the user is a company admin.
    pub is_admin: bool,
}

/// One element of `GET /v1/users` `data` (BaseUser); fields the engine does not use are ignored.
#[derive(Debug)]
struct BaseUser {
    id: i64,
    name: Option<String>,
    email: Option<String>,
    active_flag: Option<bool>,
    is_deleted: Option<bool>,
    is_admin: Option<Value>,
}

impl FromJson for BaseUser {
    fn from_json(value: &Value) -> Result<Self, String> {
        let object = members(value, "BaseUser")?;
        Ok(BaseUser {
            id: member(object, "id")?,
            name: member(object, "name")?,
            email: member(object, "email")?,
            active_flag: member(object, "active_flag")?,
            is_deleted: member(object, "is_deleted")?,
            is_admin: member(object, "is_admin")?,
        })
    }
}

/// Parses the `data` of `GET /v1/users` (`null` is an empty list), keeping only active, undeleted users.
pub fn parse_active_users(data: Value) -> Result<Vec<PipedriveUser>, SyncError> {
    let users: Vec<BaseUser> = parse_list(data, "user list")?;
    Ok(users
        .into_iter()
        .filter(|user| user.active_flag != Some(false) && user.is_deleted != Some(true))
        .filter_map(|user| {
            let email = user.email?;
            Some(PipedriveUser {
                id: user.id,
                name: user.name.unwrap_or_default(),
                email,
                active: true,
                is_admin: matches!(user.is_admin, Some(Value::Bool(true)))
                    || user.is_admin.as_ref().and_then(Value::as_i64) == Some(1),
            })
        })
        .collect())
}

/// The active user whose email equals `normalized_email` (already trimmed and lowercased).
pub fn find_by_email<'a>(users: &'a [PipedriveUser], normalized_email: &str) -> Option<&'a PipedriveUser> {
    users.iter().find(|user| user.email.trim().lowercased() == normalized_email)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn users() -> Vec<PipedriveUser> {
        parse_active_users(json!([
            {"id": 1, "name": "Ann Admin", "email": "Ann@Acme.com", "active_flag": true, "is_admin": 1},
            {"id": 2, "name": "Ivan Inactive", "email": "ivan@acme.com", "active_flag": false},
            {"id": 3, "name": "Dora Deleted", "email": "dora@acme.com", "active_flag": true, "is_deleted": true},
            {"id": 4, "name": "Sam Sales", "email": "sam@acme.com", "active_flag": true, "is_admin": false},
        ]))
        .unwrap()
    }

    #[test]
    fn inactive_and_deleted_users_are_skipped() {
        let ids: Vec<i64> = users().iter().map(|user| user.id).collect();
        assert_eq!(ids, vec![1, 4]);
        assert!(users()[0].is_admin);
        assert!(!users()[1].is_admin);
    }

    #[test]
    fn emails_match_case_insensitively() {
        let all = users();
        assert_eq!(find_by_email(&all, "ann@acme.com").map(|u| u.id), Some(1));
        assert_eq!(find_by_email(&all, "ivan@acme.com"), None);
        assert_eq!(find_by_email(&all, "dora@acme.com"), None);
        assert_eq!(find_by_email(&all, "nobody@acme.com"), None);
    }

    #[test]
    fn null_data_is_an_empty_list_and_garbage_is_an_error() {
        assert!(parse_active_users(Value::Null).unwrap().is_empty());
        assert_eq!(parse_active_users(json!({"id": "x"})).unwrap_err().code(), "UNAVAILABLE");
    }
}
