//! What a Pipedrive response (or its absence) means: the success envelope's data, or a classified error with
//! Pipedrive's own words and never the token (API-FACTS §6, §7).

use serde_json::Value;

use crate::error::{RateScope, SyncError};
use crate::host::{HttpResponse, TransportError};
use crate::json::shape::FromJson;
use crate::text::decimal::parse_decimal;

/// What was being done, for messages: e.g. `GET /v1/users`.
pub type Operation<'a> = &'a str;

/// A successful answer: the envelope's `data` and `additional_data` (pagination, cursors).
#[derive(Debug, Clone, PartialEq)]
pub struct Envelope {
    /// `data` (`null` when absent).
    pub data: Value,
    /// `additional_data` (`null` when absent).
    pub additional_data: Value,
}

/// The envelope of a successful answer, or the error the response stands for.
pub fn classify(operation: Operation, response: &HttpResponse) -> Result<Envelope, SyncError> {
    let parsed: Option<Value> = serde_json::from_str(&response.body).ok().filter(Value::is_object);
    let status = response.status;
    let pipedrive_error = parsed
        .as_ref()
        .and_then(|body| body.get("error"))
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| format!("HTTP {status}"));
    match status {
        200..=299 => match parsed {
            Some(body) if body.get("success") == Some(&Value::Bool(false)) => Err(SyncError::Unavailable {
                message: format!("Pipedrive answered {operation} with success=false: {pipedrive_error}"),
                status: Some(status),
            }),
            Some(mut body) => Ok(Envelope {
                data: body.get_mut("data").map(Value::take).unwrap_or(Value::Null),
                additional_data: body.get_mut("additional_data").map(Value::take).unwrap_or(Value::Null),
            }),
            None => Err(not_json(operation, response)),
        },
        // Redirects are never followed (the token would travel to whatever host a 3xx names): an error that names
        // the status and where it pointed, never retried.
        300..=399 => Err(SyncError::Rejected {
            status,
            message: format!(
                "Pipedrive answered {operation} with a redirect ({status}{}); redirects are not followed, so that the API token is never sent to another host: check pipedrive.baseUrl",
                response.header("location").and_then(redirect_host).map(|host| format!(" to {host}")).unwrap_or_default()
            ),
        }),
        401 => Err(SyncError::Auth {
            message: format!(
                "Pipedrive refused the API token on {operation} (401 {pipedrive_error}); check the token under Personal preferences → API"
            ),
            status: Some(status),
        }),
        402 => Err(SyncError::Auth {
            message: format!("the Pipedrive company account is not open (402 {pipedrive_error}); check its subscription"),
            status: Some(status),
        }),
        403 if parsed.is_none() => Err(SyncError::RateLimited {
            message: format!(
                "Pipedrive blocked {operation} with a non-JSON 403 page after rate-limit responses; work stops until the block lifts"
            ),
            retry_after_ms: None,
            scope: RateScope::Blocked,
        }),
        403 => Err(SyncError::Auth {
            message: format!("Pipedrive forbids {operation} for this token (403 {pipedrive_error})"),
            status: Some(status),
        }),
        404 | 410 => Err(SyncError::not_found(format!("Pipedrive has no such record for {operation} ({status} {pipedrive_error})"))),
        429 => {
            let scope = rate_scope(operation, response);
            let what = match scope {
                RateScope::Daily => "the company's daily API token budget is spent",
                RateScope::Search => "the search limit (10 per 2 s) was hit",
                _ => "the rate limit was hit",
            };
            Err(SyncError::RateLimited {
                message: format!("Pipedrive says {what} on {operation} ({pipedrive_error})"),
                retry_after_ms: retry_after_ms(response),
                scope,
            })
        }
        // 501 (not implemented) and 505 will not change on a retry; the other 5xx are transient.
        500 | 502..=504 | 506..=599 => Err(SyncError::Unavailable {
            message: format!("Pipedrive failed on {operation} ({status} {pipedrive_error})"),
            status: Some(status),
        }),
        _ => Err(SyncError::Rejected { status, message: format!("{pipedrive_error} ({operation})") }),
    }
}

