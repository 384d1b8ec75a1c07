//! The record-update flow of DESIGN §11 for one record or a batch: validate → read the remote record (a batch
//! pre-reads each entity type with one `ids=` list) → map to v2 → three-way against the snapshot → strategy →
//! PATCH only what changes → snapshot → the linked local record's sync state → `UpdateResult`.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use super::mapping::{map_update, IndustryField, IndustryOption, MappingContext};
use super::request::{parse_batch, BatchUpdateResult, UpdateRequest, UpdateResult};
use super::strategy::{merge_data, parse_field_rules, MergePolicy, MergeResult};
use super::three_way::Side;
use super::validation::{validate_update_data, ValidationContext};
use crate::api_token::ApiToken;
use crate::engine::Engine;
use crate::error::SyncError;
use crate::host::{Host, LogLevel};
use crate::iso_time::iso_millis;
use crate::json::ordered::{map_of, object_of};
use crate::local_async::join::LocalFuture;
use crate::pipedrive::client::CallOptions;
use crate::pipedrive::entities::Entity;
use crate::pipedrive::fields::FieldsOf;
use crate::pipedrive::limits::Priority;
use crate::pipedrive::records::CreateFence;
use crate::services::organizations::{ambiguous_name, OrganizationByName};
use crate::store;

/// Who asked for an update, and when the change was made.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UpdateOrigin<'a> {
    /// A user waiting, or the queue.
    pub priority: Priority,
    /// The CRM user acting (whose token is used with per-user tokens).
    pub user_id: Option<&'a str>,
    /// When the local change was made (ms), for last-write-wins; `None`: now.
    pub changed_at_ms: Option<i64>,
}

/// The most ids one `ids=` list read takes (DESIGN §5).
const IDS_PER_LIST: usize = 100;

impl<H: Host> Engine<H> {
    /// `sync.updates.update*(id, data)`: one update, answered as an `UpdateResult` (failures included: only a
    /// store failure or a broken engine throws).
    pub async fn update_record(&self, request: &UpdateRequest, origin: UpdateOrigin<'_>) -> UpdateResult {
        let retries_before = self.counters.retries.get();
        let outcome = self.update_once(request, origin, None).await;
        self.result_of(request.id, outcome, retries_before)
    }

    /// An update queued by a local change (the `update_record` job with `data`): `Ok` once it is settled in
    /// Pipedrive or held as a conflict for a person (never silently overwritten); an error for the outbox's retry
    /// schedule otherwise.
    pub(crate) async fn update_for_job(
        &self,
        request: &UpdateRequest,
        origin: UpdateOrigin<'_>,
    ) -> Result<(), SyncError> {
        let applied = self.update_once(request, origin, None).await?;
        if let Some(conflict_id) = applied.conflict_id {
            self.host.log(
                LogLevel::Warn,
                "update.conflict_held",
                json!({ "entity": request.entity.name(), "id": request.id, "conflictId": conflict_id, "fields": applied.held }),
            );
        }
        Ok(())
    }

    /// `sync.updates.batchUpdate(requests)`: at most 50 `{recordType, recordId, data}`, each validated alone,
    /// results in input order; the records are pre-read with one `ids=` list per entity type.
    pub async fn batch_update(
        &self,
        requests: &Value,
        origin: UpdateOrigin<'_>,
    ) -> Result<BatchUpdateResult, SyncError> {
        let items = parse_batch(requests)?;
        let valid: Vec<&UpdateRequest> = items.iter().filter_map(|item| item.as_ref().ok()).collect();
        let token = self.token_for(origin.user_id).await?;
        let read = self.pre_read(&token, &valid, origin.priority).await;
        let mut results = Vec::with_capacity(items.len());
        for item in &items {
            let retries_before = self.counters.retries.get();
            let result = match item {
                Err(error) => UpdateResult::failed(None, error, iso_millis(self.host.now_ms()), 0),
                Ok(request) => {
                    let remote = read.get(&format!("{}:{}", request.entity.name(), request.id)).cloned();
                    let outcome = self.update_once(request, origin, remote).await;
                    self.result_of(request.id, outcome, retries_before)
                }
            };
            results.push(result);
        }
        Ok(BatchUpdateResult::of(results))
    }

    /// The records of a batch, read with one `ids=` list per entity type (≤ 100 ids each); a record missing
    /// from its list (deleted, or not visible) is left out, and read singly by its update.
    async fn pre_read(&self, token: &ApiToken, requests: &[&UpdateRequest], priority: Priority) -> Map<String, Value> {
        // By `entity:id`: the JSON object type every module already uses, not one more map type in the `.wasm`.
        let mut read = Map::new();
        for entity in Entity::ALL {
            let mut ids: Vec<i64> = requests.iter().filter(|r| r.entity == entity).map(|r| r.id).collect();
            ids.sort_unstable();
            ids.dedup();
            for chunk in ids.chunks(IDS_PER_LIST) {
                let list = chunk.iter().map(ToString::to_string).collect::<Vec<_>>().join(",");
                let limit = chunk.len().to_string();
                let request = self.requests.get(token, entity.collection_path(), &[("ids", &list), ("limit", &limit)]);
                // A failed pre-read is not an answer: each update then reads its record itself.
                let Ok(records) =
                    self.call(token, request, CallOptions { priority, retry_unknown_outcome: true }).await
                else {
                    continue;
                };
                for record in records.as_array().into_iter().flatten() {
                    if let Some(id) = record.get("id").and_then(Value::as_i64) {
                        read.insert(format!("{}:{id}", entity.name()), record.clone());
                    }
                }
            }
        }
        read
    }

