//! The rolling request window of one token (API-FACTS §6.1: a burst limit per 2 s; the search window is the
//! same with a limit of 10), kept on our side so that requests are paced to it instead of collecting 429s
//! (DESIGN invariant 6).
//!
//! Pipedrive counts a request when it arrives, somewhere between our send and our response. So a slot here is
//! held from the send until the response time plus the window: whatever the latency, the arrival it stands for has
//! left the server's window before the slot is reused, and a client following this window never exceeds a server
//! window of the same limit and length. Headers correct the picture when the token is shared with another process.

use serde::Serialize;

/// A rolling window: at most `limit` requests per `window_ms`, counted conservatively (see the module header).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateWindow {
    /// Requests allowed per window.
    limit: u32,
    /// The window's length.
    window_ms: u64,
    /// Slots taken for requests that have no response yet: they stay occupied until a response comes back.
    in_flight: u32,
    /// The instants at which the other occupied slots (answered requests, phantoms) become free.
    held_until: Vec<i64>,
    /// Nothing is sent before this instant (after a 429 or `remaining: 0`).
    blocked_until: Option<i64>,
}

/// The window as seen at one instant, for diagnostics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WindowSnapshot {
    /// Requests allowed per window.
    pub limit: u32,
    /// Slots occupied now: in flight, answered within the window, and phantoms from headers.
    pub used: u32,
    /// Requests sent and not yet answered.
    pub in_flight: u32,
    /// Epoch milliseconds before which nothing is sent, when blocked.
    pub blocked_until: Option<i64>,
}

impl RateWindow {
    /// A window of `limit` requests per `window_ms` (both at least 1).
    pub fn new(limit: u32, window_ms: u64) -> Self {
        RateWindow {
            limit: limit.max(1),
            window_ms: window_ms.max(1),
            in_flight: 0,
            held_until: Vec::new(),
            blocked_until: None,
        }
    }

    /// `Ok(())`: a slot is taken now (the request counts as in flight). `Err(wait_ms)`: no slot; try again after
    /// that (at least 1 ms).
    pub fn try_acquire(&mut self, now: i64) -> Result<(), u64> {
        self.forget_expired(now);
        if let Some(until) = self.blocked_until.filter(|until| *until > now) {
            return Err(millis_between(now, until).max(1));
        }
        if self.used() < self.limit {
            self.in_flight += 1;
            Ok(())
        } else {
            Err(self.wait_for_free_slot(now))
        }
    }

    /// The slot taken with [`RateWindow::try_acquire`] was not used (the request was never sent): give it back.
    pub fn cancel(&mut self) {
        self.in_flight = self.in_flight.saturating_sub(1);
    }

    /// The request taken with [`RateWindow::try_acquire`] got its response at `now`. Its slot stays occupied
    /// until `now + window`. (A release without an acquire still occupies a slot: the safe side.)
    pub fn release(&mut self, now: i64) {
        self.forget_expired(now);
        self.in_flight = self.in_flight.saturating_sub(1);
        self.held_until.push(after(now, self.window_ms));
    }

    /// Corrections from response headers: `x-ratelimit-limit`, `x-ratelimit-remaining` and `x-ratelimit-reset`
    /// (in milliseconds). The limit replaces ours; a `remaining` lower than our own count implies (the token is
    /// shared with another process) adds phantom slots held until the reset (or a window). `remaining == 0` needs
    /// nothing more: the phantoms already fill the window, and our own slots free at their own times. (Blocking
    /// the whole window until the reset, which Pipedrive rounds up to whole seconds, cost a fifth of the
    /// throughput in the drain benchmark without preventing a single 429.)
    pub fn observe(&mut self, now: i64, limit: Option<u32>, remaining: Option<u32>, reset_ms: Option<u64>) {
        self.forget_expired(now);
        if let Some(limit) = limit {
            self.limit = limit.max(1);
        }
        let Some(remaining) = remaining else {
            return;
        };
        let reset_ms = reset_ms.unwrap_or(self.window_ms);
        let remaining_by_our_count = self.limit.saturating_sub(self.used());
        let phantoms = remaining_by_our_count.saturating_sub(remaining);
        let phantom_until = after(now, reset_ms);
        self.held_until.extend((0..phantoms).map(|_| phantom_until));
    }

    /// After a 429: nothing is sent before `now + wait_ms` (a longer block already in place stays).
    pub fn block_for(&mut self, now: i64, wait_ms: u64) {
        let until = after(now, wait_ms);
        self.blocked_until = Some(self.blocked_until.map_or(until, |current| current.max(until)));
    }

