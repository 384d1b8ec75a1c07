//! Futures on one thread without an async runtime: running several at once ([`join`]) and a lock for
//! read-change-write sequences across `.await`s ([`async_lock`]).

pub mod async_lock;
pub mod join;
