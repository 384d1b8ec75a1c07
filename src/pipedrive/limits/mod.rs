//! Pacing requests to Pipedrive's limits (DESIGN invariant 6): per token a burst window and a search window,
//! the company's daily token budget, pauses after a 401 or a block, and interactive work ahead of background
//! work. Rate limits are respected, not discovered: a request waits for a slot instead of collecting a 429.

pub mod daily_budget;
pub mod rate_window;
pub mod shared_pacing;
pub mod shared_window;
pub mod token_costs;
pub mod user_throttle;

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use serde_json::{json, Value};

use crate::api_token::ApiToken;
use crate::config::Plan;
use crate::error::{RateScope, SyncError};
use crate::host::HttpResponse;
use crate::pipedrive::limits::daily_budget::DailyBudget;
use crate::pipedrive::limits::rate_window::RateWindow;
use crate::pipedrive::limits::shared_pacing::SharedPacing;
use crate::pipedrive::limits::shared_window::SharedBudget;
use crate::text::decimal::parse_decimal;

/// Length of Pipedrive's rolling windows.
pub const WINDOW_MS: u64 = 2_000;
/// Search requests allowed per window on every plan.
pub const SEARCH_LIMIT: u32 = 10;
/// How long a token stays paused after Pipedrive refused it (401): long enough not to hammer, short enough
/// that a fixed token is picked up without a restart.
pub const AUTH_PAUSE_MS: u64 = 5 * 60 * 1000;
/// How long a token stays paused after Pipedrive's block page (HTML 403 after ignored 429s).
pub const BLOCK_PAUSE_MS: u64 = 60 * 1000;
/// How long background work yields while interactive work waits for a slot.
const YIELD_MS: u64 = 5;

/// Who is waiting: a person (a route handler, a button) or the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Priority {
    /// A user's action: goes first.
    Interactive,
    /// Drain, reconcile, batch: waits while interactive work waits.
    Background,
}

/// The answer to "may this request go now?".
#[derive(Debug, Clone, PartialEq)]
pub enum Admission {
    /// Send it; the slot is taken.
    Go,
    /// Ask again after this many milliseconds.
    Wait(u64),
    /// Do not send: the budget is spent or the token is paused.
    Refuse(SyncError),
}

/// The rate-limit headers of one response (API-FACTS §6.2); every one is optional.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RateHeaders {
    /// `x-ratelimit-limit`: the window's size.
    pub limit: Option<u32>,
    /// `x-ratelimit-remaining`.
    pub remaining: Option<u32>,
    /// `x-ratelimit-reset`, in milliseconds.
    pub reset_ms: Option<u64>,
    /// `x-daily-ratelimit-token-limit`.
    pub daily_limit: Option<u64>,
    /// `x-daily-ratelimit-token-remaining`.
    pub daily_remaining: Option<u64>,
}

impl RateHeaders {
    /// Reads the headers of `response`; malformed values count as absent.
    pub fn of(response: &HttpResponse) -> Self {
        let number = |name: &str| {
            response.header(name).and_then(|value| parse_decimal(value.trim())).filter(|n| n.is_finite() && *n >= 0.0)
        };
        RateHeaders {
            limit: number("x-ratelimit-limit").map(|n| n as u32),
            remaining: number("x-ratelimit-remaining").map(|n| n as u32),
            reset_ms: number("x-ratelimit-reset").map(|seconds| (seconds * 1000.0).ceil() as u64),
            daily_limit: number("x-daily-ratelimit-token-limit").map(|n| n as u64),
            daily_remaining: number("x-daily-ratelimit-token-remaining").map(|n| n as u64),
        }
    }
}

struct TokenLimits {
    burst: RateWindow,
    search: RateWindow,
    paused_until: i64,
    pause: Option<SyncError>,
}

/// Holds one place in the count of interactive requests waiting for a slot.
pub struct InteractiveWaiter<'a> {
    count: &'a Cell<u32>,
}

impl Drop for InteractiveWaiter<'_> {
    fn drop(&mut self) {
        self.count.set(self.count.get().saturating_sub(1));
    }
}

/// The limits of every token this engine uses, and the company budget they share.
pub struct RateLimits {
    plan_limit: u32,
    tokens: RefCell<HashMap<ApiToken, TokenLimits>>,
    budget: RefCell<DailyBudget>,
    /// When the daily budget was last seen (a response of this process, or the shared row).
    budget_seen_at: Cell<i64>,
    interactive_waiting: Cell<u32>,
    /// The pacing shared with the other processes on the same tokens, through the store (when enabled).
    pub shared: SharedPacing,
}

