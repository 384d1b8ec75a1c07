//! Running one queued job at once for a caller who waits (the real-time path of warm leads and activities),
//! within a time budget; when the budget runs out the job goes back to the queue.

use super::{JobKind, DEFAULT_LEASE_MS};
use crate::engine::Engine;
use crate::error::SyncError;
use crate::host::Host;
use crate::iso_time::iso_millis;
use crate::local_async::join::{race, Either};
use crate::pipedrive::limits::Priority;
use crate::store;

impl<H: Host> Engine<H> {
    /// Runs one queued job at once, within `budget_ms`: `None` when it is done, else why not (the job stays in
    /// the queue).
    pub(crate) async fn run_job_within(
        &self,
        kinds: &[JobKind<H>],
        job_id: i64,
        budget_ms: u64,
    ) -> Result<Option<String>, SyncError> {
        let worker_id = format!("realtime-{job_id}-{}", self.host.now_ms());
        let now = iso_millis(self.host.now_ms());
        let Some(job) = store::claim_job(&self.host, job_id, &worker_id, DEFAULT_LEASE_MS, &now).await? else {
            return Ok(Some("a queue worker is already working on it".into()));
        };
        let attempt = Box::pin(self.execute_job(kinds, &job, Priority::Interactive));
        let budget = Box::pin(self.host.sleep(budget_ms));
        match race(attempt, budget).await {
            Either::Left(result) => {
                let verdict = self.verdict_for(&job, result.as_ref().err());
                self.record(kinds, &job, &worker_id, &verdict, result.as_ref().err()).await?;
                Ok(result.err().map(|error| format!("{error}; the queue will retry it")))
            }
            Either::Right(()) => {
                // Too slow: hand the job to the queue now. Whatever the cut-off attempt sent is looked up by the
                // next one before it creates anything.
                let now = iso_millis(self.host.now_ms());
                let reason = format!("UNAVAILABLE: Pipedrive did not finish within {} s", budget_ms / 1000);
                store::fail_job(&self.host, job.id, &worker_id, &reason, Some(&now), &now).await?;
                Ok(Some(format!("{reason}; the queue will finish it")))
            }
        }
    }
}
