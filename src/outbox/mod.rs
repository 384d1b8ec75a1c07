//! The outbox: durable jobs in the CRM's database, carried out at least once with their effect exactly once
//! (DESIGN invariant 2). A drain ([`drain`]) or a real-time caller ([`run_now`]) claims a job with a fenced
//! lease, runs it as an [`attempt`] through its [`JobKind`] while the lease is renewed, and records the
//! [`verdict`] with the claim's token. The outbox names no job kind: the services hand it the table of kinds they
//! own (`services::job_kinds`).

pub mod attempt;
pub mod drain;
pub mod run_now;
pub mod verdict;

use serde_json::json;

use crate::engine::Engine;
use crate::error::SyncError;
use crate::host::{Host, LogLevel};
use crate::iso_time::iso_millis;
use crate::local_async::join::{race, Either, LocalFuture};
use crate::pipedrive::limits::Priority;
use crate::pipedrive::retry_policy::RetryPolicy;
use crate::store::{self, ClaimedJob};
use attempt::JobAttempt;
use verdict::{verdict, Verdict};

pub use crate::config::DEFAULT_LEASE_MS;

/// The future of one job attempt.
pub type JobFuture<'a> = LocalFuture<'a, Result<(), SyncError>>;

/// How a job of one kind runs (the attempt derefs to the claimed job).
pub type RunJob<H> = for<'a> fn(&'a Engine<H>, &'a JobAttempt<'a, H>, Priority) -> JobFuture<'a>;
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
    /// Carries out one attempt through its job's kind while its lease is renewed; an attempt whose claim was
    /// taken over stops (whatever it was waiting for) with the lease-lost error.
    pub(crate) async fn execute_job(
        &self,
        kinds: &[JobKind<H>],
        attempt: &JobAttempt<'_, H>,
        priority: Priority,
    ) -> Result<(), SyncError> {
        let run = kind_of(kinds, attempt)?.run;
        match race(Box::pin(run(self, attempt, priority)), Box::pin(attempt.keep_renewed())).await {
            Either::Left(result) => result,
            Either::Right(()) => Err(attempt.lease_lost("the attempt")),
        }
    }

    /// Carries out one attempt and records its verdict: whether the store accepted the verdict (`false` when the
    /// claim was taken over), with the verdict and the attempt's error.
    pub(crate) async fn settle_job(
        &self,
        kinds: &[JobKind<H>],
        attempt: &JobAttempt<'_, H>,
        priority: Priority,
    ) -> Result<(bool, Verdict, Option<SyncError>), SyncError> {
        let result = self.execute_job(kinds, attempt, priority).await;
        let verdict = self.verdict_for(attempt, result.as_ref().err());
        let recorded = self.record(kinds, attempt, &verdict, result.as_ref().err()).await?;
        Ok((recorded, verdict, result.err()))
    }

    /// The verdict for `job` after its attempt, now, under the configured retry policy.
    pub(crate) fn verdict_for(&self, job: &ClaimedJob, error: Option<&SyncError>) -> Verdict {
        verdict(&RetryPolicy::from_options(&self.config.options), job.attempts, error, self.host.now_ms())
    }

    /// Writes the verdict to the store with the attempt's claim; `false` when the claim no longer held the job.
    async fn record(
        &self,
        kinds: &[JobKind<H>],
        attempt: &JobAttempt<'_, H>,
        verdict: &Verdict,
        error: Option<&SyncError>,
    ) -> Result<bool, SyncError> {
        let job: &ClaimedJob = attempt;
        let lease = attempt.lease();
        let now = iso_millis(self.host.now_ms());
        let message = error.map(ToString::to_string).unwrap_or_default();
        let recorded = match verdict {
            Verdict::Done => store::complete_job(&self.host, job.id, lease, &now).await?,
            Verdict::Dead => store::fail_job(&self.host, job.id, lease, &message, None, &now).await?,
            Verdict::RetryAt(at) | Verdict::Stop(at, _) => {
                store::fail_job(&self.host, job.id, lease, &message, Some(&iso_millis(*at)), &now).await?
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
