//! API tokens: kept out of every `Debug`, `Display`, log line and error the engine produces.

use std::fmt;

/// A Pipedrive API token. Its value leaves this type only as the `x-api-token` header.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ApiToken(String);

impl ApiToken {
    /// Wraps a token after checking its shape; the error never echoes the value.
    pub fn parse(field: &str, value: &str) -> Result<Self, crate::error::SyncError> {
        let trimmed = value.trim();
        if trimmed.is_empty() {
            return Err(crate::error::SyncError::config(
                field,
                "must be a non-empty API token",
            ));
        }
        if trimmed.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(crate::error::SyncError::config(
                field,
                "must not contain spaces or control characters",
            ));
        }
        Ok(ApiToken(trimmed.to_string()))
    }

    /// The raw value, for the `x-api-token` header only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiToken(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_never_shows_the_token() {
        let token = ApiToken::parse("pipedrive.apiToken", "secret-123").unwrap();
        assert!(!format!("{token:?}").contains("secret-123"));
        assert_eq!(token.expose(), "secret-123");
    }

    #[test]
    fn rejects_blank_and_spaced_tokens_without_echoing_them() {
        assert!(ApiToken::parse("pipedrive.apiToken", "  ").is_err());
        let error = ApiToken::parse("pipedrive.apiToken", "abc def").unwrap_err();
        assert!(!error.to_string().contains("abc def"));
        assert_eq!(error.code(), "CONFIG");
    }
}
