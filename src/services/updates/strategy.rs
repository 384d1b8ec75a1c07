//! Merge strategies (DESIGN §11): what happens to the fields the three-way rule could not decide alone, and the
//! field rules that pin a field whatever the strategy. `merge_data` answers every field's decision, the PATCH
//! body (only the keys that change; lists complete, as merged) and the conflicts held for a person.
//!
//! - `last-write-wins`: the local change time against the remote `update_time`, to the second (Pipedrive's
//!   resolution); a tie, or a time not known, goes to the configured side (local by default).
//! - `manual`: conflicting fields are held out with base, local and remote; the other fields are still pushed.
//! - `auto-merge`: what does not conflict is merged (lists as sets); an empty value never overwrites a non-empty
//!   one; other conflicts go to the newer side; `marketing_status` always waits for a person (Pipedrive lets it
//!   change only once: UPDATES-FACTS §1.9).
//! - field rules: `local-owns` (the local value is sent whenever it differs), `remote-owns` and `ignore` (never
//!   sent), `manual` (a conflict on it waits for a person under every strategy).

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Map, Value};

use super::canonical::{is_empty, wire_name};
use super::three_way::{
    detect_conflicts, settle, wire_value, ConflictResult, Decision, FieldConflict, FieldDecision, Side,
};
use crate::config::ConflictStrategy;
use crate::error::SyncError;
use crate::iso_time::parse_rfc3339;
use crate::json::ordered::object_of;

/// A rule that pins one field whatever the strategy (`options.fieldRules`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldRule {
    /// The CRM's value is sent whenever it differs from Pipedrive's (lists as given, not merged).
    LocalOwns,
    /// Pipedrive's value stays; the field is never sent.
    RemoteOwns,
    /// A conflict on the field waits for a person, whatever the strategy.
    Manual,
    /// The field is neither compared for sending nor sent.
    Ignore,
}

impl FieldRule {
    /// Every rule.
    pub const ALL: [FieldRule; 4] = [FieldRule::LocalOwns, FieldRule::RemoteOwns, FieldRule::Manual, FieldRule::Ignore];

    /// The rule's name: `local-owns`, `remote-owns`, `manual`, `ignore`.
    pub fn name(self) -> &'static str {
        match self {
            FieldRule::LocalOwns => "local-owns",
            FieldRule::RemoteOwns => "remote-owns",
            FieldRule::Manual => "manual",
            FieldRule::Ignore => "ignore",
        }
    }
}

/// How `merge_data` settles conflicts.
#[derive(Debug, Clone, PartialEq)]
pub struct MergePolicy {
    /// The strategy for conflicting fields.
    pub strategy: ConflictStrategy,
    /// Who wins a last-write-wins tie (same second, or a time not known).
    pub tie: Side,
    /// Fields pinned by a rule, by v2 name.
    pub field_rules: BTreeMap<String, FieldRule>,
    /// When the local change was made (ms since the epoch), for last-write-wins.
    pub local_changed_at_ms: Option<i64>,
}

impl MergePolicy {
    /// `strategy` with ties to local, no field rules and no local change time.
    pub fn new(strategy: ConflictStrategy) -> MergePolicy {
        MergePolicy { strategy, tie: Side::Local, field_rules: BTreeMap::new(), local_changed_at_ms: None }
    }

    /// Reads a strategy name, or `{strategy, tie?, fieldRules?, localChangedAt?}`; errors name the field.
    pub fn from_json(value: &Value) -> Result<MergePolicy, SyncError> {
        if value.is_string() {
            return Ok(MergePolicy::new(parse_strategy("strategy", value)?));
        }
        let member = |key: &str| value.get(key).filter(|v| !v.is_null());
        let mut policy = MergePolicy::new(parse_strategy("strategy", member("strategy").unwrap_or(&Value::Null))?);
        if let Some(tie) = member("tie") {
            policy.tie = match tie.as_str() {
                Some("local") => Side::Local,
                Some("pipedrive") => Side::Pipedrive,
                _ => return Err(SyncError::validation("tie", "must be 'local' or 'pipedrive'")),
            };
        }
        if let Some(rules) = member("fieldRules") {
            policy.field_rules = parse_field_rules("fieldRules", rules)?;
        }
        if let Some(at) = member("localChangedAt") {
            policy.local_changed_at_ms = Some(parse_instant("localChangedAt", at)?);
        }
        Ok(policy)
    }
}

/// Reads a strategy name: `last-write-wins`, `manual` or `auto-merge`.
pub fn parse_strategy(field: &str, value: &Value) -> Result<ConflictStrategy, SyncError> {
    match value.as_str() {
        Some("last-write-wins") => Ok(ConflictStrategy::LastWriteWins),
        Some("manual") => Ok(ConflictStrategy::Manual),
        Some("auto-merge") => Ok(ConflictStrategy::AutoMerge),
        _ => Err(SyncError::validation(field, "must be 'last-write-wins', 'manual' or 'auto-merge'")),
    }
}

