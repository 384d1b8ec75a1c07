//! What each request costs in API tokens (API-FACTS §2.1): the `x-token-cost` of Pipedrive's OpenAPI files for the
//! endpoints this package uses and their neighbours. The emulator's table (`js/emulator` token costs, generated
//! from the same files) is its twin.

/// The cost assumed for an endpoint missing from [`token_cost`]'s table: at the level of a list call, so an
/// unknown endpoint is not undercounted much.
pub const UNKNOWN_ENDPOINT_COST: u32 = 10;

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
