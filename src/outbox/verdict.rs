//! The fate of a job after its attempt, as a pure decision (data in, decision out): done, retried at a time on
//! the outbox's long schedule, dead, or retried with the whole drain stopped (a spent daily budget, a refused or
//! blocked token). The attempt has already made its immediate retries; this decides what the queue does next.

use crate::error::{RateScope, SyncError};
use crate::iso_time::iso_millis;
use crate::pipedrive::limits::{AUTH_PAUSE_MS, BLOCK_PAUSE_MS};
use crate::pipedrive::retry_policy::{outbox_backoff_ms, RetryDecision, RetryPolicy};

/// What to do with a job after its attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The job had its effect: complete it.
    Done,
    /// Try again at this time (ms since the epoch).
    RetryAt(i64),
    /// Give up: the job is dead with its last error, replayable.
    Dead,
    /// Retry at that time, and stop the drain for the given reason.
    Stop(i64, String),
}

/// The verdict for a job that has made `attempts` attempts (this one included) and ended with `error` at
/// `now_ms`, under `policy`.
pub fn verdict(policy: &RetryPolicy, attempts: u32, error: Option<&SyncError>, now_ms: i64) -> Verdict {
    let Some(error) = error else {
        return Verdict::Done;
    };
    match policy.decide(0, error, 0.0) {
        RetryDecision::GiveUp => Verdict::Dead,
        RetryDecision::WaitForBudget(wait_ms) => {
            let until = now_ms + wait_ms as i64;
            Verdict::Stop(until, format!("the daily Pipedrive token budget is spent until {}", iso_millis(until)))
        }
        RetryDecision::StopToken => {
            let blocked = matches!(error, SyncError::RateLimited { scope: RateScope::Blocked, .. });
            let pause = if blocked { BLOCK_PAUSE_MS } else { AUTH_PAUSE_MS };
            Verdict::Stop(now_ms + pause as i64, error.to_string())
        }
        RetryDecision::RetryAfter(_) => match outbox_backoff_ms(attempts) {
            // Never before the time Pipedrive gave (a wait too long for the call itself).
            Some(backoff) => Verdict::RetryAt(now_ms + backoff.max(retry_after(error)) as i64),
            None => Verdict::Dead,
        },
    }
}

/// The wait Pipedrive asked for, for a rate-limit error that carries one.
fn retry_after(error: &SyncError) -> u64 {
    match error {
        SyncError::RateLimited { retry_after_ms: Some(wait), .. } => *wait,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_773_000_000_000;

    fn policy() -> RetryPolicy {
        RetryPolicy { max_retries: 3, base_delay_ms: 1_000, max_delay_ms: 30_000 }
    }

    fn unavailable() -> SyncError {
        SyncError::Unavailable { message: "Pipedrive answered 503".into(), status: Some(503) }
    }

    #[test]
    fn verdicts_by_error_and_attempts() {
        let budget = SyncError::RateLimited {
            message: "daily budget spent".into(),
            retry_after_ms: Some(60_000),
            scope: RateScope::Daily,
        };
        let blocked =
            SyncError::RateLimited { message: "blocked".into(), retry_after_ms: None, scope: RateScope::Blocked };
        let refused = SyncError::Auth { message: "token refused".into(), status: Some(401) };
        let cases: Vec<(&str, u32, Option<SyncError>, Verdict)> = vec![
            ("success", 1, None, Verdict::Done),
            ("success after retries", 5, None, Verdict::Done),
            ("bad input is never retried", 1, Some(SyncError::validation("name", "is required")), Verdict::Dead),
            ("a gone record is never retried", 1, Some(SyncError::not_found("person 5 is gone")), Verdict::Dead),
            (
                "a conflict waits for a person",
                1,
                Some(SyncError::Conflict { message: "two".into(), conflict_id: None }),
                Verdict::Dead,
            ),
            ("transient: first reschedule", 1, Some(unavailable()), Verdict::RetryAt(NOW + outbox_ms(1))),
            ("transient: later reschedule", 3, Some(unavailable()), Verdict::RetryAt(NOW + outbox_ms(3))),
            ("transient: schedule spent", 100, Some(unavailable()), Verdict::Dead),
            (
                "a long 429 wait: rescheduled for when Pipedrive said",
                1,
                Some(SyncError::RateLimited {
                    message: "wait".into(),
                    retry_after_ms: Some(86_400_000),
                    scope: RateScope::Burst,
                }),
                Verdict::RetryAt(NOW + 86_400_000),
            ),
            (
                "budget: stop until it resets",
                1,
                Some(budget),
                Verdict::Stop(
                    NOW + 60_000,
                    format!("the daily Pipedrive token budget is spent until {}", iso_millis(NOW + 60_000)),
                ),
            ),
            (
                "blocked token",
                1,
                Some(blocked.clone()),
                Verdict::Stop(NOW + BLOCK_PAUSE_MS as i64, blocked.to_string()),
            ),
            ("refused token", 1, Some(refused.clone()), Verdict::Stop(NOW + AUTH_PAUSE_MS as i64, refused.to_string())),
        ];
        for (name, attempts, error, expected) in cases {
            assert_eq!(verdict(&policy(), attempts, error.as_ref(), NOW), expected, "{name}");
        }
    }

    fn outbox_ms(attempts: u32) -> i64 {
        outbox_backoff_ms(attempts).expect("within the schedule") as i64
    }
}
