//! `sync.webhooks.ensure({url, username, password, events?})`, `list()`, `remove(id)`: the v2 subscriptions
//! that deliver to the CRM's webhook route, registered once (UPDATES-FACTS §2 "Management API"). `ensure` lists
//! `GET /v1/webhooks` and creates only the subscriptions missing for that exact URL (n8n's duplicate-subscription
//! bug is the warning). A create whose outcome is unknown is not sent again blindly: the list is read again and
//! decides. Answers never carry `http_auth_password`.

use serde::Serialize;
use serde_json::{json, Value};

use super::intake::id_of;
use crate::api_token::ApiToken;
use crate::engine::Engine;
use crate::error::SyncError;
use crate::host::{Host, LogLevel};
use crate::pipedrive::client::CallOptions;

/// The subscriptions `ensure` makes when no `events` are given: every action on the record types synced.
pub const DEFAULT_EVENTS: [&str; 4] = ["*.person", "*.organization", "*.activity", "*.deal"];

/// What `ensure` found and did, one entry per event.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EnsureReport {
    /// Subscriptions created now.
    pub created: Vec<Value>,
    /// Subscriptions that were there already.
    pub existing: Vec<Value>,
}

/// One subscription as answered: Pipedrive's record without the password.
fn public(record: &Value) -> Value {
    let mut record = record.clone();
    if let Some(object) = record.as_object_mut() {
        object.remove("http_auth_password");
    }
    record
}

/// `action.object` → the pair, checked; the error names `events[index]`.
fn parse_event(index: usize, event: &Value) -> Result<(String, String), SyncError> {
    let field = format!("events[{index}]");
    let text = event.as_str().unwrap_or_default();
    match text.split_once('.') {
        Some((action, object))
            if ["*", "create", "change", "delete"].contains(&action) && !object.is_empty() && !object.contains('.') =>
        {
            Ok((action.to_string(), object.to_string()))
        }
        _ => Err(SyncError::validation(
            field,
            "must be 'action.object' with action *, create, change or delete, e.g. '*.person'",
        )),
    }
}

/// The delivery URL: https, or http to this machine only.
fn check_url(url: &str) -> Result<(), SyncError> {
    let loopback = ["http://localhost", "http://127.0.0.1", "http://[::1]"]
        .iter()
        .any(|prefix| url.strip_prefix(prefix).is_some_and(|rest| rest.starts_with([':', '/']) || rest.is_empty()));
    if (url.starts_with("https://") && url.len() > "https://".len()) || loopback {
        Ok(())
    } else {
        Err(SyncError::validation("url", "must be an https:// URL (http:// only for localhost) of the webhook route"))
    }
}

impl<H: Host> Engine<H> {
    /// `sync.webhooks.list()`: the account's webhooks (without passwords).
    pub async fn list_webhooks(&self) -> Result<Vec<Value>, SyncError> {
        let token = self.token_for(None).await?;
        Ok(self.webhooks_of(&token).await?.iter().map(public).collect())
    }

    /// `sync.webhooks.remove(id)`.
    pub async fn remove_webhook(&self, id: &Value) -> Result<(), SyncError> {
        let id = id_of(Some(id)).ok_or_else(|| SyncError::validation("id", "must be a positive integer webhook id"))?;
        let token = self.token_for(None).await?;
        let mut request = self.requests.get(&token, &format!("/v1/webhooks/{id}"), &[]);
        request.method = "DELETE".to_string();
        self.call(&token, request, CallOptions::INTERACTIVE).await.map(|_| ())
    }

