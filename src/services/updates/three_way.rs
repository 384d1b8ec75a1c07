//! Three-way conflict detection per field (DESIGN §11, invariant 8): base = the snapshot value, local = what is
//! requested, remote = the record as read now, all compared in canonical form.
//!
//! - local = remote: nothing to send (`unchanged`);
//! - local = base: unchanged locally, the remote value is kept (`kept-remote`);
//! - remote = base: changed locally only, pushed (`pushed`);
//! - both changed differently: a `conflict` for the strategy.
//!
//! Without a base the remote as read is the base. Lists merge as sets instead of conflicting: remote minus what
//! local removed, plus what local added (`merged`); without a base nothing is known to be removed, so the lists
//! are joined (labels, emails, phones and participants are added, never wiped: invariant 4). An address merges
//! part by part and is sent whole.
//!
//! `local` is the update in wire form (after [`super::mapping`]); other shapes are read through
//! [`canonical::wire_fields`].

use std::collections::BTreeSet;

use serde::Serialize;
use serde_json::{json, Map, Value};

use super::canonical::{self, canonical, element_key, items, parts, FieldKind};
use crate::json::ordered::set_of;

/// What happens to one field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Decision {
    /// Changed locally only (or settled for local): the local value is sent.
    Pushed,
    /// Changed in Pipedrive only (or settled for Pipedrive): the remote value stays, nothing is sent.
    KeptRemote,
    /// Both sides hold the same value: nothing is sent.
    Unchanged,
    /// Changed on both sides to different values: the strategy (or a person) decides.
    Conflict,
    /// Both sides changed and their changes combine (lists as sets, address parts): the merge is sent.
    Merged,
}

impl Decision {
    /// Whether the field is sent in the PATCH.
    pub fn sends(self) -> bool {
        matches!(self, Decision::Pushed | Decision::Merged)
    }
}

/// A side of a sync: the CRM or Pipedrive (the spec's `'local' | 'pipedrive'`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    /// The CRM's value.
    Local,
    /// Pipedrive's value.
    Pipedrive,
}

/// The decision for one field, with the three values it was made from.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldDecision {
    /// The field's v2 name.
    pub field: String,
    /// What happens to it.
    pub decision: Decision,
    /// The snapshot value; absent when there was none (then the remote as read is the base).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base: Option<Value>,
    /// The requested value.
    pub local: Value,
    /// The current Pipedrive value (`null` when the record does not carry the field).
    pub remote: Value,
    /// The value to send, in wire form, when the decision sends one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
    /// The strategy or field rule that decided the field, when the three-way rule alone did not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<&'static str>,
}

/// A field changed on both sides, as a conflict row holds it (`{local, remote, base}` per field).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldConflict {
    /// The field's v2 name.
    pub field: String,
    /// The snapshot value.
    pub base: Value,
    /// The requested value.
    pub local: Value,
    /// The current Pipedrive value.
    pub remote: Value,
}

/// What `detectConflicts(local, remote, base?)` answers: whether any field conflicts, the conflicting fields,
/// and the decision for every requested field.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConflictResult {
    /// At least one field changed on both sides to different values.
    pub has_conflicts: bool,
    /// The conflicting fields with base, local and remote values.
    pub conflicts: Vec<FieldConflict>,
    /// Every requested field's decision, by field name.
    pub fields: Vec<FieldDecision>,
}

impl ConflictResult {
    /// The result for these field decisions.
    pub fn from_fields(fields: Vec<FieldDecision>) -> ConflictResult {
        let conflicts: Vec<FieldConflict> = fields
            .iter()
            .filter(|d| d.decision == Decision::Conflict)
            .map(|d| FieldConflict {
                field: d.field.clone(),
                base: d.base.clone().unwrap_or_default(),
                local: d.local.clone(),
                remote: d.remote.clone(),
            })
            .collect();
        ConflictResult { has_conflicts: !conflicts.is_empty(), conflicts, fields }
    }
}

/// Fields a record carries that are never compared: identity and Pipedrive's own times.
const NOT_COMPARED: [&str; 3] = ["id", "add_time", "update_time"];

/// Decides every field of `local` against `remote` and `base` (any shape: see [`canonical::wire_fields`]).
pub fn detect_conflicts(local: &Value, remote: &Value, base: Option<&Value>) -> ConflictResult {
    let (remote, base) = (canonical::wire_fields(remote), base.map(canonical::wire_fields));
    let fields = canonical::wire_fields(local)
        .iter()
        .filter(|(field, _)| !NOT_COMPARED.contains(&field.as_str()))
        .map(|(field, local)| {
            let base = base.as_ref().and_then(|base| base.get(field));
            decide_field(field, local, remote.get(field).unwrap_or(&Value::Null), base)
        })
        .collect();
    ConflictResult::from_fields(fields)
}

