//! Pacing shared by every process on one token (DESIGN §13, invariant 6): before a request goes out, the process
//! reserves its slot in the [`SharedState`] kept by the store (`swapPacing`, a compare-and-swap on one row per
//! token), so that all processes together stay under Pipedrive's windows. The in-process window stays the local
//! gate, and the fallback: a store call that fails or is slow makes the process pace on its own window for a
//! while, with a warning, never send unpaced.
//!
//! Cost per request: one store round trip when this process's copy of the row is current (its own last write), two
//! when another process wrote in between (the failed swap answers the fresh row). What a process learns from a
//! response (the release of its slot, header corrections, a 429's block, the daily budget) rides along with its
//! next reservation instead of costing a call of its own.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;

use serde_json::json;

use super::shared_window::{Correction, SharedState, SlotRequest};
use crate::host::{Host, LogLevel};
use crate::local_async::async_lock::AsyncLock;
use crate::local_async::join::{race, Either};
use crate::store::pacing::swap_pacing;

/// How long a store call may take before the process paces on its own window instead.
pub const STORE_TIMEOUT_MS: u64 = 2_000;
/// How long a process paces on its own after the store failed, before it tries the store again.
pub const DEGRADED_MS: u64 = 10_000;
/// The longest a waiting reservation sleeps before reading the row again: another process's release (its slot
/// shortened to response + window) only shows in the row, so a wait computed from a pessimistic slot is re-checked.
pub const MAX_WAIT_STEP_MS: u64 = 250;
/// Compare-and-swap rounds in one reservation before it reports a short wait (heavy contention).
const MAX_ROUNDS: u32 = 8;

/// The outcome of a reservation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reserved {
    /// The slot with this id is taken in the shared windows: send.
    Go(String),
    /// No shared slot now: wait this long, then reserve again.
    Wait(u64),
    /// The store is unavailable: pace on the in-process window alone (a warning was logged).
    Local,
}

/// This process's copy of one key's row and what it learned since its last write.
#[derive(Default)]
struct KeyCopy {
    version: i64,
    state: SharedState,
    pending: Vec<Correction>,
}

/// What the shared pacing cost so far, for benchmarks and diagnostics.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PacingCounters {
    /// Slots reserved in the store.
    pub reserved: u64,
    /// `swapPacing` calls made.
    pub round_trips: u64,
    /// Reservations answered [`Reserved::Local`] (the store was unavailable).
    pub fallbacks: u64,
}

/// The shared pacing of one process (one wasm instance) for one Pipedrive.
#[derive(Default)]
pub struct SharedPacing {
    copies: RefCell<HashMap<String, KeyCopy>>,
    /// One reservation at a time in this process: concurrent flows would only invalidate each other's swaps.
    turn: AsyncLock,
    degraded_until: Cell<i64>,
    next_slot: Cell<u64>,
    process_tag: RefCell<Option<String>>,
    counters: Cell<PacingCounters>,
}

impl SharedPacing {
    /// What the shared pacing cost so far.
    pub fn counters(&self) -> PacingCounters {
        self.counters.get()
    }

    /// Remembers `correction` for `key`: it is written with this process's next reservation.
    pub fn learn(&self, key: &str, correction: Correction) {
        self.copies.borrow_mut().entry(key.to_string()).or_default().pending.push(correction);
    }

    /// What the shared row said last about `key`: the burst limit a header set, and the daily budget as last seen.
    pub fn seen(&self, key: &str) -> (Option<u32>, Option<super::shared_window::SharedBudget>) {
        self.copies.borrow().get(key).map_or((None, None), |copy| (copy.state.burst.limit, copy.state.budget))
    }

    /// Whether the process paces on its own window now (the store failed a moment ago).
    pub fn degraded(&self, now: i64) -> bool {
        self.degraded_until.get() > now
    }

    /// A fresh slot id: unique to this process (a random tag) and to the request (a counter).
    fn slot_id(&self, random: f64) -> String {
        let tag = self
            .process_tag
            .borrow_mut()
            .get_or_insert_with(|| format!("{:08x}", (random * f64::from(u32::MAX)) as u32))
            .clone();
        let n = self.next_slot.get() + 1;
        self.next_slot.set(n);
        format!("{tag}-{n}")
    }

    fn count(&self, change: impl FnOnce(&mut PacingCounters)) {
        let mut counters = self.counters.get();
        change(&mut counters);
        self.counters.set(counters);
    }

