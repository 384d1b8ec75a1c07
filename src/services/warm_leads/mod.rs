//! Warm leads (spec Feature 1, §8.1): a contact whose warmness reaches the threshold and has no Pipedrive person
//! gets its organization (if needed) and its person created in Pipedrive, owned by the matching Pipedrive user
//! and labelled with the warm-lead label; the ids are stored locally.
//!
//! Local first: the score and the `warm_lead` job commit together in the store; the job then runs at once within
//! the real-time budget (the spec's 5 seconds). When Pipedrive is slow, down or rate-limited the call answers
//! `false` with the reason and the queue finishes the job later.

mod organization;
mod person;

use serde::Serialize;
use serde_json::{json, Value};

use crate::engine::Engine;
use crate::error::SyncError;
use crate::host::{Host, LogLevel};
use crate::iso_time::iso_millis;
use crate::json_args::required_string;
use crate::local_async::join::{race, Either};
use crate::outbox::drain::DEFAULT_LEASE_MS;
use crate::pipedrive::limits::Priority;
use crate::store::{self, ClaimedJob};

/// The outbox kind of warm-lead jobs.
pub const KIND: &str = "warm_lead";
/// How long the immediate attempt may take before the queue takes over (spec: contact creation within 5 s).
pub const REALTIME_BUDGET_MS: u64 = 5_000;

/// The answer of `POST /api/contacts/[id]/check-warm-lead` (spec §8.1), with the reason when nothing was created.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckWarmLeadResponse {
    /// The check ran (errors are thrown, not answered).
    pub success: bool,
    /// The contact's warmness reaches the threshold.
    pub is_warm_lead: bool,
    /// The linked Pipedrive person, as a string (spec).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pipedrive_person_id: Option<String>,
    /// The linked Pipedrive organization, as a string (spec).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pipedrive_org_id: Option<String>,
    /// Why the contact is not (yet) in Pipedrive as a warm lead by this call.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// What one `checkAndCreateWarmLead` call did.
struct Attempt {
    /// The contact is now in Pipedrive as a warm lead, by this call.
    created: bool,
    is_warm: bool,
    reason: Option<String>,
}

impl Attempt {
    fn skipped(is_warm: bool, reason: String) -> Attempt {
        Attempt { created: false, is_warm, reason: Some(reason) }
    }
}

impl<H: Host> Engine<H> {
    /// `sync.warmLeads.checkAndCreateWarmLead({contactId, userId, warmnessScore?})`: `true` when this call put
    /// the contact in Pipedrive as a warm lead; `false` when it is below the threshold, already linked, the user
    /// has no token, or Pipedrive could not be reached in time (then the queue finishes the work).
    pub async fn check_and_create_warm_lead(&self, request: &Value) -> Result<bool, SyncError> {
        Ok(self.warm_lead_now(request).await?.created)
    }

    /// `sync.warmLeads.checkWarmLead(contactId, userId)`: the check and the creation, answered as spec §8.1.
    pub async fn check_warm_lead(
        &self,
        contact_id: &Value,
        user_id: &Value,
    ) -> Result<CheckWarmLeadResponse, SyncError> {
        let attempt = self.warm_lead_now(&json!({ "contactId": contact_id, "userId": user_id })).await?;
        let contact_id = required_string("contactId", contact_id)?;
        let contact = store::find_contact(&self.host, contact_id).await?;
        Ok(CheckWarmLeadResponse {
            success: true,
            is_warm_lead: attempt.is_warm,
            pipedrive_person_id: contact.as_ref().and_then(|c| c.pipedrive_person_id).map(|id| id.to_string()),
            pipedrive_org_id: contact.as_ref().and_then(|c| c.pipedrive_org_id).map(|id| id.to_string()),
            reason: attempt.reason,
        })
    }

    async fn warm_lead_now(&self, request: &Value) -> Result<Attempt, SyncError> {
        let contact_id = required_string("contactId", request.get("contactId").unwrap_or(&Value::Null))?;
        let user_id = required_string("userId", request.get("userId").unwrap_or(&Value::Null))?;
        let score = match request.get("warmnessScore") {
            None | Some(Value::Null) => None,
            Some(value) => Some(
                value
                    .as_f64()
                    .filter(|n| n.fract() == 0.0 && (0.0..=1_000_000.0).contains(n))
                    .map(|n| n as i64)
                    .ok_or_else(|| {
                        SyncError::validation("warmnessScore", "must be a whole number from 0 to 1000000")
                    })?,
            ),
        };
        let contact = store::find_contact(&self.host, contact_id)
            .await?
            .ok_or_else(|| SyncError::not_found(format!("there is no contact with id {contact_id}")))?;
        let threshold = self.config.options.warm_lead_threshold;
        let score_now = score.unwrap_or(contact.warmness_score);
        let has_token = self.token_for(Some(user_id)).await.is_ok();
        // Local first: the new score and the job commit together; no job without a token to run it with.
        // The store's hook records the score and, when warm and unlinked, the job, in one transaction: the job's
        // shape lives there only. Without a token there is no job to run it with.
        let job_threshold = if has_token { threshold } else { i64::MAX };
        let needs_job = has_token && score_now >= threshold && contact.pipedrive_person_id.is_none();
        let job_id = if score.is_some() || needs_job {
            store::update_warmness(&self.host, contact_id, score_now, job_threshold, user_id).await?.job_id
        } else {
            None
        };
        if score_now < threshold {
            return Ok(Attempt::skipped(
                false,
                format!("warmness {score_now} is below the warm-lead threshold {threshold}"),
            ));
        }
        if let Some(person_id) = contact.pipedrive_person_id {
            return Ok(Attempt::skipped(
                true,
                format!("the contact is already linked to Pipedrive person {person_id}"),
            ));
        }
        if !has_token {
            self.host.log(LogLevel::Warn, "warm_lead.no_token", json!({ "contactId": contact_id, "userId": user_id }));
            return Ok(Attempt::skipped(true, format!("user {user_id} has no Pipedrive API token; nothing was sent")));
        }
        let job_id = job_id
            .ok_or_else(|| SyncError::internal("the store recorded no warm_lead job for a warm, unlinked contact"))?;
        self.run_job_within(job_id, REALTIME_BUDGET_MS).await.map(|reason| match reason {
            None => Attempt { created: true, is_warm: true, reason: None },
            Some(reason) => Attempt::skipped(true, reason),
        })
    }

