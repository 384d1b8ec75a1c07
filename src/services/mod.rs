//! The services of `sync.<service>`, one module each, written as `impl Engine` blocks over the layers below:
//! [`users`], [`labels`], [`warm_leads`], [`activities`], [`record_updates`].

pub mod activities;
pub mod email;
pub mod labels;
pub mod record_updates;
pub mod users;
pub mod warm_leads;