/// Reads `{field: rule}`; the error names `<field>.<name>`. Names are taken in their v2 form (`email` is
/// `emails`).
pub fn parse_field_rules(field: &str, value: &Value) -> Result<BTreeMap<String, FieldRule>, SyncError> {
    let object = value.as_object().ok_or_else(|| SyncError::validation(field, "must be an object of field rules"))?;
    let mut rules = BTreeMap::new();
    for (name, rule) in object {
        let rule = FieldRule::ALL.into_iter().find(|r| rule.as_str() == Some(r.name())).ok_or_else(|| {
            SyncError::validation(
                format!("{field}.{name}"),
                "must be 'local-owns', 'remote-owns', 'manual' or 'ignore'",
            )
        })?;
        rules.insert(wire_name(name).to_string(), rule);
    }
    Ok(rules)
}

/// Reads an instant: ms since the epoch, RFC 3339, or Pipedrive v1's `YYYY-MM-DD HH:MM:SS` (UTC).
pub fn parse_instant(field: &str, value: &Value) -> Result<i64, SyncError> {
    let parsed = match value {
        Value::Number(n) => n.as_f64().filter(|n| n.is_finite() && n.fract() == 0.0).map(|n| n as i64),
        Value::String(text) => {
            let text = text.trim();
            // v1's `YYYY-MM-DD HH:MM:SS` is UTC: read it as RFC 3339 (no strftime parser in the wasm).
            let v1 =
                (text.len() == 19 && text.as_bytes()[10] == b' ').then(|| format!("{}T{}Z", &text[..10], &text[11..]));
            parse_rfc3339(v1.as_deref().unwrap_or(text)).map(|t| t.timestamp_millis())
        }
        _ => None,
    };
    parsed.ok_or_else(|| SyncError::validation(field, "must be an instant: ms since the epoch or an RFC 3339 time"))
}

/// The spec's `resolveByTimestamp`: the later side, compared to the second (Pipedrive's `update_time`
/// resolution); a tie goes to `tie`.
pub fn resolve_by_timestamp(local_ms: i64, remote_ms: i64, tie: Side) -> Side {
    match local_ms.div_euclid(1000).cmp(&remote_ms.div_euclid(1000)) {
        std::cmp::Ordering::Greater => Side::Local,
        std::cmp::Ordering::Less => Side::Pipedrive,
        std::cmp::Ordering::Equal => tie,
    }
}

/// What `mergeData` answers: every field's decision after the strategy, the conflicts held for a person, and
/// the PATCH body.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MergeResult {
    /// Some field waits for a person.
    pub has_conflicts: bool,
    /// The fields held out, with base, local and remote values.
    pub conflicts: Vec<FieldConflict>,
    /// Every requested field's decision.
    pub fields: Vec<FieldDecision>,
    /// What to PATCH: only the fields that change, in wire form.
    pub patch: Map<String, Value>,
}

/// The spec's `mergeData`: merges `local` (the update in wire form) into `remote` under `policy`, against `base`
/// (the snapshot, when there is one).
pub fn merge_data(local: &Value, remote: &Value, policy: &MergePolicy, base: Option<&Value>) -> MergeResult {
    let remote_ms = remote.get("update_time").and_then(|t| parse_instant("update_time", t).ok());
    let newer = match (policy.local_changed_at_ms, remote_ms) {
        (Some(local_ms), Some(remote_ms)) => resolve_by_timestamp(local_ms, remote_ms, policy.tie),
        _ => policy.tie,
    };
    let fields: Vec<FieldDecision> =
        detect_conflicts(local, remote, base).fields.into_iter().map(|d| apply(policy, newer, d)).collect();
    let patch = object_of(fields.iter().filter_map(|d| Some((d.field.clone(), d.value.clone()?))));
    let ConflictResult { has_conflicts, conflicts, fields } = ConflictResult::from_fields(fields);
    MergeResult { has_conflicts, conflicts, fields, patch }
}

