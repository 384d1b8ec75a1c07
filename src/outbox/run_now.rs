//! Running one queued job at once for a caller who waits (the real-time path of warm leads and activities),
//! within a time budget. When the budget runs out the caller hears so at once, but the attempt is not cut off:
//! it goes on, keeps the job leased (and any lock it holds) and records its own outcome, so a request in flight
//! is never sent a second time by a drain that took the job too early.

use super::attempt::JobAttempt;
use super::verdict::Verdict;
use super::{JobKind, DEFAULT_LEASE_MS};
use crate::engine::Engine;
use crate::error::SyncError;
use crate::host::Host;
use crate::iso_time::iso_millis;
use crate::local_async::join::{race, Either};
use crate::pipedrive::limits::Priority;
use crate::store;

impl<H: Host> Engine<H> {
    /// Runs one queued job at once: `None` when it is done, else why not (the queue finishes it). When the attempt
    /// has not settled within `budget_ms`, `on_late` hears why at once, and the attempt goes on: this resolves
    /// once it has settled and its verdict is recorded, with the reason `on_late` was given.
    pub(crate) async fn run_job_within(
        &self,
        kinds: &[JobKind<H>],
        job_id: i64,
        budget_ms: u64,
        on_late: &dyn Fn(&str),
    ) -> Result<Option<String>, SyncError> {
        let worker_id = format!("realtime-{job_id}-{}", self.host.now_ms());
        let now = iso_millis(self.host.now_ms());
        let Some(job) = store::claim_job(&self.host, job_id, &worker_id, DEFAULT_LEASE_MS, &now).await? else {
            return Ok(Some("a queue worker is already working on it".into()));
        };
        let attempt = JobAttempt::new(&self.host, job, &worker_id, DEFAULT_LEASE_MS);
        let mut settled = Box::pin(self.settle_job(kinds, &attempt, Priority::Interactive));
        let budget = Box::pin(self.host.deadline(budget_ms));
        let late = match race(settled.as_mut(), budget).await {
            Either::Left(outcome) => return Ok(not_done(outcome?)),
            Either::Right(()) => format!(
                "UNAVAILABLE: Pipedrive did not finish within {} s; the attempt goes on, and the queue retries it if it fails",
                budget_ms / 1000
            ),
        };
        on_late(&late);
        settled.await?;
        Ok(Some(late))
    }
}

/// Why a settled attempt did not do its job, or `None` when it did.
fn not_done((recorded, _, error): (bool, Verdict, Option<SyncError>)) -> Option<String> {
    match (error, recorded) {
        (None, _) => None,
        (Some(error), true) => Some(format!("{error}; the queue will retry it")),
        (Some(error), false) => Some(format!("{error}; another worker took the job over")),
    }
}
