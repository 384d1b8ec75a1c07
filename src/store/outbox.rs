//! Store calls about the outbox: claiming, completing and failing jobs, replay and statistics.

use serde::Deserialize;
use serde_json::{json, Value};

use super::call::call;
use crate::error::SyncError;
use crate::host::Host;

/// A job claimed from the outbox (`SyncJob` in the store contract).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClaimedJob {
    /// The job's id.
    pub id: i64,
    /// What to do (`update_record`, ...).
    pub kind: String,
    /// What the job is about.
    pub record_type: String,
    /// The record's id.
    pub record_id: String,
    /// The job's data.
    #[serde(default)]
    pub payload: Value,
    /// Attempts started, this one included.
    pub attempts: u32,
    /// Priority (interactive work is higher).
    #[serde(default)]
    pub priority: i64,
    /// The previous attempt's worker lost its lease: that attempt's outcome is unknown.
    #[serde(default)]
    pub recovered: bool,
}

impl ClaimedJob {
    /// The CRM user the job acts for (`payload.userId`), when it names one: decides the token with per-user
    /// tokens.
    pub fn acting_user(&self) -> Option<&str> {
        self.payload.get("userId").and_then(Value::as_str)
    }
}

/// `claimJobs({workerId, limit, leaseMs, now})`.
pub async fn claim_jobs<H: Host>(
    host: &H,
    worker_id: &str,
    limit: u32,
    lease_ms: u64,
    now: &str,
) -> Result<Vec<ClaimedJob>, SyncError> {
    call(host, "claimJobs", json!([{ "workerId": worker_id, "limit": limit, "leaseMs": lease_ms, "now": now }])).await
}

/// `completeJob(jobId, workerId, now)`: `false` when the lease was lost.
pub async fn complete_job<H: Host>(host: &H, job_id: i64, worker_id: &str, now: &str) -> Result<bool, SyncError> {
    call(host, "completeJob", json!([job_id, worker_id, now])).await
}

/// `failJob(jobId, workerId, {error, retryAt, now})`: `retry_at: None` makes the job DEAD.
pub async fn fail_job<H: Host>(
    host: &H,
    job_id: i64,
    worker_id: &str,
    error: &str,
    retry_at: Option<&str>,
    now: &str,
) -> Result<bool, SyncError> {
    call(host, "failJob", json!([job_id, worker_id, { "error": error, "retryAt": retry_at, "now": now }])).await
}

/// `retryDeadJobs(now, jobId?)`: how many jobs were put back.
pub async fn retry_dead_jobs<H: Host>(host: &H, now: &str, job_id: Option<i64>) -> Result<u64, SyncError> {
    let args = match job_id {
        Some(id) => json!([now, id]),
        None => json!([now]),
    };
    call(host, "retryDeadJobs", args).await
}

/// `queueStats(now)`, passed through as JSON.
pub async fn queue_stats<H: Host>(host: &H, now: &str) -> Result<Value, SyncError> {
    call(host, "queueStats", json!([now])).await
}
