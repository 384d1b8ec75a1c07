//! Ordered maps and sets built by insertion. `collect()` into a `BTreeMap`, a `BTreeSet` or a JSON object sorts
//! its items first, and that sort is compiled once per element type (a large share of the `.wasm`); inserting
//! one by one reuses the map's own `insert`. The result is the same: keys in order, the last value of a repeated
//! key kept.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

/// A map of `pairs` (a repeated key keeps its last value, as `collect()` does).
pub fn map_of<K: Ord, V>(pairs: impl IntoIterator<Item = (K, V)>) -> BTreeMap<K, V> {
    let mut map = BTreeMap::new();
    for (key, value) in pairs {
        map.insert(key, value);
    }
    map
}

/// A set of `items`.
pub fn set_of<T: Ord>(items: impl IntoIterator<Item = T>) -> BTreeSet<T> {
    let mut set = BTreeSet::new();
    for item in items {
        set.insert(item);
    }
    set
}

/// A JSON object of `pairs` (a repeated key keeps its last value, as `collect()` does).
pub fn object_of(pairs: impl IntoIterator<Item = (String, Value)>) -> Map<String, Value> {
    let mut object = Map::new();
    for (key, value) in pairs {
        object.insert(key, value);
    }
    object
}
