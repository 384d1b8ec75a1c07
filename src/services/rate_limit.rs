//! `sync.rateLimit`: the pacing as last seen (burst window, search window, daily budget) and the per-user
//! allowance of user-initiated requests (spec §6.2).

use serde_json::Value;

use crate::engine::Engine;
use crate::error::{RateScope, SyncError};
use crate::host::Host;

impl<H: Host> Engine<H> {
    /// `sync.rateLimit.snapshot()`.
    pub fn rate_limit_snapshot(&self) -> Value {
        self.limits.snapshot(self.host.now_ms())
    }

    /// Counts one user-initiated request of `user_id` against the per-user allowance (spec §6.2); over it, a
    /// `RATE_LIMITED` error saying when to come back.
    pub fn allow_user_request(&self, user_id: &str) -> Result<(), SyncError> {
        let taken = self.user_throttles.borrow_mut().try_take(user_id, self.host.now_ms());
        taken.map_err(|wait_ms| SyncError::RateLimited {
            message: format!(
                "user {user_id} made more than {} requests in {} s; try again in {} s",
                self.config.options.user_throttle.requests,
                self.config.options.user_throttle.per_ms / 1000,
                wait_ms.div_ceil(1000)
            ),
            retry_after_ms: Some(wait_ms),
            scope: RateScope::UserThrottle,
        })
    }
}
