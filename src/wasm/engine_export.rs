//! The engine as a JavaScript class. Each method reads its arguments into the core's typed requests, calls the
//! service, and answers through one helper ([`WasmEngine::task`]) as a [`Task`] the facade drives. The engine sits
//! behind an `Rc` so that concurrent calls each hold their own handle. The TypeScript types of the requests and
//! answers are declared below (`typescript_custom_section`), so `pkg/pipedrive_sync.d.ts` types every method.

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
use crate::json_args::{pipedrive_id, required_string};
use crate::local_async::join::LocalFuture;
use crate::outbox::drain::{DrainOptions, DrainReport};
use crate::services::activities::ReplicateActivityRequest;
use crate::services::warm_leads::WarmLeadRequest;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** A `Task` whose answer is a `T`: the facade polls it and resolves with the answer. */
export type TaskOf<T> = Task & { readonly __answer?: T };
/** `checkAndCreateWarmLead`'s request. */
export interface WarmLeadRequest { contactId: string; userId: string; warmnessScore?: number | null }
/** `replicateActivity`'s request. */
export interface ReplicateActivityRequest { activityId: string; contactId?: string; userId: string }
/** `drain`'s options as the engine reads them (the facade fills `workerId`). */
export interface DrainRequest { limit?: number; workerId: string; leaseMs?: number; concurrency?: number }
/** What a drain did. */
export interface DrainReportAnswer {
  processed: number; succeeded: number; rescheduled: number; dead: number; leaseLost: number; stopped?: string;
  requests: number; rateLimited: number; durationMs: number; limit?: number;
}
/** A Pipedrive user. */
export interface PipedriveUserAnswer { id: number; name: string; email: string; active: boolean; isAdmin: boolean }
/** `setupUser`'s answer. */
export interface SetupUserAnswer { success: boolean; pipedriveUserId?: number; error?: string; code?: string }
/** `checkWarmLead`'s answer (spec §8.1). */
export interface CheckWarmLeadAnswer {
  success: boolean; isWarmLead: boolean; pipedrivePersonId?: string; pipedriveOrgId?: string; reason?: string;
}
/** `activitySyncStatus`'s answer (spec §8.2). */
export interface ActivitySyncStatusAnswer {
  success: boolean; synced: boolean; pipedriveActivityId?: string; syncAttempts: number; lastAttempt?: string;
  updateSyncStatus: string;
}
/** One rolling window as last seen. */
export interface WindowAnswer { limit: number; used: number; inFlight: number; blockedUntil: number | null }
/** The rate limits as last seen, per token fingerprint. */
export interface RateLimitAnswer {
  tokens: Array<{ token: string; burst: WindowAnswer; search: WindowAnswer; pausedUntil: number | null }>;
  dailyBudget: { limit: number | null; remaining: number | null; resetsAt: number | null };
}
/** The store's queue counts with the rate limits. */
export interface QueueStatsAnswer {
  counts: Record<'PENDING' | 'RUNNING' | 'DONE' | 'DEAD', number>;
  due: number;
  oldestPendingAt: string | null;
  dead: Array<{
    id: number; kind: string; recordType: string; recordId: string; attempts: number; lastError: string | null;
    updatedAt: string;
  }>;
  rateLimits: RateLimitAnswer;
}
/** What the engine runs with (no secrets). */
export interface EngineDescriptionAnswer {
  version: string; baseUrl: string; tokens: 'company' | 'per-user'; warmLeadThreshold: number;
  warmLeadLabel: string; maxRetries: number; plan: string;
}
"#;

/// The sync engine. Construct it through `createPipedriveSync` in the TypeScript facade, which builds the host.
#[wasm_bindgen(js_name = Engine)]
pub struct WasmEngine {
    pub(super) inner: Rc<Engine<JsHost>>,
}

/// A JS argument as JSON (`undefined` reads as `null`).
pub(super) fn arg(value: JsValue, name: &str) -> Result<Value, SyncError> {
    if value.is_undefined() {
        return Ok(Value::Null);
    }
    from_js(&value, name)
}

/// Calls the optional JS callback with `value` (a throwing callback is ignored: the task still answers).
fn tell<T: Serialize>(callback: &Option<js_sys::Function>, value: &T) {
    if let (Some(callback), Ok(value)) = (callback, to_js(value)) {
        let _ = callback.call1(&JsValue::UNDEFINED, &value);
    }
}

