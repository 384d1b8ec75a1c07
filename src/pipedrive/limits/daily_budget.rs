//! The company's daily API token budget as last seen, and what each request costs (API-FACTS §2.1, §6.1).
//!
//! The budget is shared by every user and integration of the company and resets at the server's midnight. Once
//! Pipedrive says how much is left (`x-daily-ratelimit-token-*` headers), requests are counted against it locally
//! until the next header, so that work pauses until the reset instead of collecting 429s (DESIGN invariant 6).
//! While nothing is known it never blocks: the headers can be missing.

use serde::Serialize;

/// One day in milliseconds.
const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// The cost assumed for an endpoint missing from [`token_cost`]'s table: at the level of a list call, so an
/// unknown endpoint is not undercounted much.
pub const UNKNOWN_ENDPOINT_COST: u32 = 10;

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

/// Which API a path belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ApiVersion {
    V1,
    V2,
}

/// Path prefixes that name the API version, as in `https://api.pipedrive.com/api/v2/persons`.
const VERSION_PREFIXES: [(&str, ApiVersion); 3] =
    [("/api/v2/", ApiVersion::V2), ("/api/v1/", ApiVersion::V1), ("/v1/", ApiVersion::V1)];

/// The v1 and v2 entities with create, get, list, update, delete.
const ENTITIES: [&str; 4] = ["persons", "organizations", "deals", "activities"];
/// The entities with a `/search` endpoint.
const SEARCHABLE: [&str; 3] = ["persons", "organizations", "deals"];
/// The v1 field definitions (with their label options).
const FIELD_SETS: [&str; 2] = ["personFields", "organizationFields"];

/// The token cost of a request: `x-token-cost` of `openapi-v2.yaml` / `openapi-v1.yaml` (2025-10 snapshot) for
/// the endpoints this package uses and their neighbours; [`UNKNOWN_ENDPOINT_COST`] for anything else.
///
/// `path` may be a full URL or a path, with or without a query, in the `/api/v2/...`, `/v1/...` or
/// `/api/v1/...` form; numeric segments are ids.
pub fn token_cost(method: &str, path: &str) -> u32 {
    let method = method.to_ascii_uppercase();
    let Some((version, segments)) = endpoint_of(path) else {
        return UNKNOWN_ENDPOINT_COST;
    };
    let cost = match version {
        ApiVersion::V2 => v2_cost(&method, &segments),
        ApiVersion::V1 => v1_cost(&method, &segments),
    };
    cost.unwrap_or(UNKNOWN_ENDPOINT_COST)
}

/// The API version and the path segments after it, without query, fragment or empty segments.
fn endpoint_of(path: &str) -> Option<(ApiVersion, Vec<&str>)> {
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let (start, prefix, version) = VERSION_PREFIXES
        .iter()
        .filter_map(|(prefix, version)| path.find(prefix).map(|at| (at, *prefix, *version)))
        .min_by_key(|(at, _, _)| *at)?;
    let rest = &path[start + prefix.len()..];
    Some((version, rest.split('/').filter(|s| !s.is_empty()).collect()))
}

fn is_id(segment: &str) -> bool {
    !segment.is_empty() && segment.bytes().all(|byte| byte.is_ascii_digit())
}

fn v2_cost(method: &str, segments: &[&str]) -> Option<u32> {
    let cost = match (method, segments) {
        ("GET", ["itemSearch"] | ["itemSearch", "field"]) => 20,
        ("GET", ["deals", "archived"]) => 20,
        ("GET", [entity, "search"]) if SEARCHABLE.contains(entity) => 20,
        ("GET", [entity]) if ENTITIES.contains(entity) => 10,
        ("POST", [entity]) if ENTITIES.contains(entity) => 5,
        ("GET", [entity, id]) if ENTITIES.contains(entity) && is_id(id) => 1,
        ("PATCH", [entity, id]) if ENTITIES.contains(entity) && is_id(id) => 5,
        ("DELETE", [entity, id]) if ENTITIES.contains(entity) && is_id(id) => 3,
        _ => return None,
    };
    Some(cost)
}

fn v1_cost(method: &str, segments: &[&str]) -> Option<u32> {
    let cost = match (method, segments) {
        ("GET", ["users"]) => 20,
        ("GET", ["users", "me"]) => 2,
        ("GET", ["users", "find"]) => 40,
        ("GET", ["users", id]) if is_id(id) => 2,
        ("GET", ["activityTypes"]) => 20,
        ("POST", ["activityTypes"]) => 10,
        ("PUT", ["activityTypes", id]) if is_id(id) => 10,
        ("DELETE", ["activityTypes", id]) if is_id(id) => 6,
        ("GET", ["itemSearch"] | ["itemSearch", "field"]) => 40,
        ("GET", [fields]) if FIELD_SETS.contains(fields) => 20,
        ("POST", [fields]) if FIELD_SETS.contains(fields) => 10,
        ("GET", [fields, id]) if FIELD_SETS.contains(fields) && is_id(id) => 2,
        ("PUT", [fields, id]) if FIELD_SETS.contains(fields) && is_id(id) => 10,
        ("DELETE", [fields, id]) if FIELD_SETS.contains(fields) && is_id(id) => 6,
        _ => return v1_entity_cost(method, segments),
    };
    Some(cost)
}

