//! Engine configuration: the data part of `createPipedriveSync(config)`, validated with errors that name the
//! setting and the rule.
//!
//! The JavaScript facade checks the function-valued settings (store, http, clocks, `apiTokenFor`) and passes the
//! rest here as JSON.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::api_token::ApiToken;
use crate::error::SyncError;
use crate::json_args::{WARMNESS_MAX, WARMNESS_MIN};

/// How long a claimed job stays leased by default: longer than any attempt with its retries can take (the
/// configuration refuses options under which one could take longer).
pub const DEFAULT_LEASE_MS: u64 = 5 * 60 * 1000;

/// How long past a request's own timeout the engine waits for the host before treating it as timed out.
pub const HOST_GRACE_MS: u64 = 1_000;
/// A single wait inside one call is at most `maxDelayMs` or this, whichever is longer: Pipedrive's normal 429
/// resets (2 s windows) are waited out, a wait of an hour or a day is not.
pub const MIN_WAIT_CAP_MS: u64 = 60_000;

/// Where Pipedrive lives when no `baseUrl` is given.
pub const DEFAULT_BASE_URL: &str = "https://api.pipedrive.com";

/// Pipedrive subscription plans; they set the default burst limit until headers tell the real one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plan {
    /// 20 requests per 2 s per token.
    Lite,
    /// 40 requests per 2 s per token.
    Growth,
    /// 100 requests per 2 s per token.
    Premium,
    /// 120 requests per 2 s per token.
    Ultimate,
}

/// How a field changed on both sides is settled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConflictStrategy {
    /// The newer side wins.
    LastWriteWins,
    /// A person decides; the conflict is recorded.
    Manual,
    /// Values are merged where they can be (lists, labels); otherwise the newer side wins.
    AutoMerge,
}

/// A per-user request allowance for user-initiated operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UserThrottle {
    /// Requests allowed per window.
    pub requests: u32,
    /// Window length in milliseconds.
    pub per_ms: u64,
}

/// The tunable behaviour of the engine (`options` in the config), with the documented defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct SyncOptions {
    /// Warmness score at which a contact becomes a warm lead.
    pub warm_lead_threshold: i64,
    /// Name of the label applied to warm leads.
    pub warm_lead_label: String,
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// First backoff step.
    pub base_delay_ms: u64,
    /// Longest single backoff.
    pub max_delay_ms: u64,
    /// Timeout of one HTTP request.
    pub request_timeout_ms: u64,
    /// How long cached Pipedrive metadata (users, fields, activity types) stays fresh.
    pub cache_ttl_ms: u64,
    /// Overrides of the CRM activity type → Pipedrive type mapping.
    pub activity_type_map: BTreeMap<String, String>,
    /// Default merge strategy for conflicts.
    pub conflict_strategy: ConflictStrategy,
    /// Who wins a last-write-wins tie (the same second): `true` for Pipedrive, `false` (default) for the CRM.
    pub tie_to_pipedrive: bool,
    /// Fields pinned whatever the strategy: v2 or update field name → one of [`FIELD_RULE_NAMES`].
    pub field_rules: BTreeMap<String, String>,
    /// Per-user throttle for user-initiated work.
    pub user_throttle: UserThrottle,
    /// How many jobs a drain runs at once unless it is told otherwise (a batch update runs its items in order).
    pub batch_concurrency: u32,
    /// The account's plan.
    pub plan: Plan,
    /// The CRM's IANA time zone: the calendar day of all-day activities.
    pub time_zone: String,
    /// Replicate a contact's earlier activities when it becomes a warm lead.
    pub backfill_activities: bool,
    /// Per record type, the `Update*Data` fields whose changes in Pipedrive are written on the local record
    /// (`options.pullFields`; none by default: the CRM stays authoritative). Names among [`PULLABLE_FIELDS`].
    pub pull_fields: Vec<(String, Vec<String>)>,
    /// Pace requests through the store together with every other process on the token (`options.sharedPacing`,
    /// DESIGN §13). The facade turns it on by default when the store implements `swapPacing`.
    pub shared_pacing: bool,
}

impl SyncOptions {
    /// The longest one attempt with its immediate retries can take: every try timing out, and the longest wait
    /// between tries (`maxDelayMs`, or a server-given wait up to [`MIN_WAIT_CAP_MS`]).
    pub fn longest_attempt_ms(&self) -> u64 {
        let retries = u64::from(self.max_retries);
        (retries + 1) * self.request_timeout_ms + retries * self.max_delay_ms.max(MIN_WAIT_CAP_MS)
    }

