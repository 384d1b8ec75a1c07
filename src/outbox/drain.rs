//! Working through the outbox (`sync.queue`): workers claim due jobs with a lease, carry them out, and record
//! the result: done, retried later on the long schedule, or dead with the last error in words (DESIGN
//! invariant 2). A spent daily budget or a paused token stops the drain instead of failing job after job.

use std::cell::{Cell, RefCell};

use serde::Serialize;
use serde_json::{json, Value};

use crate::engine::Engine;
use crate::error::{RateScope, SyncError};
use crate::host::{Host, LogLevel};
use crate::iso_time::iso_millis;
use crate::local_async::join::{join_all, LocalFuture};
use crate::pipedrive::retry_policy::{outbox_backoff_ms, RetryDecision, RetryPolicy};
use crate::store::{self, ClaimedJob};

/// How a drain runs.
#[derive(Debug, Clone, PartialEq)]
pub struct DrainOptions {
    /// Stop after this many jobs (all due jobs when `None`).
    pub limit: Option<u64>,
    /// This worker's id in the jobs' leases.
    pub worker_id: String,
    /// How long a claimed job stays leased to this worker.
    pub lease_ms: u64,
    /// Jobs carried out at once.
    pub concurrency: u32,
}

impl DrainOptions {
    /// Reads `{limit?, workerId, leaseMs?, concurrency?}` (the facade fills `workerId`); errors name the field.
    pub fn from_json(value: &Value, default_concurrency: u32) -> Result<Self, SyncError> {
        let object = value.as_object().ok_or_else(|| SyncError::validation("options", "must be an object"))?;
        if let Some(unknown) =
            object.keys().find(|key| !["limit", "workerId", "leaseMs", "concurrency"].contains(&key.as_str()))
        {
            return Err(SyncError::validation(
                unknown.clone(),
                "is not a drain option (known: limit, workerId, leaseMs, concurrency)",
            ));
        }
        let number = |field: &str, min: u64, max: u64| -> Result<Option<u64>, SyncError> {
            match object.get(field) {
                None | Some(Value::Null) => Ok(None),
                Some(value) => match value.as_f64() {
                    Some(n) if n.fract() == 0.0 && n >= min as f64 && n <= max as f64 => Ok(Some(n as u64)),
                    _ => Err(SyncError::validation(field, format!("must be a whole number from {min} to {max}"))),
                },
            }
        };
        let worker_id =
            crate::json_args::required_string("workerId", object.get("workerId").unwrap_or(&Value::Null))?.to_string();
        Ok(DrainOptions {
            limit: number("limit", 1, u64::from(u32::MAX))?,
            worker_id,
            lease_ms: number("leaseMs", 100, 86_400_000)?.unwrap_or(DEFAULT_LEASE_MS),
            concurrency: number("concurrency", 1, 64)?.map_or(default_concurrency, |n| n as u32),
        })
    }
}

/// How long a claimed job stays leased by default: longer than any attempt with its retries can take.
pub const DEFAULT_LEASE_MS: u64 = 5 * 60 * 1000;

/// The result of a drain, also sent as progress after every job.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DrainReport {
    /// Jobs claimed and carried out (whatever the result).
    pub processed: u64,
    /// Jobs done.
    pub succeeded: u64,
    /// Jobs that failed and wait for their next attempt.
    pub rescheduled: u64,
    /// Jobs given up (dead, replayable with `retryDead`).
    pub dead: u64,
    /// Jobs whose lease another worker took over before this one finished.
    pub lease_lost: u64,
    /// Why the drain stopped early, when it did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stopped: Option<String>,
    /// HTTP requests sent during the drain.
    pub requests: u64,
    /// Of those, answered with 429.
    pub rate_limited: u64,
    /// Wall time of the drain.
    pub duration_ms: i64,
    /// The job limit, when one was given (for progress bars).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u64>,
}

/// What to do with a job after its attempt.
pub(crate) enum Verdict {
    Done,
    RetryAt(i64),
    Dead,
    /// Retry at that time, and stop the drain for the given reason.
    Stop(i64, String),
}

struct DrainState {
    report: RefCell<DrainReport>,
    claimed: Cell<u64>,
}

