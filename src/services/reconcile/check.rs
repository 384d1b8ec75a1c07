//! One linked local record held against Pipedrive's current record and the snapshot (DESIGN §12), shared by
//! reconciliation and the webhook job: in step; a first sight (the remote becomes the base); changed locally and
//! not pushed (an `update_record` job is queued, and the update flow applies the strategy when both sides
//! changed); changed remotely (drift: logged, and the `options.pullFields` fields written on the local record
//! through the store's `applyRemoteChanges`, the base moving with them; the other fields stay as they are, since
//! the CRM is authoritative, and keep their old base so that a later local update does not overwrite them).

use serde_json::{json, Map, Value};

use super::drift::{base_after_pull, baseline, local_changes, pulled, remote_changes};
use crate::engine::Engine;
use crate::error::SyncError;
use crate::host::{Host, LogLevel};
use crate::iso_time::iso_millis;
use crate::pipedrive::entities::Entity;
use crate::store::remote_changes::{apply_remote_changes, enqueue_update, LinkedState};
use crate::store::{find_snapshot, save_snapshot};

/// What one check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Both sides hold what was last synced.
    InStep,
    /// No snapshot yet: the remote as read is now the base.
    Baselined,
    /// A job for the record is waiting (status `PENDING`): it will do the three-way itself.
    Pending,
    /// Changed here and not pushed: an update job was queued.
    ChangedLocally,
    /// Changed in Pipedrive: drift recorded, the pulled fields written locally.
    ChangedRemotely,
    /// Changed on both sides: an update job was queued, and the strategy decides when it runs.
    ChangedBoth,
}

impl Verdict {
    /// The report's name for it.
    pub fn name(self) -> &'static str {
        match self {
            Verdict::InStep => "inStep",
            Verdict::Baselined => "baselined",
            Verdict::Pending => "pending",
            Verdict::ChangedLocally => "changedLocally",
            Verdict::ChangedRemotely => "changedRemotely",
            Verdict::ChangedBoth => "changedBoth",
        }
    }
}

/// A check's verdict and how many fields it pulled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checked {
    /// The class of the record.
    pub verdict: Verdict,
    /// Fields written on the local record.
    pub pulled: usize,
}

impl<H: Host> Engine<H> {
    /// Holds `linked` (its values and status as the store gives them) against `remote` (the record as
    /// Pipedrive holds it now) and the snapshot. `local_side`: whether to look for local changes not pushed
    /// (reconcile); a webhook looks at the remote side only, since local edits have their jobs and an echo of our
    /// own write must change nothing.
    pub(crate) async fn check_linked(
        &self,
        entity: Entity,
        linked: &LinkedState,
        remote: &Value,
        local_side: bool,
    ) -> Result<Checked, SyncError> {
        let no_pull = Vec::new();
        let pull = self
            .config
            .options
            .pull_fields
            .iter()
            .find(|(name, _)| name == entity.name())
            .map_or(&no_pull, |(_, fields)| fields);
        let now = iso_millis(self.host.now_ms());
        let update_time = remote.get("update_time").and_then(Value::as_str);
        let id = linked.pipedrive_id;
        let snapshot = find_snapshot(&self.host, entity.name(), id).await?;
        let Some(mut base) = snapshot.and_then(|snapshot| snapshot.fields.as_object().cloned()) else {
            let base = Value::Object(baseline(entity, remote, &linked.fields, pull));
            save_snapshot(&self.host, entity.name(), Some(&linked.local_id), id, base, update_time, &now).await?;
            return Ok(Checked { verdict: Verdict::Baselined, pulled: 0 });
        };
        // A waiting job does the three-way itself; a store that does not tell the status is treated the same,
        // so that nothing is pulled over a local edit on its way out.
        if linked.status == "PENDING" || linked.status.is_empty() {
            return Ok(Checked { verdict: Verdict::Pending, pulled: 0 });
        }
        let remote_changed = remote_changes(remote, &base);
        // The CRM is authoritative: a local value that differs from the base is pushed, even when it is older
        // than a `sync.updates` call that wrote Pipedrive by id without the local record.
        let local_changed = if local_side { local_changes(entity, &linked.fields, &base) } else { Map::new() };
        if !local_changed.is_empty() {
            enqueue_update(&self.host, entity.name(), id, &linked.local_id, &local_changed, &now).await?;
        }
        let pull_now = pulled(entity, remote, &remote_changed, &local_changed, pull);
        if !pull_now.is_empty() {
            apply_remote_changes(&self.host, entity.name(), &linked.local_id, &pull_now).await?;
            base_after_pull(entity, &mut base, remote, &pull_now);
            save_snapshot(
                &self.host,
                entity.name(),
                Some(&linked.local_id),
                id,
                Value::Object(base),
                update_time,
                &now,
            )
            .await?;
        }
        if !remote_changed.is_empty() {
            self.host.log(
                LogLevel::Info,
                "reconcile.drift",
                json!({ "entity": entity.name(), "id": id, "localId": linked.local_id, "fields": remote_changed, "pulled": pull_now.keys().collect::<Vec<_>>() }),
            );
        }
        let verdict = match (local_changed.is_empty(), remote_changed.is_empty()) {
            (true, true) => Verdict::InStep,
            (false, true) => Verdict::ChangedLocally,
            (true, false) => Verdict::ChangedRemotely,
            (false, false) => Verdict::ChangedBoth,
        };
        Ok(Checked { verdict, pulled: pull_now.len() })
    }
}
