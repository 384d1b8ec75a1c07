//! The engine: one configuration, one host, and the caches shared by every operation. The services
//! (`users`, and later warm leads, activities, updates) are `impl` blocks on [`Engine`] in their own modules.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use crate::api_token::ApiToken;
use crate::config::EngineConfig;
use crate::error::SyncError;
use crate::host::Host;
use crate::local_async::async_lock::AsyncLock;
use crate::pipedrive::fields::{Field, FieldsOf};
use crate::pipedrive::limits::user_throttle::UserThrottles;
use crate::pipedrive::limits::{shared_limits, RateLimits};
use crate::pipedrive::request::RequestBuilder;
use crate::pipedrive::users::PipedriveUser;
use crate::ttl_cache::TtlCache;

/// The sync engine over a host `H`. All methods take `&self`; interior state lives in caches whose borrows
/// never span an `.await`, so concurrent operations on one engine are safe.
pub struct Engine<H: Host> {
    pub(crate) host: H,
    pub(crate) config: EngineConfig,
    pub(crate) requests: RequestBuilder,
    pub(crate) users_cache: TtlCache<ApiToken, Vec<PipedriveUser>>,
    pub(crate) fields_cache: TtlCache<(ApiToken, FieldsOf), Vec<Field>>,
    pub(crate) activity_types_cache: TtlCache<ApiToken, Vec<String>>,
    pub(crate) currencies_cache: TtlCache<ApiToken, Vec<String>>,
    pub(crate) label_lock: AsyncLock,
    pub(crate) org_lock: AsyncLock,
    pub(crate) user_throttles: RefCell<UserThrottles>,
    pub(crate) limits: Rc<RateLimits>,
    pub(crate) counters: Counters,
}

/// What this engine has sent so far, for reports.
#[derive(Debug, Default)]
pub struct Counters {
    /// HTTP requests sent to Pipedrive.
    pub requests: Cell<u64>,
    /// Of those, answered with 429.
    pub rate_limited: Cell<u64>,
    /// Requests sent again after a transient failure or a 429 (an update's `retryCount`).
    pub retries: Cell<u64>,
}

impl<H: Host> Engine<H> {
    /// An engine for a validated configuration.
    pub fn new(config: EngineConfig, host: H) -> Self {
        let requests = RequestBuilder::new(config.base_url.clone(), config.options.request_timeout_ms);
        let users_cache = TtlCache::new(config.options.cache_ttl_ms);
        let ttl = config.options.cache_ttl_ms;
        let fields_cache = TtlCache::new(ttl);
        let user_throttles = RefCell::new(UserThrottles::new(config.options.user_throttle));
        let limits = shared_limits(&config.base_url, config.options.plan);
        Engine {
            host,
            config,
            requests,
            users_cache,
            fields_cache,
            activity_types_cache: TtlCache::new(ttl),
            currencies_cache: TtlCache::new(ttl),
            label_lock: AsyncLock::default(),
            org_lock: AsyncLock::default(),
            user_throttles,
            limits,
            counters: Counters::default(),
        }
    }

    /// The host this engine runs on.
    pub fn host(&self) -> &H {
        &self.host
    }

    /// The configuration this engine runs with.
    pub fn config(&self) -> &EngineConfig {
        &self.config
    }

    /// The token to act with for `user_id`: the company token when configured, else the host's per-user token.
    pub(crate) async fn token_for(&self, user_id: Option<&str>) -> Result<ApiToken, SyncError> {
        if let Some(token) = &self.config.api_token {
            return Ok(token.clone());
        }
        let no_token = |who: &str| SyncError::Auth {
            message: format!(
                "no Pipedrive API token is configured for {who}: set pipedrive.apiToken or return one from apiTokenFor"
            ),
            status: None,
        };
        let Some(user_id) = user_id.filter(|_| self.config.per_user_tokens) else {
            return Err(no_token("this operation"));
        };
        match self.host.token_for(user_id).await.map_err(|failure| failure.into_error("apiTokenFor"))? {
            Some(raw) => ApiToken::parse("apiTokenFor", &raw)
                .map_err(|_| no_token(&format!("user {user_id} (apiTokenFor returned a blank token)"))),
            None => Err(no_token(&format!("user {user_id}"))),
        }
    }
}
