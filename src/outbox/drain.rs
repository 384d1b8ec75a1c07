//! Draining the outbox: workers claim due jobs with a lease, carry them out through the job kinds they are
//! given, and record the verdict (DESIGN invariant 2). A spent daily budget or a paused token stops the drain
//! instead of failing job after job.

use std::cell::{Cell, RefCell};

use serde::Serialize;
use serde_json::{json, Value};

use super::attempt::JobAttempt;
use super::verdict::Verdict;
use super::{JobKind, DEFAULT_LEASE_MS};
use crate::engine::Engine;
use crate::error::SyncError;
use crate::host::{Host, LogLevel};
use crate::iso_time::iso_millis;
use crate::local_async::join::{join_all, LocalFuture};
use crate::pipedrive::limits::Priority;
use crate::store;

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
    /// `leaseMs` must be at least `min_lease_ms` ([`crate::config::SyncOptions::min_lease_ms`]).
    pub fn from_json(value: &Value, default_concurrency: u32, min_lease_ms: u64) -> Result<Self, SyncError> {
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
            lease_ms: number("leaseMs", min_lease_ms, 86_400_000)?.unwrap_or(DEFAULT_LEASE_MS),
            concurrency: number("concurrency", 1, 64)?.map_or(default_concurrency, |n| n as u32),
        })
    }
}

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

struct DrainState {
    report: RefCell<DrainReport>,
    claimed: Cell<u64>,
}

