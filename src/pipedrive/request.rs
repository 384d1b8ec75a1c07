//! Building HTTP requests for Pipedrive: base URL, path, query and the `x-api-token` header.

use std::collections::BTreeMap;

use crate::api_token::ApiToken;
use crate::host::HttpRequest;

/// Builds requests against one Pipedrive base URL with one request timeout.
#[derive(Debug, Clone)]
pub struct RequestBuilder {
    base_url: String,
    timeout_ms: u64,
}

impl RequestBuilder {
    /// A builder for `base_url` (no trailing slash) whose requests time out after `timeout_ms`.
    pub fn new(base_url: impl Into<String>, timeout_ms: u64) -> Self {
        RequestBuilder { base_url: base_url.into(), timeout_ms }
    }

    /// A `GET` of `path` (e.g. `/v1/users`) with `query` pairs, authenticated by `token`.
    pub fn get(&self, token: &ApiToken, path: &str, query: &[(&str, &str)]) -> HttpRequest {
        self.build("GET", token, path, query, None)
    }

    /// A request with a JSON `body`.
    pub fn with_body(&self, method: &str, token: &ApiToken, path: &str, body: &serde_json::Value) -> HttpRequest {
        self.build(method, token, path, &[], Some(body.to_string()))
    }

    fn build(
        &self,
        method: &str,
        token: &ApiToken,
        path: &str,
        query: &[(&str, &str)],
        body: Option<String>,
    ) -> HttpRequest {
        let mut url = format!("{}{}", self.base_url, path);
        for (index, (key, value)) in query.iter().enumerate() {
            url.push(if index == 0 { '?' } else { '&' });
            url.push_str(&encode_query_component(key));
            url.push('=');
            url.push_str(&encode_query_component(value));
        }
        let mut headers = BTreeMap::new();
        headers.insert("accept".to_string(), "application/json".to_string());
        headers.insert("x-api-token".to_string(), token.expose().to_string());
        if body.is_some() {
            headers.insert("content-type".to_string(), "application/json".to_string());
        }
        HttpRequest { method: method.to_string(), url, headers, body, timeout_ms: self.timeout_ms }
    }
}

/// Percent-encodes a query key or value (RFC 3986 unreserved characters stay as they are).
pub fn encode_query_component(text: &str) -> String {
    let mut encoded = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => encoded.push(byte as char),
            _ => encoded.push_str(&format!("%{byte:02X}")),
        }
    }
    encoded
}

/// The path and query of a URL, for logs and messages (never the host's secrets: tokens are in headers).
pub fn path_of(url: &str) -> &str {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    after_scheme.find('/').map_or("/", |index| &after_scheme[index..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_goes_in_a_header_never_in_the_url() {
        let token = ApiToken::parse("t", "secret-token").unwrap();
        let request =
            RequestBuilder::new("https://acme.pipedrive.com", 5000).get(&token, "/v1/users", &[("term", "a b&c")]);
        assert_eq!(request.url, "https://acme.pipedrive.com/v1/users?term=a%20b%26c");
        assert_eq!(request.headers["x-api-token"], "secret-token");
        assert!(!request.url.contains("secret-token"));
        assert_eq!(request.timeout_ms, 5000);
        assert_eq!(request.body, None);
    }

    #[test]
    fn json_bodies_carry_a_content_type() {
        let token = ApiToken::parse("t", "x").unwrap();
        let request = RequestBuilder::new("https://h", 1).with_body(
            "PATCH",
            &token,
            "/api/v2/persons/1",
            &serde_json::json!({"name": "A"}),
        );
        assert_eq!(request.method, "PATCH");
        assert_eq!(request.headers["content-type"], "application/json");
        assert_eq!(request.body.as_deref(), Some(r#"{"name":"A"}"#));
    }

    #[test]
    fn path_of_strips_scheme_and_host() {
        assert_eq!(path_of("https://api.pipedrive.com/v1/users?x=1"), "/v1/users?x=1");
        assert_eq!(path_of("http://127.0.0.1:3000"), "/");
    }
}