    /// The `UpdateResult` of one update's outcome.
    fn result_of(&self, id: i64, outcome: Result<Applied, SyncError>, retries_before: u64) -> UpdateResult {
        let timestamp = iso_millis(self.host.now_ms());
        let retry_count = self.counters.retries.get() - retries_before;
        match outcome {
            Ok(applied) => UpdateResult {
                success: applied.conflict_id.is_none(),
                record_id: Some(id.to_string()),
                error: applied.conflict_id.map(|conflict_id| {
                    format!(
                        "CONFLICT: Conflict on {} of {} {id}, changed in Pipedrive and here; the other fields were sent, and conflict {conflict_id} waits for a decision (sync.conflicts.resolve)",
                        applied.held.join(", "),
                        applied.entity.name()
                    )
                }),
                timestamp,
                retry_count,
                conflict_id: applied.conflict_id,
                fields: applied.fields,
            },
            Err(error) => UpdateResult::failed(Some(id), &error, timestamp, retry_count),
        }
    }

    /// One update through the whole flow; `pre_read` is the record when a batch read it already.
    async fn update_once(
        &self,
        request: &UpdateRequest,
        origin: UpdateOrigin<'_>,
        pre_read: Option<Value>,
    ) -> Result<Applied, SyncError> {
        let entity = request.entity;
        let plan_context = ValidationContext::for_plan(self.config.options.plan);
        if let Some(error) = validate_update_data(&request.data, entity.name(), &plan_context).to_error() {
            return Err(error);
        }
        let token = self.token_for(origin.user_id).await?;
        let options = CallOptions { priority: origin.priority, retry_unknown_outcome: true };
        let remote = match pre_read {
            Some(record) => record,
            None => self.read_remote(&token, entity, request.id, options).await?,
        };
        if entity == Entity::Deal {
            let currencies = match request.data.get("currency") {
                Some(_) => Some(self.account_currencies(&token, options).await?),
                None => None,
            };
            let context = ValidationContext {
                deal_status: remote.get("status").and_then(Value::as_str),
                currencies: currencies.as_deref(),
                ..plan_context
            };
            if let Some(error) = validate_update_data(&request.data, entity.name(), &context).to_error() {
                return Err(error);
            }
        }
        let industry = match (entity, request.data.get("industry")) {
            (Entity::Organization, Some(_)) => Some(self.industry_field(&token).await?),
            _ => None,
        };
        let deal_has_products = remote.get("products_count").and_then(Value::as_i64).unwrap_or(0) > 0;
        let context = MappingContext { industry: industry.as_ref(), deal_has_products };
        let mapped = map_update(entity, &request.data, &remote, &context)?;
        let mut local = Value::Object(mapped.body);
        if let Some(name) = mapped.org_name_to_resolve.filter(|name| !name.is_empty()) {
            local["org_id"] = json!(self.organization_named(&token, &name, options).await?);
        }
        let snapshot = store::find_snapshot(&self.host, entity.name(), request.id).await?;
        let base = snapshot.as_ref().map(|snapshot| &snapshot.fields).filter(|fields| fields.is_object());
        let merged = merge_data(&local, &remote, &self.merge_policy(origin)?, base);
        self.apply_merge(entity, request.id, &token, options, &remote, base, merged).await
    }

    /// Reads the current record; a deleted one marks the local link `REMOTE_DELETED` and fails `NOT_FOUND`.
    async fn read_remote(
        &self,
        token: &ApiToken,
        entity: Entity,
        id: i64,
        options: CallOptions,
    ) -> Result<Value, SyncError> {
        match self.get_record(token, entity, id, options).await {
            Ok(record) if record.get("is_deleted") != Some(&Value::Bool(true)) => Ok(record),
            Ok(_) | Err(SyncError::NotFound { .. }) => {
                store::mark_linked_record(&self.host, entity.name(), id, "REMOTE_DELETED", None).await?;
                Err(SyncError::not_found(format!(
                    "Pipedrive has no {} {id} (deleted or merged); the local link is marked REMOTE_DELETED",
                    entity.name()
                )))
            }
            Err(error) => Err(error),
        }
    }

    /// The merge policy of the configuration, with the change time of `origin`.
    fn merge_policy(&self, origin: UpdateOrigin<'_>) -> Result<MergePolicy, SyncError> {
        let options = &self.config.options;
        let rules = object_of(options.field_rules.iter().map(|(field, rule)| (field.clone(), json!(rule))));
        Ok(MergePolicy {
            strategy: options.conflict_strategy,
            tie: if options.tie_to_pipedrive { Side::Pipedrive } else { Side::Local },
            field_rules: parse_field_rules("options.fieldRules", &Value::Object(rules))?,
            local_changed_at_ms: Some(origin.changed_at_ms.unwrap_or_else(|| self.host.now_ms())),
        })
    }

