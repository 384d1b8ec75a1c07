//! The WebAssembly bindings: the JS host object as a [`crate::host::Host`], and the engine exported to
//! JavaScript. Only uniform adapters live here (JS value in → core call → JS value out); all logic is in the core.

mod convert;
mod engine_export;
mod js_host;
mod js_json;
mod organizations_export;
mod panic_hook;
mod reconcile_export;
mod task;
mod updates_export;

pub use engine_export::WasmEngine;
pub use panic_hook::set_panic_reporter;
pub use task::Task;
