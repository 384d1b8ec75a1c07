//! Record updates (spec Feature 3, DESIGN §11). The pure part, data in and decisions out: [`validation`] checks
//! an `Update*Data`, [`mapping`] turns it into a v2 PATCH body, [`canonical`] gives the one form values are
//! compared in, [`three_way`] decides each field against the snapshot, and [`strategy`] settles what conflicts and
//! builds what is sent. [`request`] holds the requests and answers, and [`flow`] runs an update against Pipedrive
//! and the store; [`resolution`] applies a person's decision on a held conflict.

pub mod canonical;
pub mod flow;
pub mod mapping;
#[cfg(all(test, not(target_arch = "wasm32")))]
mod merge_properties;
pub mod request;
pub mod resolution;
pub mod strategy;
pub mod three_way;
pub mod validation;