    /// Sends the merge: the conflict row for held fields, the PATCH of what changes, the snapshot, the local
    /// record's state.
    #[allow(clippy::too_many_arguments)]
    async fn apply_merge(
        &self,
        entity: Entity,
        id: i64,
        token: &ApiToken,
        options: CallOptions,
        remote: &Value,
        base: Option<&Value>,
        merged: MergeResult,
    ) -> Result<Applied, SyncError> {
        let now = iso_millis(self.host.now_ms());
        let held: Vec<String> = merged.conflicts.iter().map(|conflict| conflict.field.clone()).collect();
        let conflict_id = if merged.has_conflicts {
            let fields = object_of(
                merged
                    .conflicts
                    .iter()
                    .map(|c| (c.field.clone(), json!({ "base": c.base, "local": c.local, "remote": c.remote }))),
            );
            let conflict =
                store::record_conflict(&self.host, entity.name(), None, Some(id), Value::Object(fields), &now).await?;
            Some(conflict)
        } else {
            None
        };
        let written = if merged.patch.is_empty() {
            remote.clone()
        } else {
            let body = Value::Object(merged.patch.clone());
            let request = self.requests.with_body("PATCH", token, &entity.record_path(id), &body);
            let answer = self.call(token, request, options).await?;
            if !crate::pipedrive::records::holds(&answer, &body) {
                self.host.log(
                    LogLevel::Warn,
                    "update.answer_differs",
                    json!({ "entity": entity.name(), "id": id, "fields": merged.patch.keys().collect::<Vec<_>>() }),
                );
            }
            answer
        };
        // The new base: what both sides now hold for every field decided, and the earlier base for the others.
        let mut fields = base.and_then(Value::as_object).cloned().unwrap_or_default();
        for decision in merged.fields.iter().filter(|d| !held.contains(&d.field)) {
            fields.insert(decision.field.clone(), written.get(&decision.field).cloned().unwrap_or(Value::Null));
        }
        let update_time = written.get("update_time").and_then(Value::as_str);
        store::save_snapshot(&self.host, entity.name(), None, id, Value::Object(fields), update_time, &now).await?;
        let status = if conflict_id.is_some() { "CONFLICT" } else { "SYNCED" };
        store::mark_linked_record(&self.host, entity.name(), id, status, Some(&now)).await?;
        let decisions = map_of(merged.fields.iter().map(|d| (d.field.clone(), d.decision)));
        Ok(Applied { entity, conflict_id, held, fields: decisions })
    }

    /// The account's industry field with its options (the built-in one, or a custom "Industry").
    pub(crate) async fn industry_field(&self, token: &ApiToken) -> Result<IndustryField, SyncError> {
        let fields = self.fields(token, FieldsOf::Organization, false).await?;
        let field = crate::pipedrive::fields::industry_field(&fields)
            .ok_or_else(|| SyncError::validation("industry", "cannot be set: the account has no industry field"))?;
        Ok(IndustryField {
            key: (field.key != "industry").then(|| field.key.clone()),
            options: field.options.iter().map(|o| IndustryOption { id: json!(o.id), label: o.label.clone() }).collect(),
        })
    }

    /// The id of the organization named exactly `name`: found, or created once (under the organization lock).
    /// Two exact matches are a conflict for a person.
    async fn organization_named(&self, token: &ApiToken, name: &str, options: CallOptions) -> Result<i64, SyncError> {
        let _turn = self.org_lock.lock().await;
        let body = || async { Ok(json!({ "name": name })) };
        match self.organization_by_name(token, name, options, &Direct(&self.host), body).await? {
            OrganizationByName::Found(id) | OrganizationByName::Created { id, .. } => Ok(id),
            OrganizationByName::Ambiguous(ids) => Err(ambiguous_name(name, &ids, "choose one and send its org_id")),
        }
    }
}

/// The fence of a create made outside any outbox job (a direct `sync.updates` call): nothing earlier can be in
/// doubt, and nothing is marked; an unknown outcome is still looked up before the call gives up.
pub(crate) struct Direct<'a, H: Host>(pub(crate) &'a H);

impl<H: Host> CreateFence for Direct<'_, H> {
    fn in_doubt_since(&self) -> Option<i64> {
        None
    }

    fn before_create(&self) -> LocalFuture<'_, Result<i64, SyncError>> {
        let now = self.0.now_ms();
        Box::pin(async move { Ok(now) })
    }
}

/// What a sent update did.
struct Applied {
    entity: Entity,
    /// The conflict row of held fields, if any.
    conflict_id: Option<i64>,
    /// The fields held for a person.
    held: Vec<String>,
    /// The decision per field.
    fields: BTreeMap<String, super::three_way::Decision>,
}
