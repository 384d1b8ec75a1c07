//! What to do after a failed Pipedrive call (DESIGN invariant 7; API-FACTS §6.4, §7): retry after a delay, give up,
//! wait for the daily budget, or stop using the token; and the outbox's long schedule once a job's attempt failed.
//!
//! Pure decisions: the caller passes the error, how many retries were made and a random number, and gets back a
//! decision it can act on (and a test can check) without a clock or a sleep.

use crate::config::SyncOptions;
use crate::error::{RateScope, SyncError};

/// Pipedrive's rolling window: the shortest wait after a burst or search 429 that did not say how long to wait.
pub const RATE_WINDOW_FLOOR_MS: u64 = 2_000;

/// How long to wait for the daily budget when a daily 429 carries no reset: an hour keeps a paused queue from
/// hammering Pipedrive while still picking up a reset (or a bought top-up) the same day. Callers that track the
/// budget (`token_budget::DailyBudget`) know the reset instant and should prefer it.
pub const DEFAULT_BUDGET_WAIT_MS: u64 = 60 * 60 * 1000;

/// The outbox's waits after a job's 1st, 2nd, ... failed attempt; after the last one the job is dead.
const OUTBOX_SCHEDULE_MS: [u64; 5] =
    [60 * 1000, 10 * 60 * 1000, 30 * 60 * 1000, 2 * 60 * 60 * 1000, 6 * 60 * 60 * 1000];

/// The immediate-retry settings of one request: a bounded number of retries with exponential backoff.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt; then the request gives up.
    pub max_retries: u32,
    /// The backoff cap of the first retry; it doubles with each retry.
    pub base_delay_ms: u64,
    /// The longest backoff cap (a server-given wait may still be longer).
    pub max_delay_ms: u64,
}

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryDecision {
    /// Try again after this many milliseconds.
    RetryAfter(u64),
    /// Do not retry: the error will not go away by itself, or the retries are spent.
    GiveUp,
    /// The company's daily token budget is spent: pause this work for this many milliseconds. Not a retry, so it
    /// does not count against `max_retries`.
    WaitForBudget(u64),
    /// Stop sending with this token (refused with 401, or blocked by Pipedrive after ignored 429s).
    StopToken,
}

/// How an error is handled, before the retry count and the delay are considered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ErrorClass {
    /// Transient: retry, waiting at least this long.
    Transient { floor_ms: u64 },
    /// The daily budget: wait this long.
    Budget { wait_ms: u64 },
    /// The token must not be used any more.
    StopToken,
    /// Permanent: retrying changes nothing.
    Permanent,
}

impl RetryPolicy {
    /// The policy configured by `maxRetries`, `baseDelayMs` and `maxDelayMs`.
    pub fn from_options(options: &SyncOptions) -> Self {
        RetryPolicy {
            max_retries: options.max_retries,
            base_delay_ms: options.base_delay_ms,
            max_delay_ms: options.max_delay_ms,
        }
    }

    /// The decision after an attempt failed with `error`.
    ///
    /// `retries_done`: retries already made after the first attempt (0 when the first attempt just failed).
    /// `random`: a uniform number in `[0, 1)` for the full jitter (values outside are clamped).
    pub fn decide(&self, retries_done: u32, error: &SyncError, random: f64) -> RetryDecision {
        match classify(error) {
            ErrorClass::Transient { .. } if retries_done >= self.max_retries => RetryDecision::GiveUp,
            ErrorClass::Transient { floor_ms } => {
                RetryDecision::RetryAfter(self.jittered_delay_ms(retries_done, random).max(floor_ms))
            }
            ErrorClass::Budget { wait_ms } => RetryDecision::WaitForBudget(wait_ms),
            ErrorClass::StopToken => RetryDecision::StopToken,
            ErrorClass::Permanent => RetryDecision::GiveUp,
        }
    }

    /// The exponential cap before retry number `retries_done + 1`: `min(max_delay, base × 2^retries_done)`.
    pub fn backoff_cap_ms(&self, retries_done: u32) -> u64 {
        let growth = 1u64.checked_shl(retries_done).unwrap_or(u64::MAX);
        self.base_delay_ms.saturating_mul(growth).min(self.max_delay_ms)
    }

    /// Full jitter: a uniform delay in `[0, cap)`.
    fn jittered_delay_ms(&self, retries_done: u32, random: f64) -> u64 {
        let fraction = if random.is_nan() { 0.0 } else { random.clamp(0.0, 1.0) };
        let cap = self.backoff_cap_ms(retries_done);
        ((cap as f64) * fraction).floor().min(cap as f64) as u64
    }
}