    /// Reserves one slot for a request under `key` (a search also takes a search slot). `burst_limit` is the
    /// limit this process knows, `search_limit` the search window's ceiling; `hold_ms` how long a slot is held
    /// before its release is written (window plus the longest time in flight).
    pub async fn reserve<H: Host>(
        &self,
        host: &H,
        key: &str,
        search: bool,
        (burst_limit, search_limit): (u32, u32),
        hold_ms: u64,
    ) -> Reserved {
        if self.degraded(host.now_ms()) {
            self.count(|c| c.fallbacks += 1);
            return Reserved::Local;
        }
        let _turn = self.turn.lock().await;
        let id = self.slot_id(host.random());
        let mut fresh = false;
        for _ in 0..MAX_ROUNDS {
            let now = host.now_ms();
            let (version, mut state, applied) = {
                let copies = self.copies.borrow();
                let copy = copies.get(key);
                let pending = copy.map(|copy| copy.pending.clone()).unwrap_or_default();
                (copy.map_or(0, |copy| copy.version), copy.map(|copy| copy.state.clone()).unwrap_or_default(), pending)
            };
            state.apply(&applied, now, search_limit);
            let request = SlotRequest {
                search,
                burst_limit,
                search_limit,
                id: id.clone(),
                hold_until: now.saturating_add(i64::try_from(hold_ms).unwrap_or(i64::MAX)),
            };
            let taken = state.take(&request, now);
            if let Err(wait) = taken {
                if fresh && applied.is_empty() {
                    return Reserved::Wait(wait.min(MAX_WAIT_STEP_MS));
                }
            }
            // Write the slot (or only the corrections), or read when there is nothing to write.
            let write = (taken.is_ok() || !applied.is_empty()).then(|| state.to_text());
            let answer = match self.swap(host, key, version, write.as_deref(), now).await {
                Ok(answer) => answer,
                Err(()) => return Reserved::Local,
            };
            let mut copies = self.copies.borrow_mut();
            let copy = copies.entry(key.to_string()).or_default();
            if answer.swapped {
                copy.version = answer.version;
                copy.state = state;
                copy.pending.drain(..applied.len().min(copy.pending.len()));
                return match taken {
                    Ok(()) => {
                        drop(copies);
                        self.count(|c| c.reserved += 1);
                        Reserved::Go(id)
                    }
                    Err(wait) => Reserved::Wait(wait.min(MAX_WAIT_STEP_MS)),
                };
            }
            let unchanged = answer.version == version;
            copy.version = answer.version;
            copy.state = SharedState::parse(answer.state.as_deref());
            fresh = true;
            if let (true, Err(wait)) = (unchanged && write.is_none(), taken) {
                return Reserved::Wait(wait.min(MAX_WAIT_STEP_MS));
            }
        }
        Reserved::Wait(5)
    }

