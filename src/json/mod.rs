//! JSON values in and out of typed Rust: typed values read out of replies ([`shape`]), and ordered maps, sets
//! and JSON objects built by insertion ([`ordered`]).

pub mod ordered;
pub mod shape;