/// Sorts an error into how it is handled (API-FACTS §7's table, with the scopes of `pipedrive::outcome`).
fn classify(error: &SyncError) -> ErrorClass {
    match error {
        SyncError::Unavailable { .. } | SyncError::Store { .. } => ErrorClass::Transient { floor_ms: 0 },
        SyncError::RateLimited { retry_after_ms, scope, .. } => classify_rate_limit(*scope, *retry_after_ms),
        SyncError::Auth { status: Some(401), .. } => ErrorClass::StopToken,
        SyncError::Auth { .. }
        | SyncError::Validation { .. }
        | SyncError::Rejected { .. }
        | SyncError::NotFound { .. }
        | SyncError::Conflict { .. }
        | SyncError::Config { .. }
        | SyncError::Internal { .. } => ErrorClass::Permanent,
    }
}

fn classify_rate_limit(scope: RateScope, retry_after_ms: Option<u64>) -> ErrorClass {
    match scope {
        RateScope::Burst | RateScope::Search => {
            ErrorClass::Transient { floor_ms: retry_after_ms.unwrap_or(RATE_WINDOW_FLOOR_MS) }
        }
        RateScope::Daily => ErrorClass::Budget { wait_ms: retry_after_ms.unwrap_or(DEFAULT_BUDGET_WAIT_MS) },
        RateScope::Blocked => ErrorClass::StopToken,
        // The CRM's own throttle: the user is told to come back later, not queued behind a retry.
        RateScope::UserThrottle => ErrorClass::Permanent,
    }
}