    /// The window as it stands at `now`.
    pub fn snapshot(&self, now: i64) -> WindowSnapshot {
        let held = self.held_until.iter().filter(|until| **until > now).count();
        WindowSnapshot {
            limit: self.limit,
            used: self.in_flight.saturating_add(count_to_u32(held)),
            in_flight: self.in_flight,
            blocked_until: self.blocked_until.filter(|until| *until > now),
        }
    }

    /// Occupied slots, once expired ones are forgotten.
    fn used(&self) -> u32 {
        self.in_flight.saturating_add(count_to_u32(self.held_until.len()))
    }

    fn forget_expired(&mut self, now: i64) {
        self.held_until.retain(|until| *until > now);
        if self.blocked_until.is_some_and(|until| until <= now) {
            self.blocked_until = None;
        }
    }

    /// How long until enough slots free up for one more request. A request still in flight frees its slot a
    /// window after its response at the earliest, so when answered slots are not enough, a window is the wait.
    fn wait_for_free_slot(&self, now: i64) -> u64 {
        let to_free = self.used().saturating_sub(self.limit) as usize + 1;
        let mut held = self.held_until.clone();
        held.sort_unstable();
        held.get(to_free - 1).map_or(self.window_ms, |until| millis_between(now, *until)).max(1)
    }
}

/// `now + ms`, saturating.
fn after(now: i64, ms: u64) -> i64 {
    now.saturating_add(i64::try_from(ms).unwrap_or(i64::MAX))
}

/// Milliseconds from `from` to `to` (0 when `to` is not later).
fn millis_between(from: i64, to: i64) -> u64 {
    u64::try_from(to.saturating_sub(from)).unwrap_or(0)
}