/// The scheme and host of a redirect's `Location` (its path and query may carry anything, so they are left out).
fn redirect_host(location: &str) -> Option<String> {
    let (scheme, rest) = location.split_once("://")?;
    let host = rest.split(['/', '?', '#']).next().filter(|host| !host.is_empty())?;
    let host = host.rsplit('@').next().unwrap_or(host);
    Some(format!("{scheme}://{host}"))
}

/// The error for a request that got no response.
pub fn transport_failure(operation: Operation, failure: &TransportError, timeout_ms: u64) -> SyncError {
    let message = match failure {
        TransportError::Network { message } => {
            format!("could not reach Pipedrive for {operation}: {message}")
        }
        TransportError::Timeout { .. } => {
            format!("Pipedrive did not answer {operation} within {timeout_ms} ms")
        }
    };
    SyncError::Unavailable { message, status: None }
}

/// Which limit a 429 is about: the daily budget when the budget header says nothing is left, the search window
/// on search endpoints, the burst window otherwise.
fn rate_scope(operation: Operation, response: &HttpResponse) -> RateScope {
    let budget_left =
        response.header("x-daily-ratelimit-token-remaining").and_then(|value| parse_decimal(value.trim()));
    if budget_left.is_some_and(|left| left <= 0.0) {
        RateScope::Daily
    } else if operation.ends_with("/search") {
        RateScope::Search
    } else {
        RateScope::Burst
    }
}

/// How long a 429 asks us to wait: `x-ratelimit-reset` (seconds left in the window) or `Retry-After` (seconds).
pub fn retry_after_ms(response: &HttpResponse) -> Option<u64> {
    ["retry-after", "x-ratelimit-reset"]
        .iter()
        .filter_map(|name| response.header(name))
        .filter_map(|value| parse_decimal(value.trim()))
        .filter(|seconds| seconds.is_finite() && *seconds >= 0.0)
        .map(|seconds| (seconds * 1000.0).ceil() as u64)
        .max()
}

fn not_json(operation: Operation, response: &HttpResponse) -> SyncError {
    let content_type = response.header("content-type").unwrap_or("no content type");
    SyncError::Unavailable {
        message: format!(
            "Pipedrive answered {operation} with a body that is not a JSON object (status {}, {content_type})",
            response.status
        ),
        status: Some(response.status),
    }
}

