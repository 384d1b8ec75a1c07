//! Reconciliation (DESIGN §12, spec §3.4 phase 5): drift between the CRM and Pipedrive found cheaply. [`drift`]
//! holds the pure comparisons, [`check`] takes one linked record through the three-way rule (shared with the
//! webhook job), and [`run`] walks each entity type from its stored cursor.

pub mod check;
pub mod drift;
pub mod run;
