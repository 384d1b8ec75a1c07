//! The outbox: durable jobs in the CRM's database, carried out at least once with their effect exactly once
//! (DESIGN invariant 2). A drain ([`drain`]) or a real-time caller ([`run_now`]) claims a job with a lease, runs
//! it through its [`JobKind`], and records the [`verdict`]. The outbox names no job kind: the services hand it
//! the table of kinds they own (`services::job_kinds`).

pub mod drain;
pub mod run_now;
pub mod verdict;

use serde_json::json;

use crate::engine::Engine;
use crate::error::SyncError;
use crate::host::{Host, LogLevel};
use crate::iso_time::iso_millis;
use crate::local_async::join::LocalFuture;
use crate::pipedrive::limits::Priority;
use crate::pipedrive::retry_policy::RetryPolicy;
use crate::store::{self, ClaimedJob};
use verdict::{verdict, Verdict};

pub use crate::config::DEFAULT_LEASE_MS;

/// The future of one job attempt.
pub type JobFuture<'a> = LocalFuture<'a, Result<(), SyncError>>;

/// How a job of one kind runs.
pub type RunJob<H> = for<'a> fn(&'a Engine<H>, &'a ClaimedJob, Priority) -> JobFuture<'a>;
/// What happens once when a job of one kind goes dead, with its last error.
pub type OnDead<H> = for<'a> fn(&'a Engine<H>, &'a ClaimedJob, &'a SyncError) -> JobFuture<'a>;

/// One kind of job: its name in the outbox, how an attempt runs, and what happens when a job of it goes dead.
pub struct JobKind<H: Host> {
    /// The `kind` column of its jobs.
    pub name: &'static str,
    /// Carries out one claimed job; `priority` is whose work it is (a user waiting, or the queue). A job runs at
    /// least once and must have its effect once, so `run` tells whether an interrupted attempt did the work.
    pub run: RunJob<H>,
    /// Called once when a job of this kind goes dead, with its last error (e.g. to mark the local record).
    pub on_dead: Option<OnDead<H>>,
}

/// The kind of `job` among `kinds`; an unknown kind is an internal error (the job goes dead with it).
fn kind_of<'k, H: Host>(kinds: &'k [JobKind<H>], job: &ClaimedJob) -> Result<&'k JobKind<H>, SyncError> {
    kinds.iter().find(|kind| kind.name == job.kind).ok_or_else(|| {
        SyncError::internal(format!("the outbox holds a job of unknown kind '{}' (job {})", job.kind, job.id))
    })
}

impl<H: Host> Engine<H> {
    /// Carries out one claimed job through its kind.
    pub(crate) async fn execute_job(
        &self,
        kinds: &[JobKind<H>],
        job: &ClaimedJob,
        priority: Priority,
    ) -> Result<(), SyncError> {
        (kind_of(kinds, job)?.run)(self, job, priority).await
    }

    /// The verdict for `job` after its attempt, now, under the configured retry policy.
    pub(crate) fn verdict_for(&self, job: &ClaimedJob, error: Option<&SyncError>) -> Verdict {
        verdict(&RetryPolicy::from_options(&self.config.options), job.attempts, error, self.host.now_ms())
    }

    /// Writes the verdict to the store; `false` when this worker no longer held the job's lease.
    pub(crate) async fn record(
        &self,
        kinds: &[JobKind<H>],
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
        if let (true, Verdict::Dead, Some(error)) = (recorded, verdict, error) {
            if let Some(on_dead) = kind_of(kinds, job).ok().and_then(|kind| kind.on_dead) {
                on_dead(self, job, error).await?;
            }
        }
        Ok(recorded)
    }
}
