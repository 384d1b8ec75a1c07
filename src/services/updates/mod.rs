//! Record updates, the pure part (spec Feature 3, DESIGN §11): data in, decisions out; no host, no engine.
//! [`validation`] checks an `Update*Data`, [`mapping`] turns it into a v2 PATCH body, [`canonical`] gives the
//! one form values are compared in, [`three_way`] decides each field against the snapshot, and [`strategy`]
//! settles what conflicts and builds what is sent.

pub mod canonical;
pub mod mapping;
#[cfg(all(test, not(target_arch = "wasm32")))]
mod merge_properties;
pub mod strategy;
pub mod three_way;
pub mod validation;
