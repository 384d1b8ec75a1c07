//! Pipedrive webhooks v2 (DESIGN §12, UPDATES-FACTS §2): [`intake`] checks a delivery's Basic auth and stores
//! it with its job in one store call; [`job`] is the `webhook_event` job that does the work (a change read from
//! the API and taken through the three-way rule, a delete, a merge in either event order); [`subscriptions`]
//! registers the v2 subscriptions once.

pub mod intake;
pub mod job;
pub mod subscriptions;