/// One field's final decision: a field rule first, else the strategy.
fn apply(policy: &MergePolicy, newer: Side, d: FieldDecision) -> FieldDecision {
    let keep_remote = |d: FieldDecision, rule: &'static str| {
        let decision = if d.decision == Decision::Unchanged { Decision::Unchanged } else { Decision::KeptRemote };
        FieldDecision { decision, value: None, rule: Some(rule), ..d }
    };
    match (policy.field_rules.get(&d.field), policy.strategy) {
        (Some(FieldRule::Ignore), _) => keep_remote(d, "ignore"),
        (Some(FieldRule::RemoteOwns), _) => keep_remote(d, "remote-owns"),
        (Some(FieldRule::LocalOwns), _) if d.decision == Decision::Unchanged => d,
        (Some(FieldRule::LocalOwns), _) => {
            let value = Some(wire_value(&d.field, &d.local));
            FieldDecision { decision: Decision::Pushed, value, rule: Some("local-owns"), ..d }
        }
        (Some(FieldRule::Manual), _) | (None, ConflictStrategy::Manual) => d,
        (None, ConflictStrategy::LastWriteWins) => settle(&d, newer, "last-write-wins"),
        (None, ConflictStrategy::AutoMerge) => {
            let outcome = d.decision;
            if d.field == "marketing_status" && (outcome.sends() || outcome == Decision::Conflict) {
                FieldDecision { decision: Decision::Conflict, value: None, rule: Some("auto-merge"), ..d }
            } else if d.value.as_ref().is_some_and(|v| is_empty(&d.field, v)) && !is_empty(&d.field, &d.remote) {
                keep_remote(d, "auto-merge")
            } else if is_empty(&d.field, &d.local) {
                settle(&d, Side::Pipedrive, "auto-merge")
            } else if is_empty(&d.field, &d.remote) {
                settle(&d, Side::Local, "auto-merge")
            } else {
                settle(&d, newer, "auto-merge")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const T0: &str = "2026-04-01T22:03:32Z";
    const T0_MS: i64 = 1_775_081_012_000;

    fn policy(strategy: ConflictStrategy, local_ms: i64) -> MergePolicy {
        MergePolicy { local_changed_at_ms: Some(local_ms), ..MergePolicy::new(strategy) }
    }

    fn decisions(result: &MergeResult) -> Vec<(&str, Decision, Option<&str>)> {
        result.fields.iter().map(|d| (d.field.as_str(), d.decision, d.rule)).collect()
    }

    #[test]
    fn last_write_wins_to_the_second_with_a_configurable_tie() {
        assert_eq!(parse_instant("t", &json!(T0)).unwrap(), T0_MS);
        let table = [
            ("local a second later", T0_MS + 1_000, Side::Local, Side::Local),
            ("local a second earlier", T0_MS - 1, Side::Local, Side::Pipedrive),
            ("same second: tie to local", T0_MS + 999, Side::Local, Side::Local),
            ("same second: tie to pipedrive", T0_MS + 999, Side::Pipedrive, Side::Pipedrive),
        ];
        let (local, remote, base) =
            (json!({"name": "L"}), json!({"name": "R", "update_time": T0}), json!({"name": "B"}));
        for (name, local_ms, tie, winner) in table {
            assert_eq!(resolve_by_timestamp(local_ms, T0_MS, tie), winner, "{name}");
            let policy = MergePolicy { tie, ..policy(ConflictStrategy::LastWriteWins, local_ms) };
            let result = merge_data(&local, &remote, &policy, Some(&base));
            let expected = if winner == Side::Local { json!({"name": "L"}) } else { json!({}) };
            assert_eq!(json!(result.patch), expected, "{name}");
            assert_eq!(result.fields[0].rule, Some("last-write-wins"));
            assert!(!result.has_conflicts);
        }
        let v1_time = json!({"name": "R", "update_time": "2026-04-01 22:03:32"});
        let result = merge_data(&local, &v1_time, &policy(ConflictStrategy::LastWriteWins, T0_MS - 5_000), Some(&base));
        assert!(result.patch.is_empty(), "v1 times are UTC seconds too");
        let unknown =
            merge_data(&local, &json!({"name": "R"}), &MergePolicy::new(ConflictStrategy::LastWriteWins), Some(&base));
        assert_eq!(json!(unknown.patch), json!({"name": "L"}), "no times: the tie side");
    }

    #[test]
    fn manual_holds_conflicts_out_and_still_pushes_the_rest() {
        let local = json!({"name": "L", "owner_id": 2, "label_ids": [1, 3]});
        let remote = json!({"name": "R", "owner_id": 1, "label_ids": [1, 2], "update_time": T0});
        let base = json!({"name": "B", "owner_id": 1, "label_ids": [1]});
        let result = merge_data(&local, &remote, &policy(ConflictStrategy::Manual, T0_MS + 10_000), Some(&base));
        assert_eq!(json!(result.patch), json!({"owner_id": 2, "label_ids": [1, 3, 2]}));
        assert!(result.has_conflicts);
        assert_eq!(json!(result.conflicts), json!([{"field": "name", "base": "B", "local": "L", "remote": "R"}]));
        assert_eq!(
            decisions(&result),
            [
                ("label_ids", Decision::Merged, None),
                ("name", Decision::Conflict, None),
                ("owner_id", Decision::Pushed, None)
            ]
        );
    }

    #[test]
    fn auto_merge_never_lets_empty_win_and_holds_marketing_status() {
        let old = T0_MS - 60_000;
        let remote = json!({"name": "R", "note": "kept", "job_title": "CTO", "marketing_status": "subscribed",
                            "label_ids": [1], "owner_id": 1, "update_time": T0});
        let base = json!({"name": "B", "note": "kept", "job_title": "CEO", "marketing_status": "subscribed",
                          "label_ids": [1], "owner_id": 1});
        let local = json!({"name": "L", "note": "", "job_title": null, "marketing_status": "unsubscribed",
                           "label_ids": [], "owner_id": 1});
        let result = merge_data(&local, &remote, &policy(ConflictStrategy::AutoMerge, old), Some(&base));
        assert_eq!(
            decisions(&result),
            [
                ("job_title", Decision::KeptRemote, Some("auto-merge")),
                ("label_ids", Decision::KeptRemote, Some("auto-merge")),
                ("marketing_status", Decision::Conflict, Some("auto-merge")),
                ("name", Decision::KeptRemote, Some("auto-merge")),
                ("note", Decision::KeptRemote, Some("auto-merge")),
                ("owner_id", Decision::Unchanged, None),
            ]
        );
        assert!(result.patch.is_empty());
        assert_eq!(result.conflicts[0].field, "marketing_status");
        let newer = merge_data(&local, &remote, &policy(ConflictStrategy::AutoMerge, T0_MS + 1_000), Some(&base));
        assert_eq!(json!(newer.patch), json!({"name": "L"}), "a conflict between two values goes to the newer side");
        let filled = merge_data(
            &json!({"name": "L"}),
            &json!({"name": null}),
            &policy(ConflictStrategy::AutoMerge, old),
            Some(&json!({"name": "B"})),
        );
        assert_eq!(json!(filled.patch), json!({"name": "L"}), "a value fills a field emptied remotely");
    }

    #[test]
    fn field_rules_pin_a_field_whatever_the_strategy() {
        let local = json!({"name": "L", "owner_id": 2, "visible_to": 3, "label_ids": [5], "job_title": "L"});
        let remote = json!({"name": "R", "owner_id": 9, "visible_to": 1, "label_ids": [1, 2], "job_title": "R",
                            "update_time": T0});
        let base = json!({"name": "B", "owner_id": 9, "visible_to": 1, "label_ids": [1, 2], "job_title": "B"});
        let rules = json!({"name": "local-owns", "owner_id": "remote-owns", "visible_to": "ignore",
                           "label_ids": "local-owns", "job_title": "manual"});
        for strategy in ["last-write-wins", "manual", "auto-merge"] {
            let mut policy =
                MergePolicy::from_json(&json!({"strategy": strategy, "fieldRules": rules, "tie": "pipedrive"}))
                    .unwrap();
            policy.local_changed_at_ms = Some(T0_MS + 5_000);
            let result = merge_data(&local, &remote, &policy, Some(&base));
            assert_eq!(json!(result.patch), json!({"name": "L", "label_ids": [5]}), "{strategy}");
            assert_eq!(result.conflicts.len(), 1, "{strategy}: job_title waits for a person");
            assert_eq!(result.conflicts[0].field, "job_title");
        }
    }

    #[test]
    fn policies_are_read_with_errors_naming_the_field() {
        assert_eq!(
            MergePolicy::from_json(&json!("auto-merge")).unwrap(),
            MergePolicy::new(ConflictStrategy::AutoMerge)
        );
        let read = MergePolicy::from_json(
            &json!({"strategy": "manual", "tie": "pipedrive", "fieldRules": {"email": "ignore"}, "localChangedAt": T0}),
        )
        .unwrap();
        assert_eq!((read.tie, read.local_changed_at_ms), (Side::Pipedrive, Some(T0_MS)));
        assert_eq!(read.field_rules.get("emails"), Some(&FieldRule::Ignore));
        let cases = [
            (json!("newest"), "strategy"),
            (json!({}), "strategy"),
            (json!({"strategy": "manual", "tie": "remote"}), "tie"),
            (json!({"strategy": "manual", "fieldRules": ["name"]}), "fieldRules"),
            (json!({"strategy": "manual", "fieldRules": {"name": "mine"}}), "fieldRules.name"),
            (json!({"strategy": "manual", "localChangedAt": "yesterday"}), "localChangedAt"),
        ];
        for (value, field) in cases {
            let error = MergePolicy::from_json(&value).unwrap_err();
            assert_eq!((error.code(), error.details()["field"].as_str()), ("VALIDATION", Some(field)), "{value}");
        }
    }
}