/// A non-empty string argument (trimmed).
pub(super) fn text(value: JsValue, name: &str) -> Result<String, SyncError> {
    Ok(required_string(name, &arg(value, name)?)?.to_string())
}

/// A synchronous answer, serialized, or its error as a JS `Error` with `code`.
pub(super) fn answer<T: Serialize>(result: Result<T, SyncError>) -> Result<JsValue, JsValue> {
    result.and_then(|value| to_js(&value)).map_err(|error| to_js_error(&error))
}

impl WasmEngine {
    /// Runs `call` on this engine as a task: its value serialized, its error as a JS `Error` with `code`.
    pub(super) fn task<T, F>(&self, call: impl FnOnce(Rc<Engine<JsHost>>) -> F) -> Task
    where
        T: Serialize + 'static,
        F: Future<Output = Result<T, SyncError>> + 'static,
    {
        // Boxed here, the operation's future is compiled once as itself; the adapter below once per answer type.
        let future: LocalFuture<'static, Result<T, SyncError>> = Box::pin(call(self.inner.clone()));
        Task::new(answer_of(future))
    }
}

/// The answer of an operation: its value serialized, its error as a JS `Error` with `code`.
async fn answer_of<T: Serialize>(future: LocalFuture<'static, Result<T, SyncError>>) -> Result<JsValue, JsValue> {
    let value = future.await.map_err(|error| to_js_error(&error))?;
    to_js(&value).map_err(|error| to_js_error(&error))
}

