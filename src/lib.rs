//! pipedrive-sync: the Rust core of a Pipedrive integration for Node CRMs.
//!
//! Everything here is plain Rust that knows nothing of WebAssembly: mapping, validation, the Pipedrive wire
//! formats, caches and the flows (written against the [`host::Host`] trait). The [`wasm`] module, compiled for
//! `wasm32` only, implements that trait over the JavaScript host object and exports the engine.
//!
//! Dependencies point one way (DESIGN §2), as the folders say:
//!
//! - [`wasm`]: the binding: typed requests in, a `Task` per call, JSON out;
//! - [`services`]: one module per `sync.<service>` (users, labels, warm leads, activities, record updates, queue,
//!   rate limit);
//! - [`outbox`]: claim, run, verdict, record; the job kinds are handed to it, it names none;
//! - [`pipedrive`] (requests, outcomes, client, records, fields, retry policy, `limits/`) and [`store`] (typed
//!   store calls);
//! - crate-wide leaves: [`engine`], [`error`], [`config`], [`host`], [`local_async`], [`api_token`],
//!   [`iso_time`], [`json_args`], [`json`], [`text`], [`ttl_cache`].

pub mod api_token;
pub mod config;
pub mod engine;
pub mod error;
pub mod host;
pub mod iso_time;
pub mod json;
pub mod json_args;
pub mod local_async;
pub mod outbox;
pub mod pipedrive;
pub mod services;
pub mod store;
pub mod text;
pub mod ttl_cache;

#[cfg(target_arch = "wasm32")]
pub mod wasm;