    /// One `swapPacing` raced against [`STORE_TIMEOUT_MS`]; a failure or a timeout degrades this process to its
    /// own window for [`DEGRADED_MS`] and logs a warning (the error, never a token).
    async fn swap<H: Host>(
        &self,
        host: &H,
        key: &str,
        version: i64,
        state: Option<&str>,
        now: i64,
    ) -> Result<crate::store::pacing::PacingSwap, ()> {
        self.count(|c| c.round_trips += 1);
        let call = Box::pin(swap_pacing(host, key, version, state, now));
        let failure = match race(call, Box::pin(host.deadline(STORE_TIMEOUT_MS))).await {
            Either::Left(Ok(answer)) => return Ok(answer),
            Either::Left(Err(error)) => error.to_string(),
            Either::Right(()) => format!("swapPacing did not answer within {STORE_TIMEOUT_MS} ms"),
        };
        self.degraded_until.set(host.now_ms().saturating_add(DEGRADED_MS as i64));
        self.count(|c| c.fallbacks += 1);
        host.log(
            LogLevel::Warn,
            "pacing.shared_unavailable",
            json!({ "error": failure, "localForMs": DEGRADED_MS, "key": key }),
        );
        Err(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::test_host::{block_on, TestHost};
    use crate::pipedrive::limits::shared_window::WindowKind;
    use std::rc::Rc;

    const KEY: &str = "tok_12345678@https://pacing.test";

    /// Two processes: each its own host (clock, logs) and its own copy, one store row between them.
    fn two_processes() -> (TestHost, TestHost) {
        let rows = Rc::new(RefCell::new(Default::default()));
        let a = TestHost { pacing_rows: rows.clone(), ..TestHost::default() };
        let b = TestHost { pacing_rows: rows, ..TestHost::default() };
        (a, b)
    }

    #[test]
    fn processes_together_stay_under_the_limit_and_see_each_others_releases() {
        let (host_a, host_b) = two_processes();
        let (a, b) = (SharedPacing::default(), SharedPacing::default());
        let mut granted = Vec::new();
        for n in 0..12 {
            let (pacing, host) = if n % 2 == 0 { (&a, &host_a) } else { (&b, &host_b) };
            match block_on(pacing.reserve(host, KEY, false, (10, 10), 12_000)) {
                Reserved::Go(id) => granted.push((n % 2, id)),
                Reserved::Wait(_) => {}
                Reserved::Local => panic!("the store is up"),
            }
        }
        assert_eq!(granted.len(), 10, "10 slots between both processes, not 10 each");
        assert!(matches!(block_on(a.reserve(&host_a, KEY, false, (10, 10), 12_000)), Reserved::Wait(MAX_WAIT_STEP_MS)));
        // Process b's requests are answered at 50 ms: their slots end at 2 050, written with b's next reservation.
        for (_, id) in granted.iter().filter(|(process, _)| *process == 1) {
            b.learn(KEY, Correction::Release { window: WindowKind::Burst, id: id.clone(), until: 2_050 });
        }
        host_b.now.set(2_050);
        assert!(matches!(block_on(b.reserve(&host_b, KEY, false, (10, 10), 12_000)), Reserved::Go(_)));
        host_a.now.set(2_050);
        assert!(
            matches!(block_on(a.reserve(&host_a, KEY, false, (10, 10), 12_000)), Reserved::Go(_)),
            "a sees b's releases"
        );
        let counters = a.counters();
        assert_eq!(counters.reserved, 6);
        assert!(counters.round_trips <= 2 * 8, "{counters:?}");
    }

    #[test]
    fn a_block_learned_by_one_process_holds_the_other() {
        let (host_a, host_b) = two_processes();
        let (a, b) = (SharedPacing::default(), SharedPacing::default());
        assert!(matches!(block_on(a.reserve(&host_a, KEY, false, (10, 10), 12_000)), Reserved::Go(_)));
        a.learn(KEY, Correction::Block { window: WindowKind::Burst, until: 3_000 });
        assert!(matches!(block_on(a.reserve(&host_a, KEY, false, (10, 10), 12_000)), Reserved::Wait(_)));
        assert!(matches!(block_on(b.reserve(&host_b, KEY, false, (10, 10), 12_000)), Reserved::Wait(_)));
        host_b.now.set(3_000);
        assert!(matches!(block_on(b.reserve(&host_b, KEY, false, (10, 10), 12_000)), Reserved::Go(_)));
    }

    #[test]
    fn a_failing_store_falls_back_to_the_local_window_with_a_warning_then_comes_back() {
        let host = TestHost::default();
        *host.store_down.borrow_mut() = Some("connection refused".into());
        let pacing = SharedPacing::default();
        assert_eq!(block_on(pacing.reserve(&host, KEY, false, (10, 10), 12_000)), Reserved::Local);
        let warnings: Vec<_> =
            host.logs.borrow().iter().filter(|(_, event, _)| event == "pacing.shared_unavailable").cloned().collect();
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].0, LogLevel::Warn);
        assert!(warnings[0].2["error"].as_str().unwrap().contains("connection refused"));
        // While degraded, no store call at all.
        let calls = host.store_calls.borrow().len();
        assert_eq!(block_on(pacing.reserve(&host, KEY, false, (10, 10), 12_000)), Reserved::Local);
        assert_eq!(host.store_calls.borrow().len(), calls);
        *host.store_down.borrow_mut() = None;
        host.now.set(DEGRADED_MS as i64);
        assert!(matches!(block_on(pacing.reserve(&host, KEY, false, (10, 10), 12_000)), Reserved::Go(_)));
    }

    #[test]
    fn a_slow_store_counts_as_unavailable() {
        let host = TestHost::default();
        host.deadlines_fire.set(true);
        host.pacing_hangs.set(true);
        let pacing = SharedPacing::default();
        assert_eq!(block_on(pacing.reserve(&host, KEY, false, (10, 10), 12_000)), Reserved::Local);
        assert_eq!(pacing.counters().fallbacks, 1);
    }
}