impl<H: Host> Engine<H> {
    /// Drains due jobs until none is left, the limit is reached, a limit of Pipedrive stops the work, or
    /// `stop_requested` answers true (checked before every claim: a worker told to stop claims nothing more and
    /// finishes the jobs it holds).
    pub(crate) async fn drain_jobs(
        &self,
        kinds: &[JobKind<H>],
        options: &DrainOptions,
        progress: &dyn Fn(&DrainReport),
        stop_requested: &dyn Fn() -> bool,
    ) -> Result<DrainReport, SyncError> {
        let started = self.host.now_ms();
        let (requests_before, limited_before) = (self.counters.requests.get(), self.counters.rate_limited.get());
        let state = DrainState {
            report: RefCell::new(DrainReport { limit: options.limit, ..DrainReport::default() }),
            claimed: Cell::new(0),
        };
        let workers: Vec<LocalFuture<'_, Result<(), SyncError>>> = (0..options.concurrency.max(1))
            .map(|_| {
                Box::pin(self.drain_worker(kinds, options, &state, progress, stop_requested)) as LocalFuture<'_, _>
            })
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
        kinds: &[JobKind<H>],
        options: &DrainOptions,
        state: &DrainState,
        progress: &dyn Fn(&DrainReport),
        stop_requested: &dyn Fn() -> bool,
    ) -> Result<(), SyncError> {
        loop {
            if state.report.borrow().stopped.is_some()
                || options.limit.is_some_and(|limit| state.claimed.get() >= limit)
                || stop_requested()
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
            let attempt = JobAttempt::new(&self.host, job, &options.worker_id, options.lease_ms);
            let (recorded, verdict, _) = self.settle_job(kinds, &attempt, Priority::Background).await?;
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::test_host::{block_on, test_engine, TestHost};
    use crate::outbox::JobFuture;
    use crate::store::ClaimedJob;
    use serde_json::json;

    /// Kinds of the test's own, so the drain is seen to run whatever kinds it is handed.
    fn kinds() -> Vec<JobKind<TestHost>> {
        fn ok<'a>(_: &'a Engine<TestHost>, _: &'a JobAttempt<'a, TestHost>, _: Priority) -> JobFuture<'a> {
            Box::pin(async { Ok(()) })
        }
        fn bad_input<'a>(_: &'a Engine<TestHost>, _: &'a JobAttempt<'a, TestHost>, _: Priority) -> JobFuture<'a> {
            Box::pin(async { Err(SyncError::validation("payload.name", "must not be empty")) })
        }
        fn down<'a>(_: &'a Engine<TestHost>, _: &'a JobAttempt<'a, TestHost>, _: Priority) -> JobFuture<'a> {
            Box::pin(async {
                Err(SyncError::Unavailable { message: "Pipedrive answered 503".into(), status: Some(503) })
            })
        }
        fn refused<'a>(_: &'a Engine<TestHost>, _: &'a JobAttempt<'a, TestHost>, _: Priority) -> JobFuture<'a> {
            Box::pin(async { Err(SyncError::Auth { message: "the token was refused".into(), status: Some(401) }) })
        }
        fn on_dead<'a>(engine: &'a Engine<TestHost>, job: &'a ClaimedJob, error: &'a SyncError) -> JobFuture<'a> {
            engine.host.log(LogLevel::Info, "test.on_dead", json!({ "jobId": job.id, "code": error.code() }));
            Box::pin(async { Ok(()) })
        }
        vec![
            JobKind { name: "ok", run: ok, on_dead: Some(on_dead) },
            JobKind { name: "bad_input", run: bad_input, on_dead: Some(on_dead) },
            JobKind { name: "down", run: down, on_dead: Some(on_dead) },
            JobKind { name: "refused", run: refused, on_dead: None },
        ]
    }

    fn job(id: i64, kind: &str) -> Value {
        json!([{ "id": id, "kind": kind, "recordType": "contact", "recordId": format!("c{id}"), "payload": {}, "attempts": 1, "leaseToken": id * 10 }])
    }

    fn options(limit: Option<u64>) -> DrainOptions {
        DrainOptions { limit, worker_id: "w1".into(), lease_ms: DEFAULT_LEASE_MS, concurrency: 1 }
    }

    fn drained(host: TestHost, limit: Option<u64>) -> (Engine<TestHost>, DrainReport) {
        let engine = test_engine(host);
        let report = block_on(engine.drain_jobs(&kinds(), &options(limit), &|_| {}, &|| false)).unwrap();
        (engine, report)
    }

    #[test]
    fn each_job_gets_its_verdict_recorded_and_dead_jobs_their_hook() {
        let host = TestHost::default();
        for (id, kind) in [(1, "ok"), (2, "bad_input"), (3, "down"), (4, "nobody_knows_me")] {
            host.answer_store("claimJobs", job(id, kind));
        }
        host.answer_store("claimJobs", json!([]));
        host.now.set(1_773_000_000_000);
        let (engine, report) = drained(host, None);
        assert_eq!((report.processed, report.succeeded, report.rescheduled, report.dead), (4, 1, 1, 2));
        assert_eq!(report.stopped, None);
        let host = engine.host();
        assert_eq!(
            host.store_calls_of("completeJob"),
            vec![json!([1, {"workerId": "w1", "token": 10}, "2026-03-08T20:00:00.000Z"])],
            "completed with the claim's fencing token"
        );
        let failed = host.store_calls_of("failJob");
        assert_eq!(failed.len(), 3);
        assert_eq!(failed[0][0], 2);
        assert_eq!(failed[0][2]["retryAt"], Value::Null, "bad input goes dead");
        assert_eq!(failed[1][0], 3);
        assert_eq!(failed[1][2]["retryAt"], "2026-03-08T20:01:00.000Z", "a 503 comes back in a minute");
        assert_eq!(failed[2][0], 4);
        assert!(failed[2][2]["error"].as_str().unwrap().contains("unknown kind 'nobody_knows_me'"));
        let hooks: Vec<Value> = host
            .logs
            .borrow()
            .iter()
            .filter(|(_, event, _)| event == "test.on_dead")
            .map(|(_, _, f)| f.clone())
            .collect();
        assert_eq!(hooks, vec![json!({ "jobId": 2, "code": "VALIDATION" })], "only the dead job of a kind with a hook");
    }

    #[test]
    fn a_refused_token_stops_the_drain_and_a_lost_lease_is_counted() {
        let host = TestHost::default();
        host.answer_store("claimJobs", job(1, "ok"));
        host.answer_store("completeJob", json!(false));
        host.answer_store("claimJobs", job(2, "refused"));
        host.answer_store("claimJobs", job(3, "ok"));
        let (engine, report) = drained(host, None);
        assert_eq!((report.processed, report.lease_lost, report.rescheduled), (2, 1, 1));
        assert!(report.stopped.as_deref().unwrap().contains("the token was refused"));
        assert_eq!(engine.host().store_calls_of("claimJobs").len(), 2, "nothing more is claimed once stopped");
    }

    #[test]
    fn a_limit_stops_claiming() {
        let host = TestHost::default();
        for id in 1..=5 {
            host.answer_store("claimJobs", job(id, "ok"));
        }
        let (engine, report) = drained(host, Some(2));
        assert_eq!((report.processed, report.succeeded, report.limit), (2, 2, Some(2)));
        assert_eq!(engine.host().store_calls_of("claimJobs").len(), 2);
    }

    #[test]
    fn a_requested_stop_claims_nothing_more_and_finishes_the_job_in_hand() {
        let host = TestHost::default();
        for id in 1..=5 {
            host.answer_store("claimJobs", job(id, "ok"));
        }
        let engine = test_engine(host);
        let done = Cell::new(0);
        let report =
            block_on(
                engine.drain_jobs(&kinds(), &options(None), &|report| done.set(report.processed), &|| done.get() >= 2),
            )
            .unwrap();
        assert_eq!((report.processed, report.succeeded, report.stopped.clone()), (2, 2, None));
        assert_eq!(engine.host().store_calls_of("claimJobs").len(), 2, "no claim after the stop");
        assert_eq!(engine.host().store_calls_of("completeJob").len(), 2, "the claimed jobs were finished");
    }
}