    /// The shortest lease a drain may take: twice the longest a request can be in flight. A running job renews its
    /// lease, but a dead worker cannot, and a shorter lease could end while its last request is still on its way to
    /// Pipedrive, letting another worker send the same create.
    pub fn min_lease_ms(&self) -> u64 {
        2 * (self.request_timeout_ms + HOST_GRACE_MS)
    }
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions {
            warm_lead_threshold: 4,
            warm_lead_label: "Warm Lead".to_string(),
            max_retries: 3,
            base_delay_ms: 500,
            max_delay_ms: 30_000,
            request_timeout_ms: 10_000,
            cache_ttl_ms: 10 * 60 * 1000,
            activity_type_map: BTreeMap::new(),
            conflict_strategy: ConflictStrategy::LastWriteWins,
            tie_to_pipedrive: false,
            field_rules: BTreeMap::new(),
            user_throttle: UserThrottle { requests: 10, per_ms: 60_000 },
            batch_concurrency: 5,
            plan: Plan::Lite,
            time_zone: "UTC".to_string(),
            backfill_activities: true,
            pull_fields: Vec::new(),
            shared_pacing: false,
        }
    }
}

/// The CRM's activity types, the keys `activityTypeMap` may override.
pub const CRM_ACTIVITY_TYPES: [&str; 6] = ["CALL", "EMAIL", "MEETING", "LINKEDIN", "REFERRAL", "CONFERENCE"];

/// The validated engine configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct EngineConfig {
    /// The company-wide token, when one was given.
    pub api_token: Option<ApiToken>,
    /// Whether the host resolves per-user tokens (`apiTokenFor`).
    pub per_user_tokens: bool,
    /// Base URL without a trailing slash, e.g. `https://api.pipedrive.com`.
    pub base_url: String,
    /// Tunable behaviour.
    pub options: SyncOptions,
    /// The Basic auth Pipedrive's webhook deliveries must carry (`webhooks`), when webhooks are taken in.
    pub webhooks: Option<WebhookAuth>,
}

/// The credentials of webhook deliveries (`webhooks: {username, password}`). Debug never shows the password.
#[derive(Clone, PartialEq)]
pub struct WebhookAuth {
    /// The user name.
    pub username: String,
    /// The password: a secret, never logged or answered.
    pub password: String,
}

impl std::fmt::Debug for WebhookAuth {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "WebhookAuth {{ username: {:?}, password: <redacted> }}", self.username)
    }
}

/// The fields `options.pullFields` may name per record type: those the reference models hold.
pub const PULLABLE_FIELDS: [(&str, &[&str]); 3] = [
    ("person", &["name", "email", "phone"]),
    ("organization", &["name", "country", "address"]),
    ("activity", &["subject", "note", "done"]),
];

impl EngineConfig {
    /// What an engine runs with, for `describe()`: no secrets (the token kind, never the token).
    pub fn describe(&self) -> serde_json::Value {
        serde_json::json!({
            "version": env!("CARGO_PKG_VERSION"),
            "baseUrl": self.base_url,
            "tokens": if self.api_token.is_some() { "company" } else { "per-user" },
            "warmLeadThreshold": self.options.warm_lead_threshold,
            "warmLeadLabel": self.options.warm_lead_label,
            "maxRetries": self.options.max_retries,
            "plan": format!("{:?}", self.options.plan).to_ascii_lowercase(),
        })
    }

