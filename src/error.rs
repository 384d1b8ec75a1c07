//! The error model: every failure the engine reports, with a stable code callers branch on.
//!
//! Messages are written for a person ("AUTH: Pipedrive refused the API token ...") and never contain a secret;
//! `details` carries the machine-readable parts (field, rule, HTTP status, retry time).

use serde_json::{json, Value};

/// Which Pipedrive limit a `RATE_LIMITED` error is about (API-FACTS §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateScope {
    /// The rolling 2-second window per token.
    Burst,
    /// The search window (10 per 2 s).
    Search,
    /// The company's daily token budget; it resets at the server's midnight.
    Daily,
    /// Pipedrive's HTML 403 after ignored 429s: stop sending.
    Blocked,
    /// The CRM's own per-user throttle for user-initiated work.
    UserThrottle,
}

impl RateScope {
    /// The scope's name in `details.scope`.
    pub fn as_str(self) -> &'static str {
        match self {
            RateScope::Burst => "burst",
            RateScope::Search => "search",
            RateScope::Daily => "daily",
            RateScope::Blocked => "blocked",
            RateScope::UserThrottle => "user",
        }
    }
}

/// A failure of an engine operation. [`SyncError::code`] is stable; the message may be reworded.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SyncError {
    /// The configuration given to `createPipedriveSync` is unusable.
    #[error("CONFIG: {field} {rule}")]
    Config {
        /// Dotted path of the offending setting, e.g. `options.maxRetries`.
        field: String,
        /// What the setting must be.
        rule: String,
    },
    /// Input to an operation broke a rule; nothing was sent.
    #[error("VALIDATION: {field} {rule}")]
    Validation {
        /// The input field, e.g. `email`.
        field: String,
        /// What the field must be.
        rule: String,
    },
    /// The record asked for does not exist (locally or in Pipedrive).
    #[error("NOT_FOUND: {message}")]
    NotFound {
        /// What was looked for and where.
        message: String,
    },
    /// Pipedrive refused the credentials or the permission (401, 402, 403).
    #[error("AUTH: {message}")]
    Auth {
        /// Pipedrive's own error text with what to do about it.
        message: String,
        /// The HTTP status Pipedrive answered with; `None` when no token was available at all.
        status: Option<u16>,
    },
    /// Pipedrive's rate limit or daily token budget is exhausted.
    #[error("RATE_LIMITED: {message}")]
    RateLimited {
        /// What limit was hit.
        message: String,
        /// How long to wait before trying again, when known.
        retry_after_ms: Option<u64>,
        /// Which limit: the burst window, the search window, the daily budget, or a block.
        scope: RateScope,
    },
    /// Pipedrive could not be reached or answered with something unusable (timeout, 5xx, not JSON).
    #[error("UNAVAILABLE: {message}")]
    Unavailable {
        /// What went wrong, in words.
        message: String,
        /// The HTTP status, when there was a response.
        status: Option<u16>,
    },
    /// The local and Pipedrive versions disagree, or a match is ambiguous: a person must decide (the conflict
    /// is recorded for them).
    #[error("CONFLICT: {message}")]
    Conflict {
        /// What conflicts and where to decide.
        message: String,
        /// The recorded conflict's id, when one was recorded.
        conflict_id: Option<i64>,
    },
    /// Pipedrive rejected the request as malformed (400, 422): a bug or an account-specific rule.
    #[error("VALIDATION: Pipedrive rejected the request ({status}): {message}")]
    Rejected {
        /// The HTTP status.
        status: u16,
        /// Pipedrive's error text.
        message: String,
    },
    /// The CRM's store failed (the database, not Pipedrive).
    #[error("STORE: {method} failed: {message}")]
    Store {
        /// The store method that failed.
        method: String,
        /// The store's error message.
        message: String,
        /// Id of the original JavaScript error, kept on the JS side so it can be rethrown with its stack.
        js_error_id: Option<u32>,
    },
    /// A bug in the engine or a host that broke its contract.
    #[error("INTERNAL: {message}")]
    Internal {
        /// What broke.
        message: String,
    },
}