/// The outbox's long schedule after a job's attempt (with its immediate retries) failed for the
/// `failed_attempts`-th time: 1 → 1 min, 2 → 10 min, 3 → 30 min, 4 → 2 h, 5 → 6 h; 6 and more → `None` (the job
/// goes dead). `0` (nothing failed yet) → no wait.
pub fn outbox_backoff_ms(failed_attempts: u32) -> Option<u64> {
    match failed_attempts {
        0 => Some(0),
        n => OUTBOX_SCHEDULE_MS.get(n as usize - 1).copied(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> RetryPolicy {
        RetryPolicy { max_retries: 3, base_delay_ms: 500, max_delay_ms: 30_000 }
    }

    fn unavailable(status: Option<u16>) -> SyncError {
        SyncError::Unavailable { message: "down".into(), status }
    }

    fn rate_limited(scope: RateScope, retry_after_ms: Option<u64>) -> SyncError {
        SyncError::RateLimited { message: "over".into(), retry_after_ms, scope }
    }

    fn auth(status: Option<u16>) -> SyncError {
        SyncError::Auth { message: "refused".into(), status }
    }

    fn store() -> SyncError {
        SyncError::Store { method: "claimJobs".into(), message: "database is locked".into(), js_error_id: None }
    }

    #[test]
    fn every_error_class_gets_its_decision() {
        use RetryDecision::*;
        // random = 0.5 on the first retry: half of the 500 ms cap.
        let cases: Vec<(&str, SyncError, RetryDecision)> = vec![
            ("network", unavailable(None), RetryAfter(250)),
            ("500", unavailable(Some(500)), RetryAfter(250)),
            ("502", unavailable(Some(502)), RetryAfter(250)),
            ("503", unavailable(Some(503)), RetryAfter(250)),
            ("504", unavailable(Some(504)), RetryAfter(250)),
            ("non-JSON 200", unavailable(Some(200)), RetryAfter(250)),
            ("store", store(), RetryAfter(250)),
            ("burst with reset", rate_limited(RateScope::Burst, Some(1_000)), RetryAfter(1_000)),
            ("burst without reset", rate_limited(RateScope::Burst, None), RetryAfter(2_000)),
            ("search with reset", rate_limited(RateScope::Search, Some(3_000)), RetryAfter(3_000)),
            ("search without reset", rate_limited(RateScope::Search, None), RetryAfter(2_000)),
            ("daily with reset", rate_limited(RateScope::Daily, Some(3_600_000)), WaitForBudget(3_600_000)),
            ("daily without reset", rate_limited(RateScope::Daily, None), WaitForBudget(DEFAULT_BUDGET_WAIT_MS)),
            ("blocked", rate_limited(RateScope::Blocked, None), StopToken),
            ("user throttle", rate_limited(RateScope::UserThrottle, Some(5_000)), GiveUp),
            ("401", auth(Some(401)), StopToken),
            ("402", auth(Some(402)), GiveUp),
            ("403", auth(Some(403)), GiveUp),
            ("no token", auth(None), GiveUp),
            ("400", SyncError::Rejected { status: 400, message: "bad".into() }, GiveUp),
            ("422", SyncError::Rejected { status: 422, message: "bad".into() }, GiveUp),
            ("501", SyncError::Rejected { status: 501, message: "nope".into() }, GiveUp),
            ("404/410", SyncError::not_found("gone"), GiveUp),
            ("validation", SyncError::validation("email", "must be an email"), GiveUp),
            ("config", SyncError::config("baseUrl", "bad"), GiveUp),
            ("internal", SyncError::internal("bug"), GiveUp),
        ];
        for (name, error, expected) in cases {
            assert_eq!(policy().decide(0, &error, 0.5), expected, "{name}");
        }
    }

    #[test]
    fn retries_stop_after_max_retries() {
        let transient = [
            unavailable(Some(503)),
            store(),
            rate_limited(RateScope::Burst, Some(2_000)),
            rate_limited(RateScope::Search, None),
        ];
        for error in &transient {
            for retries_done in 0..3 {
                assert!(
                    matches!(policy().decide(retries_done, error, 0.3), RetryDecision::RetryAfter(_)),
                    "{error} after {retries_done}"
                );
            }
            assert_eq!(policy().decide(3, error, 0.3), RetryDecision::GiveUp);
            assert_eq!(policy().decide(u32::MAX, error, 0.3), RetryDecision::GiveUp);
        }
        let no_retries = RetryPolicy { max_retries: 0, ..policy() };
        assert_eq!(no_retries.decide(0, &unavailable(None), 0.3), RetryDecision::GiveUp);
    }

    #[test]
    fn waits_and_stops_do_not_depend_on_the_retry_count() {
        for retries_done in [0, 3, 100] {
            assert_eq!(
                policy().decide(retries_done, &rate_limited(RateScope::Daily, Some(9)), 0.1),
                RetryDecision::WaitForBudget(9)
            );
            assert_eq!(policy().decide(retries_done, &auth(Some(401)), 0.1), RetryDecision::StopToken);
        }
    }

    #[test]
    fn delays_grow_exponentially_with_full_jitter_and_cap() {
        let policy = RetryPolicy { max_retries: 20, base_delay_ms: 500, max_delay_ms: 30_000 };
        let error = unavailable(Some(503));
        // (retries_done, random, expected delay)
        let cases = [
            (0, 0.0, 0),
            (0, 0.5, 250),
            (0, 0.999_999, 499),
            (1, 0.5, 500),
            (2, 0.5, 1_000),
            (3, 0.5, 2_000),
            (5, 0.5, 8_000),
            (6, 0.5, 15_000), // cap 30 000 (32 000 capped)
            (6, 0.999_999, 29_999),
            (19, 0.5, 15_000), // still capped, no overflow
            (0, 1.0, 500),     // out of range: clamped
            (0, -3.0, 0),
            (0, f64::NAN, 0),
        ];
        for (retries_done, random, expected) in cases {
            assert_eq!(
                policy.decide(retries_done, &error, random),
                RetryDecision::RetryAfter(expected),
                "retry {retries_done}, random {random}"
            );
        }
    }

    #[test]
    fn the_server_wait_is_a_floor_even_above_the_cap() {
        let policy = policy();
        // (retries_done, random, retry_after_ms, expected)
        let cases = [
            (0, 0.0, Some(2_000), 2_000),
            (0, 0.99, Some(2_000), 2_000), // jitter 495 < floor
            (2, 0.0, Some(1_000), 1_000),
            (2, 0.9, Some(1_000), 1_800),   // jitter 1 800 > floor
            (0, 0.5, Some(60_000), 60_000), // above the 30 s cap
            (0, 0.0, None, RATE_WINDOW_FLOOR_MS),
        ];
        for (retries_done, random, retry_after_ms, expected) in cases {
            assert_eq!(
                policy.decide(retries_done, &rate_limited(RateScope::Burst, retry_after_ms), random),
                RetryDecision::RetryAfter(expected),
                "retry {retries_done}, random {random}, floor {retry_after_ms:?}"
            );
        }
    }

    #[test]
    fn backoff_cap_saturates() {
        let policy = RetryPolicy { max_retries: 3, base_delay_ms: u64::MAX / 2, max_delay_ms: u64::MAX };
        assert_eq!(policy.backoff_cap_ms(1), u64::MAX - 1);
        assert_eq!(policy.backoff_cap_ms(2), u64::MAX);
        assert_eq!(policy.backoff_cap_ms(200), u64::MAX);
    }

    #[test]
    fn from_options_reads_the_retry_settings() {
        let options = SyncOptions { max_retries: 5, base_delay_ms: 100, max_delay_ms: 9_000, ..SyncOptions::default() };
        assert_eq!(
            RetryPolicy::from_options(&options),
            RetryPolicy { max_retries: 5, base_delay_ms: 100, max_delay_ms: 9_000 }
        );
        assert_eq!(RetryPolicy::from_options(&SyncOptions::default()).max_retries, 3);
    }

    #[test]
    fn outbox_schedule() {
        let minute = 60 * 1000;
        let cases = [
            (0, Some(0)),
            (1, Some(minute)),
            (2, Some(10 * minute)),
            (3, Some(30 * minute)),
            (4, Some(120 * minute)),
            (5, Some(360 * minute)),
            (6, None),
            (7, None),
            (u32::MAX, None),
        ];
        for (failed_attempts, expected) in cases {
            assert_eq!(outbox_backoff_ms(failed_attempts), expected, "{failed_attempts}");
        }
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod properties {
    use super::*;
    use proptest::prelude::*;

    fn any_error() -> impl Strategy<Value = SyncError> {
        let scope = prop_oneof![
            Just(RateScope::Burst),
            Just(RateScope::Search),
            Just(RateScope::Daily),
            Just(RateScope::Blocked),
            Just(RateScope::UserThrottle),
        ];
        prop_oneof![
            proptest::option::of(100u16..600)
                .prop_map(|status| SyncError::Unavailable { message: "down".into(), status }),
            (scope, proptest::option::of(0u64..200_000)).prop_map(|(scope, retry_after_ms)| {
                SyncError::RateLimited { message: "over".into(), retry_after_ms, scope }
            }),
            proptest::option::of(400u16..404).prop_map(|status| SyncError::Auth { message: "no".into(), status }),
            (400u16..600).prop_map(|status| SyncError::Rejected { status, message: "bad".into() }),
            Just(SyncError::Store { method: "m".into(), message: "locked".into(), js_error_id: None }),
            Just(SyncError::not_found("gone")),
            Just(SyncError::internal("bug")),
        ]
    }

    /// The floor a transient error imposes (0 for non-rate-limit errors).
    fn floor_of(error: &SyncError) -> u64 {
        match error {
            SyncError::RateLimited { retry_after_ms, .. } => retry_after_ms.unwrap_or(RATE_WINDOW_FLOOR_MS),
            _ => 0,
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn delays_lie_between_the_floor_and_the_cap(
            max_retries in 0u32..12,
            base_delay_ms in 1u64..10_000,
            extra_ms in 0u64..100_000,
            retries_done in 0u32..40,
            random in 0.0f64..1.0,
            error in any_error(),
        ) {
            let policy = RetryPolicy { max_retries, base_delay_ms, max_delay_ms: base_delay_ms + extra_ms };
            match policy.decide(retries_done, &error, random) {
                RetryDecision::RetryAfter(delay) => {
                    prop_assert!(retries_done < max_retries, "retried past max_retries");
                    let floor = floor_of(&error);
                    let cap = policy.backoff_cap_ms(retries_done);
                    prop_assert!(cap <= policy.max_delay_ms);
                    prop_assert!(delay >= floor, "{delay} < floor {floor}");
                    prop_assert!(delay <= floor.max(cap), "{delay} > max(floor {floor}, cap {cap})");
                }
                RetryDecision::WaitForBudget(_) => {
                    let daily = matches!(error, SyncError::RateLimited { scope: RateScope::Daily, .. });
                    prop_assert!(daily, "only a daily 429 waits for the budget");
                }
                RetryDecision::StopToken | RetryDecision::GiveUp => {}
            }
        }

        #[test]
        fn a_whole_retry_sequence_never_exceeds_max_retries(
            max_retries in 0u32..10,
            random in 0.0f64..1.0,
            error in any_error(),
        ) {
            let policy = RetryPolicy { max_retries, base_delay_ms: 100, max_delay_ms: 5_000 };
            let mut retries_done = 0u32;
            while let RetryDecision::RetryAfter(_) = policy.decide(retries_done, &error, random) {
                retries_done += 1;
                prop_assert!(retries_done <= max_retries);
            }
        }
    }
}
