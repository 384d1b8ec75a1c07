//! The services of `sync.<service>`, one module each, written as `impl Engine` blocks over the layers below:
//! [`users`], [`labels`], [`organization_service`], [`warm_leads`], [`activities`], [`record_updates`], [`reconcile`], [`webhooks`], [`queue`],
//! [`rate_limit`]; the
//! job kinds they own are listed in `job_kinds` for the outbox. [`updates`] holds the pure decisions of record
//! updates (validation, mapping, three-way conflict detection, merge strategies).

pub mod activities;
pub mod email;
pub(crate) mod job_kinds;
pub mod labels;
pub mod organization_service;
pub mod organizations;
pub mod queue;
pub mod rate_limit;
pub mod reconcile;
pub mod record_updates;
pub mod updates;
pub mod users;
pub mod warm_leads;
pub mod webhooks;