impl<H: Host> Engine<H> {
    /// Drains due jobs until none is left, the limit is reached, or a limit of Pipedrive stops the work.
    pub async fn drain(
        &self,
        options: &DrainOptions,
        progress: &dyn Fn(&DrainReport),
    ) -> Result<DrainReport, SyncError> {
        let started = self.host.now_ms();
        let (requests_before, limited_before) = (self.counters.requests.get(), self.counters.rate_limited.get());
        let state = DrainState {
            report: RefCell::new(DrainReport { limit: options.limit, ..DrainReport::default() }),
            claimed: Cell::new(0),
        };
        let workers: Vec<LocalFuture<'_, Result<(), SyncError>>> = (0..options.concurrency.max(1))
            .map(|_| Box::pin(self.drain_worker(options, &state, progress)) as LocalFuture<'_, _>)
            .collect();
        let outcomes = join_all(workers).await;
        let mut report = state.report.into_inner();
        report.requests = self.counters.requests.get() - requests_before;
        report.rate_limited = self.counters.rate_limited.get() - limited_before;
        report.duration_ms = self.host.now_ms() - started;
        if let Some(error) = outcomes.into_iter().find_map(Result::err) {
            // A store failure ends the drain; jobs already recorded stay recorded, the rest keep their leases.
            self.host.log(
                LogLevel::Error,
                "outbox.drain_failed",
                json!({ "error": error.to_string(), "processed": report.processed }),
            );
            return Err(error);
        }
        self.host.log(LogLevel::Info, "outbox.drained", serde_json::to_value(&report).unwrap_or(Value::Null));
        Ok(report)
    }

    async fn drain_worker(
        &self,
        options: &DrainOptions,
        state: &DrainState,
        progress: &dyn Fn(&DrainReport),
    ) -> Result<(), SyncError> {
        loop {
            if state.report.borrow().stopped.is_some()
                || options.limit.is_some_and(|limit| state.claimed.get() >= limit)
            {
                return Ok(());
            }
            state.claimed.set(state.claimed.get() + 1);
            let now = iso_millis(self.host.now_ms());
            let Some(job) =
                store::claim_jobs(&self.host, &options.worker_id, 1, options.lease_ms, &now).await?.into_iter().next()
            else {
                state.claimed.set(state.claimed.get() - 1);
                return Ok(());
            };
            let result = self.execute_job(&job, crate::pipedrive::limits::Priority::Background).await;
            let verdict = self.verdict(&job, result.as_ref().err());
            let recorded = self.record(&job, &options.worker_id, &verdict, result.as_ref().err()).await?;
            let mut report = state.report.borrow_mut();
            report.processed += 1;
            match (&verdict, recorded) {
                (_, false) => report.lease_lost += 1,
                (Verdict::Done, true) => report.succeeded += 1,
                (Verdict::Dead, true) => report.dead += 1,
                (Verdict::RetryAt(_), true) => report.rescheduled += 1,
                (Verdict::Stop(_, reason), true) => {
                    report.rescheduled += 1;
                    report.stopped.get_or_insert_with(|| reason.clone());
                }
            }
            progress(&report);
        }
    }

    /// The fate of a job after its attempt (the attempt already made its immediate retries).
    pub(crate) fn verdict(&self, job: &ClaimedJob, error: Option<&SyncError>) -> Verdict {
        let Some(error) = error else {
            return Verdict::Done;
        };
        let now = self.host.now_ms();
        let policy = RetryPolicy::from_options(&self.config.options);
        match policy.decide(0, error, 0.0) {
            RetryDecision::GiveUp => Verdict::Dead,
            RetryDecision::WaitForBudget(wait_ms) => Verdict::Stop(
                now + wait_ms as i64,
                format!("the daily Pipedrive token budget is spent until {}", iso_millis(now + wait_ms as i64)),
            ),
            RetryDecision::StopToken => {
                let blocked = matches!(error, SyncError::RateLimited { scope: RateScope::Blocked, .. });
                let pause = if blocked {
                    crate::pipedrive::limits::BLOCK_PAUSE_MS
                } else {
                    crate::pipedrive::limits::AUTH_PAUSE_MS
                };
                Verdict::Stop(now + pause as i64, error.to_string())
            }
            RetryDecision::RetryAfter(_) => match outbox_backoff_ms(job.attempts) {
                Some(backoff) => Verdict::RetryAt(now + backoff as i64),
                None => Verdict::Dead,
            },
        }
    }

    /// Writes the verdict to the store; `false` when this worker no longer held the job's lease.
    pub(crate) async fn record(
        &self,
        job: &ClaimedJob,
        worker_id: &str,
        verdict: &Verdict,
        error: Option<&SyncError>,
    ) -> Result<bool, SyncError> {
        let now = iso_millis(self.host.now_ms());
        let message = error.map(ToString::to_string).unwrap_or_default();
        let recorded = match verdict {
            Verdict::Done => store::complete_job(&self.host, job.id, worker_id, &now).await?,
            Verdict::Dead => store::fail_job(&self.host, job.id, worker_id, &message, None, &now).await?,
            Verdict::RetryAt(at) | Verdict::Stop(at, _) => {
                store::fail_job(&self.host, job.id, worker_id, &message, Some(&iso_millis(*at)), &now).await?
            }
        };
        let event = match verdict {
            Verdict::Done => "outbox.job_done",
            Verdict::Dead => "outbox.job_dead",
            Verdict::RetryAt(_) | Verdict::Stop(..) => "outbox.job_rescheduled",
        };
        let level = if matches!(verdict, Verdict::Done) { LogLevel::Debug } else { LogLevel::Warn };
        self.host.log(level, event, json!({ "jobId": job.id, "kind": job.kind, "attempts": job.attempts, "error": error.map(ToString::to_string), "leaseHeld": recorded }));
        if recorded && matches!(verdict, Verdict::Dead) && job.kind == crate::services::warm_leads::KIND {
            // The contact's sync state tells the CRM what happened: a person must decide, or it failed for good.
            let status = if matches!(error, Some(SyncError::Conflict { .. })) { "CONFLICT" } else { "FAILED" };
            store::set_contact_sync_status(&self.host, &job.record_id, status).await?;
        }
        Ok(recorded)
    }

    /// `sync.queue.stats()`: the store's counts, with the rate limits as last seen.
    pub async fn queue_stats(&self) -> Result<Value, SyncError> {
        let now = self.host.now_ms();
        let mut stats = store::queue_stats(&self.host, &iso_millis(now)).await?;
        if let Some(object) = stats.as_object_mut() {
            object.insert("rateLimits".into(), self.limits.snapshot(now));
        }
        Ok(stats)
    }

    /// `sync.queue.retryDead(jobId?)`: puts dead jobs back in the queue; how many.
    pub async fn retry_dead(&self, job_id: Option<i64>) -> Result<u64, SyncError> {
        let count = store::retry_dead_jobs(&self.host, &iso_millis(self.host.now_ms()), job_id).await?;
        self.host.log(LogLevel::Info, "outbox.dead_replayed", json!({ "jobId": job_id, "count": count }));
        Ok(count)
    }

    /// `sync.rateLimit.snapshot()`.
    pub fn rate_limit_snapshot(&self) -> Value {
        self.limits.snapshot(self.host.now_ms())
    }
}