    /// Validates the JSON the facade passes: `{pipedrive: {apiToken?, baseUrl?, perUserTokens}, options?}`.
    pub fn from_json(value: &Value) -> Result<Self, SyncError> {
        let root = object(value, "config")?;
        reject_unknown(root, "", &["pipedrive", "options", "webhooks"])?;
        let pipedrive = match root.get("pipedrive") {
            Some(value) => object(value, "pipedrive")?,
            None => return Err(SyncError::config("pipedrive", "is required: pass { apiToken } or { apiTokenFor }")),
        };
        reject_unknown(pipedrive, "pipedrive.", &["apiToken", "baseUrl", "perUserTokens"])?;
        let api_token = match pipedrive.get("apiToken") {
            None | Some(Value::Null) => None,
            Some(Value::String(token)) => Some(ApiToken::parse("pipedrive.apiToken", token)?),
            Some(_) => return Err(SyncError::config("pipedrive.apiToken", "must be a string")),
        };
        let per_user_tokens = matches!(pipedrive.get("perUserTokens"), Some(Value::Bool(true)));
        if api_token.is_none() && !per_user_tokens {
            return Err(SyncError::config(
                "pipedrive.apiToken",
                "is required unless pipedrive.apiTokenFor is given (get a token under Personal preferences → API in Pipedrive)",
            ));
        }
        let base_url = match pipedrive.get("baseUrl") {
            None | Some(Value::Null) => DEFAULT_BASE_URL.to_string(),
            Some(Value::String(url)) => parse_base_url(url)?,
            Some(_) => return Err(SyncError::config("pipedrive.baseUrl", "must be a string")),
        };
        if let Some(token) = api_token.as_ref() {
            // Real tokens are 40 characters; a very short one would match ordinary letters of any URL.
            if token.expose().len() >= 8 && base_url.contains(token.expose()) {
                // Refused without repeating either: the message must not carry the token.
                return Err(SyncError::config(
                    "pipedrive.baseUrl",
                    "must not contain the API token (it travels in the x-api-token header only)",
                ));
            }
        }
        let options = match root.get("options") {
            None | Some(Value::Null) => SyncOptions::default(),
            Some(value) => parse_options(object(value, "options")?)?,
        };
        let webhooks = match root.get("webhooks") {
            None | Some(Value::Null) => None,
            Some(value) => Some(webhook_auth(object(value, "webhooks")?)?),
        };
        Ok(EngineConfig { api_token, per_user_tokens, base_url, options, webhooks })
    }
}

/// The rules `options.fieldRules` may pin a field with.
pub const FIELD_RULE_NAMES: [&str; 4] = ["local-owns", "remote-owns", "manual", "ignore"];

const OPTION_NAMES: [&str; 18] = [
    "warmLeadThreshold",
    "warmLeadLabel",
    "maxRetries",
    "baseDelayMs",
    "maxDelayMs",
    "requestTimeoutMs",
    "cacheTtlMs",
    "activityTypeMap",
    "conflictStrategy",
    "conflictTie",
    "fieldRules",
    "userThrottle",
    "batchConcurrency",
    "plan",
    "timeZone",
    "backfillActivities",
    "pullFields",
    "sharedPacing",
];