thread_local! {
    /// Limits per Pipedrive base URL, shared by every engine of this process (one wasm instance): two engines
    /// draining with the same token must share its window, or together they would overrun it.
    static SHARED: RefCell<HashMap<String, Rc<RateLimits>>> = RefCell::new(HashMap::new());
}

/// The limits for `base_url`, shared with the other engines of this process that talk to the same Pipedrive.
/// Processes do not share them: several processes on one token should each get a smaller `plan` share, or rely
/// on the correction from the `x-ratelimit-*` headers.
pub fn shared_limits(base_url: &str, plan: Plan) -> Rc<RateLimits> {
    SHARED.with(|shared| {
        shared.borrow_mut().entry(base_url.to_string()).or_insert_with(|| Rc::new(RateLimits::new(plan))).clone()
    })
}

/// The burst limit per 2 s of API-token traffic on each plan (API-FACTS §6.1), used until headers say more.
pub fn plan_burst_limit(plan: Plan) -> u32 {
    match plan {
        Plan::Lite => 20,
        Plan::Growth => 40,
        Plan::Premium => 100,
        Plan::Ultimate => 120,
    }
}

impl RateLimits {
    /// Limits starting from the plan's defaults.
    pub fn new(plan: Plan) -> Self {
        RateLimits {
            plan_limit: plan_burst_limit(plan),
            tokens: RefCell::new(HashMap::new()),
            budget: RefCell::new(DailyBudget::new()),
            budget_seen_at: Cell::new(i64::MIN),
            interactive_waiting: Cell::new(0),
            shared: SharedPacing::default(),
        }
    }

    fn with_token<T>(&self, token: &ApiToken, f: impl FnOnce(&mut TokenLimits) -> T) -> T {
        let mut tokens = self.tokens.borrow_mut();
        let limits = tokens.entry(token.clone()).or_insert_with(|| TokenLimits {
            burst: RateWindow::new(self.plan_limit, WINDOW_MS),
            search: RateWindow::new(SEARCH_LIMIT, WINDOW_MS),
            paused_until: 0,
            pause: None,
        });
        f(limits)
    }

    /// May a request of `cost` tokens (a search when `search`) go now? `Go` takes the slots.
    pub fn admit(&self, token: &ApiToken, search: bool, cost: u32, priority: Priority, now: i64) -> Admission {
        if priority == Priority::Background && self.interactive_waiting.get() > 0 {
            return Admission::Wait(YIELD_MS);
        }
        let paused =
            self.with_token(token, |limits| (limits.paused_until > now).then(|| limits.pause.clone()).flatten());
        if let Some(error) = paused {
            return Admission::Refuse(error);
        }
        if let Err(wait_ms) = self.budget.borrow_mut().try_spend(now, cost) {
            return Admission::Refuse(SyncError::RateLimited {
                message: format!(
                    "the company's daily Pipedrive API token budget is spent; work resumes at the reset in {} s",
                    wait_ms.div_ceil(1000)
                ),
                retry_after_ms: Some(wait_ms),
                scope: RateScope::Daily,
            });
        }
        let taken = self.with_token(token, |limits| {
            if search {
                limits.search.try_acquire(now)?;
                if let Err(wait) = limits.burst.try_acquire(now) {
                    limits.search.cancel();
                    return Err(wait);
                }
                Ok(())
            } else {
                limits.burst.try_acquire(now)
            }
        });
        match taken {
            Ok(()) => Admission::Go,
            Err(wait_ms) => {
                self.budget.borrow_mut().refund(cost);
                Admission::Wait(wait_ms.max(1))
            }
        }
    }

    /// Gives back what [`RateLimits::admit`] took for a request that is not sent after all (the shared windows had
    /// no slot).
    pub fn cancel(&self, token: &ApiToken, search: bool, cost: u32) {
        self.with_token(token, |limits| {
            limits.burst.cancel();
            if search {
                limits.search.cancel();
            }
        });
        self.budget.borrow_mut().refund(cost);
    }

    /// The burst limit this process knows for `token` (the plan's, or a header's).
    pub fn burst_limit(&self, token: &ApiToken, now: i64) -> u32 {
        self.with_token(token, |limits| limits.burst.snapshot(now).limit)
    }

    /// Takes in what the shared row says: the burst limit another process learned, and the daily budget when that
    /// sighting is newer than this process's own.
    pub fn adopt_shared(&self, token: &ApiToken, burst_limit: Option<u32>, budget: Option<SharedBudget>, now: i64) {
        if let Some(limit) = burst_limit {
            self.with_token(token, |limits| limits.burst.observe(now, Some(limit), None, None));
        }
        if let Some(seen) = budget.filter(|seen| seen.seen_at > self.budget_seen_at.get()) {
            self.budget_seen_at.set(seen.seen_at);
            self.budget.borrow_mut().observe(now, seen.limit, Some(seen.remaining));
        }
    }