/// Reads a list out of a response's `data` (`null` is an empty list). A list of another shape means Pipedrive
/// answered something this package does not understand: `UNAVAILABLE`, naming `what` ("Pipedrive's `what`
/// has an unexpected shape"), so the work is retried rather than acted on.
pub fn parse_list<T: FromJson>(data: Value, what: &str) -> Result<Vec<T>, SyncError> {
    if data.is_null() {
        return Ok(Vec::new());
    }
    Vec::<T>::from_json(&data).map_err(|error| SyncError::Unavailable {
        message: format!("Pipedrive's {what} has an unexpected shape: {error}"),
        status: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn response(status: u16, body: &str, headers: &[(&str, &str)]) -> HttpResponse {
        let headers: BTreeMap<String, String> = headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        HttpResponse { status, headers, body: body.to_string() }
    }

    fn error_body(text: &str) -> String {
        serde_json::json!({"success": false, "error": text, "error_info": "Please check developers.pipedrive.com", "data": null}).to_string()
    }

    #[test]
    fn success_yields_the_data() {
        let data =
            classify("GET /v1/users", &response(200, r#"{"success":true,"data":[{"id":1}]}"#, &[])).unwrap().data;
        assert_eq!(data, serde_json::json!([{"id": 1}]));
        let empty = classify(
            "GET /v1/users",
            &response(200, r#"{"success":true,"data":null,"additional_data":{"next_cursor":null}}"#, &[]),
        )
        .unwrap();
        assert_eq!(empty.data, Value::Null);
        assert_eq!(empty.additional_data, serde_json::json!({"next_cursor": null}));
    }

    #[test]
    fn statuses_map_to_codes() {
        let cases: [(u16, &str, &str); 12] = [
            (400, "VALIDATION", "json"),
            (401, "AUTH", "json"),
            (402, "AUTH", "json"),
            (403, "AUTH", "json"),
            (403, "RATE_LIMITED", "html"),
            (404, "NOT_FOUND", "json"),
            (410, "NOT_FOUND", "json"),
            (422, "VALIDATION", "json"),
            (429, "RATE_LIMITED", "json"),
            (500, "UNAVAILABLE", "json"),
            (503, "UNAVAILABLE", "json"),
            (200, "UNAVAILABLE", "html"),
        ];
        for (status, code, body_kind) in cases {
            let body =
                if body_kind == "html" { "<html>Access denied</html>".to_string() } else { error_body("some error") };
            let error = classify("GET /v1/users", &response(status, &body, &[])).unwrap_err();
            assert_eq!(error.code(), code, "{status} {body_kind}");
            assert!(error.to_string().contains("GET /v1/users") || status == 402, "{error}");
        }
    }

    #[test]
    fn errors_carry_pipedrive_words() {
        let error = classify("GET /v1/users", &response(401, &error_body("unauthorized access"), &[])).unwrap_err();
        assert!(error.to_string().contains("unauthorized access"), "{error}");
        assert_eq!(error.details()["status"], 401);
    }

    #[test]
    fn a_429_carries_the_wait_from_the_headers() {
        let error =
            classify("GET /v1/users", &response(429, &error_body("Request over limit"), &[("x-ratelimit-reset", "2")]))
                .unwrap_err();
        assert_eq!(
            error,
            SyncError::RateLimited {
                message: "Pipedrive says the rate limit was hit on GET /v1/users (Request over limit)".into(),
                retry_after_ms: Some(2000),
                scope: RateScope::Burst,
            }
        );
        let both = response(429, "{}", &[("x-ratelimit-reset", "1"), ("retry-after", "3")]);
        assert_eq!(retry_after_ms(&both), Some(3000));
        assert_eq!(retry_after_ms(&response(429, "{}", &[("retry-after", "soon")])), None);
    }

    #[test]
    fn a_redirect_is_an_error_naming_the_status_and_host_never_followed() {
        let mut headers = std::collections::BTreeMap::new();
        headers.insert("location".to_string(), "https://user:pw@evil.example/steal?x=1".to_string());
        let response = HttpResponse { status: 302, headers, body: String::new() };
        let error = classify("GET /api/v2/persons/1", &response).unwrap_err();
        assert_eq!(error.code(), "VALIDATION", "a rejection: never retried");
        let message = error.to_string();
        assert!(message.contains("(302 to https://evil.example)"), "{message}");
        assert!(!message.contains("steal") && !message.contains("pw"), "{message}");
    }

    #[test]
    fn transport_failures_are_unavailable() {
        let timeout = transport_failure("GET /v1/users", &TransportError::Timeout { message: "aborted".into() }, 1500);
        assert_eq!(timeout.code(), "UNAVAILABLE");
        assert!(timeout.to_string().contains("within 1500 ms"));
        let network =
            transport_failure("GET /v1/users", &TransportError::Network { message: "ECONNREFUSED".into() }, 1);
        assert!(network.to_string().contains("ECONNREFUSED"));
    }

    #[test]
    fn a_429_names_its_limit() {
        let body = error_body("Request over limit");
        let daily = response(429, &body, &[("x-daily-ratelimit-token-remaining", "0"), ("x-ratelimit-reset", "3600")]);
        let error = classify("POST /api/v2/persons", &daily).unwrap_err();
        assert_eq!(error.details()["scope"], "daily");
        assert_eq!(error.details()["retryAfterMs"], 3_600_000);
        let search = classify("GET /api/v2/persons/search", &response(429, &body, &[])).unwrap_err();
        assert_eq!(search.details()["scope"], "search");
        let burst = response(429, &body, &[("x-daily-ratelimit-token-remaining", "120")]);
        assert_eq!(classify("GET /api/v2/persons", &burst).unwrap_err().details()["scope"], "burst");
        let blocked = classify("GET /api/v2/persons", &response(403, "<html>", &[])).unwrap_err();
        assert_eq!(blocked.details()["scope"], "blocked");
    }

    #[test]
    fn a_501_is_not_transient() {
        assert_eq!(classify("GET /x", &response(501, &error_body("nope"), &[])).unwrap_err().code(), "VALIDATION");
        assert_eq!(classify("GET /x", &response(502, &error_body("bad gw"), &[])).unwrap_err().code(), "UNAVAILABLE");
    }
}
