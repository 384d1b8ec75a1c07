//! `sync.queue`: draining the outbox with the services' job kinds, its counts, and replaying dead jobs.

use serde_json::{json, Value};

use crate::engine::Engine;
use crate::error::SyncError;
use crate::host::{Host, LogLevel};
use crate::iso_time::iso_millis;
use crate::outbox::drain::{DrainOptions, DrainReport};
use crate::services::job_kinds::job_kinds;
use crate::store;

impl<H: Host> Engine<H> {
    /// `sync.queue.drain(options)`: drains due jobs until none is left, the limit is reached, or a limit of
    /// Pipedrive stops the work; `progress` hears the report after every job; once `stop_requested` answers true
    /// nothing more is claimed (a worker's shutdown).
    pub async fn drain(
        &self,
        options: &DrainOptions,
        progress: &dyn Fn(&DrainReport),
        stop_requested: &dyn Fn() -> bool,
    ) -> Result<DrainReport, SyncError> {
        self.drain_jobs(&job_kinds(), options, progress, stop_requested).await
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
}