fn parse_options(map: &Map<String, Value>) -> Result<SyncOptions, SyncError> {
    reject_unknown(map, "options.", &OPTION_NAMES)?;
    let mut options = SyncOptions::default();
    for (name, value) in map {
        let field = format!("options.{name}");
        match name.as_str() {
            "warmLeadThreshold" => {
                options.warm_lead_threshold = integer(value, &field, WARMNESS_MIN as u64, WARMNESS_MAX as u64)? as i64
            }
            "warmLeadLabel" => options.warm_lead_label = non_empty_string(value, &field)?,
            "maxRetries" => options.max_retries = integer(value, &field, 0, 10)? as u32,
            "baseDelayMs" => options.base_delay_ms = integer(value, &field, 1, 600_000)?,
            "maxDelayMs" => options.max_delay_ms = integer(value, &field, 1, 3_600_000)?,
            "requestTimeoutMs" => options.request_timeout_ms = integer(value, &field, 100, 600_000)?,
            "cacheTtlMs" => options.cache_ttl_ms = integer(value, &field, 0, 86_400_000)?,
            "activityTypeMap" => options.activity_type_map = activity_type_map(value, &field)?,
            "conflictStrategy" => {
                options.conflict_strategy = match value.as_str() {
                    Some("last-write-wins") => ConflictStrategy::LastWriteWins,
                    Some("manual") => ConflictStrategy::Manual,
                    Some("auto-merge") => ConflictStrategy::AutoMerge,
                    _ => return Err(SyncError::config(field, "must be 'last-write-wins', 'manual' or 'auto-merge'")),
                }
            }
            "conflictTie" => {
                options.tie_to_pipedrive = match value.as_str() {
                    Some("local") => false,
                    Some("pipedrive") => true,
                    _ => return Err(SyncError::config(field, "must be 'local' or 'pipedrive'")),
                }
            }
            "fieldRules" => options.field_rules = field_rules(value, &field)?,
            "userThrottle" => options.user_throttle = user_throttle(value, &field)?,
            "timeZone" => options.time_zone = non_empty_string(value, &field)?,
            "backfillActivities" => {
                options.backfill_activities =
                    value.as_bool().ok_or_else(|| SyncError::config(field.clone(), "must be true or false"))?
            }
            "pullFields" => options.pull_fields = pull_fields(value, &field)?,
            "sharedPacing" => {
                options.shared_pacing =
                    value.as_bool().ok_or_else(|| SyncError::config(field.clone(), "must be true or false"))?
            }
            "batchConcurrency" => options.batch_concurrency = integer(value, &field, 1, 50)? as u32,
            "plan" => {
                options.plan = match value.as_str() {
                    Some("lite") => Plan::Lite,
                    Some("growth") => Plan::Growth,
                    Some("premium") => Plan::Premium,
                    Some("ultimate") => Plan::Ultimate,
                    _ => return Err(SyncError::config(field, "must be 'lite', 'growth', 'premium' or 'ultimate'")),
                }
            }
            _ => unreachable_option(name)?,
        }
    }
    if options.base_delay_ms > options.max_delay_ms {
        return Err(SyncError::config("options.baseDelayMs", "must not exceed options.maxDelayMs"));
    }
    let longest = options.longest_attempt_ms();
    if longest > DEFAULT_LEASE_MS {
        return Err(SyncError::config(
            "options.requestTimeoutMs",
            format!(
                "with maxRetries {} and maxDelayMs {}, one attempt may take {} s, longer than a job's lease ({} s): \
                 lower requestTimeoutMs, maxRetries or maxDelayMs",
                options.max_retries,
                options.max_delay_ms,
                longest.div_ceil(1000),
                DEFAULT_LEASE_MS / 1000
            ),
        ));
    }
    Ok(options)
}

/// `{field: rule}` with rules among [`FIELD_RULE_NAMES`]; the error names `options.fieldRules.<field>`.
fn field_rules(value: &Value, field: &str) -> Result<BTreeMap<String, String>, SyncError> {
    let object = value.as_object().ok_or_else(|| SyncError::config(field, "must be an object of field → rule"))?;
    let mut rules = BTreeMap::new();
    for (name, rule) in object {
        let Some(rule) = rule.as_str().filter(|rule| FIELD_RULE_NAMES.contains(rule)) else {
            return Err(SyncError::config(
                format!("{field}.{name}"),
                "must be 'local-owns', 'remote-owns', 'manual' or 'ignore'",
            ));
        };
        rules.insert(name.clone(), rule.to_string());
    }
    Ok(rules)
}

/// `{recordType: [field, ...]}` with names among [`PULLABLE_FIELDS`]; the error names the entry.
fn pull_fields(value: &Value, field: &str) -> Result<Vec<(String, Vec<String>)>, SyncError> {
    // One entry per record type (a JSON object has each key once), in key order.
    let mut result = Vec::new();
    for (record_type, names) in object(value, field)? {
        let Some((_, allowed)) = PULLABLE_FIELDS.iter().find(|(name, _)| name == record_type) else {
            return Err(SyncError::config(
                format!("{field}.{record_type}"),
                "must be 'person', 'organization' or 'activity'",
            ));
        };
        let list = names
            .as_array()
            .ok_or_else(|| SyncError::config(format!("{field}.{record_type}"), "must be a list of field names"))?;
        let mut fields = Vec::with_capacity(list.len());
        for (index, name) in list.iter().enumerate() {
            match name.as_str().filter(|name| allowed.contains(name)) {
                Some(name) => fields.push(name.to_string()),
                None => {
                    return Err(SyncError::config(
                        format!("{field}.{record_type}[{index}]"),
                        format!("must be one of {}", allowed.join(", ")),
                    ))
                }
            }
        }
        result.push((record_type.clone(), fields));
    }
    Ok(result)
}

/// `webhooks: {username, password}`: non-empty strings, the user name without `:` (Basic auth splits there).
fn webhook_auth(map: &Map<String, Value>) -> Result<WebhookAuth, SyncError> {
    reject_unknown(map, "webhooks.", &["username", "password"])?;
    let text = |name: &str| {
        map.get(name)
            .and_then(Value::as_str)
            .filter(|value| !value.is_empty())
            .map(str::to_string)
            .ok_or_else(|| SyncError::config(format!("webhooks.{name}"), "is required: a non-empty string"))
    };
    let username = text("username")?;
    if username.contains(':') {
        return Err(SyncError::config("webhooks.username", "must not contain ':'"));
    }
    Ok(WebhookAuth { username, password: text("password")? })
}

