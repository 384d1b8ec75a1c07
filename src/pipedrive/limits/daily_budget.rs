//! The company's daily API token budget as last seen (API-FACTS §6.1); what each request costs is in
//! [`super::token_costs`].
//!
//! The budget is shared by every user and integration of the company and resets at the server's midnight. Once
//! Pipedrive says how much is left (`x-daily-ratelimit-token-*` headers), requests are counted against it locally
//! until the next header, so that work pauses until the reset instead of collecting 429s (DESIGN invariant 6).
//! While nothing is known it never blocks: the headers can be missing.

use serde::Serialize;

/// One day in milliseconds.
const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// The daily budget as last reported by Pipedrive, minus what was spent since.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DailyBudget {
    /// `x-daily-ratelimit-token-limit`, when seen.
    limit: Option<u64>,
    /// Tokens left: the last `x-daily-ratelimit-token-remaining` minus local spending; `None` while unknown.
    remaining: Option<u64>,
    /// When the budget resets: told by a daily 429, or assumed to be the next UTC midnight. Set whenever
    /// `remaining` is known.
    resets_at: Option<i64>,
}

/// The budget as last seen, for diagnostics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BudgetSnapshot {
    /// Tokens per day, when Pipedrive said.
    pub limit: Option<u64>,
    /// Tokens left, when known.
    pub remaining: Option<u64>,
    /// Epoch milliseconds of the next reset, when the remaining count is known.
    pub resets_at: Option<i64>,
}

impl DailyBudget {
    /// A budget not known yet: it never blocks until headers arrive.
    pub fn new() -> Self {
        DailyBudget::default()
    }

    /// Takes in the daily headers of a response received at `now`; absent headers change nothing.
    pub fn observe(&mut self, now: i64, limit: Option<u64>, remaining: Option<u64>) {
        self.forget_after_reset(now);
        if limit.is_some() {
            self.limit = limit;
        }
        if let Some(remaining) = remaining {
            self.remaining = Some(remaining);
            self.resets_at = Some(self.resets_at.filter(|at| *at > now).unwrap_or_else(|| next_utc_midnight(now)));
        }
    }

    /// `Ok`: `cost` is spent (counted locally until the next header). `Err(wait_ms)`: not enough is left; wait
    /// until the reset (at least 1 ms).
    pub fn try_spend(&mut self, now: i64, cost: u32) -> Result<(), u64> {
        self.forget_after_reset(now);
        let (Some(remaining), Some(resets_at)) = (self.remaining, self.resets_at) else {
            return Ok(());
        };
        match remaining.checked_sub(u64::from(cost)) {
            Some(left) => {
                self.remaining = Some(left);
                Ok(())
            }
            None => Err(u64::try_from(resets_at.saturating_sub(now)).unwrap_or(0).max(1)),
        }
    }

    /// Gives back `cost` spent by [`DailyBudget::try_spend`] for a request that was not sent after all.
    pub fn refund(&mut self, cost: u32) {
        if let Some(remaining) = self.remaining {
            self.remaining = Some(remaining.saturating_add(u64::from(cost)));
        }
    }

    /// A daily 429 said the budget is spent until `reset_at` (epoch milliseconds).
    pub fn exhausted_until(&mut self, reset_at: i64) {
        self.remaining = Some(0);
        self.resets_at = Some(reset_at);
    }

    /// The budget as last seen.
    pub fn snapshot(&self) -> BudgetSnapshot {
        BudgetSnapshot { limit: self.limit, remaining: self.remaining, resets_at: self.resets_at }
    }

    /// After the reset the old count means nothing: unknown until the next header.
    fn forget_after_reset(&mut self, now: i64) {
        if self.resets_at.is_some_and(|at| at <= now) {
            self.remaining = None;
            self.resets_at = None;
        }
    }
}