#[wasm_bindgen(js_class = Engine)]
impl WasmEngine {
    /// Validates `config` (`{pipedrive: {apiToken?, baseUrl?, perUserTokens}, options?}`) and wraps `host`.
    /// Throws an `Error` with `code: 'CONFIG'` naming the setting that is wrong.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "unknown")] config: JsValue,
        #[wasm_bindgen(unchecked_param_type = "unknown")] host: JsValue,
    ) -> Result<WasmEngine, JsValue> {
        panic_hook::install();
        let build = || -> Result<WasmEngine, SyncError> {
            let config = EngineConfig::from_json(&arg(config, "config")?)?;
            let host = JsHost::from_js(host)?;
            Ok(WasmEngine { inner: Rc::new(Engine::new(config, host)) })
        };
        build().map_err(|error| to_js_error(&error))
    }

    /// What the engine runs with, computed from the validated configuration (no secrets).
    #[wasm_bindgen(unchecked_return_type = "EngineDescriptionAnswer")]
    pub fn describe(&self) -> Result<JsValue, JsValue> {
        answer(Ok(self.inner.config().describe()))
    }

    /// `sync.users.findUserByEmail(email)`: the active Pipedrive user with that email, or `null`.
    #[wasm_bindgen(js_name = findUserByEmail, unchecked_return_type = "TaskOf<PipedriveUserAnswer | null>")]
    pub fn find_user_by_email(&self, #[wasm_bindgen(unchecked_param_type = "string")] email: JsValue) -> Task {
        self.task(|engine| async move { engine.find_user_by_email(&text(email, "email")?).await })
    }

    /// `sync.users.storeUserPipedriveId(userId, pipedriveUserId)`.
    #[wasm_bindgen(js_name = storeUserPipedriveId, unchecked_return_type = "TaskOf<void>")]
    pub fn store_user_pipedrive_id(
        &self,
        #[wasm_bindgen(js_name = "userId", unchecked_param_type = "string")] user_id: JsValue,
        #[wasm_bindgen(js_name = "pipedriveUserId", unchecked_param_type = "number | string")]
        pipedrive_user_id: JsValue,
    ) -> Task {
        self.task(|engine| async move {
            let user_id = text(user_id, "userId")?;
            let pipedrive_user_id = pipedrive_id("pipedriveUserId", &arg(pipedrive_user_id, "pipedriveUserId")?)?;
            engine.store_user_pipedrive_id(&user_id, pipedrive_user_id).await
        })
    }

    /// `sync.users.setupUser(email)`: answers `{success, pipedriveUserId?, error?, code?}`, a bad email included.
    #[wasm_bindgen(js_name = setupUser, unchecked_return_type = "TaskOf<SetupUserAnswer>")]
    pub fn setup_user(&self, #[wasm_bindgen(unchecked_param_type = "string")] email: JsValue) -> Task {
        self.task(|engine| async move {
            Ok(match text(email, "email") {
                Ok(email) => engine.setup_user(&email).await,
                Err(error) => engine.setup_user_response(Err(error)),
            })
        })
    }

    /// Waits one host `sleep(0)` and then panics with `message`: a diagnostic that lets the facade's tests prove
    /// that a panic inside an async flow surfaces with its message and the engine is re-created. Never called by
    /// the package itself.
    #[wasm_bindgen(js_name = debugPanic, unchecked_return_type = "TaskOf<void>")]
    pub fn debug_panic(&self, message: String) -> Task {
        self.task(|engine| async move {
            crate::host::Host::sleep(engine.host(), 0).await;
            if !message.is_empty() {
                panic!("{message}");
            }
            Ok(())
        })
    }

    /// `sync.queue.drain({limit?, workerId, leaseMs?, concurrency?}, onProgress?, shouldStop?)`: answers the
    /// `DrainReport`; `onProgress` receives the report so far after every job (a throwing callback is ignored);
    /// once `shouldStop` returns true nothing more is claimed and the jobs in hand are finished.
    #[wasm_bindgen(unchecked_return_type = "TaskOf<DrainReportAnswer>")]
    pub fn drain(
        &self,
        #[wasm_bindgen(unchecked_param_type = "DrainRequest")] options: JsValue,
        #[wasm_bindgen(
            js_name = "onProgress",
            unchecked_param_type = "((report: DrainReportAnswer) => void) | undefined"
        )]
        on_progress: Option<js_sys::Function>,
        #[wasm_bindgen(js_name = "shouldStop", unchecked_param_type = "(() => boolean) | undefined")]
        should_stop: Option<js_sys::Function>,
    ) -> Task {
        self.task(|engine| async move {
            let options = DrainOptions::from_json(
                &arg(options, "options")?,
                engine.config().options.batch_concurrency,
                engine.config().options.min_lease_ms(),
            )?;
            let progress = |report: &DrainReport| {
                if let (Some(callback), Ok(value)) = (&on_progress, to_js(report)) {
                    let _ = callback.call1(&JsValue::UNDEFINED, &value);
                }
            };
            // A throwing or non-boolean callback never stops the drain.
            let stop_requested = || {
                should_stop.as_ref().is_some_and(|callback| {
                    callback.call0(&JsValue::UNDEFINED).ok().and_then(|value| value.as_bool()).unwrap_or(false)
                })
            };
            engine.drain(&options, &progress, &stop_requested).await
        })
    }

    /// `sync.queue.stats()`: counts per state, due jobs, the oldest pending job, dead jobs, rate limits.
    #[wasm_bindgen(js_name = queueStats, unchecked_return_type = "TaskOf<QueueStatsAnswer>")]
    pub fn queue_stats(&self) -> Task {
        self.task(|engine| async move { engine.queue_stats().await })
    }

    /// `sync.queue.retryDead(jobId?)`: how many dead jobs were put back.
    #[wasm_bindgen(js_name = retryDead, unchecked_return_type = "TaskOf<number>")]
    pub fn retry_dead(
        &self,
        #[wasm_bindgen(js_name = "jobId", unchecked_param_type = "number | undefined")] job_id: JsValue,
    ) -> Task {
        self.task(|engine| async move {
            let job_id = match arg(job_id, "jobId")? {
                Value::Null => None,
                value => Some(pipedrive_id("jobId", &value)?),
            };
            engine.retry_dead(job_id).await
        })
    }

    /// `sync.rateLimit.snapshot()`: burst and search windows per token (by fingerprint) and the daily budget.
    #[wasm_bindgen(js_name = rateLimitSnapshot, unchecked_return_type = "RateLimitAnswer")]
    pub fn rate_limit_snapshot(&self) -> Result<JsValue, JsValue> {
        answer(Ok(self.inner.rate_limit_snapshot()))
    }

    /// `sync.warmLeads.checkAndCreateWarmLead({contactId, userId, warmnessScore?})`: `true` when this call put the
    /// contact in Pipedrive as a warm lead. `onLate` hears `false` when the real-time budget ran out; the task
    /// answers once the attempt, which goes on, has settled.
    #[wasm_bindgen(js_name = checkAndCreateWarmLead, unchecked_return_type = "TaskOf<boolean>")]
    pub fn check_and_create_warm_lead(
        &self,
        #[wasm_bindgen(unchecked_param_type = "WarmLeadRequest")] request: JsValue,
        #[wasm_bindgen(js_name = "onLate", unchecked_param_type = "((answer: boolean) => void) | undefined")]
        on_late: Option<js_sys::Function>,
    ) -> Task {
        self.task(|engine| async move {
            let request = WarmLeadRequest::from_json(&arg(request, "request")?)?;
            engine.check_and_create_warm_lead(&request, &|answer| tell(&on_late, &answer)).await
        })
    }

    /// `sync.warmLeads.checkWarmLead(contactId, userId)`: the check and creation, answered as spec §8.1.
    /// `onLate` hears the answer when the real-time budget ran out (the attempt goes on).
    #[wasm_bindgen(js_name = checkWarmLead, unchecked_return_type = "TaskOf<CheckWarmLeadAnswer>")]
    pub fn check_warm_lead(
        &self,
        #[wasm_bindgen(js_name = "contactId", unchecked_param_type = "string")] contact_id: JsValue,
        #[wasm_bindgen(js_name = "userId", unchecked_param_type = "string")] user_id: JsValue,
        #[wasm_bindgen(
            js_name = "onLate",
            unchecked_param_type = "((answer: CheckWarmLeadAnswer) => void) | undefined"
        )]
        on_late: Option<js_sys::Function>,
    ) -> Task {
        self.task(|engine| async move {
            let request =
                serde_json::json!({ "contactId": arg(contact_id, "contactId")?, "userId": arg(user_id, "userId")? });
            engine.check_warm_lead(&WarmLeadRequest::from_json(&request)?, &|answer| tell(&on_late, answer)).await
        })
    }

    /// `sync.labels.findOrCreateLabel(name)`: the id of the person label, created when missing.
    #[wasm_bindgen(js_name = findOrCreateLabel, unchecked_return_type = "TaskOf<number>")]
    pub fn find_or_create_label(&self, #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue) -> Task {
        self.task(|engine| async move { engine.find_or_create_label(&text(name, "name")?).await })
    }

    /// `sync.labels.getWarmLeadLabelId()`.
    #[wasm_bindgen(js_name = getWarmLeadLabelId, unchecked_return_type = "TaskOf<number>")]
    pub fn get_warm_lead_label_id(&self) -> Task {
        self.task(|engine| async move { engine.get_warm_lead_label_id().await })
    }

    /// `sync.rateLimit.allowUser(userId)`: counts one user-initiated request; throws `RATE_LIMITED` (with
    /// `details.retryAfterMs`) when the user is over the per-user allowance.
    #[wasm_bindgen(js_name = allowUserRequest)]
    pub fn allow_user_request(
        &self,
        #[wasm_bindgen(js_name = "userId", unchecked_param_type = "string")] user_id: JsValue,
    ) -> Result<(), JsValue> {
        text(user_id, "userId")
            .and_then(|user_id| self.inner.allow_user_request(&user_id))
            .map_err(|error| to_js_error(&error))
    }

    /// `sync.activities.replicateActivity({activityId, contactId?, userId})`: `true` when the activity is (now) in
    /// Pipedrive. `onLate` hears `false` when the real-time budget ran out (the attempt goes on).
    #[wasm_bindgen(js_name = replicateActivity, unchecked_return_type = "TaskOf<boolean>")]
    pub fn replicate_activity(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ReplicateActivityRequest")] request: JsValue,
        #[wasm_bindgen(js_name = "onLate", unchecked_param_type = "((answer: boolean) => void) | undefined")]
        on_late: Option<js_sys::Function>,
    ) -> Task {
        self.task(|engine| async move {
            let request = ReplicateActivityRequest::from_json(&arg(request, "request")?)?;
            engine.replicate_activity(&request, &|answer| tell(&on_late, &answer)).await
        })
    }

    /// `sync.activities.syncStatus(activityId)` (spec §8.2).
    #[wasm_bindgen(js_name = activitySyncStatus, unchecked_return_type = "TaskOf<ActivitySyncStatusAnswer>")]
    pub fn activity_sync_status(
        &self,
        #[wasm_bindgen(js_name = "activityId", unchecked_param_type = "string")] activity_id: JsValue,
    ) -> Task {
        self.task(|engine| async move { engine.activity_sync_status(&text(activity_id, "activityId")?).await })
    }
}
