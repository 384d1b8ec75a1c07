//! Organizations by their exact name, found or created once (DESIGN invariant 3), for every flow that needs one:
//! a warm lead's organization and an update's `org_name`. An organization is shared by many local records, so the
//! create of another job may be the one in doubt: before creating, the organizations added lately are read too
//! (the search index may not see them yet). Callers hold the engine's organization lock.

use std::future::Future;

use serde_json::{json, Value};

use crate::api_token::ApiToken;
use crate::engine::Engine;
use crate::error::SyncError;
use crate::host::{Host, LogLevel};
use crate::pipedrive::client::CallOptions;
use crate::pipedrive::entities::Entity;
use crate::pipedrive::records::CreateFence;
use crate::pipedrive::search::{record_named, with_name};

/// How far back a lookup reads organizations another job may have created: longer than an attempt whose create
/// is in doubt takes to be retried and looked up again (an organization older than that is in the search index).
pub const SHARED_CREATE_WINDOW_MS: i64 = 15 * 60 * 1000;

/// What [`Engine::organization_by_name`] found or did.
#[derive(Debug, Clone, PartialEq)]
pub enum OrganizationByName {
    /// Exactly one organization has the name (found by search, or among those added lately).
    Found(i64),
    /// None had it: this one was created, with the body sent and the record Pipedrive answered (`null` when an
    /// unknown outcome was found by the lookup).
    Created {
        /// The new organization's id.
        id: i64,
        /// The body sent.
        body: Value,
        /// Pipedrive's answer.
        record: Value,
    },
    /// Several have the name exactly: a person must choose.
    Ambiguous(Vec<i64>),
}

impl<H: Host> Engine<H> {
    /// The organization named exactly `name` (trimmed, case-insensitive), or a new one created from `body()` once.
    /// The caller holds `self.org_lock`.
    pub(crate) async fn organization_by_name<F, Fut>(
        &self,
        token: &ApiToken,
        name: &str,
        options: CallOptions,
        fence: &dyn CreateFence,
        body: F,
    ) -> Result<OrganizationByName, SyncError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Value, SyncError>>,
    {
        let name = name.trim();
        let hits = self.search(token, Entity::Organization, "name", name, options).await?;
        let recent = |since: i64| async move {
            let named = |record: &Value| record_named(record, name);
            self.find_recent(token, Entity::Organization, since, &[], &named, options).await
        };
        match with_name(&hits, name).as_slice() {
            [one] => return Ok(OrganizationByName::Found(one.id)),
            [] => {}
            several => return Ok(OrganizationByName::Ambiguous(several.iter().map(|hit| hit.id).collect())),
        }
        if let Some(id) = recent(self.host.now_ms() - SHARED_CREATE_WINDOW_MS).await? {
            self.host.log(LogLevel::Info, "organization.found_lately", json!({ "orgId": id }));
            return Ok(OrganizationByName::Found(id));
        }
        let body = body().await?;
        let lookup = |since: i64| async move {
            if let Some(id) = recent(since).await? {
                return Ok(Some(id));
            }
            Ok(with_name(&self.search(token, Entity::Organization, "name", name, options).await?, name)
                .first()
                .map(|hit| hit.id))
        };
        let (id, record) = self.create_exactly_once(token, Entity::Organization, &body, options, fence, lookup).await?;
        Ok(OrganizationByName::Created { id, body, record })
    }
}

/// The error for several organizations named `name` exactly: a person must choose; `what_to_do` says how.
pub(crate) fn ambiguous_name(name: &str, ids: &[i64], what_to_do: &str) -> SyncError {
    SyncError::Conflict {
        message: format!(
            "{} Pipedrive organizations are named '{name}' ({}); {what_to_do}",
            ids.len(),
            ids.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
        ),
        conflict_id: None,
    }
}
