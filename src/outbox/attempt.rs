//! One attempt of a claimed job under a fenced lease (DESIGN invariant 2): the claim's token goes with every
//! write about the job, the lease is renewed while the attempt runs, and before a create is sent the job is
//! marked *in doubt* in the store, so that every later attempt, by any worker, looks the record up first. A
//! worker whose lease was taken over stops at its next write or create.

use std::cell::Cell;
use std::ops::Deref;

use serde_json::json;

use crate::error::SyncError;
use crate::host::{Host, LogLevel};
use crate::iso_time::{iso_millis, parse_rfc3339};
use crate::local_async::join::LocalFuture;
use crate::pipedrive::records::CreateFence;
use crate::store::{self, ClaimedJob, Fence, Lease};

/// How often a running attempt renews its lease, as a fraction of the lease: three renewals per lease.
const RENEWALS_PER_LEASE: u64 = 3;

/// A claimed job being carried out by this worker. Derefs to the job.
pub struct JobAttempt<'a, H: Host> {
    host: &'a H,
    job: ClaimedJob,
    lease: Lease,
    lease_ms: u64,
    /// Since when (ms) a create of an earlier attempt may exist remotely, as the store had it at the claim.
    in_doubt_since: Option<i64>,
    /// The mark this attempt wrote (or found) before its first create.
    marked: Cell<Option<i64>>,
    /// Set when the store refused this claim (another worker holds the job now).
    lost: Cell<bool>,
}

impl<H: Host> Deref for JobAttempt<'_, H> {
    type Target = ClaimedJob;

    fn deref(&self) -> &ClaimedJob {
        &self.job
    }
}

impl<'a, H: Host> JobAttempt<'a, H> {
    /// The attempt of `job`, claimed by `worker_id` for `lease_ms`.
    pub fn new(host: &'a H, job: ClaimedJob, worker_id: &str, lease_ms: u64) -> Self {
        let lease = Lease::of(&job, worker_id);
        let in_doubt_since =
            job.in_doubt_since.as_deref().and_then(parse_rfc3339).map(|instant| instant.timestamp_millis());
        JobAttempt { host, job, lease, lease_ms, in_doubt_since, marked: Cell::new(None), lost: Cell::new(false) }
    }

    /// The claim, for the job's completion or failure.
    pub fn lease(&self) -> &Lease {
        &self.lease
    }

    /// The fence for a link write made by this attempt.
    pub fn fence(&self) -> Fence {
        Fence { job_id: self.job.id, lease: self.lease.clone() }
    }

    /// Whether the store refused this claim: another worker holds the job.
    pub fn lost(&self) -> bool {
        self.lost.get()
    }

    /// The error that stops an attempt whose claim was taken over, after noting it.
    pub fn lease_lost(&self, what: &str) -> SyncError {
        self.lost.set(true);
        self.host.log(LogLevel::Warn, "outbox.lease_lost", json!({ "jobId": self.job.id, "refused": what }));
        SyncError::Store {
            method: what.to_string(),
            message: format!("job {} is held by another worker now, so this attempt stopped", self.job.id),
            js_error_id: None,
        }
    }

    /// A write about the job made with this claim: `Ok` when the store accepted it, the lease-lost error when it
    /// refused it.
    pub fn accepted(&self, accepted: bool, what: &str) -> Result<(), SyncError> {
        if accepted {
            Ok(())
        } else {
            Err(self.lease_lost(what))
        }
    }

    /// Renews the lease every third of it until the claim is refused; never ends otherwise (race it against the
    /// attempt). A store failure is logged and retried at the next turn: the fenced writes still protect the job.
    pub async fn keep_renewed(&self) {
        let every = (self.lease_ms / RENEWALS_PER_LEASE).max(1);
        loop {
            self.host.deadline(every).await;
            let now = iso_millis(self.host.now_ms());
            match store::renew_lease(self.host, self.job.id, &self.lease, self.lease_ms, &now).await {
                Ok(true) => {}
                Ok(false) => {
                    let _ = self.lease_lost("the lease renewal");
                    return;
                }
                Err(error) => self.host.log(
                    LogLevel::Warn,
                    "outbox.renewal_failed",
                    json!({ "jobId": self.job.id, "error": error.to_string() }),
                ),
            }
        }
    }
}

