//! A small time-to-live cache for Pipedrive metadata (users, fields, activity types): one entry per key, fresh
//! for a fixed time measured on the host's clock.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::Hash;

/// Values that expire `ttl_ms` after they were stored. Interior mutability keeps it usable through `&self`;
/// no borrow outlives a method call, so it is safe across `.await` points of its callers.
#[derive(Debug)]
pub struct TtlCache<K, V> {
    ttl_ms: u64,
    entries: RefCell<HashMap<K, (i64, V)>>,
}

impl<K: Eq + Hash, V: Clone> TtlCache<K, V> {
    /// An empty cache whose entries stay fresh for `ttl_ms` milliseconds (0 disables caching).
    pub fn new(ttl_ms: u64) -> Self {
        TtlCache { ttl_ms, entries: RefCell::new(HashMap::new()) }
    }

    /// The value for `key` if it was stored less than the TTL before `now_ms`.
    pub fn get(&self, key: &K, now_ms: i64) -> Option<V> {
        let entries = self.entries.borrow();
        let (stored_at, value) = entries.get(key)?;
        (now_ms.saturating_sub(*stored_at) < self.ttl_ms as i64).then(|| value.clone())
    }

    /// Stores `value` for `key` as of `now_ms`.
    pub fn put(&self, key: K, value: V, now_ms: i64) {
        if self.ttl_ms > 0 {
            self.entries.borrow_mut().insert(key, (now_ms, value));
        }
    }

    /// Forgets `key`, e.g. after a write that made the cached value stale.
    pub fn invalidate(&self, key: &K) {
        self.entries.borrow_mut().remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_expire_after_the_ttl() {
        let cache = TtlCache::new(1000);
        cache.put("users", 1, 10_000);
        assert_eq!(cache.get(&"users", 10_000), Some(1));
        assert_eq!(cache.get(&"users", 10_999), Some(1));
        assert_eq!(cache.get(&"users", 11_000), None);
    }

    #[test]
    fn zero_ttl_disables_caching_and_invalidate_forgets() {
        let off = TtlCache::new(0);
        off.put("k", 1, 0);
        assert_eq!(off.get(&"k", 0), None);
        let cache = TtlCache::new(1000);
        cache.put("k", 1, 0);
        cache.invalidate(&"k");
        assert_eq!(cache.get(&"k", 1), None);
    }
}
