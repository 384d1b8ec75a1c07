//! Property tests of the merge (native only): a record merged with itself is left alone; changes made on one
//! side only are pushed (local) or kept (remote); set merges keep every element added on either side and drop
//! only what one side removed; nothing depends on the order of list elements.

use std::collections::BTreeSet;

use proptest::prelude::*;
use serde_json::{json, Value};

use super::canonical::{canonical, element_key, items, same};
use super::strategy::{merge_data, MergePolicy, MergeResult};
use super::three_way::{Decision, Side};
use crate::config::ConflictStrategy;

const EMAILS: [&str; 4] = ["a@x.com", "b@x.com", "c@x.com", "d@x.com"];
const SETS: [&str; 2] = ["label_ids", "emails"];

/// A person-like record drawn from small pools, so that equal values are frequent; each value in one of the
/// shapes the canonical form must see through.
fn record() -> impl Strategy<Value = Value> {
    let name =
        prop_oneof![Just(json!(null)), Just(json!("")), Just(json!("Ann")), Just(json!(" Ann ")), Just(json!("Bob"))];
    let owner = prop_oneof![Just(json!(1)), Just(json!(2)), Just(json!("2")), Just(json!(2.0))];
    let labels = proptest::collection::vec(1u8..6, 0..5).prop_map(|ids| json!(ids));
    let emails = proptest::collection::vec((0..EMAILS.len(), any::<bool>()), 0..4).prop_map(|picks| {
        let shaped = |(i, upper): (usize, bool)| {
            if upper {
                json!(format!(" {} ", EMAILS[i].to_uppercase()))
            } else {
                json!({"value": EMAILS[i], "primary": false, "label": "work"})
            }
        };
        Value::Array(picks.into_iter().map(shaped).collect())
    });
    let part = |pool: &'static [&'static str]| proptest::option::of(proptest::sample::select(pool));
    let address = (part(&["Main St 1", "High St 5"]), part(&["DE", "AT"]), part(&["Berlin", "Vienna"]))
        .prop_map(|(value, country, locality)| json!({"value": value, "country": country, "locality": locality}));
    (name, owner, labels, emails, address).prop_map(|(name, owner_id, label_ids, emails, address)| {
        json!({"name": name, "owner_id": owner_id, "label_ids": label_ids, "emails": emails, "address": address})
    })
}

fn policy() -> impl Strategy<Value = MergePolicy> {
    let strategy = prop_oneof![
        Just(ConflictStrategy::LastWriteWins),
        Just(ConflictStrategy::Manual),
        Just(ConflictStrategy::AutoMerge)
    ];
    let tie = prop_oneof![Just(Side::Local), Just(Side::Pipedrive)];
    (strategy, tie).prop_map(|(strategy, tie)| MergePolicy { tie, ..MergePolicy::new(strategy) })
}

fn keys(field: &str, value: &Value) -> BTreeSet<String> {
    items(value).iter().filter_map(|item| element_key(field, item)).collect()
}

/// What Pipedrive holds for `field` after the merge: the value sent, else the remote one.
fn after<'a>(result: &'a MergeResult, field: &str, remote: &'a Value) -> &'a Value {
    result.patch.get(field).unwrap_or(&remote[field])
}

/// A record with every list reversed.
fn reversed(record: &Value) -> Value {
    let mut record = record.clone();
    for field in SETS {
        if let Some(list) = record[field].as_array_mut() {
            list.reverse();
        }
    }
    record
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn merging_a_record_with_itself_is_the_identity(record in record(), base in record(), policy in policy()) {
        for base in [None, Some(&record), Some(&base)] {
            let result = merge_data(&record, &record, &policy, base);
            prop_assert!(result.patch.is_empty(), "{:?}", result.patch);
            prop_assert!(!result.has_conflicts);
            prop_assert!(result.fields.iter().all(|d| d.decision == Decision::Unchanged));
        }
    }

    #[test]
    fn only_local_changes_are_always_pushed(base in record(), local in record(), manual in any::<bool>()) {
        let strategy = if manual { ConflictStrategy::Manual } else { ConflictStrategy::LastWriteWins };
        let result = merge_data(&local, &base, &MergePolicy::new(strategy), Some(&base));
        prop_assert!(!result.has_conflicts);
        for d in &result.fields {
            if same(&d.field, &d.local, &base[&d.field]) {
                prop_assert_eq!(d.decision, Decision::Unchanged, "{}", d.field);
                prop_assert!(!result.patch.contains_key(&d.field));
            } else {
                prop_assert_eq!(d.decision, Decision::Pushed, "{}", d.field);
                let sent = &result.patch[&d.field];
                prop_assert_eq!(canonical(&d.field, sent), canonical(&d.field, &d.local), "{}", d.field);
            }
        }
    }

    #[test]
    fn only_remote_changes_are_always_kept(base in record(), remote in record(), policy in policy()) {
        for with_base in [Some(&base), None] {
            let result = merge_data(&base, &remote, &policy, with_base);
            prop_assert!(result.patch.is_empty() || with_base.is_none());
            prop_assert!(!result.has_conflicts);
            if with_base.is_some() {
                for d in &result.fields {
                    let unchanged = same(&d.field, &d.local, &d.remote);
                    let expected = if unchanged { Decision::Unchanged } else { Decision::KeptRemote };
                    prop_assert_eq!(d.decision, expected, "{}", d.field);
                }
            }
        }
    }

    #[test]
    fn set_merges_keep_additions_and_drop_only_removals(base in record(), local in record(), remote in record()) {
        let policy = MergePolicy::new(ConflictStrategy::LastWriteWins);
        let with_base = merge_data(&local, &remote, &policy, Some(&base));
        let without_base = merge_data(&local, &remote, &policy, None);
        for field in SETS {
            let (l, r, b) = (keys(field, &local[field]), keys(field, &remote[field]), keys(field, &base[field]));
            let merged = keys(field, after(&with_base, field, &remote));
            prop_assert!(l.difference(&b).all(|k| merged.contains(k)), "{field}: a local addition was lost");
            prop_assert!(r.difference(&b).all(|k| merged.contains(k)), "{field}: a remote addition was lost");
            let from_a_side = merged.iter().all(|k| l.contains(k) || r.contains(k));
            prop_assert!(from_a_side, "{field}: an element came from nowhere");
            for k in &b {
                let kept_by_both = l.contains(k) && r.contains(k);
                prop_assert_eq!(merged.contains(k), kept_by_both, "{}: {} dropped iff a side removed it", field, k);
            }
            let joined: BTreeSet<String> = l.union(&r).cloned().collect();
            let joined_after = keys(field, after(&without_base, field, &remote));
            prop_assert_eq!(joined_after, joined, "{}: without a base nothing is wiped", field);
        }
    }

    #[test]
    fn the_result_does_not_depend_on_the_order_of_list_elements(
        base in record(), local in record(), remote in record(), policy in policy(),
    ) {
        let form = |result: &MergeResult| {
            let decisions: Vec<(String, Decision)> =
                result.fields.iter().map(|d| (d.field.clone(), d.decision)).collect();
            let patch: Vec<(String, Value)> = result.patch.iter().map(|(k, v)| (k.clone(), canonical(k, v))).collect();
            (decisions, patch)
        };
        for with_base in [true, false] {
            let (b, rb) = (with_base.then_some(&base), reversed(&base));
            let straight = merge_data(&local, &remote, &policy, b);
            let turned = merge_data(&reversed(&local), &reversed(&remote), &policy, with_base.then_some(&rb));
            prop_assert_eq!(form(&straight), form(&turned));
        }
    }
}
