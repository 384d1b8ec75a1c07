//! Instants as the store and Pipedrive see them: epoch milliseconds from the host's clock, written as RFC 3339.

use chrono::{DateTime, SecondsFormat};

/// `ms` since the epoch as RFC 3339 UTC with milliseconds (`2026-11-26T08:29:40.123Z`), the form the store
/// contract uses. Out-of-range values clamp to the epoch rather than fail: they only come from a broken clock.
pub fn iso_millis(ms: i64) -> String {
    DateTime::from_timestamp_millis(ms).unwrap_or_default().to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// `ms` since the epoch as RFC 3339 UTC to the second (`2026-11-26T08:29:40Z`): what v2 filters such as
/// `updated_since` accept.
pub fn iso_seconds(ms: i64) -> String {
    DateTime::from_timestamp_millis(ms).unwrap_or_default().to_rfc3339_opts(SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_rfc3339_with_milliseconds() {
        assert_eq!(iso_millis(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso_millis(1_764_145_780_123), "2025-11-26T08:29:40.123Z");
        assert_eq!(iso_seconds(1_764_145_780_123), "2025-11-26T08:29:40Z");
    }
}
