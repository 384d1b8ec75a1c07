//! An activity's due moment as Pipedrive wants it (DESIGN invariant 5): `due_date` and `due_time` are one
//! instant in UTC, converted together, so an activity at 23:30 in UTC+2 lands on the right day. An all-day
//! activity is a calendar date in the CRM's time zone and sends no time.

use chrono::{DateTime, Duration, Utc};

use crate::error::SyncError;
use crate::iso_time::{iso_date, iso_time_of_day, parse_rfc3339};

/// Pipedrive's due fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    /// `YYYY-MM-DD`.
    pub date: String,
    /// `HH:MM:SS` in UTC; `None` for all-day activities.
    pub time: Option<String>,
}

/// Parses the store's ISO 8601 instant.
pub fn parse_instant(field: &str, text: &str) -> Result<DateTime<Utc>, SyncError> {
    parse_rfc3339(text.trim()).ok_or_else(|| {
        SyncError::validation(field, "must be an ISO 8601 instant with a time zone, e.g. 2025-12-25T10:00:00Z")
    })
}

/// The due fields of an activity due at `instant`. For an all-day activity, `zone_offset_minutes` is the CRM time
/// zone's offset from UTC at that instant (east positive), which decides its calendar day.
pub fn due_fields(instant: DateTime<Utc>, all_day: bool, zone_offset_minutes: i32) -> Due {
    if all_day {
        let local = instant + Duration::minutes(i64::from(zone_offset_minutes));
        return Due { date: iso_date(&local), time: None };
    }
    Due { date: iso_date(&instant), time: Some(iso_time_of_day(&instant)) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn due(text: &str, all_day: bool, offset: i32) -> Due {
        due_fields(parse_instant("dueDate", text).unwrap(), all_day, offset)
    }

    #[test]
    fn timed_activities_are_one_utc_instant() {
        // (local time as the CRM stored it, expected due_date, due_time)
        let table = [
            ("2025-12-25T10:00:00Z", "2025-12-25", "10:00:00"), // the spec's example
            ("2025-12-25T23:30:00+02:00", "2025-12-25", "21:30:00"), // 23:30 in UTC+2: same day in UTC
            ("2025-12-26T00:30:00+02:00", "2025-12-25", "22:30:00"), // just after local midnight: previous UTC day
            ("2025-12-25T20:00:00-05:00", "2025-12-26", "01:00:00"), // evening in New York: next UTC day
            ("2026-03-29T04:30:00+03:00", "2026-03-29", "01:30:00"), // just after the EU spring-forward
            ("2026-10-25T03:30:00+02:00", "2026-10-25", "01:30:00"), // the repeated hour after fall-back
            ("2025-12-25T10:00:00.750Z", "2025-12-25", "10:00:00"), // milliseconds dropped, not rounded up
        ];
        for (text, date, time) in table {
            assert_eq!(due(text, false, 0), Due { date: date.into(), time: Some(time.into()) }, "{text}");
        }
    }

    #[test]
    fn all_day_activities_send_their_local_date_only() {
        // Midnight of 25 December in Tallinn (UTC+2) is 22:00 on the 24th in UTC.
        assert_eq!(due("2025-12-24T22:00:00Z", true, 120), Due { date: "2025-12-25".into(), time: None });
        assert_eq!(due("2025-12-25T00:00:00Z", true, 0), Due { date: "2025-12-25".into(), time: None });
        // Midnight of 25 December in New York (UTC-5) is 05:00 on the 25th in UTC.
        assert_eq!(due("2025-12-25T05:00:00Z", true, -300), Due { date: "2025-12-25".into(), time: None });
    }

    #[test]
    fn instants_need_a_zone() {
        assert_eq!(parse_instant("dueDate", "2025-12-25 10:00").unwrap_err().details()["field"], "dueDate");
    }
}