    /// Runs one queued job at once, within `budget_ms`: `None` when it is done, else why not (the job stays in
    /// the queue).
    pub(crate) async fn run_job_within(&self, job_id: i64, budget_ms: u64) -> Result<Option<String>, SyncError> {
        let worker_id = format!("realtime-{job_id}-{}", self.host.now_ms());
        let now = iso_millis(self.host.now_ms());
        let Some(job) = store::claim_job(&self.host, job_id, &worker_id, DEFAULT_LEASE_MS, &now).await? else {
            return Ok(Some("a queue worker is already working on it".into()));
        };
        let attempt = Box::pin(self.execute_job(&job, Priority::Interactive));
        let budget = Box::pin(self.host.sleep(budget_ms));
        match race(attempt, budget).await {
            Either::Left(result) => {
                let verdict = self.verdict(&job, result.as_ref().err());
                self.record(&job, &worker_id, &verdict, result.as_ref().err()).await?;
                Ok(result.err().map(|error| format!("{error}; the queue will retry it")))
            }
            Either::Right(()) => {
                // Too slow: hand the job to the queue now. Whatever the cut-off attempt sent is looked up by the
                // next one before it creates anything.
                let now = iso_millis(self.host.now_ms());
                let reason = format!("UNAVAILABLE: Pipedrive did not finish within {} s", budget_ms / 1000);
                store::fail_job(&self.host, job.id, &worker_id, &reason, Some(&now), &now).await?;
                Ok(Some(format!("{reason}; the queue will finish it")))
            }
        }
    }

    /// Carries out a `warm_lead` job: organization, owner, label, person, links, snapshot.
    pub(crate) async fn run_warm_lead(&self, job: &ClaimedJob, priority: Priority) -> Result<(), SyncError> {
        let contact_id = required_string("payload.contactId", job.payload.get("contactId").unwrap_or(&Value::Null))?;
        let user_id = job.payload.get("userId").and_then(Value::as_str);
        let contact = store::find_contact(&self.host, contact_id)
            .await?
            .ok_or_else(|| SyncError::not_found(format!("contact {contact_id} no longer exists")))?;
        if contact.pipedrive_person_id.is_some() {
            return Ok(());
        }
        let token = self.token_for(user_id).await?;
        let options = crate::pipedrive::client::CallOptions { priority, retry_unknown_outcome: true };
        let owner_id = self.owner_for(user_id, &token).await?;
        let label_id = self.person_label_id(&token, &self.config.options.warm_lead_label.clone()).await?;
        let org_id = match &contact.organization {
            Some(organization) => {
                Some(self.ensure_organization(&token, &contact.id, organization, owner_id, options).await?)
            }
            None => None,
        };
        let person_id = self.ensure_person(&token, &contact, org_id, owner_id, label_id, options).await?;
        let now = iso_millis(self.host.now_ms());
        store::link_contact(&self.host, &contact.id, person_id, org_id, &now).await?;
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

    /// The Pipedrive owner for a CRM user: their stored `pipedriveUserId`, else found by email (and stored);
    /// `None` (the token's user will own the record) when there is no match, which is logged.
    pub(crate) async fn owner_for(
        &self,
        user_id: Option<&str>,
        token: &crate::api_token::ApiToken,
    ) -> Result<Option<i64>, SyncError> {
        let Some(user_id) = user_id else { return Ok(None) };
        let Some(user) = store::find_user_by_id(&self.host, user_id).await? else {
            self.host.log(
                LogLevel::Warn,
                "warm_lead.owner_unknown",
                json!({ "userId": user_id, "reason": "no such CRM user" }),
            );
            return Ok(None);
        };
        if let Some(id) = user.pipedrive_user_id {
            return Ok(Some(id));
        }
        let normalized = user.email.trim().to_lowercase();
        let users = self.pipedrive_users(token).await?;
        match crate::pipedrive::users::find_by_email(&users, &normalized) {
            Some(pipedrive_user) => {
                store::set_user_pipedrive_id(&self.host, &user.id, pipedrive_user.id).await?;
                Ok(Some(pipedrive_user.id))
            }
            None => {
                self.host.log(LogLevel::Warn, "warm_lead.owner_unknown", json!({
                    "userId": user_id, "reason": format!("no active Pipedrive user has the email {normalized}; the token's user owns the record"),
                }));
                Ok(None)
            }
        }
    }
}
