//! pipedrive-sync: the Rust core of a Pipedrive integration for Node CRMs.
//!
//! Everything here is plain Rust that knows nothing of WebAssembly: mapping, validation, the Pipedrive wire
//! formats, caches and the flows (written against the [`host::Host`] trait). The [`wasm`] module, compiled for
//! `wasm32` only, implements that trait over the JavaScript host object and exports the engine.

pub mod activities;
pub mod async_lock;
pub mod cache;
pub mod clock;
pub mod config;
pub mod email;
pub mod engine;
pub mod error;
pub mod host;
pub mod input;
pub mod jobs;
pub mod join;
pub mod labels;
pub mod pipedrive;
pub mod queue;
pub mod rate_window;
pub mod retry_policy;
pub mod secret;
pub mod store;
pub mod token_budget;
pub mod user_throttle;
pub mod users;
pub mod warm_lead;

#[cfg(test)]
pub(crate) mod test_host;

#[cfg(target_arch = "wasm32")]
pub mod wasm;
