//! Instants as the store and Pipedrive see them: epoch milliseconds from the host's clock, written as RFC 3339,
//! and RFC 3339 texts read back. chrono's types hold the values; the writing and reading are done here, to
//! chrono's exact rules, so that chrono's strftime and parser machinery (with core's Unicode case tables behind
//! it) stays out of the `.wasm`.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Timelike, Utc};

/// `ms` since the epoch as RFC 3339 UTC with milliseconds (`2026-11-26T08:29:40.123Z`), the form the store
/// contract uses. Out-of-range values clamp to the epoch rather than fail: they only come from a broken clock.
pub fn iso_millis(ms: i64) -> String {
    let instant = DateTime::from_timestamp_millis(ms).unwrap_or_default();
    format!("{}.{:03}Z", date_and_time(&instant), instant.timestamp_subsec_millis())
}

/// `ms` since the epoch as RFC 3339 UTC to the second (`2026-11-26T08:29:40Z`): what v2 filters such as
/// `updated_since` accept.
pub fn iso_seconds(ms: i64) -> String {
    let instant = DateTime::from_timestamp_millis(ms).unwrap_or_default();
    format!("{}Z", date_and_time(&instant))
}

/// `YYYY-MM-DD` (chrono's `%Y-%m-%d`: a year outside 0..=9999 gets its sign and at least four digits).
pub fn iso_date(instant: &DateTime<Utc>) -> String {
    let year = instant.year();
    let year = if (0..=9999).contains(&year) { format!("{year:04}") } else { format!("{year:+05}") };
    format!("{year}-{:02}-{:02}", instant.month(), instant.day())
}

/// `HH:MM:SS` (chrono's `%H:%M:%S`: a leap second reads `60`).
pub fn iso_time_of_day(instant: &DateTime<Utc>) -> String {
    let leap = u32::from(instant.nanosecond() >= 1_000_000_000);
    format!("{:02}:{:02}:{:02}", instant.hour(), instant.minute(), instant.second() + leap)
}

/// `YYYY-MM-DDTHH:MM:SS`, as chrono's RFC 3339 writer starts.
fn date_and_time(instant: &DateTime<Utc>) -> String {
    format!("{}T{}", iso_date(instant), iso_time_of_day(instant))
}

/// Reads an RFC 3339 instant as `DateTime::parse_from_rfc3339` does: `YYYY-MM-DD`, `T`, `t` or a space,
/// `HH:MM:SS`, optional fraction (any number of digits, nanoseconds kept), then `Z`, `z` or `±HH:MM` (`−` too),
/// nothing after; second 60 is a leap second.
pub fn parse_rfc3339(text: &str) -> Option<DateTime<Utc>> {
    let bytes = text.as_bytes();
    if bytes.len() < 19 {
        return None;
    }
    let digit = |index: usize| bytes[index].is_ascii_digit().then(|| u32::from(bytes[index] - b'0'));
    let two = |index: usize| Some(digit(index)? * 10 + digit(index + 1)?);
    let year = two(0)? * 100 + two(2)?;
    let separators = bytes[4] == b'-' && bytes[7] == b'-' && bytes[13] == b':' && bytes[16] == b':';
    if !separators || !matches!(bytes[10], b'T' | b't' | b' ') {
        return None;
    }
    let (month, day, hour, minute, second) = (two(5)?, two(8)?, two(11)?, two(14)?, two(17)?);
    let date = NaiveDate::from_ymd_opt(year as i32, month, day)?;
    let (second, leap) = if second == 60 { (59, 1_000_000_000) } else { (second, 0) };
    let mut rest = &text[19..];
    let mut nano = 0;
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        let kept = &fraction[..digits.min(9)];
        nano = kept.parse::<u32>().ok()? * 10u32.pow(9 - kept.len() as u32);
        rest = &fraction[digits..];
    }
    let time = date.and_hms_nano_opt(hour, minute, second, nano + leap)?;
    let offset_seconds = parse_offset(rest)?;
    let offset = FixedOffset::east_opt(offset_seconds)?;
    Some(time.checked_sub_offset(offset)?.and_utc())
}

