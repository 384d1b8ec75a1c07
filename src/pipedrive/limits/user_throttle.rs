//! The per-user allowance for user-initiated operations (spec §6.2: "Maximum 10 requests per minute per user",
//! configurable as `options.userThrottle`), so that one person clicking fast cannot spend the token's burst window
//! or the company's budget for everyone.
//!
//! A sliding window per user: a request counts for `per_ms` after it was taken. Users whose window is empty are
//! forgotten, so memory follows the users active in the last couple of windows, not every user ever seen.

use std::collections::{HashMap, VecDeque};

use crate::config::UserThrottle;

/// The sliding windows of every user seen recently.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserThrottles {
    /// Requests allowed per window, and the window's length.
    limit: UserThrottle,
    /// Per user, the instants of the requests still in the window, oldest first.
    taken: HashMap<String, VecDeque<i64>>,
    /// When users with empty windows are next forgotten.
    next_sweep_at: i64,
}

impl UserThrottles {
    /// Empty windows with the configured allowance.
    pub fn new(limit: UserThrottle) -> Self {
        UserThrottles { limit, taken: HashMap::new(), next_sweep_at: i64::MIN }
    }

    /// `Ok`: the request of `user_id` at `now` is counted. `Err(retry_after_ms)`: the user is over the allowance;
    /// come back after that (at least 1 ms).
    pub fn try_take(&mut self, user_id: &str, now: i64) -> Result<(), u64> {
        self.forget_idle_users(now);
        if self.limit.requests == 0 {
            return Err(self.limit.per_ms.max(1));
        }
        let window_start = self.window_start(now);
        let allowed = self.limit.requests as usize;
        let per_ms = self.limit.per_ms;
        let times = self.times_of(user_id);
        while times.front().is_some_and(|taken| *taken <= window_start) {
            times.pop_front();
        }
        match times.front() {
            Some(oldest) if times.len() >= allowed => Err(wait_until_expired(*oldest, per_ms, now)),
            _ => {
                let position = times.partition_point(|taken| *taken <= now);
                times.insert(position, now);
                Ok(())
            }
        }
    }

    /// How many users are remembered (diagnostics; shows that idle users are forgotten).
    pub fn tracked_users(&self) -> usize {
        self.taken.len()
    }

    /// Requests taken at or before this instant no longer count at `now`.
    fn window_start(&self, now: i64) -> i64 {
        now.saturating_sub(i64::try_from(self.limit.per_ms).unwrap_or(i64::MAX))
    }

    fn times_of(&mut self, user_id: &str) -> &mut VecDeque<i64> {
        self.taken.entry(user_id.to_string()).or_default()
    }

    /// At most once per window, drops the users whose newest request has left the window.
    fn forget_idle_users(&mut self, now: i64) {
        if now < self.next_sweep_at {
            return;
        }
        let window_start = self.window_start(now);
        self.taken.retain(|_, times| times.back().is_some_and(|newest| *newest > window_start));
        self.next_sweep_at = now.saturating_add(i64::try_from(self.limit.per_ms).unwrap_or(i64::MAX));
    }
}

/// How long until the request taken at `oldest` leaves a window of `per_ms`.
fn wait_until_expired(oldest: i64, per_ms: u64, now: i64) -> u64 {
    let expires_at = oldest.saturating_add(i64::try_from(per_ms).unwrap_or(i64::MAX));
    u64::try_from(expires_at.saturating_sub(now)).unwrap_or(0).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn throttles(requests: u32, per_ms: u64) -> UserThrottles {
        UserThrottles::new(UserThrottle { requests, per_ms })
    }

    #[test]
    fn ten_per_minute_then_wait_for_the_oldest_to_leave() {
        let mut throttles = throttles(10, 60_000);
        for second in 0..10 {
            assert_eq!(throttles.try_take("u1", second * 1_000), Ok(()));
        }
        // (now, expected)
        let cases = [(10_000, Err(50_000)), (59_999, Err(1)), (60_000, Ok(())), (60_000, Err(1_000)), (61_000, Ok(()))];
        for (now, expected) in cases {
            assert_eq!(throttles.try_take("u1", now), expected, "at {now}");
        }
    }

    #[test]
    fn users_are_counted_separately() {
        let mut throttles = throttles(2, 1_000);
        // (user, now, expected)
        let cases = [
            ("a", 0, Ok(())),
            ("a", 0, Ok(())),
            ("a", 10, Err(990)),
            ("b", 10, Ok(())),
            ("b", 20, Ok(())),
            ("b", 30, Err(980)),
            ("a", 1_000, Ok(())),
        ];
        for (user, now, expected) in cases {
            assert_eq!(throttles.try_take(user, now), expected, "{user} at {now}");
        }
    }

    #[test]
    fn idle_users_are_forgotten() {
        let mut throttles = throttles(10, 1_000);
        for user in 0..500 {
            throttles.try_take(&format!("user-{user}"), 0).unwrap();
        }
        assert_eq!(throttles.tracked_users(), 500);
        throttles.try_take("late", 999).unwrap();
        throttles.try_take("later", 2_500).unwrap();
        assert_eq!(throttles.tracked_users(), 1);
    }

    #[test]
    fn an_out_of_order_clock_keeps_the_count() {
        let mut throttles = throttles(2, 1_000);
        assert_eq!(throttles.try_take("u", 500), Ok(()));
        assert_eq!(throttles.try_take("u", 100), Ok(()));
        assert_eq!(throttles.try_take("u", 600), Err(500));
        assert_eq!(throttles.try_take("u", 1_100), Ok(()));
    }

    #[test]
    fn a_zero_allowance_refuses_everything() {
        let mut throttles = throttles(0, 1_000);
        assert_eq!(throttles.try_take("u", 0), Err(1_000));
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod properties {
    use super::*;
    use proptest::prelude::*;

    const USERS: [&str; 3] = ["ana", "ben", "cy"];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn never_more_than_the_allowance_in_any_window_and_the_wait_is_exact(
            requests in 1u32..12,
            per_ms in 1u64..5_000,
            calls in proptest::collection::vec((0usize..USERS.len(), 0i64..1_500), 1..300),
        ) {
            let mut throttles = throttles_of(requests, per_ms);
            let mut now = 0i64;
            let mut taken: Vec<Vec<i64>> = vec![Vec::new(); USERS.len()];
            for (user, gap) in calls {
                now += gap;
                match throttles.try_take(USERS[user], now) {
                    Ok(()) => taken[user].push(now),
                    Err(wait) => {
                        let mut probe = throttles.clone();
                        prop_assert!(probe.try_take(USERS[user], now + wait as i64).is_ok(), "not free after the wait");
                        if wait > 1 {
                            let mut early = throttles.clone();
                            prop_assert!(early.try_take(USERS[user], now + wait as i64 - 1).is_err(), "free before the wait");
                        }
                    }
                }
            }
            for times in taken {
                for (index, at) in times.iter().enumerate() {
                    let in_window = times[..=index].iter().filter(|t| **t > at - per_ms as i64).count();
                    prop_assert!(in_window <= requests as usize, "{} in one window at {}", in_window, at);
                }
            }
        }
    }

    fn throttles_of(requests: u32, per_ms: u64) -> UserThrottles {
        UserThrottles::new(UserThrottle { requests, per_ms })
    }
}