impl SyncError {
    /// The stable code: `CONFIG`, `VALIDATION`, `NOT_FOUND`, `CONFLICT`, `AUTH`, `RATE_LIMITED`, `UNAVAILABLE`,
    /// `STORE` or `INTERNAL`.
    pub fn code(&self) -> &'static str {
        match self {
            SyncError::Config { .. } => "CONFIG",
            SyncError::Validation { .. } | SyncError::Rejected { .. } => "VALIDATION",
            SyncError::NotFound { .. } => "NOT_FOUND",
            SyncError::Conflict { .. } => "CONFLICT",
            SyncError::Auth { .. } => "AUTH",
            SyncError::RateLimited { .. } => "RATE_LIMITED",
            SyncError::Unavailable { .. } => "UNAVAILABLE",
            SyncError::Store { .. } => "STORE",
            SyncError::Internal { .. } => "INTERNAL",
        }
    }

    /// The machine-readable parts of the error, as a JSON object.
    pub fn details(&self) -> Value {
        match self {
            SyncError::Config { field, rule } | SyncError::Validation { field, rule } => {
                json!({ "field": field, "rule": rule })
            }
            SyncError::NotFound { .. } | SyncError::Internal { .. } => json!({}),
            SyncError::Conflict { conflict_id, .. } => json!({ "conflictId": conflict_id }),
            SyncError::Auth { status, .. } => json!({ "status": status }),
            SyncError::RateLimited { retry_after_ms, scope, .. } => {
                json!({ "retryAfterMs": retry_after_ms, "scope": scope.as_str() })
            }
            SyncError::Unavailable { status, .. } => json!({ "status": status }),
            SyncError::Rejected { status, message } => {
                json!({ "status": status, "pipedriveError": message })
            }
            SyncError::Store { method, js_error_id, .. } => json!({ "method": method, "jsErrorId": js_error_id }),
        }
    }

    /// The same error with every occurrence of `secret` in its texts replaced by `<redacted>`: a last line of
    /// defence for messages built from host or Pipedrive text.
    pub fn redacted(self, secret: &str) -> Self {
        if secret.is_empty() {
            return self;
        }
        let scrub = |text: String| text.replace(secret, "<redacted>");
        match self {
            SyncError::Config { field, rule } => SyncError::Config { field, rule: scrub(rule) },
            SyncError::Validation { field, rule } => SyncError::Validation { field, rule: scrub(rule) },
            SyncError::NotFound { message } => SyncError::NotFound { message: scrub(message) },
            SyncError::Conflict { message, conflict_id } => {
                SyncError::Conflict { message: scrub(message), conflict_id }
            }
            SyncError::Auth { message, status } => SyncError::Auth { message: scrub(message), status },
            SyncError::RateLimited { message, retry_after_ms, scope } => {
                SyncError::RateLimited { message: scrub(message), retry_after_ms, scope }
            }
            SyncError::Unavailable { message, status } => SyncError::Unavailable { message: scrub(message), status },
            SyncError::Rejected { status, message } => SyncError::Rejected { status, message: scrub(message) },
            SyncError::Store { method, message, js_error_id } => {
                SyncError::Store { method, message: scrub(message), js_error_id }
            }
            SyncError::Internal { message } => SyncError::Internal { message: scrub(message) },
        }
    }

    /// Shorthand for a [`SyncError::Validation`].
    pub fn validation(field: impl Into<String>, rule: impl Into<String>) -> Self {
        SyncError::Validation { field: field.into(), rule: rule.into() }
    }

    /// Shorthand for a [`SyncError::Config`].
    pub fn config(field: impl Into<String>, rule: impl Into<String>) -> Self {
        SyncError::Config { field: field.into(), rule: rule.into() }
    }

    /// Shorthand for a [`SyncError::NotFound`].
    pub fn not_found(message: impl Into<String>) -> Self {
        SyncError::NotFound { message: message.into() }
    }

    /// Shorthand for a [`SyncError::Internal`].
    pub fn internal(message: impl Into<String>) -> Self {
        SyncError::Internal { message: message.into() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_starts_its_message_with_its_code() {
        let errors = [
            SyncError::config("baseUrl", "must be an http(s) URL"),
            SyncError::validation("email", "must be an email address"),
            SyncError::not_found("no user"),
            SyncError::Conflict { message: "two matches".into(), conflict_id: Some(3) },
            SyncError::Auth { message: "refused".into(), status: Some(401) },
            SyncError::RateLimited { message: "over".into(), retry_after_ms: Some(2000), scope: RateScope::Burst },
            SyncError::Unavailable { message: "down".into(), status: Some(503) },
            SyncError::Rejected { status: 400, message: "bad".into() },
            SyncError::Store { method: "findUserById".into(), message: "closed".into(), js_error_id: None },
            SyncError::internal("bug"),
        ];
        for error in errors {
            assert!(error.to_string().starts_with(&format!("{}: ", error.code())), "{error}");
            assert!(error.details().is_object());
        }
    }

    #[test]
    fn redacted_removes_the_secret_from_every_text() {
        let error = SyncError::Unavailable { message: "proxy said tok-1 is bad, tok-1".into(), status: None };
        assert_eq!(error.redacted("tok-1").to_string(), "UNAVAILABLE: proxy said <redacted> is bad, <redacted>");
        let store = SyncError::Store { method: "m".into(), message: "tok-1".into(), js_error_id: None };
        assert!(!store.redacted("tok-1").to_string().contains("tok-1"));
    }

    #[test]
    fn validation_names_the_field_and_the_rule() {
        let error = SyncError::validation("email", "must be an email address like name@example.com");
        assert_eq!(error.to_string(), "VALIDATION: email must be an email address like name@example.com");
        assert_eq!(error.details()["field"], "email");
    }
}
