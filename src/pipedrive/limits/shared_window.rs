//! The pacing state that every process on one token shares through the store (DESIGN §13, invariant 6): the burst
//! window and the search window as sliding logs of slots, blocks after a 429, the limit learned from headers, and
//! the daily budget as last seen. This module is pure: it holds the rules (what a slot is, when one is free, how a
//! correction applies); `shared_pacing` carries the state to and from the store.
//!
//! A slot has the semantics of the in-process [`super::rate_window::RateWindow`]: taken at the send, held until
//! the response time plus the window. Since the store cannot hear the response, a slot is first held
//! pessimistically (the send plus the window plus the longest a request can be in flight), and the taking
//! process writes the real end (response + window) with its next reservation. A process that dies leaves its
//! slots held until their pessimistic end: the safe side.

use serde::Serialize;
use serde_json::Value;

use crate::json::shape::{member, member_or_default, members, FromJson};

/// Which of a token's two windows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowKind {
    /// Every request (`x-ratelimit-*`).
    Burst,
    /// Search requests only (at most 10 per 2 s).
    Search,
}

/// One occupied slot of a shared window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Slot {
    /// Who took it (`<process>-<n>`), so that its taker can shorten it once answered; empty for a phantom.
    #[serde(rename = "i")]
    pub id: String,
    /// Epoch milliseconds at which the slot is free again.
    #[serde(rename = "u")]
    pub until: i64,
}

/// One shared rolling window.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SharedWindow {
    /// The limit a response header said (any process's); the plan's limit until then.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// Occupied slots.
    pub slots: Vec<Slot>,
    /// Nothing is sent before this instant (after a 429).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blocked_until: Option<i64>,
}

/// The company's daily budget as last seen by any process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SharedBudget {
    /// `x-daily-ratelimit-token-limit`, when seen.
    pub limit: Option<u64>,
    /// `x-daily-ratelimit-token-remaining`.
    pub remaining: u64,
    /// When those headers were read.
    pub seen_at: i64,
}

/// The state of one token's pacing, as stored (JSON) under its key.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SharedState {
    /// The burst window.
    pub burst: SharedWindow,
    /// The search window.
    pub search: SharedWindow,
    /// The daily budget as last seen.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub budget: Option<SharedBudget>,
}

impl FromJson for Slot {
    fn from_json(value: &Value) -> Result<Self, String> {
        let object = members(value, "Slot")?;
        Ok(Slot { id: member_or_default(object, "i")?, until: member(object, "u")? })
    }
}

impl FromJson for SharedWindow {
    fn from_json(value: &Value) -> Result<Self, String> {
        let object = members(value, "SharedWindow")?;
        Ok(SharedWindow {
            limit: member(object, "limit")?,
            slots: member_or_default(object, "slots")?,
            blocked_until: member(object, "blockedUntil")?,
        })
    }
}

impl FromJson for SharedBudget {
    fn from_json(value: &Value) -> Result<Self, String> {
        let object = members(value, "SharedBudget")?;
        Ok(SharedBudget {
            limit: member(object, "limit")?,
            remaining: member(object, "remaining")?,
            seen_at: member(object, "seenAt")?,
        })
    }
}

impl FromJson for SharedState {
    fn from_json(value: &Value) -> Result<Self, String> {
        let object = members(value, "SharedState")?;
        Ok(SharedState {
            burst: member_or_default(object, "burst")?,
            search: member_or_default(object, "search")?,
            budget: member(object, "budget")?,
        })
    }
}

/// What one process learned since its last write, applied to the shared state with its next reservation.
#[derive(Debug, Clone, PartialEq)]
pub enum Correction {
    /// The request of slot `id` was answered: its slot is held until `until` (response + window).
    Release {
        /// The window.
        window: WindowKind,
        /// The slot's id.
        id: String,
        /// The response time plus the window.
        until: i64,
    },
    /// Response headers read at `at`: the window's limit, and how many requests Pipedrive still allowed.
    Headers {
        /// The window.
        window: WindowKind,
        /// `x-ratelimit-limit` (capped at the search limit for the search window).
        limit: Option<u32>,
        /// `x-ratelimit-remaining`.
        remaining: Option<u32>,
        /// When `remaining` frees up: `at + x-ratelimit-reset`.
        reset_at: i64,
    },
    /// A 429: nothing goes to the window before `until`.
    Block {
        /// The window.
        window: WindowKind,
        /// The end of the block.
        until: i64,
    },
    /// Daily budget headers.
    Budget(SharedBudget),
}

/// What a request asks of the shared windows: one slot in the burst window, and one in the search window for a
/// search, both or none.
#[derive(Debug, Clone, PartialEq)]
pub struct SlotRequest {
    /// Whether it is a search.
    pub search: bool,
    /// The burst limit this process knows (plan, or headers), used while the shared state knows none.
    pub burst_limit: u32,
    /// The search limit (10 per 2 s on every plan): a ceiling no header raises.
    pub search_limit: u32,
    /// The slot's id.
    pub id: String,
    /// The pessimistic end of the slot: the send plus the window plus the longest time in flight.
    pub hold_until: i64,
}