fn count_to_u32(count: usize) -> u32 {
    u32::try_from(count).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acquires_up_to_the_limit_then_waits_a_window_while_all_are_in_flight() {
        let mut window = RateWindow::new(3, 2_000);
        for _ in 0..3 {
            assert_eq!(window.try_acquire(0), Ok(()));
        }
        assert_eq!(window.try_acquire(0), Err(2_000));
        assert_eq!(window.try_acquire(1_500), Err(2_000));
        assert_eq!(window.snapshot(0), WindowSnapshot { limit: 3, used: 3, in_flight: 3, blocked_until: None });
    }

    #[test]
    fn an_answered_slot_is_free_a_window_after_the_response() {
        // (event, time, expected outcome of try_acquire at that time)
        let mut window = RateWindow::new(2, 2_000);
        assert_eq!(window.try_acquire(0), Ok(()));
        assert_eq!(window.try_acquire(10), Ok(()));
        window.release(100);
        window.release(300);
        let cases = [
            (150, Err(1_950)),
            (2_099, Err(1)),
            (2_100, Ok(())),
            (2_100, Err(200)),
            (2_300, Ok(())),
            (2_300, Err(2_000)),
        ];
        for (now, expected) in cases {
            assert_eq!(window.try_acquire(now), expected, "at {now}");
        }
    }

    #[test]
    fn the_wait_counts_every_slot_that_must_free_up() {
        let mut window = RateWindow::new(3, 1_000);
        for now in [0, 0, 0] {
            window.try_acquire(now).unwrap();
        }
        for now in [100, 200, 300] {
            window.release(now);
        }
        // Lowered to 2: two of the three slots must free up, the second at 1 200.
        window.observe(300, Some(2), None, None);
        assert_eq!(window.try_acquire(400), Err(800));
        assert_eq!(window.try_acquire(1_199), Err(1));
        assert_eq!(window.try_acquire(1_200), Ok(()));
        // Now full again: the 1 300 slot and the new in-flight one; the first to free is at 1 300.
        assert_eq!(window.try_acquire(1_200), Err(100));
    }

    #[test]
    fn observe_replaces_the_limit() {
        let mut window = RateWindow::new(20, 2_000);
        window.try_acquire(0).unwrap();
        window.try_acquire(0).unwrap();
        window.observe(0, Some(2), None, None);
        assert_eq!(window.try_acquire(0), Err(2_000));
        window.observe(0, Some(80), None, None);
        assert_eq!(window.try_acquire(0), Ok(()));
        assert_eq!(window.snapshot(0).limit, 80);
        window.observe(0, Some(0), None, None);
        assert_eq!(window.snapshot(0).limit, 1, "a zero limit would never send");
    }

    #[test]
    fn a_lower_remaining_than_ours_adds_phantom_slots() {
        // (remaining from the server, reset_ms, expected used after observe)
        let cases = [
            (Some(9), Some(2_000), 1),  // agrees with our count: nothing added
            (Some(12), Some(2_000), 1), // the server saw fewer: our count stays
            (Some(5), Some(2_000), 5),  // another process sent 4
            (Some(5), None, 5),
            (None, Some(2_000), 1),
        ];
        for (remaining, reset_ms, expected_used) in cases {
            let mut window = RateWindow::new(10, 2_000);
            window.try_acquire(0).unwrap();
            window.release(100);
            window.observe(100, None, remaining, reset_ms);
            assert_eq!(window.snapshot(100).used, expected_used, "{remaining:?} {reset_ms:?}");
        }
    }

    #[test]
    fn phantoms_expire_at_the_reset() {
        let mut window = RateWindow::new(4, 2_000);
        window.try_acquire(0).unwrap();
        window.release(50);
        window.observe(50, None, Some(1), Some(1_000));
        assert_eq!(window.snapshot(50).used, 3);
        assert_eq!(window.try_acquire(60), Ok(()));
        assert_eq!(window.try_acquire(60), Err(990));
        assert_eq!(window.try_acquire(1_050), Ok(()));
        assert_eq!(window.try_acquire(1_050), Ok(()));
        assert_eq!(window.try_acquire(1_050), Err(1_000));
    }

    #[test]
    fn remaining_zero_from_another_client_fills_the_window_until_the_reset() {
        let mut window = RateWindow::new(10, 2_000);
        window.observe(1_000, None, Some(0), Some(1_500));
        assert_eq!(window.try_acquire(1_000), Err(1_500));
        assert_eq!(window.snapshot(1_000).used, 10);
        assert_eq!(window.try_acquire(2_500), Ok(()));
    }

    #[test]
    fn remaining_zero_for_our_own_full_window_waits_only_for_our_oldest_slot() {
        let mut window = RateWindow::new(2, 2_000);
        for at in [0, 100] {
            window.try_acquire(at).unwrap();
            window.release(at + 10);
        }
        // The server rounds its reset up to whole seconds; our own slots free at 2,010 and 2,110.
        window.observe(110, None, Some(0), Some(2_000));
        assert_eq!(window.snapshot(110).blocked_until, None);
        assert_eq!(window.try_acquire(2_010), Ok(()));
    }

    #[test]
    fn block_for_holds_everything_and_keeps_the_longer_block() {
        let mut window = RateWindow::new(10, 2_000);
        window.block_for(0, 3_000);
        window.block_for(0, 1_000);
        let cases = [(0, Err(3_000)), (2_999, Err(1)), (3_000, Ok(()))];
        for (now, expected) in cases {
            assert_eq!(window.try_acquire(now), expected, "at {now}");
        }
        window.block_for(3_000, 500);
        assert_eq!(window.snapshot(3_100).blocked_until, Some(3_500));
    }

    #[test]
    fn cancel_gives_the_slot_back() {
        let mut window = RateWindow::new(1, 2_000);
        window.try_acquire(0).unwrap();
        window.cancel();
        assert_eq!(window.snapshot(0).used, 0);
        assert_eq!(window.try_acquire(0), Ok(()));
        window.cancel();
        window.cancel();
        assert_eq!(window.snapshot(0).in_flight, 0);
    }

    #[test]
    fn a_release_without_acquire_still_holds_a_slot() {
        let mut window = RateWindow::new(1, 2_000);
        window.release(0);
        assert_eq!(window.try_acquire(0), Err(2_000));
    }

    #[test]
    fn zero_sizes_are_raised_to_one() {
        let mut window = RateWindow::new(0, 0);
        assert_eq!(window.try_acquire(0), Ok(()));
        window.release(0);
        assert_eq!(window.try_acquire(0), Err(1));
        assert_eq!(window.try_acquire(1), Ok(()));
    }

    #[test]
    fn the_snapshot_serializes_in_camel_case() {
        let mut window = RateWindow::new(2, 2_000);
        window.try_acquire(0).unwrap();
        window.block_for(0, 10);
        assert_eq!(
            serde_json::to_value(window.snapshot(0)).unwrap(),
            serde_json::json!({"limit": 2, "used": 1, "inFlight": 1, "blockedUntil": 10})
        );
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod properties {
    use super::*;
    use proptest::prelude::*;
    use std::collections::VecDeque;

    /// One request the client wants to send.
    #[derive(Debug, Clone, Copy)]
    struct Request {
        /// When it becomes ready to send, after the previous one became ready.
        gap_ms: i64,
        /// Send to response.
        latency_ms: i64,
        /// Where between send and response the server sees it, in `[0, 1]`.
        arrival_fraction: f64,
    }

    /// What the simulated run produced.
    struct Run {
        /// Our send instants.
        sends: Vec<i64>,
        /// The instants the server saw the requests.
        arrivals: Vec<i64>,
    }

    /// A client that sends ready requests in order as soon as the window lets it, waiting as told, and releases
    /// each at its response.
    fn simulate(limit: u32, window_ms: u64, requests: &[Request]) -> Run {
        let mut window = RateWindow::new(limit, window_ms);
        let mut ready_at = Vec::with_capacity(requests.len());
        let mut clock = 0;
        for request in requests {
            clock += request.gap_ms;
            ready_at.push(clock);
        }
        let mut next_ready = 0;
        let mut queue: VecDeque<Request> = VecDeque::new();
        let mut responses: Vec<i64> = Vec::new();
        let mut wake: Option<i64> = None;
        let mut run = Run { sends: Vec::new(), arrivals: Vec::new() };
        loop {
            let candidates = [
                ready_at.get(next_ready).copied(),
                responses.iter().copied().min(),
                wake.filter(|_| !queue.is_empty()),
            ];
            let Some(now) = candidates.into_iter().flatten().min() else {
                return run;
            };
            let due = responses.iter().filter(|at| **at <= now).count();
            responses.retain(|at| *at > now);
            for _ in 0..due {
                window.release(now);
            }
            while ready_at.get(next_ready).is_some_and(|at| *at <= now) {
                queue.push_back(requests[next_ready]);
                next_ready += 1;
            }
            wake = None;
            while let Some(request) = queue.front().copied() {
                match window.try_acquire(now) {
                    Ok(()) => {
                        queue.pop_front();
                        let seen = (request.latency_ms as f64 * request.arrival_fraction).floor();
                        run.sends.push(now);
                        run.arrivals.push(now + seen as i64);
                        responses.push(now + request.latency_ms);
                    }
                    Err(wait_ms) => {
                        assert!(wait_ms >= 1, "a zero wait would spin");
                        wake = Some(now + wait_ms as i64);
                        break;
                    }
                }
            }
        }
    }

    /// The most arrivals a server-side rolling window (`(t - window, t]`) counts at any arrival.
    fn busiest_server_window(mut arrivals: Vec<i64>, window_ms: u64) -> usize {
        arrivals.sort_unstable();
        let mut oldest = 0;
        let mut busiest = 0;
        for (newest, at) in arrivals.iter().enumerate() {
            while arrivals[oldest] <= at - window_ms as i64 {
                oldest += 1;
            }
            busiest = busiest.max(newest - oldest + 1);
        }
        busiest
    }

    fn request() -> impl Strategy<Value = Request> {
        (
            prop_oneof![Just(0i64), 0i64..50, 0i64..3_000],
            prop_oneof![Just(0i64), 0i64..300, 0i64..6_000],
            prop_oneof![Just(0.0f64), Just(1.0f64), 0.0f64..=1.0],
        )
            .prop_map(|(gap_ms, latency_ms, arrival_fraction)| Request {
                gap_ms,
                latency_ms,
                arrival_fraction,
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn the_server_never_counts_more_than_the_limit(
            limit in 1u32..25,
            window_ms in prop_oneof![Just(2_000u64), 1u64..3_000],
            requests in proptest::collection::vec(request(), 1..150),
        ) {
            let run = simulate(limit, window_ms, &requests);
            prop_assert_eq!(run.sends.len(), requests.len(), "every request is sent eventually");
            let busiest = busiest_server_window(run.arrivals, window_ms);
            prop_assert!(busiest <= limit as usize, "{} arrivals in one window, limit {}", busiest, limit);
        }

        #[test]
        fn with_zero_latency_a_saturated_client_fills_every_window(
            limit in 1u32..50,
            window_ms in 1u64..3_000,
        ) {
            let windows = 20i64;
            let run_ms = windows * window_ms as i64;
            let requests = vec![
                Request { gap_ms: 0, latency_ms: 0, arrival_fraction: 0.0 };
                limit as usize * (windows as usize + 5)
            ];
            let run = simulate(limit, window_ms, &requests);
            let sent_in_run = run.sends.iter().filter(|at| **at < run_ms).count() as i64;
            prop_assert!(
                sent_in_run >= limit as i64 * (windows - 1),
                "{} sent in {} windows of limit {}", sent_in_run, windows, limit
            );
        }
    }
}