    /// `sync.webhooks.ensure(options)`: the v2 subscriptions for `url`, created where missing.
    pub async fn ensure_webhooks(&self, options: &Value) -> Result<EnsureReport, SyncError> {
        let text = |field: &str| {
            options
                .get(field)
                .and_then(Value::as_str)
                .filter(|text| !text.trim().is_empty())
                .ok_or_else(|| SyncError::validation(field, "is required: a non-empty string"))
        };
        let url = text("url")?.trim();
        check_url(url)?;
        let (username, password) = (text("username")?, text("password")?);
        let events: Vec<(String, String)> = match options.get("events") {
            None | Some(Value::Null) => {
                DEFAULT_EVENTS.iter().enumerate().map(|(i, e)| parse_event(i, &json!(e))).collect::<Result<_, _>>()?
            }
            Some(Value::Array(events)) if !events.is_empty() => {
                events.iter().enumerate().map(|(i, e)| parse_event(i, e)).collect::<Result<_, _>>()?
            }
            Some(_) => return Err(SyncError::validation("events", "must be a non-empty list such as ['*.person']")),
        };
        let token = self.token_for(None).await?;
        let mut present = self.webhooks_of(&token).await?;
        let mut report = EnsureReport { created: Vec::new(), existing: Vec::new() };
        for (action, object) in events {
            let matches = |hook: &Value| {
                hook.get("subscription_url").and_then(Value::as_str) == Some(url)
                    && hook.get("event_action").and_then(Value::as_str) == Some(&action)
                    && hook.get("event_object").and_then(Value::as_str) == Some(&object)
                    && hook.get("version").and_then(Value::as_str) == Some("2.0")
            };
            if let Some(hook) = present.iter().find(|hook| matches(hook)) {
                report.existing.push(public(hook));
                continue;
            }
            let body = json!({
                "subscription_url": url, "event_action": action, "event_object": object, "version": "2.0",
                "name": format!("pipedrive-sync {action}.{object}"), "http_auth_user": username, "http_auth_password": password,
            });
            let request = self.requests.with_body("POST", &token, "/v1/webhooks", &body);
            let created = match self.call(&token, request, CallOptions::INTERACTIVE.create()).await {
                Ok(created) => created,
                Err(error @ SyncError::Unavailable { .. }) => {
                    // The create may have happened: the list decides, and nothing is sent twice.
                    present = self.webhooks_of(&token).await?;
                    match present.iter().find(|hook| matches(hook)) {
                        Some(hook) => hook.clone(),
                        None => return Err(error),
                    }
                }
                Err(error) => return Err(error),
            };
            self.host.log(
                LogLevel::Info,
                "webhooks.created",
                json!({ "event": format!("{action}.{object}"), "id": created.get("id") }),
            );
            present.push(created.clone());
            report.created.push(public(&created));
        }
        Ok(report)
    }

    /// `GET /v1/webhooks`, as Pipedrive answers it.
    async fn webhooks_of(&self, token: &ApiToken) -> Result<Vec<Value>, SyncError> {
        let data = self.call(token, self.requests.get(token, "/v1/webhooks", &[]), CallOptions::INTERACTIVE).await?;
        Ok(data.as_array().cloned().unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_and_urls_are_checked() {
        assert_eq!(parse_event(0, &json!("*.person")).unwrap(), ("*".into(), "person".into()));
        assert_eq!(parse_event(1, &json!("change.deal")).unwrap(), ("change".into(), "deal".into()));
        for bad in [json!("updated.person"), json!("person"), json!("*."), json!(3)] {
            assert_eq!(parse_event(2, &bad).unwrap_err().details()["field"], "events[2]", "{bad}");
        }
        assert!(check_url("https://crm.example.com/api/pipedrive/webhook").is_ok());
        assert!(check_url("http://localhost:3000/api/pipedrive/webhook").is_ok());
        assert!(check_url("http://localhost.evil.com/x").is_err());
        assert!(check_url("http://crm.example.com/x").is_err());
        assert!(check_url("https://").is_err());
    }

    #[test]
    fn answers_never_carry_the_password() {
        let hook = json!({"id": 1, "http_auth_user": "u", "http_auth_password": "p"});
        assert_eq!(public(&hook), json!({"id": 1, "http_auth_user": "u"}));
    }
}
