//! The `warm_lead` job: organization (found or created once), owner, label, person (found or created once),
//! links and snapshot; when the job goes dead the contact's sync status says why (a person must decide, or it
//! failed for good).

use serde_json::{json, Value};

use super::person::person_body;
use crate::engine::Engine;
use crate::error::SyncError;
use crate::host::{Host, LogLevel};
use crate::iso_time::iso_millis;
use crate::json_args::required_string;
use crate::outbox::attempt::JobAttempt;
use crate::outbox::{JobFuture, JobKind};
use crate::pipedrive::limits::Priority;
use crate::store::{self, ClaimedJob};

/// The outbox kind of warm-lead jobs.
pub const KIND: &str = "warm_lead";

/// The `warm_lead` kind for the outbox.
pub(crate) fn job_kind<H: Host>() -> JobKind<H> {
    fn run<'a, H: Host>(engine: &'a Engine<H>, job: &'a JobAttempt<'a, H>, priority: Priority) -> JobFuture<'a> {
        Box::pin(engine.run_warm_lead(job, priority))
    }
    fn on_dead<'a, H: Host>(engine: &'a Engine<H>, job: &'a ClaimedJob, error: &'a SyncError) -> JobFuture<'a> {
        // The contact's sync state tells the CRM what happened: a person must decide, or it failed for good.
        let status = if matches!(error, SyncError::Conflict { .. }) { "CONFLICT" } else { "FAILED" };
        Box::pin(async move { store::set_contact_sync_status(&engine.host, &job.record_id, status).await.map(|_| ()) })
    }
    JobKind { name: KIND, run: run::<H>, on_dead: Some(on_dead::<H>) }
}

impl<H: Host> Engine<H> {
    /// Carries out a `warm_lead` job: organization, owner, label, person, links, snapshot.
    pub(crate) async fn run_warm_lead(&self, job: &JobAttempt<'_, H>, priority: Priority) -> Result<(), SyncError> {
        let contact_id = required_string("payload.contactId", job.payload.get("contactId").unwrap_or(&Value::Null))?;
        let contact = store::find_contact(&self.host, contact_id)
            .await?
            .ok_or_else(|| SyncError::not_found(format!("contact {contact_id} no longer exists")))?;
        if contact.pipedrive_person_id.is_some() {
            return Ok(());
        }
        // The user the job names, else the contact's owner (a hook called without a user): the owner's token and
        // Pipedrive user, never silently the company token's user.
        let user_id = job.acting_user().or(contact.owner_id.as_deref());
        let token = self.token_for(user_id).await?;
        let options = crate::pipedrive::client::CallOptions { priority, retry_unknown_outcome: true };
        let owner_id = self.owner_for(user_id, &token).await?;
        let label_id = self.person_label_id(&token, &self.config.options.warm_lead_label.clone()).await?;
        let org_id = match &contact.organization {
            Some(organization) => {
                Some(self.ensure_organization(&token, &contact.id, organization, owner_id, options, job).await?)
            }
            None => None,
        };
        let body = person_body(&contact, org_id, owner_id, label_id);
        let person_id = self.ensure_person(&token, &contact, &body, label_id, options, job).await?;
        let now = iso_millis(self.host.now_ms());
        if !store::link_contact(&self.host, &contact.id, person_id, org_id, &now, &job.fence()).await? {
            return Err(SyncError::not_found(format!(
                "contact {} was not linked to person {person_id}: it no longer exists, or another worker holds the job now",
                contact.id
            )));
        }
        if self.config.options.backfill_activities {
            self.backfill_activities(&contact.id, user_id).await?;
        }
        self.host.log(
            LogLevel::Info,
            "warm_lead.linked",
            json!({ "contactId": contact.id, "personId": person_id, "orgId": org_id, "ownerId": owner_id }),
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::test_host::{block_on, test_engine, TestHost};
    use crate::json::shape::FromJson;

    #[test]
    fn a_job_without_a_user_acts_for_the_contacts_owner() {
        let host = TestHost::default();
        host.add_user("u1", "owner@acme.com");
        host.users.borrow_mut()[0]["pipedriveUserId"] = json!(11);
        host.answer_store(
            "findContact",
            json!({"id": "c1", "name": "Ann Smith", "email": "ann@acme.com",
            "warmnessScore": 5, "ownerId": "u1", "pipedrivePersonId": null, "pipedriveOrgId": null,
            "updateSyncStatus": "PENDING", "organization": null}),
        );
        for method in ["saveSnapshot", "linkContact"] {
            host.answer_store(method, json!(true));
        }
        host.answer_store("listUnreplicatedActivities", json!([]));
        host.answer(
            200,
            json!({"success": true, "data": [{"id": 9040, "key": "label_ids", "name": "Labels",
            "field_type": "set", "options": [{"id": 3, "label": "Warm lead", "color": "yellow"}]}],
            "additional_data": {"pagination": {"more_items_in_collection": false}}}),
        );
        host.answer(200, json!({"success": true, "data": {"items": []}}));
        host.answer(201, json!({"success": true, "data": {"id": 99, "update_time": "2026-03-10T10:00:00Z"}}));
        let engine = test_engine(host);
        let job = ClaimedJob::from_json(&json!({"id": 1, "kind": KIND, "recordType": "contact",
            "recordId": "c1", "payload": {"contactId": "c1", "userId": null}, "attempts": 1}))
        .unwrap();
        let attempt = JobAttempt::new(engine.host(), job, "w1", 60_000);
        block_on(engine.run_warm_lead(&attempt, Priority::Background)).unwrap();
        let requests = engine.host().requests.borrow();
        let created: Value = serde_json::from_str(requests[2].body.as_deref().unwrap()).unwrap();
        assert_eq!(created["owner_id"], 11, "owned by the contact's owner's Pipedrive user");
        assert_eq!(engine.host().store_calls_of("linkContact")[0][1]["pipedrivePersonId"], 99);
    }
}
