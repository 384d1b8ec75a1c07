//! The Pipedrive API as the engine speaks it: request building, outcome classification and wire formats.
//!
//! API v2 for persons, organizations, activities and deals; v1 only where v2 has nothing (users, fields,
//! activity types). The facts it rests on are cited per module (API-FACTS, UPDATES-FACTS).

pub mod activity_types;
pub mod client;
pub mod entities;
pub mod fields;
pub mod limits;
pub mod metadata;
pub mod outcome;
pub mod records;
pub mod request;
pub mod retry_policy;
pub mod search;
pub mod users;
