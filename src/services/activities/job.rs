//! The `replicate_activity` job: creates the activity in Pipedrive exactly once (a create whose outcome is
//! unknown is looked up among the person's activities added since the attempt began), records the attempt and
//! links the local activity.

use serde_json::{json, Map, Value};

use super::due::{due_fields, parse_instant, Due};
use crate::api_token::ApiToken;
use crate::engine::Engine;
use crate::error::SyncError;
use crate::host::{Host, LogLevel};
use crate::iso_time::iso_millis;
use crate::json::ordered::object_of;
use crate::json_args::required_string;
use crate::outbox::attempt::JobAttempt;
use crate::outbox::{JobFuture, JobKind};
use crate::pipedrive::activity_types::{choose_type, mapped_type};
use crate::pipedrive::client::CallOptions;
use crate::pipedrive::entities::Entity;
use crate::pipedrive::limits::Priority;
use crate::pipedrive::records::holds;
use crate::store::{self, LocalActivity};

/// The outbox kind of activity replication jobs.
pub const KIND: &str = "replicate_activity";

/// The `replicate_activity` kind for the outbox.
pub(crate) fn job_kind<H: Host>() -> JobKind<H> {
    fn run<'a, H: Host>(engine: &'a Engine<H>, job: &'a JobAttempt<'a, H>, priority: Priority) -> JobFuture<'a> {
        Box::pin(engine.run_replicate_activity(job, priority))
    }
    JobKind { name: KIND, run: run::<H>, on_dead: None }
}

impl<H: Host> Engine<H> {
    /// Carries out a `replicate_activity` job.
    pub(crate) async fn run_replicate_activity(
        &self,
        job: &JobAttempt<'_, H>,
        priority: Priority,
    ) -> Result<(), SyncError> {
        let activity_id = required_string("payload.activityId", job.payload.get("activityId").unwrap_or(&Value::Null))?;
        let activity = store::find_activity(&self.host, activity_id)
            .await?
            .ok_or_else(|| SyncError::not_found(format!("activity {activity_id} no longer exists")))?;
        if activity.pipedrive_activity_id.is_some() {
            return Ok(());
        }
        let Some(person_id) = activity.contact.pipedrive_person_id else {
            // Not replicable yet: the warm-lead backfill queues it again once the contact is in Pipedrive.
            return Ok(());
        };
        let attempt_at = self.host.now_ms();
        let user_id = job.payload.get("userId").and_then(Value::as_str).unwrap_or(&activity.user_id).to_string();
        let result = self.create_activity(&activity, person_id, &user_id, priority, job).await;
        // One attempt, counted once with its outcome (spec §4.2: pipedriveSyncAttempts, lastPipedriveSyncAttempt).
        let status = if result.is_ok() { "SYNCED" } else { "FAILED" };
        store::record_activity_attempt(&self.host, activity_id, &iso_millis(attempt_at), status).await?;
        result
    }

    async fn create_activity(
        &self,
        activity: &LocalActivity,
        person_id: i64,
        user_id: &str,
        priority: Priority,
        job: &JobAttempt<'_, H>,
    ) -> Result<(), SyncError> {
        let token = self.token_for(Some(user_id)).await?;
        let options = CallOptions { priority, retry_unknown_outcome: true };
        let owner_id = self.owner_for(Some(user_id), &token).await?;
        let wanted = mapped_type(&activity.activity_type, &self.config.options.activity_type_map).to_string();
        let (activity_type, fallback) = choose_type(&wanted, &self.active_activity_types(&token, options).await?);
        if let Some(reason) = fallback {
            self.host.log(
                LogLevel::Warn,
                "activity.type_fallback",
                json!({ "activityId": activity.id, "reason": reason }),
            );
        }
        let due = match &activity.due_date {
            Some(text) => {
                let instant = parse_instant("dueDate", text)?;
                let offset = self
                    .host
                    .zone_offset_minutes(&self.config.options.time_zone, instant.timestamp_millis())
                    .unwrap_or(0);
                Some(due_fields(instant, activity.all_day, offset))
            }
            None => None,
        };
        let body = activity_body(activity, &activity_type, due.as_ref(), person_id, owner_id);
        let lookup = |since: i64| self.find_replicated(&token, person_id, &body, since, options);
        let (pipedrive_id, _) = self.create_exactly_once(&token, Entity::Activity, &body, options, job, lookup).await?;
        let now = iso_millis(self.host.now_ms());
        if !store::mark_activity_replicated(&self.host, &activity.id, pipedrive_id, &now, &job.fence()).await? {
            return Err(SyncError::not_found(format!(
                "activity {} was not linked to Pipedrive activity {pipedrive_id}: it no longer exists, or another worker holds the job now",
                activity.id
            )));
        }
        self.host.log(
            LogLevel::Info,
            "activity.replicated",
            json!({ "activityId": activity.id, "pipedriveActivityId": pipedrive_id, "type": activity_type }),
        );
        Ok(())
    }

