//! The users service (spec §4.5.1, §8.4): find a Pipedrive user by email, store the link on the CRM user, and
//! both at once (`setupUser`).
//!
//! Token thrift (API-FACTS §3): the whole user list is read once (`GET /v1/users`, 20 tokens) and cached per
//! token, instead of `GET /v1/users/find` (40 tokens) per lookup; emails match case-insensitively and inactive
//! or deleted users never match.

use serde::Serialize;
use serde_json::json;

use crate::api_token::ApiToken;
use crate::engine::Engine;
use crate::error::SyncError;
use crate::host::{Host, LogLevel};
use crate::pipedrive::users::{find_by_email, PipedriveUser};
use crate::services::email::normalize_email;
use crate::store;
use crate::text::lowercase::Lowercased;

/// The answer of `setupUser` (spec §8.4), with the error's stable `code` beside its text.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SetupUserResponse {
    /// Whether the CRM user is now linked to a Pipedrive user.
    pub success: bool,
    /// The linked Pipedrive user id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pipedrive_user_id: Option<i64>,
    /// What went wrong, starting with the code (`NOT_FOUND: ...`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The error's stable code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<&'static str>,
}

impl<H: Host> Engine<H> {
    /// The active Pipedrive user whose email matches `email` (case-insensitive), or `None`.
    pub async fn find_user_by_email(&self, email: &str) -> Result<Option<PipedriveUser>, SyncError> {
        let email = normalize_email("email", email)?;
        let token = match self.config.api_token.clone() {
            Some(token) => token,
            // Per-user tokens: act with the token of the CRM user who owns this email.
            None => {
                let local = store::find_user_by_email(&self.host, &email).await?;
                self.token_for(local.as_ref().map(|user| user.id.as_str())).await?
            }
        };
        let users = self.pipedrive_users(&token).await?;
        Ok(find_by_email(&users, &email).cloned())
    }

    /// Stores `pipedrive_user_id` on the CRM user `user_id`; `NOT_FOUND` when there is no such user.
    pub async fn store_user_pipedrive_id(&self, user_id: &str, pipedrive_user_id: i64) -> Result<(), SyncError> {
        if store::set_user_pipedrive_id(&self.host, user_id, pipedrive_user_id).await? {
            self.host.log(
                LogLevel::Info,
                "users.linked",
                json!({ "userId": user_id, "pipedriveUserId": pipedrive_user_id }),
            );
            Ok(())
        } else {
            Err(SyncError::not_found(format!("there is no CRM user with id {user_id}")))
        }
    }

    /// Links the CRM user with `email` to the Pipedrive user with the same email. Failures are answered in the
    /// response (with their code), not thrown.
    pub async fn setup_user(&self, email: &str) -> SetupUserResponse {
        self.setup_user_response(self.try_setup_user(email).await)
    }

    /// The `setupUser` answer for an outcome (a request that could not be read is answered the same way).
    pub fn setup_user_response(&self, outcome: Result<i64, SyncError>) -> SetupUserResponse {
        match outcome {
            Ok(id) => SetupUserResponse { success: true, pipedrive_user_id: Some(id), error: None, code: None },
            Err(error) => {
                self.host.log(
                    LogLevel::Warn,
                    "users.setup_failed",
                    json!({ "code": error.code(), "error": error.to_string() }),
                );
                SetupUserResponse {
                    success: false,
                    pipedrive_user_id: None,
                    error: Some(error.to_string()),
                    code: Some(error.code()),
                }
            }
        }
    }

    async fn try_setup_user(&self, email: &str) -> Result<i64, SyncError> {
        let email = normalize_email("email", email)?;
        let local = store::find_user_by_email(&self.host, &email)
            .await?
            .ok_or_else(|| SyncError::not_found(format!("there is no CRM user with the email {email}")))?;
        let token = self.token_for(Some(&local.id)).await?;
        let users = self.pipedrive_users(&token).await?;
        let pipedrive_user = find_by_email(&users, &email)
            .ok_or_else(|| SyncError::not_found(format!("no active Pipedrive user has the email {email}")))?;
        self.store_user_pipedrive_id(&local.id, pipedrive_user.id).await?;
        Ok(pipedrive_user.id)
    }