/// `Z`, `z`, or `+HH:MM` / `-HH:MM` / `−HH:MM` (minutes below 60) with nothing after: the offset in seconds.
fn parse_offset(text: &str) -> Option<i32> {
    if text == "Z" || text == "z" {
        return Some(0);
    }
    let (negative, rest) = if let Some(rest) = text.strip_prefix('+') {
        (false, rest)
    } else if let Some(rest) = text.strip_prefix('-').or_else(|| text.strip_prefix('\u{2212}')) {
        (true, rest)
    } else {
        return None;
    };
    let bytes = rest.as_bytes();
    if bytes.len() != 5 || bytes[2] != b':' || !matches!(bytes[3], b'0'..=b'5') {
        return None;
    }
    let number = |index: usize| {
        (bytes[index].is_ascii_digit() && bytes[index + 1].is_ascii_digit())
            .then(|| i32::from(bytes[index] - b'0') * 10 + i32::from(bytes[index + 1] - b'0'))
    };
    let seconds = number(0)? * 3600 + number(3)? * 60;
    Some(if negative { -seconds } else { seconds })
}

#[cfg(test)]
mod tests {
    use chrono::SecondsFormat;

    use super::*;

    #[test]
    fn writes_rfc3339_with_milliseconds() {
        assert_eq!(iso_millis(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso_millis(1_764_145_780_123), "2025-11-26T08:29:40.123Z");
        assert_eq!(iso_seconds(1_764_145_780_123), "2025-11-26T08:29:40Z");
    }

    #[test]
    fn writes_as_chrono_does() {
        let mut ms = -70_000_000_000_000_i64;
        while ms < 300_000_000_000_000 {
            let instant = DateTime::from_timestamp_millis(ms).unwrap();
            assert_eq!(iso_millis(ms), instant.to_rfc3339_opts(SecondsFormat::Millis, true));
            assert_eq!(iso_seconds(ms), instant.to_rfc3339_opts(SecondsFormat::Secs, true));
            assert_eq!(iso_date(&instant), instant.format("%Y-%m-%d").to_string());
            assert_eq!(iso_time_of_day(&instant), instant.format("%H:%M:%S").to_string());
            ms += 7_919_999_937;
        }
        assert_eq!(iso_millis(i64::MAX), "1970-01-01T00:00:00.000Z", "out of range clamps to the epoch");
        let leap = parse_rfc3339("2016-12-31T23:59:60.5Z").unwrap();
        assert_eq!(iso_time_of_day(&leap), leap.format("%H:%M:%S").to_string());
    }

    #[test]
    fn reads_as_chrono_does() {
        let texts = [
            "2025-12-25T10:00:00Z",
            "2025-12-25t10:00:00z",
            "2025-12-25 10:00:00Z",
            "2025-12-25T10:00:00.750Z",
            "2025-12-25T10:00:00.1234567891234Z",
            "2025-12-25T23:30:00+02:00",
            "2025-12-25T20:00:00-05:00",
            "2025-12-25T20:00:00\u{2212}05:30",
            "2016-12-31T23:59:60Z",
            "2016-12-31T23:59:60.5+01:00",
            "2024-02-29T00:00:00Z",
            "2025-02-29T00:00:00Z",
            "2025-13-01T00:00:00Z",
            "2025-12-25T24:00:00Z",
            "2025-12-25T10:60:00Z",
            "2025-12-25T10:00:61Z",
            "2025-12-25T10:00:00",
            "2025-12-25T10:00:00.Z",
            "2025-12-25T10:00:00+0200",
            "2025-12-25T10:00:00+02",
            "2025-12-25T10:00:00+24:00",
            "2025-12-25T10:00:00+23:59",
            "2025-12-25T10:00:00+02:60",
            "2025-12-25T10:00:00Z ",
            " 2025-12-25T10:00:00Z",
            "2025-12-25",
            "0000-01-01T00:00:00Z",
            "9999-12-31T23:59:59.999+00:00",
            "2025-12-25X10:00:00Z",
            "2025/12/25T10:00:00Z",
            "２025-12-25T10:00:00Z",
            "2025-12-25T10:00:00.5ZZ",
            "2025-12-25T10:00:00UTC",
            "2026-03-08T20:00:00.000Z",
        ];
        for text in texts {
            let chrono = DateTime::parse_from_rfc3339(text).ok().map(|t| t.with_timezone(&Utc));
            assert_eq!(parse_rfc3339(text), chrono, "{text}");
        }
    }
}