    /// The activity, if an earlier attempt created it: among the person's activities added since `since` (ms),
    /// one that holds what was sent (subject, type, due date and time, done, owner).
    async fn find_replicated(
        &self,
        token: &ApiToken,
        person_id: i64,
        body: &Value,
        since: i64,
        options: CallOptions,
    ) -> Result<Option<i64>, SyncError> {
        let wanted = object_of(
            ["subject", "type", "due_date", "due_time", "done", "owner_id"]
                .iter()
                .filter_map(|key| body.get(*key).map(|value| (key.to_string(), value.clone()))),
        );
        let wanted = Value::Object(wanted);
        let person = person_id.to_string();
        let sent = |candidate: &Value| holds(candidate, &wanted);
        self.find_recent(token, Entity::Activity, since, &[("person_id", &person)], &sent, options).await
    }
}

/// The v2 body that creates the activity (API-FACTS §2.5).
pub fn activity_body(
    activity: &LocalActivity,
    activity_type: &str,
    due: Option<&Due>,
    person_id: i64,
    owner_id: Option<i64>,
) -> Value {
    let mut body = Map::new();
    body.insert("subject".into(), json!(activity.subject.trim()));
    body.insert("type".into(), json!(activity_type));
    if let Some(due) = due {
        body.insert("due_date".into(), json!(due.date));
        if let Some(time) = &due.time {
            body.insert("due_time".into(), json!(time));
        }
    }
    if let Some(note) = activity.note.as_deref().filter(|note| !note.trim().is_empty()) {
        body.insert("note".into(), json!(note));
    }
    body.insert("done".into(), json!(activity.done));
    body.insert("participants".into(), json!([{ "person_id": person_id, "primary": true }]));
    if let Some(org_id) = activity.contact.pipedrive_org_id {
        body.insert("org_id".into(), json!(org_id));
    }
    if let Some(owner_id) = owner_id {
        body.insert("owner_id".into(), json!(owner_id));
    }
    Value::Object(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::ActivityContact;

    #[test]
    fn the_spec_example_maps_to_a_v2_body() {
        let activity = LocalActivity {
            id: "activity-123".into(),
            contact_id: "contact-456".into(),
            user_id: "user-789".into(),
            activity_type: "EMAIL".into(),
            subject: "Follow up email".into(),
            note: Some("Important follow up".into()),
            due_date: Some("2025-12-25T10:00:00Z".into()),
            all_day: false,
            done: false,
            pipedrive_activity_id: None,
            pipedrive_sync_attempts: 0,
            last_pipedrive_sync_attempt: None,
            update_sync_status: "PENDING".into(),
            contact: ActivityContact { pipedrive_person_id: Some(123), pipedrive_org_id: None },
        };
        let due = due_fields(parse_instant("dueDate", "2025-12-25T10:00:00Z").unwrap(), false, 0);
        assert_eq!(
            activity_body(&activity, "email", Some(&due), 123, Some(7)),
            json!({
                "subject": "Follow up email", "type": "email", "due_date": "2025-12-25", "due_time": "10:00:00",
                "note": "Important follow up", "done": false, "participants": [{"person_id": 123, "primary": true}],
                "owner_id": 7,
            })
        );
    }
}