/// The first UTC midnight after `now`: the assumed reset when Pipedrive did not say (its server's midnight is
/// not known to us).
pub fn next_utc_midnight(now: i64) -> i64 {
    now.div_euclid(DAY_MS).saturating_add(1).saturating_mul(DAY_MS)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: i64 = 60 * 60 * 1000;
    /// 2026-03-10T15:00:00Z.
    const AFTERNOON: i64 = 1_773_154_800_000;
    /// 2026-03-11T00:00:00Z.
    const MIDNIGHT: i64 = 1_773_187_200_000;

    #[test]
    fn an_unknown_budget_never_blocks() {
        let mut budget = DailyBudget::new();
        for _ in 0..1_000 {
            assert_eq!(budget.try_spend(AFTERNOON, 40), Ok(()));
        }
        budget.observe(AFTERNOON, Some(30_000), None);
        assert_eq!(budget.try_spend(AFTERNOON, 40), Ok(()));
        assert_eq!(budget.snapshot(), BudgetSnapshot { limit: Some(30_000), remaining: None, resets_at: None });
    }

    #[test]
    fn spending_counts_down_from_the_last_header_and_waits_for_the_midnight_reset() {
        let mut budget = DailyBudget::new();
        budget.observe(AFTERNOON, Some(30_000), Some(12));
        // (cost, expected)
        let cases = [
            (5, Ok(())),
            (5, Ok(())),
            (5, Err((MIDNIGHT - AFTERNOON) as u64)),
            (2, Ok(())),
            (1, Err((MIDNIGHT - AFTERNOON) as u64)),
            (0, Ok(())),
        ];
        for (cost, expected) in cases {
            assert_eq!(budget.try_spend(AFTERNOON, cost), expected, "cost {cost}");
        }
        assert_eq!(
            budget.snapshot(),
            BudgetSnapshot { limit: Some(30_000), remaining: Some(0), resets_at: Some(MIDNIGHT) }
        );
    }

    #[test]
    fn the_next_header_replaces_the_local_count() {
        let mut budget = DailyBudget::new();
        budget.observe(AFTERNOON, None, Some(100));
        budget.try_spend(AFTERNOON, 60).unwrap();
        budget.observe(AFTERNOON + 1, None, Some(90));
        assert_eq!(budget.snapshot().remaining, Some(90));
        budget.observe(AFTERNOON + 2, None, None);
        assert_eq!(budget.snapshot().remaining, Some(90));
    }

    #[test]
    fn after_the_reset_the_budget_is_unknown_again() {
        let mut budget = DailyBudget::new();
        budget.observe(AFTERNOON, Some(100), Some(0));
        assert_eq!(budget.try_spend(MIDNIGHT - 1, 1), Err(1));
        assert_eq!(budget.try_spend(MIDNIGHT, 1), Ok(()));
        assert_eq!(budget.snapshot().remaining, None);
        budget.observe(MIDNIGHT + 5, None, Some(100));
        assert_eq!(budget.snapshot().resets_at, Some(MIDNIGHT + 24 * HOUR));
    }

    #[test]
    fn a_daily_429_sets_the_reset() {
        let mut budget = DailyBudget::new();
        let reset_at = AFTERNOON + 3 * HOUR;
        budget.exhausted_until(reset_at);
        assert_eq!(budget.try_spend(AFTERNOON, 1), Err(3 * HOUR as u64));
        // A later header keeps the reset the 429 told.
        budget.observe(AFTERNOON + 1, Some(30_000), Some(0));
        assert_eq!(budget.snapshot().resets_at, Some(reset_at));
        assert_eq!(budget.try_spend(reset_at, 1), Ok(()));
    }

    #[test]
    fn a_refund_gives_tokens_back() {
        let mut budget = DailyBudget::new();
        budget.observe(AFTERNOON, None, Some(5));
        budget.try_spend(AFTERNOON, 5).unwrap();
        budget.refund(5);
        assert_eq!(budget.try_spend(AFTERNOON, 5), Ok(()));
        let mut unknown = DailyBudget::new();
        unknown.refund(5);
        assert_eq!(unknown.snapshot().remaining, None);
    }

    #[test]
    fn next_utc_midnights() {
        let cases = [
            (AFTERNOON, MIDNIGHT),
            (MIDNIGHT - 1, MIDNIGHT),
            (MIDNIGHT, MIDNIGHT + 24 * HOUR),
            (0, 24 * HOUR),
            (-1, 0),
        ];
        for (now, expected) in cases {
            assert_eq!(next_utc_midnight(now), expected, "{now}");
        }
    }

    #[test]
    fn the_snapshot_serializes_in_camel_case() {
        let mut budget = DailyBudget::new();
        budget.observe(AFTERNOON, Some(150_000), Some(147_002));
        assert_eq!(
            serde_json::to_value(budget.snapshot()).unwrap(),
            serde_json::json!({"limit": 150_000, "remaining": 147_002, "resetsAt": MIDNIGHT})
        );
    }
}
