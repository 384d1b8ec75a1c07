//! The outbox: workers claim due jobs with a lease, carry them out, and record the verdict.

pub mod drain;
pub mod job_kinds;