/// Decides one field; `base` is `None` when the snapshot does not hold it.
pub fn decide_field(field: &str, local: &Value, remote: &Value, base: Option<&Value>) -> FieldDecision {
    let (decision, value) = outcome(field, local, remote, base, None);
    FieldDecision {
        field: field.to_string(),
        decision,
        base: base.cloned(),
        local: local.clone(),
        remote: remote.clone(),
        value,
        rule: None,
    }
}

/// `decision` with its conflict settled for `winner` by `rule`; any other decision is returned as it is. An
/// address keeps the parts that did not conflict from both sides.
pub fn settle(decision: &FieldDecision, winner: Side, rule: &'static str) -> FieldDecision {
    if decision.decision != Decision::Conflict {
        return decision.clone();
    }
    let d = decision;
    let (settled, value) = outcome(&d.field, &d.local, &d.remote, d.base.as_ref(), Some(winner));
    FieldDecision { decision: settled, value, rule: Some(rule), ..d.clone() }
}

/// `value` (local) in wire form as a whole: a list's elements as v2 objects with one primary, deduplicated.
pub fn wire_value(field: &str, value: &Value) -> Value {
    match canonical::field_kind(field) {
        FieldKind::Set => set_value(field, &keys(field, value), value, &Value::Null),
        _ => value.clone(),
    }
}

/// The decision and the value to send; `winner` settles what would be a conflict.
fn outcome(
    field: &str,
    local: &Value,
    remote: &Value,
    base: Option<&Value>,
    winner: Option<Side>,
) -> (Decision, Option<Value>) {
    match canonical::field_kind(field) {
        FieldKind::Set => merge_set(field, local, remote, base),
        FieldKind::Parts => merge_parts(local, remote, base, winner),
        FieldKind::Scalar => match (scalar(field, local, remote, base), winner) {
            (Decision::Pushed, _) | (Decision::Conflict, Some(Side::Local)) => (Decision::Pushed, Some(local.clone())),
            (Decision::Conflict, Some(Side::Pipedrive)) => (Decision::KeptRemote, None),
            (decision, _) => (decision, None),
        },
    }
}

/// The three-way rule for one value.
fn scalar(field: &str, local: &Value, remote: &Value, base: Option<&Value>) -> Decision {
    let (local, remote) = (canonical(field, local), canonical(field, remote));
    let base = base.map_or_else(|| remote.clone(), |base| canonical(field, base));
    if local == remote {
        Decision::Unchanged
    } else if local == base {
        Decision::KeptRemote
    } else if remote == base {
        Decision::Pushed
    } else {
        Decision::Conflict
    }
}

/// The element keys of a list value.
fn keys(field: &str, value: &Value) -> BTreeSet<String> {
    set_of(items(value).iter().filter_map(|item| element_key(field, item)))
}

/// A list merged as a set.
fn merge_set(field: &str, local: &Value, remote: &Value, base: Option<&Value>) -> (Decision, Option<Value>) {
    let (l, r) = (keys(field, local), keys(field, remote));
    // Without a base nothing is known to be removed on either side: the base is what both hold.
    let b = base.map_or_else(|| &l & &r, |base| keys(field, base));
    if l == r {
        return (Decision::Unchanged, None);
    }
    if l == b {
        return (Decision::KeptRemote, None);
    }
    let removed_locally = set_of(b.difference(&l).cloned());
    let merged = set_of(r.iter().filter(|k| !removed_locally.contains(*k)).chain(l.difference(&b)).cloned());
    let decision = match () {
        _ if r == b => Decision::Pushed,
        _ if merged == r => return (Decision::KeptRemote, None),
        _ => Decision::Merged,
    };
    (decision, Some(set_value(field, &merged, local, remote)))
}

/// The wire list holding the elements `keep`: local's elements first, then remote's, one each; emails, phones
/// and participants as objects with exactly one primary (the first one marked so, else the first).
fn set_value(field: &str, keep: &BTreeSet<String>, local: &Value, remote: &Value) -> Value {
    let mut seen = BTreeSet::new();
    let mut chosen: Vec<Value> = items(local)
        .into_iter()
        .chain(items(remote))
        .filter_map(|item| {
            let key = element_key(field, &item)?;
            (keep.contains(&key) && seen.insert(key.clone())).then(|| wire_item(field, item, &key))
        })
        .collect();
    if field != "label_ids" {
        let primary = chosen.iter().position(|item| item.get("primary") == Some(&Value::Bool(true))).unwrap_or(0);
        for (index, item) in chosen.iter_mut().enumerate() {
            if let Some(object) = item.as_object_mut() {
                object.insert("primary".into(), Value::Bool(index == primary));
            }
        }
    }
    Value::Array(chosen)
}