    /// Counts an interactive request as waiting for a slot until the returned guard is dropped (also when the
    /// waiting future is dropped half-way).
    pub fn interactive_waiter(&self) -> InteractiveWaiter<'_> {
        self.interactive_waiting.set(self.interactive_waiting.get() + 1);
        InteractiveWaiter { count: &self.interactive_waiting }
    }

    /// The request admitted for `token` finished at `now`; `headers` are its response's rate headers, if any.
    /// With `shared` (its slot was reserved in the shared windows), `x-ratelimit-remaining` is left to the shared
    /// windows: counted against this process's own slots it would take every other process's requests for
    /// unknown traffic.
    pub fn finish(&self, token: &ApiToken, search: bool, headers: Option<RateHeaders>, now: i64, shared: bool) {
        let headers = headers.map(|headers| if shared { RateHeaders { remaining: None, ..headers } } else { headers });
        self.with_token(token, |limits| {
            limits.burst.release(now);
            if search {
                limits.search.release(now);
            }
            if let Some(headers) = headers {
                // `x-ratelimit-*` describe the burst window (API-FACTS §6.2: `x-ratelimit-limit` is the burst
                // maximum per 2 s), on a search response too. Whether a search response's headers might describe
                // the search window instead is not verified, so a search response is safe either way: its headers
                // correct the burst window, and the search window takes them only capped at the search limit
                // (at most 10 per 2 s, whatever a header says; a lower remaining still adds phantom slots).
                limits.burst.observe(now, headers.limit, headers.remaining, headers.reset_ms);
                if search {
                    let capped = headers.limit.map(|limit| limit.min(SEARCH_LIMIT));
                    limits.search.observe(now, capped, headers.remaining, headers.reset_ms);
                }
            }
        });
        if let Some(headers) = headers {
            if headers.daily_remaining.is_some() {
                self.budget_seen_at.set(now);
            }
            self.budget.borrow_mut().observe(now, headers.daily_limit, headers.daily_remaining);
        }
    }

    /// After a 429: nothing more goes to that window before `now + wait_ms`.
    pub fn hold_off(&self, token: &ApiToken, search: bool, wait_ms: u64, now: i64) {
        self.with_token(token, |limits| {
            let window = if search { &mut limits.search } else { &mut limits.burst };
            window.block_for(now, wait_ms);
        });
    }

    /// The daily budget is spent until `now + wait_ms`.
    pub fn budget_exhausted(&self, wait_ms: u64, now: i64) {
        self.budget.borrow_mut().exhausted_until(now + wait_ms as i64);
    }

    /// Stops using `token` until `until`; requests meanwhile are refused with `error`.
    pub fn pause(&self, token: &ApiToken, until: i64, error: SyncError) {
        self.with_token(token, |limits| {
            limits.paused_until = until;
            limits.pause = Some(error);
        });
    }

    /// The limits as last seen, per token (named by a fingerprint, never the token) and for the company.
    pub fn snapshot(&self, now: i64) -> Value {
        let tokens: Vec<Value> = self
            .tokens
            .borrow()
            .iter()
            .map(|(token, limits)| {
                json!({
                    "token": token.fingerprint(),
                    "burst": limits.burst.snapshot(now),
                    "search": limits.search.snapshot(now),
                    "pausedUntil": (limits.paused_until > now).then_some(limits.paused_until),
                })
            })
            .collect();
        let pacing = self.shared.counters();
        json!({
            "tokens": tokens,
            "dailyBudget": self.budget.borrow().snapshot(),
            "sharedPacing": {
                "reserved": pacing.reserved, "roundTrips": pacing.round_trips, "fallbacks": pacing.fallbacks,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn token(name: &str) -> ApiToken {
        ApiToken::parse("t", name).unwrap()
    }

    #[test]
    fn the_plan_sets_the_window_until_headers_correct_it() {
        let limits = RateLimits::new(Plan::Lite);
        let a = token("a");
        for _ in 0..20 {
            assert_eq!(limits.admit(&a, false, 1, Priority::Background, 0), Admission::Go);
        }
        assert!(matches!(limits.admit(&a, false, 1, Priority::Background, 0), Admission::Wait(_)));
        // Another token has its own window.
        assert_eq!(limits.admit(&token("b"), false, 1, Priority::Background, 0), Admission::Go);
    }

    #[test]
    fn searches_also_take_a_search_slot() {
        let limits = RateLimits::new(Plan::Premium);
        let a = token("a");
        for _ in 0..SEARCH_LIMIT {
            assert_eq!(limits.admit(&a, true, 20, Priority::Interactive, 0), Admission::Go);
        }
        assert!(matches!(limits.admit(&a, true, 20, Priority::Interactive, 0), Admission::Wait(_)));
        assert_eq!(limits.admit(&a, false, 1, Priority::Interactive, 0), Admission::Go, "plain requests still go");
    }

    #[test]
    fn headers_on_a_search_never_raise_the_search_limit() {
        let limits = RateLimits::new(Plan::Lite);
        let a = token("a");
        assert_eq!(limits.admit(&a, true, 20, Priority::Interactive, 0), Admission::Go);
        // A search answered with the burst window's headers (Lite: 20 per 2 s, 19 left).
        let headers =
            RateHeaders { limit: Some(20), remaining: Some(19), reset_ms: Some(2_000), ..RateHeaders::default() };
        limits.finish(&a, true, Some(headers), 10, false);
        let mut sent = 0;
        while limits.admit(&a, true, 20, Priority::Interactive, 20) == Admission::Go {
            sent += 1;
        }
        assert_eq!(sent, SEARCH_LIMIT - 1, "at most 10 searches per 2 s, whatever the header said");
        let snapshot = limits.snapshot(20);
        assert_eq!(snapshot["tokens"][0]["search"]["limit"], SEARCH_LIMIT);
        assert_eq!(snapshot["tokens"][0]["burst"]["limit"], 20);
    }

    #[test]
    fn background_work_yields_while_interactive_work_waits() {
        let limits = RateLimits::new(Plan::Lite);
        let a = token("a");
        let waiter = limits.interactive_waiter();
        assert_eq!(limits.admit(&a, false, 1, Priority::Background, 0), Admission::Wait(YIELD_MS));
        assert_eq!(limits.admit(&a, false, 1, Priority::Interactive, 0), Admission::Go);
        drop(waiter);
        assert_eq!(limits.admit(&a, false, 1, Priority::Background, 0), Admission::Go);
    }

    #[test]
    fn a_spent_budget_refuses_with_the_reset_time() {
        let limits = RateLimits::new(Plan::Lite);
        let a = token("a");
        let headers = RateHeaders { daily_limit: Some(30_000), daily_remaining: Some(3), ..RateHeaders::default() };
        assert_eq!(limits.admit(&a, false, 1, Priority::Interactive, 0), Admission::Go);
        limits.finish(&a, false, Some(headers), 10, false);
        match limits.admit(&a, false, 5, Priority::Interactive, 20) {
            Admission::Refuse(SyncError::RateLimited {
                scope: RateScope::Daily, retry_after_ms: Some(wait), ..
            }) => assert!(wait > 0),
            other => panic!("expected a daily refusal, got {other:?}"),
        }
    }

    #[test]
    fn a_paused_token_is_refused_until_the_pause_ends() {
        let limits = RateLimits::new(Plan::Lite);
        let a = token("a");
        let refusal = SyncError::Auth { message: "refused".into(), status: Some(401) };
        limits.pause(&a, 1_000, refusal.clone());
        assert_eq!(limits.admit(&a, false, 1, Priority::Interactive, 500), Admission::Refuse(refusal));
        assert_eq!(limits.admit(&a, false, 1, Priority::Interactive, 1_000), Admission::Go);
    }

    #[test]
    fn headers_are_read_leniently() {
        let headers: BTreeMap<String, String> = [
            ("x-ratelimit-limit", "40"),
            ("x-ratelimit-remaining", "39"),
            ("x-ratelimit-reset", "2"),
            ("x-daily-ratelimit-token-limit", "60000"),
            ("x-daily-ratelimit-token-remaining", "nonsense"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let parsed = RateHeaders::of(&HttpResponse { status: 200, headers, body: String::new() });
        assert_eq!(
            parsed,
            RateHeaders {
                limit: Some(40),
                remaining: Some(39),
                reset_ms: Some(2000),
                daily_limit: Some(60_000),
                daily_remaining: None
            }
        );
    }

    #[test]
    fn engines_of_one_process_share_the_limits_of_a_pipedrive() {
        let one = shared_limits("https://shared.test", Plan::Lite);
        let two = shared_limits("https://shared.test", Plan::Lite);
        assert!(Rc::ptr_eq(&one, &two));
        assert!(!Rc::ptr_eq(&one, &shared_limits("https://other.test", Plan::Lite)));
    }
}
