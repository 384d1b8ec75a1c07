//! Store calls about the outbox: claiming jobs with a fenced lease, renewing it, marking a job in doubt,
//! completing and failing jobs, replay and statistics. Every write about a claimed job carries its [`Lease`]: the
//! store accepts it only while that claim is the job's current one (DESIGN invariant 2).

use serde::Serialize;
use serde_json::{json, Value};

use super::call::call;
use crate::error::SyncError;
use crate::host::Host;
use crate::json::shape::{member, member_or_default, members, FromJson};

/// A job claimed from the outbox (`SyncJob` in the store contract).
#[derive(Debug, Clone, PartialEq)]
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
    pub payload: Value,
    /// Attempts started, this one included.
    pub attempts: u32,
    /// Priority (interactive work is higher).
    pub priority: i64,
    /// The previous attempt's worker lost its lease: that attempt's outcome is unknown.
    pub recovered: bool,
    /// This claim's fencing token: the job's lease generation, raised by every claim.
    pub lease_token: i64,
    /// Set once an attempt was about to send a create: since then a record may exist remotely, so every later
    /// attempt looks it up before creating anything (ISO 8601).
    pub in_doubt_since: Option<String>,
}

/// Who holds a claimed job: the worker and the claim's fencing token (`{workerId, token}` in the store contract).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Lease {
    /// The claiming worker.
    pub worker_id: String,
    /// The claim's `leaseToken`.
    pub token: i64,
}

impl Lease {
    /// The lease of `job`, claimed by `worker_id`.
    pub fn of(job: &ClaimedJob, worker_id: &str) -> Lease {
        Lease { worker_id: worker_id.to_string(), token: job.lease_token }
    }
}

/// A link write fenced by the job that makes it: `{jobId, workerId, token}`, accepted only while that claim holds
/// the job.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Fence {
    /// The job making the write.
    pub job_id: i64,
    /// Its claim.
    #[serde(flatten)]
    pub lease: Lease,
}

impl FromJson for ClaimedJob {
    fn from_json(value: &Value) -> Result<Self, String> {
        let object = members(value, "ClaimedJob")?;
        Ok(ClaimedJob {
            id: member(object, "id")?,
            kind: member(object, "kind")?,
            record_type: member(object, "recordType")?,
            record_id: member(object, "recordId")?,
            payload: member_or_default(object, "payload")?,
            attempts: member(object, "attempts")?,
            priority: member_or_default(object, "priority")?,
            recovered: member_or_default(object, "recovered")?,
            lease_token: member_or_default(object, "leaseToken")?,
            in_doubt_since: member(object, "inDoubtSince")?,
        })
    }
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

/// `claimJob(jobId, {workerId, leaseMs, now})`: that one job, due or not, unless someone holds it.
pub async fn claim_job<H: Host>(
    host: &H,
    job_id: i64,
    worker_id: &str,
    lease_ms: u64,
    now: &str,
) -> Result<Option<ClaimedJob>, SyncError> {
    call(host, "claimJob", json!([job_id, { "workerId": worker_id, "leaseMs": lease_ms, "now": now }])).await
}

/// `renewLease(jobId, lease, {leaseMs, now})`: `false` when the claim no longer holds the job.
pub async fn renew_lease<H: Host>(
    host: &H,
    job_id: i64,
    lease: &Lease,
    lease_ms: u64,
    now: &str,
) -> Result<bool, SyncError> {
    call(host, "renewLease", json!([job_id, lease, { "leaseMs": lease_ms, "now": now }])).await
}

/// `markJobInDoubt(jobId, lease, {since, now})`: the earliest mark is kept; `false` when the claim no longer
/// holds the job.
pub async fn mark_job_in_doubt<H: Host>(
    host: &H,
    job_id: i64,
    lease: &Lease,
    since: &str,
    now: &str,
) -> Result<bool, SyncError> {
    call(host, "markJobInDoubt", json!([job_id, lease, { "since": since, "now": now }])).await
}

/// `completeJob(jobId, lease, now)`: `false` when the claim no longer holds the job.
pub async fn complete_job<H: Host>(host: &H, job_id: i64, lease: &Lease, now: &str) -> Result<bool, SyncError> {
    call(host, "completeJob", json!([job_id, lease, now])).await
}

/// `failJob(jobId, lease, {error, retryAt, now})`: `retry_at: None` makes the job DEAD.
pub async fn fail_job<H: Host>(
    host: &H,
    job_id: i64,
    lease: &Lease,
    error: &str,
    retry_at: Option<&str>,
    now: &str,
) -> Result<bool, SyncError> {
    call(host, "failJob", json!([job_id, lease, { "error": error, "retryAt": retry_at, "now": now }])).await
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
