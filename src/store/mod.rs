//! Typed calls into the CRM's store (the JS `SyncStore`): one function per store method, so a flow never
//! handles raw JSON from the host. Grouped by what they touch: users, contacts, activities, the outbox, the sync records (snapshots,
//! conflicts), the shared pacing row (pacing), and what reconciliation and webhooks bring in (remote changes).

pub mod activities;
mod call;
pub mod contacts;
pub mod outbox;
pub mod pacing;
pub mod remote_changes;
pub mod sync_records;
pub mod users;

pub use activities::*;
pub use contacts::*;
pub use outbox::*;
pub use sync_records::*;
pub use users::*;