impl<H: Host> CreateFence for JobAttempt<'_, H> {
    /// Only an earlier attempt's creates are in doubt: within this attempt, a create that failed with an unknown
    /// outcome ends the attempt (or is looked up by its own retry), so a later create of a different record (the
    /// person after the organization) is not looked up for nothing.
    fn in_doubt_since(&self) -> Option<i64> {
        self.in_doubt_since
    }

    fn before_create(&self) -> LocalFuture<'_, Result<i64, SyncError>> {
        Box::pin(async move {
            if self.lost.get() {
                return Err(self.lease_lost("a create"));
            }
            let since = self.marked.get().or(self.in_doubt_since).unwrap_or_else(|| self.host.now_ms());
            let now = iso_millis(self.host.now_ms());
            let marked =
                store::mark_job_in_doubt(self.host, self.job.id, &self.lease, &iso_millis(since), &now).await?;
            self.accepted(marked, "the in-doubt mark")?;
            self.marked.set(Some(since));
            Ok(since)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::test_host::{block_on, TestHost};
    use crate::json::shape::FromJson;
    use serde_json::Value;

    fn job(in_doubt_since: Option<&str>) -> ClaimedJob {
        ClaimedJob::from_json(&json!({
            "id": 7, "kind": "warm_lead", "recordType": "contact", "recordId": "c1", "payload": {}, "attempts": 2,
            "leaseToken": 5, "inDoubtSince": in_doubt_since,
        }))
        .unwrap()
    }

    #[test]
    fn a_create_marks_the_job_in_doubt_with_the_claims_token_first() {
        let host = TestHost::default();
        host.now.set(1_773_000_000_000);
        let attempt = JobAttempt::new(&host, job(None), "w1", 60_000);
        assert_eq!(attempt.in_doubt_since(), None);
        assert_eq!(block_on(attempt.before_create()).unwrap(), 1_773_000_000_000);
        assert_eq!(attempt.in_doubt_since(), None, "this attempt's own creates do not put its next ones in doubt");
        host.now.set(1_773_000_005_000);
        assert_eq!(block_on(attempt.before_create()).unwrap(), 1_773_000_000_000, "the first mark's time is kept");
        let marks = host.store_calls_of("markJobInDoubt");
        assert_eq!(marks[0][0], 7);
        assert_eq!(marks[0][1], json!({ "workerId": "w1", "token": 5 }));
        assert_eq!(marks[0][2]["since"], "2026-03-08T20:00:00.000Z");
    }

    #[test]
    fn the_stored_mark_is_kept_and_a_refused_claim_stops_every_later_create() {
        let host = TestHost::default();
        let attempt = JobAttempt::new(&host, job(Some("2026-03-08T19:00:00.000Z")), "w1", 60_000);
        assert_eq!(attempt.in_doubt_since(), Some(1_772_996_400_000), "the earlier attempt's mark");
        host.answer_store("markJobInDoubt", json!(false));
        let refused = block_on(attempt.before_create()).unwrap_err();
        assert!(refused.to_string().contains("held by another worker"), "{refused}");
        assert!(attempt.lost());
        assert!(block_on(attempt.before_create()).is_err());
        assert_eq!(host.store_calls_of("markJobInDoubt").len(), 1, "nothing more is asked once lost");
        assert_eq!(host.store_calls_of("markJobInDoubt")[0][2]["since"], "2026-03-08T19:00:00.000Z");
    }

    #[test]
    fn renewal_extends_the_lease_until_the_store_refuses_it() {
        let host = TestHost::default();
        host.deadlines_fire.set(true);
        host.answer_store("renewLease", json!(true));
        host.answer_store("renewLease", json!(true));
        host.answer_store("renewLease", json!(false));
        let attempt = JobAttempt::new(&host, job(None), "w1", 90_000);
        block_on(attempt.keep_renewed());
        let renewals = host.store_calls_of("renewLease");
        assert_eq!(renewals.len(), 3);
        assert_eq!(renewals[0][2]["leaseMs"], 90_000);
        assert_eq!(renewals[1][1]["token"], 5);
        assert!(attempt.lost());
        let _: Vec<Value> = renewals;
    }
}