/// The deprecated v1 entity endpoints (API-FACTS §8), priced in case anything still calls them.
fn v1_entity_cost(method: &str, segments: &[&str]) -> Option<u32> {
    let cost = match (method, segments) {
        ("GET", [entity, "search"]) if SEARCHABLE.contains(entity) => 40,
        ("GET", [entity, "collection"]) if ENTITIES.contains(entity) => 10,
        ("GET", [entity]) if ENTITIES.contains(entity) => 20,
        ("POST", [entity]) if ENTITIES.contains(entity) => 10,
        ("GET", [entity, id]) if ENTITIES.contains(entity) && is_id(id) => 2,
        ("PUT", [entity, id]) if ENTITIES.contains(entity) && is_id(id) => 10,
        ("DELETE", [entity, id]) if ENTITIES.contains(entity) && is_id(id) => 6,
        _ => return None,
    };
    Some(cost)
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

    #[test]
    fn every_endpoint_the_package_uses_has_its_openapi_cost() {
        // (method, path, x-token-cost from openapi-v2.yaml / openapi-v1.yaml)
        let mut cases: Vec<(&str, String, u32)> = Vec::new();
        for entity in ["persons", "organizations", "activities", "deals"] {
            cases.push(("POST", format!("/api/v2/{entity}"), 5));
            cases.push(("GET", format!("/api/v2/{entity}/123"), 1));
            cases.push(("GET", format!("/api/v2/{entity}"), 10));
            cases.push(("GET", format!("/api/v2/{entity}?ids=1,2,3&limit=100"), 10));
            cases.push(("PATCH", format!("/api/v2/{entity}/123"), 5));
            cases.push(("DELETE", format!("/api/v2/{entity}/123"), 3));
        }
        for entity in ["persons", "organizations", "deals"] {
            cases.push(("GET", format!("/api/v2/{entity}/search?term=a%40b.c&exact_match=true"), 20));
        }
        for (method, path, cost) in [
            ("GET", "/v1/users", 20),
            ("GET", "/v1/users/me", 2),
            ("GET", "/v1/users/find?term=a%40b.c&search_by_email=1", 40),
            ("GET", "/v1/users/42", 2),
            ("GET", "/v1/personFields", 20),
            ("GET", "/v1/personFields/9", 2),
            ("PUT", "/v1/personFields/9", 10),
            ("POST", "/v1/personFields", 10),
            ("GET", "/v1/organizationFields", 20),
            ("GET", "/v1/organizationFields/9", 2),
            ("PUT", "/v1/organizationFields/9", 10),
            ("GET", "/v1/activityTypes", 20),
            ("GET", "/api/v2/itemSearch", 20),
            ("GET", "/api/v2/itemSearch/field", 20),
            ("GET", "/v1/itemSearch", 40),
            ("GET", "/api/v2/deals/archived", 20),
        ] {
            cases.push((method, path.to_string(), cost));
        }
        for (method, path, expected) in cases {
            assert_eq!(token_cost(method, &path), expected, "{method} {path}");
        }
    }

    #[test]
    fn path_forms_are_recognised() {
        let cases = [
            ("GET", "/api/v1/users/me", 2),
            ("get", "/v1/users/me", 2),
            ("GET", "https://api.pipedrive.com/v1/users/me", 2),
            ("GET", "https://acme.pipedrive.com/api/v2/persons/7/", 1),
            ("GET", "http://127.0.0.1:4010/api/v2/persons?cursor=abc", 10),
            ("GET", "http://localhost/proxy/api/v2/persons/search?term=x", 20),
            ("patch", "/api/v2/organizations/55#x", 5),
            ("GET", "/v1/persons/123", 2),
            ("PUT", "/v1/persons/123", 10),
            ("DELETE", "/v1/organizations/123", 6),
            ("GET", "/v1/deals/search?term=x", 40),
            ("GET", "/v1/persons/collection", 10),
        ];
        for (method, path, expected) in cases {
            assert_eq!(token_cost(method, path), expected, "{method} {path}");
        }
    }

    #[test]
    fn unknown_endpoints_cost_a_conservative_ten() {
        for (method, path) in [
            ("GET", "/api/v2/persons/abc"),
            ("GET", "/api/v2/activities/search"),
            ("PUT", "/api/v2/persons/1"),
            ("PATCH", "/v1/persons/1"),
            ("GET", "/api/v2/users/me"),
            ("GET", "/persons/1"),
            ("GET", ""),
            ("GET", "/api/v2/"),
            ("GET", "/v1/webhooks"),
            ("POST", "/api/v2/persons/1/followers"),
        ] {
            assert_eq!(token_cost(method, path), UNKNOWN_ENDPOINT_COST, "{method} {path}");
        }
    }
}