fn unreachable_option(name: &str) -> Result<(), SyncError> {
    Err(SyncError::internal(format!("option {name} passed the name check but has no parser")))
}

fn activity_type_map(value: &Value, field: &str) -> Result<BTreeMap<String, String>, SyncError> {
    let map = object(value, field)?;
    let mut result = BTreeMap::new();
    for (crm_type, pipedrive_type) in map {
        if !CRM_ACTIVITY_TYPES.contains(&crm_type.as_str()) {
            return Err(SyncError::config(
                format!("{field}.{crm_type}"),
                format!("is not a CRM activity type (known: {})", CRM_ACTIVITY_TYPES.join(", ")),
            ));
        }
        result.insert(crm_type.clone(), non_empty_string(pipedrive_type, &format!("{field}.{crm_type}"))?);
    }
    Ok(result)
}

fn user_throttle(value: &Value, field: &str) -> Result<UserThrottle, SyncError> {
    let map = object(value, field)?;
    reject_unknown(map, &format!("{field}."), &["requests", "perMs"])?;
    let requests = match map.get("requests") {
        Some(value) => integer(value, &format!("{field}.requests"), 1, 100_000)? as u32,
        None => return Err(SyncError::config(format!("{field}.requests"), "is required")),
    };
    let per_ms = match map.get("perMs") {
        Some(value) => integer(value, &format!("{field}.perMs"), 1, 86_400_000)?,
        None => return Err(SyncError::config(format!("{field}.perMs"), "is required")),
    };
    Ok(UserThrottle { requests, per_ms })
}

/// Checks a base URL: http(s), a host, no credentials, query or fragment. Returns it without a trailing slash.
pub fn parse_base_url(raw: &str) -> Result<String, SyncError> {
    let field = "pipedrive.baseUrl";
    let url = raw.trim();
    let (rest, plain_http) = if let Some(rest) = url.strip_prefix("https://") {
        (rest, false)
    } else if let Some(rest) = url.strip_prefix("http://") {
        (rest, true)
    } else {
        return Err(SyncError::config(
            field,
            "must start with https:// or http://, e.g. https://yourcompany.pipedrive.com",
        ));
    };
    if url.contains(['?', '#']) {
        return Err(SyncError::config(field, "must not contain a query or a fragment (the token goes in a header)"));
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(SyncError::config(field, "must not contain spaces"));
    }
    let authority = rest.split('/').next().unwrap_or_default();
    if authority.contains('@') {
        return Err(SyncError::config(field, "must not contain credentials"));
    }
    let host = match authority.rsplit_once(':') {
        Some((host, port)) if !authority.ends_with(']') => {
            if port.is_empty() || !port.chars().all(|c| c.is_ascii_digit()) || port.parse::<u16>().is_err() {
                return Err(SyncError::config(field, "has a port that is not a number from 1 to 65535"));
            }
            host
        }
        _ => authority,
    };
    let host_ok = !host.is_empty()
        && (host.starts_with('[')
            || host.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-') && !host.starts_with('.'));
    if !host_ok {
        return Err(SyncError::config(field, "must name a host, e.g. https://yourcompany.pipedrive.com"));
    }
    if plain_http && !is_loopback(host) {
        return Err(SyncError::config(
            field,
            "must use https:// (http:// only for localhost, 127.0.0.1 or [::1]): the token would travel in clear text",
        ));
    }
    Ok(url.trim_end_matches('/').to_string())
}

/// A host on this machine: `localhost`, `127.0.0.0/8` or `[::1]`.
fn is_loopback(host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    let ipv4_loopback = host
        .strip_prefix("127.")
        .is_some_and(|rest| rest.split('.').count() == 3 && rest.split('.').all(|part| part.parse::<u8>().is_ok()));
    host == "localhost" || host == "[::1]" || ipv4_loopback
}

fn object<'a>(value: &'a Value, field: &str) -> Result<&'a Map<String, Value>, SyncError> {
    value.as_object().ok_or_else(|| SyncError::config(field, "must be an object"))
}

