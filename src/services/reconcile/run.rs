//! `sync.reconcile.run({entities?, since?})` (DESIGN §12): per entity type, the records Pipedrive changed since
//! the stored cursor (the v2 list with `updated_since`, 500 a page, the boundary record read again and deduped),
//! the other linked records read with `ids=` lists of 100, and each linked local record checked (`check.rs`).
//! A linked record missing from both is read singly: 404/410 → `REMOTE_DELETED` (never deleted locally), unless a
//! merge explains it (a person with the contact's email, an organization with its exact name, under another id:
//! the link moves there); 403 → visibility lost, flagged and left alone. The cursor moves to the newest
//! `update_time` seen, once the entity type is done.

use serde::Serialize;
use serde_json::{json, Map, Value};

use super::check::Verdict;
use crate::api_token::ApiToken;
use crate::engine::Engine;
use crate::error::SyncError;
use crate::host::{Host, LogLevel};
use crate::iso_time::iso_millis;
use crate::pipedrive::client::CallOptions;
use crate::pipedrive::entities::Entity;
use crate::pipedrive::limits::token_costs::token_cost;
use crate::pipedrive::search::with_name;
use crate::store::mark_linked_record;
use crate::store::remote_changes::{
    list_linked_records, reconcile_cursor, relink_record, save_reconcile_cursor, LinkedState,
};
use crate::text::lowercase::Lowercased;

/// The record types reconcile walks by default (the ones the reference models link).
pub const RECONCILED: [Entity; 3] = [Entity::Person, Entity::Organization, Entity::Activity];
/// A list page.
const PAGE: u32 = 500;
/// Ids per `ids=` check.
const IDS_PER_CHECK: usize = 100;

/// What reconcile found for one entity type.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EntityReport {
    /// `person`, `organization`, `activity`.
    pub entity: String,
    /// Local records linked to this type and checked (tombstones left out).
    pub linked: u64,
    /// Records the list returned (changed since the cursor).
    pub listed: u64,
    /// Per class of [`Verdict`], plus `gone`, `hidden` and `merged`.
    pub in_step: u64,
    /// Seen for the first time: the remote became the base.
    pub baselined: u64,
    /// A job was waiting already.
    pub pending: u64,
    /// Changed locally and not pushed: an update job queued.
    pub changed_locally: u64,
    /// Changed in Pipedrive.
    pub changed_remotely: u64,
    /// Changed on both sides: an update job queued for the strategy.
    pub changed_both: u64,
    /// Fields written on local records (`options.pullFields`).
    pub pulled_fields: u64,
    /// Deleted in Pipedrive: the local record is `REMOTE_DELETED`.
    pub gone: u64,
    /// No longer visible to the token (403): flagged, left alone.
    pub hidden: u64,
    /// Merged into another record: the link moved to the survivor.
    pub merged: u64,
    /// Linked records already `REMOTE_DELETED`, not looked for again.
    pub tombstones: u64,
    /// The cursor stored for the next run.
    pub cursor: Option<String>,
}

/// `ReconcileReport`: per entity type, and the cost.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReconcileReport {
    /// One per entity type walked.
    pub entities: Vec<EntityReport>,
    /// Requests sent (retries included).
    pub requests: u64,
    /// API tokens those requests cost (Pipedrive's price list).
    pub tokens: u64,
    /// Wall time.
    pub duration_ms: u64,
}

/// Where a run is, for `onProgress`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReconcileProgress<'a> {
    /// The entity type being walked.
    pub entity: &'a str,
    /// `listing`, `checking` or `done`.
    pub phase: &'a str,
    /// Linked records checked so far.
    pub checked: u64,
    /// Linked records of this type.
    pub linked: u64,
}

