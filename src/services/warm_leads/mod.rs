//! Warm leads (spec Feature 1, §8.1): a contact whose warmness reaches the threshold and has no Pipedrive person
//! gets its organization (if needed) and its person created in Pipedrive, owned by the matching Pipedrive user
//! and labelled with the warm-lead label; the ids are stored locally.
//!
//! Local first: the score and the `warm_lead` job commit together in the store; the job then runs at once within
//! the real-time budget (the spec's 5 seconds). When Pipedrive is slow, down or rate-limited the call answers
//! `false` with the reason and the queue finishes the job later.

pub mod gate;
pub(crate) mod job;
mod organization;
mod person;

pub use job::KIND;

use serde::Serialize;
use serde_json::{json, Value};

use crate::engine::Engine;
use crate::error::SyncError;
use crate::host::{Host, LogLevel};
use crate::json_args::{member, required_string, WARMNESS_MAX, WARMNESS_MIN};
use crate::services::job_kinds::job_kinds;
use crate::store;
use gate::{gate, GateVerdict, Record, TokenState};

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

/// `{contactId, userId, warmnessScore?}`: the request of `checkAndCreateWarmLead` (and, without a score, of
/// `checkWarmLead`).
#[derive(Debug, Clone, PartialEq)]
pub struct WarmLeadRequest {
    /// The CRM contact.
    pub contact_id: String,
    /// The CRM user acting (whose token and Pipedrive user are used).
    pub user_id: String,
    /// The contact's new score, when the call sets one (recorded locally whatever Pipedrive does).
    pub warmness_score: Option<i64>,
}

impl WarmLeadRequest {
    /// Reads the request; the error names the field and the rule.
    pub fn from_json(value: &Value) -> Result<Self, SyncError> {
        let contact_id = required_string("contactId", member(value, "contactId"))?.to_string();
        let user_id = required_string("userId", member(value, "userId"))?.to_string();
        let warmness_score = match member(value, "warmnessScore") {
            Value::Null => None,
            score => Some(
                score
                    .as_f64()
                    .filter(|n| n.fract() == 0.0 && (WARMNESS_MIN as f64..=WARMNESS_MAX as f64).contains(n))
                    .map(|n| n as i64)
                    .ok_or_else(|| {
                        SyncError::validation(
                            "warmnessScore",
                            format!("must be a whole number from {WARMNESS_MIN} to {WARMNESS_MAX}"),
                        )
                    })?,
            ),
        };
        Ok(WarmLeadRequest { contact_id, user_id, warmness_score })
    }
}

impl<H: Host> Engine<H> {
    /// `sync.warmLeads.checkAndCreateWarmLead({contactId, userId, warmnessScore?})`: `true` when this call put
    /// the contact in Pipedrive as a warm lead; `false` when it is below the threshold, already linked, the user
    /// has no token, or Pipedrive could not be reached in time (then the queue finishes the work).
    ///
    /// When Pipedrive is slower than the real-time budget, `on_late(false)` is called at the end of the budget
    /// and the attempt goes on; the future resolves once it has settled.
    pub async fn check_and_create_warm_lead(
        &self,
        request: &WarmLeadRequest,
        on_late: &dyn Fn(bool),
    ) -> Result<bool, SyncError> {
        Ok(self.warm_lead_now(request, &|_| on_late(false)).await?.created)
    }

    /// `sync.warmLeads.checkWarmLead(contactId, userId)`: the check and the creation, answered as spec §8.1
    /// (`request` carries no score). When Pipedrive is slower than the real-time budget, `on_late` hears the
    /// answer at the end of the budget (not linked yet, and why) and the attempt goes on.
    pub async fn check_warm_lead(
        &self,
        request: &WarmLeadRequest,
        on_late: &dyn Fn(&CheckWarmLeadResponse),
    ) -> Result<CheckWarmLeadResponse, SyncError> {
        let late = |reason: &str| {
            on_late(&CheckWarmLeadResponse {
                success: true,
                is_warm_lead: true,
                pipedrive_person_id: None,
                pipedrive_org_id: None,
                reason: Some(reason.to_string()),
            })
        };
        let attempt = self.warm_lead_now(request, &late).await?;
        let contact = store::find_contact(&self.host, &request.contact_id).await?;
        Ok(CheckWarmLeadResponse {
            success: true,
            is_warm_lead: attempt.is_warm,
            pipedrive_person_id: contact.as_ref().and_then(|c| c.pipedrive_person_id).map(|id| id.to_string()),
            pipedrive_org_id: contact.as_ref().and_then(|c| c.pipedrive_org_id).map(|id| id.to_string()),
            reason: attempt.reason,
        })
    }

