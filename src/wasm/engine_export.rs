//! The engine as a JavaScript class. Each method is a one-line adapter: arguments in, core call, result out as
//! a [`Task`] the facade drives. The engine sits behind an `Rc` so that concurrent calls each hold their own
//! handle.

use std::future::Future;
use std::rc::Rc;

use serde::Serialize;
use serde_json::Value;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;

use super::convert::{from_js, to_js, to_js_error};
use super::js_host::JsHost;
use super::panic_hook;
use super::task::Task;
use crate::config::EngineConfig;
use crate::engine::Engine;
use crate::error::SyncError;

/// The sync engine. Construct it through `createPipedriveSync` in the TypeScript facade, which builds the host.
#[wasm_bindgen(js_name = Engine)]
pub struct WasmEngine {
    inner: Rc<Engine<JsHost>>,
}

/// Runs a core future as a task: its value serialized, its error as a JS `Error` with `code`.
fn spawn<T: Serialize, F: Future<Output = Result<T, SyncError>> + 'static>(future: F) -> Task {
    Task::new(async move {
        let value = future.await.map_err(|error| to_js_error(&error))?;
        to_js(&value).map_err(|error| to_js_error(&error))
    })
}

fn arg(value: JsValue, name: &str) -> Result<Value, SyncError> {
    if value.is_undefined() {
        return Ok(Value::Null);
    }
    from_js(value, name)
}

#[wasm_bindgen(js_class = Engine)]
impl WasmEngine {
    /// Validates `config` (`{pipedrive: {apiToken?, baseUrl?, perUserTokens}, options?}`) and wraps `host`.
    /// Throws an `Error` with `code: 'CONFIG'` naming the setting that is wrong.
    #[wasm_bindgen(constructor)]
    pub fn new(config: JsValue, host: JsValue) -> Result<WasmEngine, JsValue> {
        panic_hook::install();
        let build = || -> Result<WasmEngine, SyncError> {
            let config = EngineConfig::from_json(&arg(config, "config")?)?;
            let host = JsHost::from_js(host)?;
            Ok(WasmEngine { inner: Rc::new(Engine::new(config, host)) })
        };
        build().map_err(|error| to_js_error(&error))
    }

    /// What the engine runs with, computed from the validated configuration (no secrets).
    pub fn describe(&self) -> Result<JsValue, JsValue> {
        let config = self.inner.config();
        let description = serde_json::json!({
            "version": env!("CARGO_PKG_VERSION"),
            "baseUrl": config.base_url,
            "tokens": if config.api_token.is_some() { "company" } else { "per-user" },
            "warmLeadThreshold": config.options.warm_lead_threshold,
            "warmLeadLabel": config.options.warm_lead_label,
            "maxRetries": config.options.max_retries,
            "plan": format!("{:?}", config.options.plan).to_lowercase(),
        });
        to_js(&description).map_err(|error| to_js_error(&error))
    }

    /// `sync.users.findUserByEmail(email)`: the active Pipedrive user with that email, or `null`.
    #[wasm_bindgen(js_name = findUserByEmail)]
    pub fn find_user_by_email(&self, email: JsValue) -> Task {
        let engine = self.inner.clone();
        spawn(async move { engine.find_user_by_email(&arg(email, "email")?).await })
    }

    /// `sync.users.storeUserPipedriveId(userId, pipedriveUserId)`.
    #[wasm_bindgen(js_name = storeUserPipedriveId)]
    pub fn store_user_pipedrive_id(&self, user_id: JsValue, pipedrive_user_id: JsValue) -> Task {
        let engine = self.inner.clone();
        spawn(async move {
            let user_id = arg(user_id, "userId")?;
            engine.store_user_pipedrive_id(&user_id, &arg(pipedrive_user_id, "pipedriveUserId")?).await
        })
    }

    /// `sync.users.setupUser(email)`: answers `{success, pipedriveUserId?, error?, code?}`.
    #[wasm_bindgen(js_name = setupUser)]
    pub fn setup_user(&self, email: JsValue) -> Task {
        let engine = self.inner.clone();
        spawn(async move { Ok(engine.setup_user(&arg(email, "email")?).await) })
    }

    /// Waits one host `sleep(0)` and then panics with `message`: a diagnostic that lets the facade's tests prove
    /// that a panic inside an async flow surfaces with its message and the engine is re-created. Never called by
    /// the package itself.
    #[wasm_bindgen(js_name = debugPanic)]
    pub fn debug_panic(&self, message: String) -> Task {
        let engine = self.inner.clone();
        spawn(async move {
            crate::host::Host::sleep(engine.host(), 0).await;
            if !message.is_empty() {
                panic!("{message}");
            }
            Ok(())
        })
    }

