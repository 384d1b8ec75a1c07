//! Email addresses: the shape check for input and the normal form used for matching.

use crate::error::SyncError;
use crate::text::lowercase::Lowercased;

/// Checks that `value` looks like an email address and returns its normal form (trimmed, lowercased), the form
/// used to compare emails between the CRM and Pipedrive.
pub fn normalize_email(field: &str, value: &str) -> Result<String, SyncError> {
    let email = value.trim().lowercased();
    let rule = "must be an email address like name@example.com";
    if email.len() > 254 || email.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(SyncError::validation(field, rule));
    }
    let Some((local, domain)) = email.split_once('@') else {
        return Err(SyncError::validation(field, rule));
    };
    let domain_ok = !domain.contains('@')
        && domain.contains('.')
        && domain.split('.').all(|label| !label.is_empty() && !label.starts_with('-') && !label.ends_with('-'));
    if local.is_empty() || local.len() > 64 || !domain_ok {
        return Err(SyncError::validation(field, rule));
    }
    Ok(email)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_normalizes_addresses() {
        for (input, expected) in [
            ("ann@example.com", "ann@example.com"),
            ("  Ann.Lee@Example.COM ", "ann.lee@example.com"),
            ("a+tag@sub.example.co.uk", "a+tag@sub.example.co.uk"),
        ] {
            assert_eq!(normalize_email("email", input).unwrap(), expected);
        }
    }

    #[test]
    fn rejects_what_is_not_an_email() {
        for input in [
            "",
            "ann",
            "ann@",
            "@example.com",
            "ann@example",
            "ann@@example.com",
            "a b@example.com",
            "ann@example..com",
            "ann@-example.com",
        ] {
            let error = normalize_email("email", input).unwrap_err();
            assert_eq!(error.code(), "VALIDATION", "{input}");
            assert!(error.to_string().contains("email must be an email address"), "{input}");
        }
    }
}
