//! Typed calls into the CRM's store (the JS `SyncStore`): one function per store method, so a flow never
//! handles raw JSON from the host.

use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::error::SyncError;
use crate::host::Host;

/// A CRM user as the store returns it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LocalUser {
    /// The CRM's id.
    pub id: String,
    /// The user's email as stored.
    pub email: String,
    /// Display name, if any.
    #[serde(default)]
    pub name: Option<String>,
    /// The linked Pipedrive user id, once known.
    #[serde(default)]
    pub pipedrive_user_id: Option<i64>,
}

/// `findUserById(userId)`.
pub async fn find_user_by_id<H: Host>(
    host: &H,
    user_id: &str,
) -> Result<Option<LocalUser>, SyncError> {
    call(host, "findUserById", json!([user_id])).await
}

/// `findUserByEmail(email)`: the store compares case-insensitively.
pub async fn find_user_by_email<H: Host>(
    host: &H,
    email: &str,
) -> Result<Option<LocalUser>, SyncError> {
    call(host, "findUserByEmail", json!([email])).await
}

/// `setUserPipedriveId(userId, pipedriveUserId)`: `false` when the user does not exist.
pub async fn set_user_pipedrive_id<H: Host>(
    host: &H,
    user_id: &str,
    pipedrive_user_id: i64,
) -> Result<bool, SyncError> {
    call(
        host,
        "setUserPipedriveId",
        json!([user_id, pipedrive_user_id]),
    )
    .await
}

async fn call<H: Host, T: DeserializeOwned>(
    host: &H,
    method: &str,
    args: Value,
) -> Result<T, SyncError> {
    let value = host
        .store(method, args)
        .await
        .map_err(|failure| failure.into_error(method))?;
    serde_json::from_value(value).map_err(|error| SyncError::Store {
        method: method.to_string(),
        message: format!("returned a value that breaks the SyncStore contract: {error}"),
        js_error_id: None,
    })
}

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

/// `claimJobs({workerId, limit, leaseMs, now})`.
pub async fn claim_jobs<H: Host>(
    host: &H,
    worker_id: &str,
    limit: u32,
    lease_ms: u64,
    now: &str,
) -> Result<Vec<ClaimedJob>, SyncError> {
    call(
        host,
        "claimJobs",
        json!([{ "workerId": worker_id, "limit": limit, "leaseMs": lease_ms, "now": now }]),
    )
    .await
}

/// `completeJob(jobId, workerId, now)`: `false` when the lease was lost.
pub async fn complete_job<H: Host>(
    host: &H,
    job_id: i64,
    worker_id: &str,
    now: &str,
) -> Result<bool, SyncError> {
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
    call(
        host,
        "failJob",
        json!([job_id, worker_id, { "error": error, "retryAt": retry_at, "now": now }]),
    )
    .await
}

/// `retryDeadJobs(now, jobId?)`: how many jobs were put back.
pub async fn retry_dead_jobs<H: Host>(
    host: &H,
    now: &str,
    job_id: Option<i64>,
) -> Result<u64, SyncError> {
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