/// One list element in v2 form: label ids as numbers, participants as `{person_id}`, emails and phones as
/// `{value, label}` objects.
fn wire_item(field: &str, item: Value, key: &str) -> Value {
    let id = || key.parse::<i64>().map_or_else(|_| Value::from(key), Value::from);
    match (field, item) {
        ("label_ids", _) => id(),
        ("participants", Value::Object(object)) => Value::Object(object),
        ("participants", _) => json!({ "person_id": id() }),
        (_, Value::String(text)) => json!({ "value": text.trim(), "label": "work" }),
        (_, item) => item,
    }
}

/// An address merged part by part: each part by the three-way rule, sent whole (Pipedrive replaces the object).
fn merge_parts(local: &Value, remote: &Value, base: Option<&Value>, winner: Option<Side>) -> (Decision, Option<Value>) {
    let (local, remote, base) = (parts(local), parts(remote), base.map(parts));
    let names = set_of(local.keys().chain(remote.keys()).cloned());
    let mut merged: Map<String, Value> = remote.clone();
    let (mut pushed, mut kept) = (false, false);
    for name in &names {
        let part = |parts: &Map<String, Value>| parts.get(name).cloned().unwrap_or_default();
        let base = base.as_ref().map(part);
        match outcome(name, &part(&local), &part(&remote), base.as_ref(), winner) {
            (Decision::Pushed, _) => {
                merged.insert(name.clone(), part(&local));
                pushed = true;
            }
            (Decision::KeptRemote, _) => kept = true,
            (Decision::Conflict, _) => return (Decision::Conflict, None),
            _ => {}
        }
    }
    let value = Value::Object(merged);
    let value = if canonical("address", &value).is_null() { Value::Null } else { value };
    match (pushed, kept) {
        (false, false) => (Decision::Unchanged, None),
        (false, true) => (Decision::KeptRemote, None),
        (true, false) => (Decision::Pushed, Some(value)),
        (true, true) => (Decision::Merged, Some(value)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decide(field: &str, local: Value, remote: Value, base: Option<Value>) -> (Decision, Option<Value>) {
        let d = decide_field(field, &local, &remote, base.as_ref());
        (d.decision, d.value)
    }

    #[test]
    fn the_three_way_rule_for_one_value() {
        use Decision::*;
        let table = [
            ("local = remote", json!("A"), json!("A"), Some(json!("B")), Unchanged, None),
            ("both changed to the same", json!("C"), json!(" C"), Some(json!("A")), Unchanged, None),
            ("local = base: remote kept", json!("A"), json!("B"), Some(json!("A")), KeptRemote, None),
            ("remote = base: local pushed", json!("B"), json!("A"), Some(json!("A")), Pushed, Some(json!("B"))),
            ("both changed differently", json!("B"), json!("C"), Some(json!("A")), Conflict, None),
            ("no base: remote as read is the base", json!("B"), json!("A"), None, Pushed, Some(json!("B"))),
            ("a local clear is a change", json!(null), json!("A"), Some(json!("A")), Pushed, Some(json!(null))),
            ("empty string is null", json!(""), json!(null), Some(json!("A")), Unchanged, None),
            ("numbers numerically", json!(100), json!(100.0), Some(json!(5)), Unchanged, None),
        ];
        for (name, local, remote, base, decision, value) in table {
            assert_eq!(decide("name", local, remote, base), (decision, value), "{name}");
        }
        assert_eq!(decide("owner_id", json!("7"), json!(7), None), (Unchanged, None), "ids as strings");
    }

    #[test]
    fn lists_merge_as_sets() {
        use Decision::*;
        let table = [
            ("same set in another order", json!([2, 1]), json!([1, 2]), Some(json!([1])), Unchanged, None),
            ("only remote added", json!([1]), json!([1, 2]), Some(json!([1])), KeptRemote, None),
            ("only local added", json!([1, 3]), json!([1]), Some(json!([1])), Pushed, Some(json!([1, 3]))),
            ("both added", json!([1, 3]), json!([1, 2]), Some(json!([1])), Merged, Some(json!([1, 3, 2]))),
            ("local removed, remote added", json!([]), json!([1, 2]), Some(json!([1])), Merged, Some(json!([2]))),
            ("both removed the same, remote added", json!([]), json!([2]), Some(json!([1])), KeptRemote, None),
            ("no base: joined, never wiped", json!([3]), json!([1, 2]), None, Merged, Some(json!([3, 1, 2]))),
            ("no base, local within remote", json!([1]), json!([1, 2]), None, KeptRemote, None),
            ("no base, remote within local", json!([1, 2]), json!([1]), None, Pushed, Some(json!([1, 2]))),
        ];
        for (name, local, remote, base, decision, value) in table {
            assert_eq!(decide("label_ids", local, remote, base), (decision, value), "{name}");
        }
    }

    #[test]
    fn emails_merge_by_address_with_one_primary() {
        let remote =
            json!([{"value": "old@x.com", "primary": true, "label": "home"}, {"value": "pd@x.com", "primary": false}]);
        let base = json!([{"value": "old@x.com", "primary": true}]);
        let local = json!([{"value": "New@x.com", "primary": true, "label": "work"}]);
        let (decision, value) = decide("emails", local, remote, Some(base));
        assert_eq!(decision, Decision::Merged);
        assert_eq!(
            value.unwrap(),
            json!([{"value": "New@x.com", "primary": true, "label": "work"}, {"value": "pd@x.com", "primary": false}])
        );
        let (_, value) = decide("phones", json!(["+49 30 1234"]), json!(null), None);
        assert_eq!(value.unwrap(), json!([{"value": "+49 30 1234", "label": "work", "primary": true}]));
        let (_, value) = decide("participants", json!([5]), json!([{"person_id": 3, "primary": true}]), None);
        assert_eq!(
            value.unwrap(),
            json!([{"person_id": 5, "primary": false}, {"person_id": 3, "primary": true}]),
            "the remote primary stays when local names none"
        );
    }

    #[test]
    fn an_address_merges_part_by_part_and_is_sent_whole() {
        let base = json!({"value": "Main St 1", "country": "DE"});
        let remote = json!({"value": "Main St 1", "country": "DE", "locality": "Berlin", "formatted_address": "x"});
        let local = json!({"value": "Main St 1", "country": "AT", "locality": "Berlin"});
        let (decision, value) = decide("address", local, remote.clone(), Some(base.clone()));
        assert_eq!(decision, Decision::Pushed, "locality is equal on both sides, country changed locally");
        assert_eq!(value.unwrap(), json!({"value": "Main St 1", "country": "AT", "locality": "Berlin"}));
        let local = json!({"value": "Main St 1", "country": "AT"});
        let (decision, value) = decide("address", local, remote.clone(), Some(base.clone()));
        assert_eq!(decision, Decision::Merged, "Pipedrive's new locality is kept beside the local country");
        assert_eq!(value.unwrap(), json!({"value": "Main St 1", "country": "AT", "locality": "Berlin"}));
        let conflicting = json!({"value": "Main St 1", "country": "DE", "locality": "Munich"});
        let d = decide_field("address", &conflicting, &remote, Some(&base));
        assert_eq!(d.decision, Decision::Conflict);
        let settled = settle(&d, Side::Local, "last-write-wins");
        assert_eq!((settled.decision, settled.rule), (Decision::Pushed, Some("last-write-wins")));
        assert_eq!(settled.value.unwrap()["locality"], "Munich");
        assert_eq!(settle(&d, Side::Pipedrive, "last-write-wins").decision, Decision::KeptRemote);
    }

    #[test]
    fn detect_conflicts_reads_any_shape_and_names_the_conflicts() {
        let local = json!({"name": "Ann B", "email": ["ann@x.com"], "user_id": "4", "id": 9, "update_time": "x"});
        let remote =
            json!({"id": 9, "name": "Ann C", "emails": [{"value": "ANN@x.com", "primary": true}], "owner_id": 4});
        let base = json!({"name": "Ann A"});
        let result = detect_conflicts(&local, &remote, Some(&base));
        let decisions: Vec<(&str, Decision)> = result.fields.iter().map(|d| (d.field.as_str(), d.decision)).collect();
        assert_eq!(
            decisions,
            [("emails", Decision::Unchanged), ("name", Decision::Conflict), ("owner_id", Decision::Unchanged)]
        );
        assert!(result.has_conflicts);
        assert_eq!(
            json!(result.conflicts),
            json!([{"field": "name", "base": "Ann A", "local": "Ann B", "remote": "Ann C"}])
        );
        let serialized = json!(result.fields[1]);
        assert_eq!(serialized["decision"], "conflict");
        assert_eq!(json!(Decision::KeptRemote), json!("kept-remote"));
        let settled = settle(&result.fields[1], Side::Pipedrive, "last-write-wins");
        assert_eq!(json!(settled)["rule"], "last-write-wins");
    }
}