fn reject_unknown(map: &Map<String, Value>, prefix: &str, known: &[&str]) -> Result<(), SyncError> {
    match map.keys().find(|key| !known.contains(&key.as_str())) {
        Some(key) => Err(SyncError::config(
            format!("{prefix}{key}"),
            format!("is not a known setting (known: {})", known.join(", ")),
        )),
        None => Ok(()),
    }
}

fn integer(value: &Value, field: &str, min: u64, max: u64) -> Result<u64, SyncError> {
    match value.as_f64() {
        Some(n) if n.fract() == 0.0 && n >= min as f64 && n <= max as f64 => Ok(n as u64),
        _ => Err(SyncError::config(field, format!("must be a whole number from {min} to {max}"))),
    }
}

fn non_empty_string(value: &Value, field: &str) -> Result<String, SyncError> {
    match value.as_str().map(str::trim) {
        Some(text) if !text.is_empty() => Ok(text.to_string()),
        _ => Err(SyncError::config(field, "must be a non-empty string")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn config(value: Value) -> Result<EngineConfig, SyncError> {
        EngineConfig::from_json(&value)
    }

    fn field_of(error: SyncError) -> String {
        error.details()["field"].as_str().unwrap_or_default().to_string()
    }

    #[test]
    fn minimal_config_takes_the_defaults() {
        let cfg = config(json!({"pipedrive": {"apiToken": "t0k", "perUserTokens": false}})).unwrap();
        assert_eq!(cfg.base_url, DEFAULT_BASE_URL);
        assert_eq!(cfg.options, SyncOptions::default());
        assert_eq!(cfg.options.warm_lead_threshold, 4);
        assert_eq!(cfg.options.max_retries, 3);
    }

    #[test]
    fn per_user_tokens_replace_the_company_token() {
        let cfg = config(json!({"pipedrive": {"perUserTokens": true}})).unwrap();
        assert!(cfg.api_token.is_none());
        assert!(cfg.per_user_tokens);
    }

    #[test]
    fn bad_configs_name_the_setting() {
        let cases = [
            (json!({}), "pipedrive"),
            (json!({"pipedrive": {}}), "pipedrive.apiToken"),
            (json!({"pipedrive": {"apiToken": ""}}), "pipedrive.apiToken"),
            (json!({"pipedrive": {"apiToken": 42}}), "pipedrive.apiToken"),
            (json!({"pipedrive": {"apiToken": "t", "baseUrl": "ftp://x"}}), "pipedrive.baseUrl"),
            (json!({"pipedrive": {"apiToken": "t", "baseUrl": "not a url"}}), "pipedrive.baseUrl"),
            (json!({"pipedrive": {"apiToken": "t", "baseUrl": "https://x.com?api_token=1"}}), "pipedrive.baseUrl"), // rejected: a token never travels in a URL
            (
                json!({"pipedrive": {"apiToken": "0123456789abcdef", "baseUrl": "https://x.com/0123456789abcdef"}}),
                "pipedrive.baseUrl",
            ),
            (json!({"pipedrive": {"apiToken": "t", "baseUrl": "http://acme.pipedrive.com"}}), "pipedrive.baseUrl"),
            (json!({"pipedrive": {"apiToken": "t", "apiKey": "t"}}), "pipedrive.apiKey"),
            (json!({"pipedrive": {"apiToken": "t"}, "retries": 3}), "retries"),
            (json!({"pipedrive": {"apiToken": "t"}, "options": {"maxRetrys": 3}}), "options.maxRetrys"),
            (json!({"pipedrive": {"apiToken": "t"}, "options": {"maxRetries": -1}}), "options.maxRetries"),
            (json!({"pipedrive": {"apiToken": "t"}, "options": {"maxRetries": 2.5}}), "options.maxRetries"),
            (json!({"pipedrive": {"apiToken": "t"}, "options": {"plan": "gold"}}), "options.plan"),
            (json!({"pipedrive": {"apiToken": "t"}, "options": {"conflictStrategy": "x"}}), "options.conflictStrategy"),
            (
                json!({"pipedrive": {"apiToken": "t"}, "options": {"activityTypeMap": {"FAX": "call"}}}),
                "options.activityTypeMap.FAX",
            ),
            (
                json!({"pipedrive": {"apiToken": "t"}, "options": {"userThrottle": {"requests": 10}}}),
                "options.userThrottle.perMs",
            ),
            (
                json!({"pipedrive": {"apiToken": "t"}, "options": {"baseDelayMs": 5000, "maxDelayMs": 100}}),
                "options.baseDelayMs",
            ),
        ];
        for (input, expected_field) in cases {
            let error = config(input.clone()).unwrap_err();
            assert_eq!(error.code(), "CONFIG", "{input}");
            assert_eq!(field_of(error), expected_field, "{input}");
        }
    }

    #[test]
    fn unknown_option_lists_the_known_ones() {
        let error = config(json!({"pipedrive": {"apiToken": "t"}, "options": {"colour": 1}})).unwrap_err();
        assert!(error.to_string().contains("known: warmLeadThreshold"), "{error}");
    }

    #[test]
    fn options_are_read() {
        let cfg = config(json!({"pipedrive": {"apiToken": "t", "baseUrl": "http://127.0.0.1:4010/"}, "options": {
            "warmLeadThreshold": 3, "plan": "premium", "conflictStrategy": "auto-merge",
            "userThrottle": {"requests": 5, "perMs": 1000}, "activityTypeMap": {"LINKEDIN": "linkedin_message"}
        }}))
        .unwrap();
        assert_eq!(cfg.base_url, "http://127.0.0.1:4010");
        assert_eq!(cfg.options.warm_lead_threshold, 3);
        assert_eq!(cfg.options.plan, Plan::Premium);
        assert_eq!(cfg.options.conflict_strategy, ConflictStrategy::AutoMerge);
        assert_eq!(cfg.options.user_throttle, UserThrottle { requests: 5, per_ms: 1000 });
        assert_eq!(cfg.options.activity_type_map["LINKEDIN"], "linkedin_message");
    }

    #[test]
    fn a_base_url_carrying_the_token_is_refused_without_repeating_it() {
        let token = "3f9c2a1b7d6e5f40a1b2c3d4e5f60718293a4b5c";
        let config =
            json!({"pipedrive": {"apiToken": token, "baseUrl": format!("https://acme.pipedrive.com/{token}")}});
        let error = EngineConfig::from_json(&config).unwrap_err();
        assert_eq!(error.details()["field"], "pipedrive.baseUrl");
        assert!(!error.to_string().contains(token), "{error}");
    }

    #[test]
    fn options_under_which_an_attempt_outlasts_its_lease_are_refused() {
        let ok = json!({"pipedrive": {"apiToken": "t"}, "options": {"requestTimeoutMs": 30_000, "maxRetries": 3}});
        assert!(EngineConfig::from_json(&ok).is_ok(), "4 × 30 s + 3 × 60 s fits in 5 minutes");
        for options in [
            json!({"requestTimeoutMs": 600_000}),
            json!({"maxRetries": 10, "requestTimeoutMs": 30_000}),
            json!({"maxDelayMs": 3_600_000}),
        ] {
            let config = json!({"pipedrive": {"apiToken": "t"}, "options": options});
            let error = EngineConfig::from_json(&config).unwrap_err();
            assert_eq!(error.details()["field"], "options.requestTimeoutMs", "{options}");
            assert!(error.to_string().contains("longer than a job's lease (300 s)"), "{error}");
        }
    }

    #[test]
    fn base_urls() {
        for (input, expected) in [
            ("https://acme.pipedrive.com", Ok("https://acme.pipedrive.com")),
            ("https://acme.pipedrive.com/", Ok("https://acme.pipedrive.com")),
            ("http://localhost:3000", Ok("http://localhost:3000")),
            ("http://[::1]:3000", Ok("http://[::1]:3000")),
            ("https://", Err(())),
            ("https://user:pw@acme.pipedrive.com", Err(())),
            ("http://localhost:99999", Err(())),
            ("http://127.0.0.1:4010", Ok("http://127.0.0.1:4010")),
            ("http://127.1.2.3", Ok("http://127.1.2.3")),
            ("http://acme.pipedrive.com", Err(())),
            ("http://127.0.0.1.evil.com", Err(())),
            ("http://10.0.0.5:8080", Err(())),
            ("http://localhost:", Err(())),
            ("acme.pipedrive.com", Err(())),
        ] {
            assert_eq!(parse_base_url(input).map_err(|_| ()), expected.map(str::to_string), "{input}");
        }
    }
}