impl SharedWindow {
    fn window_mut(state: &mut SharedState, kind: WindowKind) -> &mut SharedWindow {
        match kind {
            WindowKind::Burst => &mut state.burst,
            WindowKind::Search => &mut state.search,
        }
    }

    fn forget_expired(&mut self, now: i64) {
        self.slots.retain(|slot| slot.until > now);
        if self.blocked_until.is_some_and(|until| until <= now) {
            self.blocked_until = None;
        }
    }

    /// `Ok` when a slot is free under `limit` at `now`; else how long until one is (at least 1 ms).
    fn free_slot(&self, now: i64, limit: u32) -> Result<(), u64> {
        if let Some(until) = self.blocked_until.filter(|until| *until > now) {
            return Err(millis(now, until));
        }
        let limit = limit.max(1) as usize;
        if self.slots.len() < limit {
            return Ok(());
        }
        let mut ends: Vec<i64> = self.slots.iter().map(|slot| slot.until).collect();
        ends.sort_unstable();
        Err(millis(now, ends[self.slots.len() - limit]))
    }
}

impl SharedState {
    /// Reads a stored state; a state that does not parse (another version's, or damaged) starts over empty,
    /// which is what an expired state would be anyway after one window.
    pub fn parse(text: Option<&str>) -> SharedState {
        let value = text.and_then(|text| serde_json::from_str::<Value>(text).ok());
        value.and_then(|value| SharedState::from_json(&value).ok()).unwrap_or_default()
    }

    /// The state as stored.
    pub fn to_text(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".to_string())
    }

    /// Drops slots and blocks that ended by `now`, then applies `corrections` in order (a header's limit for the
    /// search window is taken at most `search_limit`).
    pub fn apply(&mut self, corrections: &[Correction], now: i64, search_limit: u32) {
        self.burst.forget_expired(now);
        self.search.forget_expired(now);
        for correction in corrections {
            match correction {
                Correction::Release { window, id, until } => {
                    let window = SharedWindow::window_mut(self, *window);
                    if let Some(slot) = window.slots.iter_mut().find(|slot| slot.id == *id) {
                        slot.until = (*until).min(slot.until);
                    }
                    window.forget_expired(now);
                }
                Correction::Headers { window: kind, limit, remaining, reset_at } => {
                    let window = SharedWindow::window_mut(self, *kind);
                    if let Some(limit) = limit {
                        let cap = if *kind == WindowKind::Search { search_limit } else { u32::MAX };
                        window.limit = Some((*limit).clamp(1, cap));
                    }
                    // Pipedrive counts more than we hold (another client on the token): phantom slots until the
                    // reset, as the in-process window does.
                    if let (Some(remaining), Some(limit)) = (remaining, window.limit) {
                        let ours = u32::try_from(window.slots.len()).unwrap_or(u32::MAX);
                        let phantoms = limit.saturating_sub(ours).saturating_sub(*remaining);
                        let until = (*reset_at).max(now + 1);
                        window.slots.extend((0..phantoms).map(|_| Slot { id: String::new(), until }));
                    }
                }
                Correction::Block { window, until } => {
                    let window = SharedWindow::window_mut(self, *window);
                    window.blocked_until = Some(window.blocked_until.map_or(*until, |current| current.max(*until)));
                    window.forget_expired(now);
                }
                Correction::Budget(seen) => {
                    if self.budget.is_none_or(|known| known.seen_at <= seen.seen_at) {
                        self.budget = Some(*seen);
                    }
                }
            }
        }
    }

    /// The burst limit in force: a header's (any process's), else `known`.
    pub fn burst_limit(&self, known: u32) -> u32 {
        self.burst.limit.unwrap_or(known)
    }

    /// Takes the slots `request` needs at `now`, all or none: `Err(wait_ms)` says how long until they could be
    /// free (a block, or the earliest slot ends).
    pub fn take(&mut self, request: &SlotRequest, now: i64) -> Result<(), u64> {
        self.burst.forget_expired(now);
        self.search.forget_expired(now);
        let burst_limit = self.burst_limit(request.burst_limit);
        let search_limit = self.search.limit.unwrap_or(request.search_limit).min(request.search_limit);
        let burst = self.burst.free_slot(now, burst_limit);
        let search = if request.search { self.search.free_slot(now, search_limit) } else { Ok(()) };
        match (burst, search) {
            (Ok(()), Ok(())) => {
                let slot = Slot { id: request.id.clone(), until: request.hold_until };
                if request.search {
                    self.search.slots.push(slot.clone());
                }
                self.burst.slots.push(slot);
                Ok(())
            }
            (Err(a), Err(b)) => Err(a.max(b)),
            (Err(wait), _) | (_, Err(wait)) => Err(wait),
        }
    }
}

