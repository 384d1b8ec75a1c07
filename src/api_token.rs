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
            return Err(crate::error::SyncError::config(field, "must be a non-empty API token"));
        }
        if trimmed.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(crate::error::SyncError::config(field, "must not contain spaces or control characters"));
        }
        Ok(ApiToken(trimmed.to_string()))
    }

    /// A short, stable name for the token that reveals nothing of it (`tok_` and 8 hex digits of an FNV-1a hash),
    /// for snapshots and logs that must tell tokens apart.
    pub fn fingerprint(&self) -> String {
        let hash = self
            .0
            .bytes()
            .fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3));
        format!("tok_{:08x}", hash >> 32)
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
    fn fingerprints_tell_tokens_apart_without_showing_them() {
        let a = ApiToken::parse("t", "secret-aaaa").unwrap();
        let b = ApiToken::parse("t", "secret-bbbb").unwrap();
        assert_ne!(a.fingerprint(), b.fingerprint());
        assert_eq!(a.fingerprint(), ApiToken::parse("t", "secret-aaaa").unwrap().fingerprint());
        assert!(!a.fingerprint().contains("aaaa"));
        assert_eq!(a.fingerprint().len(), 12);
    }

    #[test]
    fn rejects_blank_and_spaced_tokens_without_echoing_them() {
        assert!(ApiToken::parse("pipedrive.apiToken", "  ").is_err());
        let error = ApiToken::parse("pipedrive.apiToken", "abc def").unwrap_err();
        assert!(!error.to_string().contains("abc def"));
        assert_eq!(error.code(), "CONFIG");
    }
}