    async fn warm_lead_now(&self, request: &WarmLeadRequest, on_late: &dyn Fn(&str)) -> Result<Attempt, SyncError> {
        let (contact_id, user_id) = (request.contact_id.as_str(), request.user_id.as_str());
        let contact = store::find_contact(&self.host, contact_id)
            .await?
            .ok_or_else(|| SyncError::not_found(format!("there is no contact with id {contact_id}")))?;
        let threshold = self.config.options.warm_lead_threshold;
        let token = match self.token_for(Some(user_id)).await {
            Ok(_) => TokenState::Present,
            Err(SyncError::Auth { .. }) => TokenState::Missing,
            Err(error) => TokenState::Unknown(error.to_string()),
        };
        let decided = gate(&contact, request.warmness_score, threshold, &token, user_id);
        let queue_job = match decided.record {
            Record::Nothing => None,
            Record::ScoreOnly => Some(false),
            Record::ScoreAndJob => Some(true),
        };
        let job_id = match queue_job {
            Some(queue_job) => {
                store::update_warmness(&self.host, contact_id, decided.score, threshold, user_id, queue_job)
                    .await?
                    .job_id
            }
            None => None,
        };
        if let GateVerdict::Skip { is_warm, reason } = decided.verdict {
            if is_warm && token != TokenState::Present && contact.pipedrive_person_id.is_none() {
                self.host.log(
                    LogLevel::Warn,
                    "warm_lead.no_token",
                    json!({ "contactId": contact_id, "userId": user_id, "reason": reason }),
                );
            }
            return Ok(Attempt::skipped(is_warm, reason));
        }
        let job_id = job_id
            .ok_or_else(|| SyncError::internal("the store recorded no warm_lead job for a warm, unlinked contact"))?;
        Ok(match self.run_job_within(&job_kinds(), job_id, REALTIME_BUDGET_MS, on_late).await? {
            None => Attempt { created: true, is_warm: true, reason: None },
            Some(reason) => Attempt::skipped(true, reason),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::test_host::{block_on, test_engine, TestHost};

    fn contact(score: i64, person: Option<i64>) -> Value {
        json!({"id": "c1", "name": "Ann Smith", "email": "ann@acme.com", "warmnessScore": score, "ownerId": "u1",
               "pipedrivePersonId": person, "pipedriveOrgId": null, "updateSyncStatus": "PENDING", "organization": null})
    }

    fn request(score: Option<i64>) -> WarmLeadRequest {
        WarmLeadRequest { contact_id: "c1".into(), user_id: "u1".into(), warmness_score: score }
    }

    #[test]
    fn requests_are_read_field_by_field() {
        let read =
            WarmLeadRequest::from_json(&json!({"contactId": " c1 ", "userId": "u1", "warmnessScore": 4})).unwrap();
        assert_eq!(read, WarmLeadRequest { contact_id: "c1".into(), user_id: "u1".into(), warmness_score: Some(4) });
        let cases = [
            (json!({"userId": "u1"}), "contactId"),
            (json!({"contactId": "c1", "userId": ""}), "userId"),
            (json!({"contactId": "c1", "userId": "u1", "warmnessScore": 4.5}), "warmnessScore"),
            (json!({"contactId": "c1", "userId": "u1", "warmnessScore": -1}), "warmnessScore"),
            (json!("c1"), "contactId"),
        ];
        for (value, field) in cases {
            assert_eq!(WarmLeadRequest::from_json(&value).unwrap_err().details()["field"], field, "{value}");
        }
    }

    #[test]
    fn below_the_threshold_the_score_is_stored_and_nothing_is_sent() {
        let host = TestHost::default();
        host.answer_store("findContact", contact(1, None));
        host.answer_store("updateWarmness", json!({"updated": true, "jobId": null}));
        let engine = test_engine(host);
        assert!(!block_on(engine.check_and_create_warm_lead(&request(Some(3)), &|_| {})).unwrap());
        assert_eq!(
            engine.host().store_calls_of("updateWarmness"),
            vec![json!(["c1", 3, {"threshold": 4, "userId": "u1", "queueJob": true}])]
        );
        assert!(engine.host().requests.borrow().is_empty());
    }

    #[test]
    fn a_linked_contact_is_answered_with_its_ids_and_nothing_is_sent() {
        let host = TestHost::default();
        host.answer_store("findContact", contact(6, Some(77)));
        host.answer_store("findContact", contact(6, Some(77)));
        let engine = test_engine(host);
        let answer = block_on(engine.check_warm_lead(&request(None), &|_| {})).unwrap();
        assert!(answer.is_warm_lead);
        assert_eq!(answer.pipedrive_person_id.as_deref(), Some("77"));
        assert_eq!(answer.reason.as_deref(), Some("the contact is already linked to Pipedrive person 77"));
        assert!(engine.host().store_calls_of("updateWarmness").is_empty(), "no score given, none recorded");
        assert!(engine.host().requests.borrow().is_empty());
    }

    #[test]
    fn an_unknown_contact_is_not_found() {
        let host = TestHost::default();
        host.answer_store("findContact", Value::Null);
        let engine = test_engine(host);
        assert_eq!(
            block_on(engine.check_and_create_warm_lead(&request(Some(5)), &|_| {})).unwrap_err().code(),
            "NOT_FOUND"
        );
    }
}