    /// `sync.queue.drain({limit?, workerId, leaseMs?, concurrency?}, onProgress?)`: answers the `DrainReport`;
    /// `onProgress` receives the report so far after every job (a throwing callback is ignored).
    pub fn drain(&self, options: JsValue, on_progress: Option<js_sys::Function>) -> Task {
        let engine = self.inner.clone();
        spawn(async move {
            let options = crate::outbox::drain::DrainOptions::from_json(
                &arg(options, "options")?,
                engine.config().options.batch_concurrency,
            )?;
            let progress = |report: &crate::outbox::drain::DrainReport| {
                if let (Some(callback), Ok(value)) = (&on_progress, to_js(report)) {
                    let _ = callback.call1(&JsValue::UNDEFINED, &value);
                }
            };
            engine.drain(&options, &progress).await
        })
    }

    /// `sync.queue.stats()`: counts per state, due jobs, the oldest pending job, dead jobs, rate limits.
    #[wasm_bindgen(js_name = queueStats)]
    pub fn queue_stats(&self) -> Task {
        let engine = self.inner.clone();
        spawn(async move { engine.queue_stats().await })
    }

    /// `sync.queue.retryDead(jobId?)`: how many dead jobs were put back.
    #[wasm_bindgen(js_name = retryDead)]
    pub fn retry_dead(&self, job_id: JsValue) -> Task {
        let engine = self.inner.clone();
        spawn(async move {
            let job_id = match arg(job_id, "jobId")? {
                Value::Null => None,
                value => Some(crate::json_args::pipedrive_id("jobId", &value)?),
            };
            engine.retry_dead(job_id).await
        })
    }

    /// `sync.rateLimit.snapshot()`: burst and search windows per token (by fingerprint) and the daily budget.
    #[wasm_bindgen(js_name = rateLimitSnapshot)]
    pub fn rate_limit_snapshot(&self) -> Result<JsValue, JsValue> {
        to_js(&self.inner.rate_limit_snapshot()).map_err(|error| to_js_error(&error))
    }

    /// `sync.warmLeads.checkAndCreateWarmLead({contactId, userId, warmnessScore?})`: `true` when this call put the
    /// contact in Pipedrive as a warm lead.
    #[wasm_bindgen(js_name = checkAndCreateWarmLead)]
    pub fn check_and_create_warm_lead(&self, request: JsValue) -> Task {
        let engine = self.inner.clone();
        spawn(async move { engine.check_and_create_warm_lead(&arg(request, "request")?).await })
    }

    /// `sync.warmLeads.checkWarmLead(contactId, userId)`: the check and creation, answered as spec §8.1.
    #[wasm_bindgen(js_name = checkWarmLead)]
    pub fn check_warm_lead(&self, contact_id: JsValue, user_id: JsValue) -> Task {
        let engine = self.inner.clone();
        spawn(async move {
            let contact_id = arg(contact_id, "contactId")?;
            engine.check_warm_lead(&contact_id, &arg(user_id, "userId")?).await
        })
    }

    /// `sync.labels.findOrCreateLabel(name)`: the id of the person label, created when missing.
    #[wasm_bindgen(js_name = findOrCreateLabel)]
    pub fn find_or_create_label(&self, name: JsValue) -> Task {
        let engine = self.inner.clone();
        spawn(async move { engine.find_or_create_label(&arg(name, "name")?).await })
    }

    /// `sync.labels.getWarmLeadLabelId()`.
    #[wasm_bindgen(js_name = getWarmLeadLabelId)]
    pub fn get_warm_lead_label_id(&self) -> Task {
        let engine = self.inner.clone();
        spawn(async move { engine.get_warm_lead_label_id().await })
    }

    /// `sync.rateLimit.allowUser(userId)`: counts one user-initiated request; throws `RATE_LIMITED` (with
    /// `details.retryAfterMs`) when the user is over the per-user allowance.
    #[wasm_bindgen(js_name = allowUserRequest)]
    pub fn allow_user_request(&self, user_id: JsValue) -> Result<(), JsValue> {
        let user_id = arg(user_id, "userId").map_err(|error| to_js_error(&error))?;
        self.inner.allow_user_request(&user_id).map_err(|error| to_js_error(&error))
    }

    /// `sync.activities.replicateActivity({activityId, contactId?, userId})`: `true` when the activity is (now) in
    /// Pipedrive.
    #[wasm_bindgen(js_name = replicateActivity)]
    pub fn replicate_activity(&self, request: JsValue) -> Task {
        let engine = self.inner.clone();
        spawn(async move { engine.replicate_activity(&arg(request, "request")?).await })
    }

    /// `sync.activities.syncStatus(activityId)` (spec §8.2).
    #[wasm_bindgen(js_name = activitySyncStatus)]
    pub fn activity_sync_status(&self, activity_id: JsValue) -> Task {
        let engine = self.inner.clone();
        spawn(async move { engine.activity_sync_status(&arg(activity_id, "activityId")?).await })
    }
}