    /// The Pipedrive owner for a CRM user: their stored `pipedriveUserId`, else found by email (and stored);
    /// `None` (the token's user will own the record) when there is no match, which is logged.
    pub(crate) async fn owner_for(&self, user_id: Option<&str>, token: &ApiToken) -> Result<Option<i64>, SyncError> {
        let Some(user_id) = user_id else { return Ok(None) };
        let Some(user) = store::find_user_by_id(&self.host, user_id).await? else {
            self.host.log(
                LogLevel::Warn,
                "warm_lead.owner_unknown",
                json!({ "userId": user_id, "reason": "no such CRM user" }),
            );
            return Ok(None);
        };
        if let Some(id) = user.pipedrive_user_id {
            return Ok(Some(id));
        }
        let normalized = user.email.trim().lowercased();
        let users = self.pipedrive_users(token).await?;
        match crate::pipedrive::users::find_by_email(&users, &normalized) {
            Some(pipedrive_user) => {
                store::set_user_pipedrive_id(&self.host, &user.id, pipedrive_user.id).await?;
                Ok(Some(pipedrive_user.id))
            }
            None => {
                self.host.log(LogLevel::Warn, "warm_lead.owner_unknown", json!({
                    "userId": user_id, "reason": format!("no active Pipedrive user has the email {normalized}; the token's user owns the record"),
                }));
                Ok(None)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::EngineConfig;
    use crate::host::test_host::{block_on, test_engine as engine, TestHost};
    use crate::host::TransportError;
    use serde_json::Value;

    const TOKEN: &str = "company-token-123";

    fn users_body() -> Value {
        json!({"success": true, "data": [
            {"id": 11, "name": "Ann", "email": "ann@acme.com", "active_flag": true, "is_admin": true},
            {"id": 12, "name": "Ivan", "email": "ivan@acme.com", "active_flag": false},
            {"id": 13, "name": "Dora", "email": "dora@acme.com", "active_flag": true, "is_deleted": true},
        ]})
    }

    #[test]
    fn finds_a_user_by_email_once_per_ttl() {
        let host = TestHost::default();
        host.answer(200, users_body());
        let engine = engine(host);
        let found = block_on(engine.find_user_by_email("  ANN@acme.com")).unwrap().unwrap();
        assert_eq!(found.id, 11);
        assert_eq!(block_on(engine.find_user_by_email("ivan@acme.com")).unwrap(), None);
        assert_eq!(block_on(engine.find_user_by_email("dora@acme.com")).unwrap(), None);
        let requests = engine.host().requests.borrow();
        assert_eq!(requests.len(), 1, "the user list is cached");
        assert!(requests[0].url.ends_with(".test/v1/users"), "{}", requests[0].url);
        assert_eq!(requests[0].headers["x-api-token"], TOKEN);
    }

    #[test]
    fn the_cache_expires() {
        let host = TestHost::default();
        host.answer(200, users_body());
        host.answer(200, users_body());
        let engine = engine(host);
        block_on(engine.find_user_by_email("ann@acme.com")).unwrap();
        engine.host().now.set(10 * 60 * 1000);
        block_on(engine.find_user_by_email("ann@acme.com")).unwrap();
        assert_eq!(engine.host().requests.borrow().len(), 2);
    }

    #[test]
    fn a_bad_email_sends_nothing() {
        let engine = engine(TestHost::default());
        let error = block_on(engine.find_user_by_email("not-an-email")).unwrap_err();
        assert_eq!(error.code(), "VALIDATION");
        assert!(engine.host().requests.borrow().is_empty());
    }

    #[test]
    fn pipedrive_failures_are_typed_and_never_show_the_token() {
        type Script = Box<dyn Fn(&TestHost)>;
        let cases: Vec<(Script, &str)> = vec![
            (
                Box::new(|h: &TestHost| {
                    h.answer(401, json!({"success": false, "error": "unauthorized access", "errorCode": 401}))
                }),
                "AUTH",
            ),
            (
                Box::new(|h: &TestHost| {
                    h.fail(TransportError::Network { message: format!("socket hang up (token {TOKEN})") })
                }),
                "UNAVAILABLE",
            ),
            (Box::new(|h: &TestHost| h.fail(TransportError::Timeout { message: "aborted".into() })), "UNAVAILABLE"),
            (Box::new(|h: &TestHost| h.answer_raw(200, "<html>maintenance</html>", "text/html")), "UNAVAILABLE"),
            (
                Box::new(|h: &TestHost| h.answer(503, json!({"success": false, "error": "Service unavailable"}))),
                "UNAVAILABLE",
            ),
        ];
        for (script, code) in cases {
            let host = TestHost::default();
            script(&host);
            let engine = engine(host);
            let error = block_on(engine.find_user_by_email("ann@acme.com")).unwrap_err();
            assert_eq!(error.code(), code, "{error}");
            assert!(!error.to_string().contains(TOKEN), "{error}");
            assert!(!error.details().to_string().contains(TOKEN));
        }
    }

    #[test]
    fn setup_user_links_the_crm_user() {
        let host = TestHost::default();
        host.add_user("u1", "Ann@Acme.com");
        host.answer(200, users_body());
        let engine = engine(host);
        let response = block_on(engine.setup_user("ann@acme.com"));
        assert_eq!(response, SetupUserResponse { success: true, pipedrive_user_id: Some(11), error: None, code: None });
        assert_eq!(engine.host().user("u1").unwrap()["pipedriveUserId"], 11);
    }

    #[test]
    fn setup_user_answers_failures_with_codes() {
        let host = TestHost::default();
        host.add_user("u2", "ivan@acme.com");
        host.answer(200, users_body());
        let engine = engine(host);
        let no_local = block_on(engine.setup_user("ghost@acme.com"));
        assert_eq!(no_local.code, Some("NOT_FOUND"));
        assert!(no_local.error.unwrap().contains("no CRM user"));
        let inactive = block_on(engine.setup_user("ivan@acme.com"));
        assert_eq!(inactive.code, Some("NOT_FOUND"));
        assert!(inactive.error.unwrap().contains("no active Pipedrive user"));
        assert_eq!(engine.host().user("u2").unwrap()["pipedriveUserId"], Value::Null);
        let invalid = block_on(engine.setup_user("nope"));
        assert_eq!(invalid.code, Some("VALIDATION"));
    }

    #[test]
    fn store_user_pipedrive_id_validates_and_reports_missing_users() {
        let host = TestHost::default();
        host.add_user("u1", "ann@acme.com");
        let engine = engine(host);
        block_on(engine.store_user_pipedrive_id("u1", 11)).unwrap();
        assert_eq!(engine.host().user("u1").unwrap()["pipedriveUserId"], 11);
        let missing = block_on(engine.store_user_pipedrive_id("u9", 11)).unwrap_err();
        assert_eq!(missing.code(), "NOT_FOUND");
        // The id is read at the boundary (the binding), before the service is called.
        let bad = crate::json_args::pipedrive_id("pipedriveUserId", &json!(-4)).unwrap_err();
        assert_eq!(bad.details()["field"], "pipedriveUserId");
    }

    #[test]
    fn store_failures_keep_the_js_error_id() {
        let host = TestHost::default();
        *host.store_down.borrow_mut() = Some("database is closed".into());
        let engine = engine(host);
        let error = block_on(engine.store_user_pipedrive_id("u1", 11)).unwrap_err();
        assert_eq!(error.code(), "STORE");
        assert_eq!(error.details()["jsErrorId"], 7);
        assert!(error.to_string().contains("setUserPipedriveId failed: database is closed"));
    }

    #[test]
    fn per_user_tokens_come_from_the_host() {
        let host = TestHost::default();
        host.add_user("u1", "ann@acme.com");
        host.tokens.borrow_mut().insert("u1".into(), "ann-token".into());
        host.answer(200, users_body());
        let config = EngineConfig::from_json(&json!({"pipedrive": {"perUserTokens": true}})).unwrap();
        let engine = Engine::new(config, host);
        assert_eq!(block_on(engine.setup_user("ann@acme.com")).pipedrive_user_id, Some(11));
        assert_eq!(engine.host().requests.borrow()[0].headers["x-api-token"], "ann-token");
        let error = block_on(engine.find_user_by_email("ghost@acme.com")).unwrap_err();
        assert_eq!(error.code(), "AUTH");
        assert!(error.to_string().contains("no Pipedrive API token"));
    }
}