impl<H: Host> Engine<H> {
    /// Runs reconcile over `entities` (default: persons, organizations, activities), from `since` (RFC 3339) or
    /// each type's stored cursor; `progress` hears about every phase and every 100 records.
    pub async fn reconcile(
        &self,
        entities: &[Entity],
        since: Option<&str>,
        progress: &dyn Fn(&ReconcileProgress<'_>),
    ) -> Result<ReconcileReport, SyncError> {
        let started = self.host.now_ms();
        let requests_before = self.counters.requests.get();
        let token = self.token_for(None).await?;
        let mut report = ReconcileReport::default();
        let mut tokens = 0_u64;
        for &entity in if entities.is_empty() { &RECONCILED[..] } else { entities } {
            let entity_report = self.reconcile_entity(&token, entity, since, progress, &mut tokens).await?;
            report.entities.push(entity_report);
        }
        report.requests = self.counters.requests.get() - requests_before;
        report.tokens = tokens;
        report.duration_ms = (self.host.now_ms() - started).max(0) as u64;
        Ok(report)
    }

    async fn reconcile_entity(
        &self,
        token: &ApiToken,
        entity: Entity,
        since: Option<&str>,
        progress: &dyn Fn(&ReconcileProgress<'_>),
        tokens: &mut u64,
    ) -> Result<EntityReport, SyncError> {
        let name = entity.name();
        let mut report = EntityReport { entity: name.to_string(), ..EntityReport::default() };
        // A record already known to be gone is a tombstone: it is not looked for again on every run.
        let mut linked = self.all_linked(name).await?;
        let tombstones = linked.iter().filter(|state| state.status == "REMOTE_DELETED").count();
        linked.retain(|state| state.status != "REMOTE_DELETED");
        report.linked = linked.len() as u64;
        report.tombstones = tombstones as u64;
        let tell = |phase: &str, checked: u64| {
            progress(&ReconcileProgress { entity: name, phase, checked, linked: report.linked })
        };
        tell("listing", 0);
        let stored = match since {
            Some(since) => Some(since.to_string()),
            None => reconcile_cursor(&self.host, name).await?,
        };
        // By id as text: the JSON object type every module already uses, not one more map type in the `.wasm`.
        let mut remote = Map::new();
        let mut newest = stored.clone();
        let mut cursor: Option<String> = None;
        loop {
            let limit = PAGE.to_string();
            let mut params: Vec<(&str, &str)> =
                vec![("limit", &limit), ("sort_by", "update_time"), ("sort_direction", "asc")];
            if let Some(since) = &stored {
                params.push(("updated_since", since));
            }
            if let Some(cursor) = &cursor {
                params.push(("cursor", cursor));
            }
            *tokens += u64::from(token_cost("GET", entity.collection_path()));
            let request = self.requests.get(token, entity.collection_path(), &params);
            let page = self.call_envelope(token, request, CallOptions::BACKGROUND).await?;
            for record in page.data.as_array().into_iter().flatten() {
                report.listed += 1;
                if let Some(time) = record.get("update_time").and_then(Value::as_str) {
                    if newest.as_deref().is_none_or(|newest| time > newest) {
                        newest = Some(time.to_string());
                    }
                }
                if let Some(id) = record.get("id").and_then(Value::as_i64) {
                    remote.insert(id.to_string(), record.clone());
                }
            }
            cursor = page.additional_data.get("next_cursor").and_then(Value::as_str).map(str::to_string);
            if cursor.is_none() {
                break;
            }
        }
        let mut unlisted: Vec<i64> =
            linked.iter().map(|l| l.pipedrive_id).filter(|id| !remote.contains_key(&id.to_string())).collect();
        unlisted.sort_unstable();
        unlisted.dedup();
        for chunk in unlisted.chunks(IDS_PER_CHECK) {
            let ids = chunk.iter().map(ToString::to_string).collect::<Vec<_>>().join(",");
            let limit = chunk.len().to_string();
            *tokens += u64::from(token_cost("GET", entity.collection_path()));
            let request = self.requests.get(token, entity.collection_path(), &[("ids", &ids), ("limit", &limit)]);
            for record in self.call(token, request, CallOptions::BACKGROUND).await?.as_array().into_iter().flatten() {
                if let Some(id) = record.get("id").and_then(Value::as_i64) {
                    remote.insert(id.to_string(), record.clone());
                }
            }
        }
        tell("checking", 0);
        let mut moved: Vec<i64> = Vec::new();
        for (index, state) in linked.iter().enumerate() {
            if index > 0 && index % 100 == 0 {
                tell("checking", index as u64);
            }
            if moved.contains(&state.pipedrive_id) {
                continue;
            }
            let listed =
                remote.get(&state.pipedrive_id.to_string()).filter(|r| r.get("is_deleted") != Some(&Value::Bool(true)));
            let record = match listed {
                Some(record) => record.clone(),
                None => match self.missing(token, entity, state, tokens).await? {
                    Missing::Present(record) => record,
                    Missing::Gone => {
                        report.gone += 1;
                        continue;
                    }
                    Missing::Hidden => {
                        report.hidden += 1;
                        continue;
                    }
                    Missing::Merged => {
                        moved.push(state.pipedrive_id);
                        report.merged += 1;
                        continue;
                    }
                },
            };
            let checked = self.check_linked(entity, state, &record, true).await?;
            report.pulled_fields += checked.pulled as u64;
            let count = match checked.verdict {
                Verdict::InStep => &mut report.in_step,
                Verdict::Baselined => &mut report.baselined,
                Verdict::Pending => &mut report.pending,
                Verdict::ChangedLocally => &mut report.changed_locally,
                Verdict::ChangedRemotely => &mut report.changed_remotely,
                Verdict::ChangedBoth => &mut report.changed_both,
            };
            *count += 1;
        }
        if let Some(newest) = newest.filter(|newest| Some(newest) != stored.as_ref()) {
            save_reconcile_cursor(&self.host, name, &newest).await?;
        }
        report.cursor = match since {
            Some(_) => stored,
            None => reconcile_cursor(&self.host, name).await?,
        };
        tell("done", report.linked);
        Ok(report)
    }

    /// Every local record of `record_type` linked to Pipedrive, page by page.
    async fn all_linked(&self, record_type: &str) -> Result<Vec<LinkedState>, SyncError> {
        let mut all: Vec<LinkedState> = Vec::new();
        loop {
            let after = all.last().map(|state| state.local_id.clone());
            let page = list_linked_records(&self.host, record_type, after.as_deref(), PAGE).await?;
            let full = page.len() as u32 == PAGE;
            all.extend(page);
            if !full {
                return Ok(all);
            }
        }
    }

    /// A linked record neither the list nor the `ids=` check returned: read singly and classified.
    async fn missing(
        &self,
        token: &ApiToken,
        entity: Entity,
        state: &LinkedState,
        tokens: &mut u64,
    ) -> Result<Missing, SyncError> {
        *tokens += u64::from(token_cost("GET", &entity.record_path(state.pipedrive_id)));
        match self.get_record(token, entity, state.pipedrive_id, CallOptions::BACKGROUND).await {
            // Visible after all (the `ids=` check raced a change, or dropped it): checked as present.
            Ok(record) if record.get("is_deleted") != Some(&Value::Bool(true)) => Ok(Missing::Present(record)),
            Ok(_) | Err(SyncError::NotFound { .. }) => {
                if let Some(survivor) = self.survivor(token, entity, state, tokens).await? {
                    relink_record(&self.host, entity.name(), state.pipedrive_id, survivor).await?;
                    self.host.log(
                        LogLevel::Info,
                        "reconcile.merged",
                        json!({ "entity": entity.name(), "from": state.pipedrive_id, "to": survivor, "localId": state.local_id }),
                    );
                    return Ok(Missing::Merged);
                }
                let now = iso_millis(self.host.now_ms());
                mark_linked_record(&self.host, entity.name(), state.pipedrive_id, "REMOTE_DELETED", Some(&now)).await?;
                Ok(Missing::Gone)
            }
            Err(SyncError::Auth { status: Some(403), .. }) => {
                self.host.log(
                    LogLevel::Warn,
                    "reconcile.hidden",
                    json!({ "entity": entity.name(), "id": state.pipedrive_id, "localId": state.local_id }),
                );
                Ok(Missing::Hidden)
            }
            Err(error) => Err(error),
        }
    }

    /// The record a deleted one was merged into, when exactly one other record has the contact's email (persons)
    /// or the organization's exact name; `None` otherwise (activities are never merged).
    async fn survivor(
        &self,
        token: &ApiToken,
        entity: Entity,
        state: &LinkedState,
        tokens: &mut u64,
    ) -> Result<Option<i64>, SyncError> {
        let first_text = |field: &str| match state.fields.get(field) {
            Some(Value::Array(values)) => values.first().and_then(Value::as_str).map(str::to_string),
            Some(Value::String(text)) => Some(text.clone()),
            _ => None,
        };
        let (field, term) = match entity {
            Entity::Person => ("email", first_text("email")),
            Entity::Organization => ("name", first_text("name")),
            _ => return Ok(None),
        };
        let Some(term) = term.filter(|term| !term.trim().is_empty()) else { return Ok(None) };
        *tokens += u64::from(token_cost("GET", &format!("{}/search", entity.collection_path())));
        let hits = self.search(token, entity, field, &term, CallOptions::BACKGROUND).await?;
        let wanted = term.trim().lowercased();
        let others: Vec<i64> = match entity {
            Entity::Person => hits
                .iter()
                .filter(|hit| hit.emails.iter().any(|email| email.trim().lowercased() == wanted))
                .map(|hit| hit.id)
                .collect(),
            _ => with_name(&hits, &term).iter().map(|hit| hit.id).collect(),
        };
        let others: Vec<i64> = others.into_iter().filter(|id| *id != state.pipedrive_id).collect();
        Ok(match others.as_slice() {
            [one] => Some(*one),
            _ => None,
        })
    }
}

/// What a linked record missing from the lists turned out to be.
enum Missing {
    /// There after all, as read singly.
    Present(Value),
    /// Deleted: marked `REMOTE_DELETED`.
    Gone,
    /// Not visible to the token, or visible again: left alone.
    Hidden,
    /// Merged: the link moved to the survivor.
    Merged,
}