/// Milliseconds from `now` to `until`, at least 1.
fn millis(now: i64, until: i64) -> u64 {
    u64::try_from(until.saturating_sub(now)).unwrap_or(0).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEARCH_LIMIT: u32 = 10;

    fn ask(id: &str, now: i64) -> SlotRequest {
        SlotRequest {
            search: false,
            burst_limit: 3,
            search_limit: SEARCH_LIMIT,
            id: id.into(),
            hold_until: now + 12_000,
        }
    }

    #[test]
    fn slots_are_taken_up_to_the_limit_and_free_when_their_release_ends() {
        let mut state = SharedState::default();
        for id in ["a-1", "b-1", "a-2"] {
            assert_eq!(state.take(&ask(id, 0), 0), Ok(()));
        }
        // All three held pessimistically: the wait is to the first pessimistic end.
        assert_eq!(state.take(&ask("b-2", 10), 10), Err(11_990));
        // The takers write their responses: each slot ends a window after its response.
        let release = |id: &str, until| Correction::Release { window: WindowKind::Burst, id: id.into(), until };
        state.apply(&[release("a-1", 2_050), release("b-1", 2_060)], 100, SEARCH_LIMIT);
        assert_eq!(state.take(&ask("b-2", 100), 100), Err(1_950));
        assert_eq!(state.take(&ask("b-2", 2_050), 2_050), Ok(()));
        assert_eq!(state.take(&ask("a-3", 2_050), 2_050), Err(10));
    }

    #[test]
    fn a_search_takes_both_windows_or_neither() {
        let mut state = SharedState::default();
        for n in 0..SEARCH_LIMIT {
            let request = SlotRequest {
                search: true,
                burst_limit: 100,
                search_limit: SEARCH_LIMIT,
                id: format!("s-{n}"),
                hold_until: 5_000,
            };
            assert_eq!(state.take(&request, 0), Ok(()));
        }
        let search = SlotRequest {
            search: true,
            burst_limit: 100,
            search_limit: SEARCH_LIMIT,
            id: "s-x".into(),
            hold_until: 5_000,
        };
        assert_eq!(state.take(&search, 0), Err(5_000));
        assert_eq!(state.burst.slots.len(), 10, "the refused search took no burst slot");
        assert_eq!(state.take(&SlotRequest { search: false, ..search }, 0), Ok(()));
    }

    #[test]
    fn a_block_from_any_process_holds_every_process() {
        let mut state = SharedState::default();
        state.apply(&[Correction::Block { window: WindowKind::Burst, until: 3_000 }], 0, SEARCH_LIMIT);
        assert_eq!(state.take(&ask("a-1", 1_000), 1_000), Err(2_000));
        state.apply(&[Correction::Block { window: WindowKind::Burst, until: 2_000 }], 1_000, SEARCH_LIMIT);
        assert_eq!(state.take(&ask("a-1", 2_500), 2_500), Err(500), "a shorter block does not shorten one in place");
        assert_eq!(state.take(&ask("a-1", 3_000), 3_000), Ok(()));
    }

    #[test]
    fn headers_set_the_limit_for_all_and_unknown_traffic_becomes_phantoms() {
        let mut state = SharedState::default();
        state.take(&ask("a-1", 0), 0).unwrap();
        let headers =
            Correction::Headers { window: WindowKind::Burst, limit: Some(5), remaining: Some(2), reset_at: 2_000 };
        state.apply(&[headers], 10, SEARCH_LIMIT);
        assert_eq!(state.burst_limit(3), 5);
        // 5 allowed, 1 ours, 2 remaining: 2 phantoms until the reset.
        assert_eq!(state.burst.slots.len(), 3);
        assert_eq!(state.take(&ask("b-1", 10), 10), Ok(()));
        assert_eq!(state.take(&ask("b-2", 10), 10), Ok(()));
        assert_eq!(state.take(&ask("b-3", 10), 10), Err(1_990));
        let search = Correction::Headers { window: WindowKind::Search, limit: Some(20), remaining: None, reset_at: 0 };
        state.apply(&[search], 10, SEARCH_LIMIT);
        assert_eq!(state.search.limit, Some(SEARCH_LIMIT), "never more than 10 searches per 2 s");
    }

    #[test]
    fn the_budget_keeps_the_latest_sighting_and_the_state_round_trips_as_text() {
        let mut state = SharedState::default();
        let seen = |remaining, seen_at| Correction::Budget(SharedBudget { limit: Some(100), remaining, seen_at });
        state.apply(&[seen(40, 20), seen(50, 10)], 30, SEARCH_LIMIT);
        assert_eq!(state.budget.map(|budget| budget.remaining), Some(40));
        state.take(&ask("a-1", 30), 30).unwrap();
        assert_eq!(SharedState::parse(Some(&state.to_text())), state);
        assert_eq!(SharedState::parse(Some("not json")), SharedState::default());
        assert!(!state.to_text().contains("company-token"), "the state names no token");
    }
}
