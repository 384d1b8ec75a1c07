//! Whether a warm-lead check runs, as a pure decision (data in, decision out): from the contact, the score the
//! caller gave (if any), the threshold and whether the user has a token (yes, no, or the lookup failed), what to
//! record locally and whether to attempt the creation now or say why not.

use crate::store::LocalContact;

/// What a warm-lead check does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gate {
    /// The score that counts: the one given, else the stored one.
    pub score: i64,
    /// What to write through the store's `updateWarmness` hook, if anything.
    pub record: Record,
    /// Run the queued job now, or skip with the reason.
    pub verdict: GateVerdict,
}

/// What the check writes locally (local first: a given score is always stored).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Record {
    /// Nothing (no score given, and no job needed).
    Nothing,
    /// The score only: no job, because there is definitely no token to run it with.
    ScoreOnly,
    /// The score, and the `warm_lead` job when it reaches the threshold (the hook decides with the same rule).
    ScoreAndJob,
}

/// Whether the acting user has a Pipedrive token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenState {
    /// A token is configured for the user.
    Present,
    /// Definitely none (no company token, and `apiTokenFor` answered none).
    Missing,
    /// The lookup failed (e.g. the CRM's database was down): the queue will ask again.
    Unknown(String),
}

/// Run the job, or skip it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GateVerdict {
    /// The contact is warm, unlinked and the user has a token: attempt the creation now.
    Run,
    /// Nothing is sent now: `is_warm` tells whether the score reaches the threshold, `reason` says why.
    Skip {
        /// The score reaches the threshold.
        is_warm: bool,
        /// Why nothing is sent.
        reason: String,
    },
}

/// Decides a warm-lead check for `contact` by `user_id`.
pub fn gate(contact: &LocalContact, given: Option<i64>, threshold: i64, token: &TokenState, user_id: &str) -> Gate {
    let score = given.unwrap_or(contact.warmness_score);
    let needs_job = score >= threshold && contact.pipedrive_person_id.is_none();
    let missing = *token == TokenState::Missing;
    let record = match (given.is_some(), missing) {
        (true, true) => Record::ScoreOnly,
        (true, false) => Record::ScoreAndJob,
        (false, false) if needs_job => Record::ScoreAndJob,
        (false, _) => Record::Nothing,
    };
    let skip = |is_warm: bool, reason: String| GateVerdict::Skip { is_warm, reason };
    let verdict = if score < threshold {
        skip(false, format!("warmness {score} is below the warm-lead threshold {threshold}"))
    } else if let Some(person_id) = contact.pipedrive_person_id {
        skip(true, format!("the contact is already linked to Pipedrive person {person_id}"))
    } else {
        match token {
            TokenState::Present => GateVerdict::Run,
            TokenState::Missing => skip(true, format!("user {user_id} has no Pipedrive API token; nothing was sent")),
            TokenState::Unknown(error) => skip(
                true,
                format!("the Pipedrive token of user {user_id} could not be looked up ({error}); the job is queued and the queue will retry it"),
            ),
        }
    };
    Gate { score, record, verdict }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contact(score: i64, person: Option<i64>) -> LocalContact {
        LocalContact {
            id: "c1".into(),
            name: "Ann".into(),
            email: None,
            phone: None,
            warmness_score: score,
            owner_id: None,
            pipedrive_person_id: person,
            pipedrive_org_id: None,
            update_sync_status: "PENDING".into(),
            organization: None,
        }
    }

    fn skip(is_warm: bool, reason: &str) -> GateVerdict {
        GateVerdict::Skip { is_warm, reason: reason.into() }
    }

    #[test]
    fn decisions_by_score_link_and_token() {
        let cases = [
            (
                "given score reaches the threshold",
                contact(1, None),
                Some(4),
                true,
                4,
                Record::ScoreAndJob,
                GateVerdict::Run,
            ),
            (
                "stored score reaches it, none given",
                contact(5, None),
                None,
                true,
                5,
                Record::ScoreAndJob,
                GateVerdict::Run,
            ),
            (
                "given score below: recorded, skipped",
                contact(9, None),
                Some(3),
                true,
                3,
                Record::ScoreAndJob,
                skip(false, "warmness 3 is below the warm-lead threshold 4"),
            ),
            (
                "stored score below, none given: nothing recorded",
                contact(2, None),
                None,
                true,
                2,
                Record::Nothing,
                skip(false, "warmness 2 is below the warm-lead threshold 4"),
            ),
            (
                "already linked: the given score is still recorded",
                contact(1, Some(77)),
                Some(5),
                true,
                5,
                Record::ScoreAndJob,
                skip(true, "the contact is already linked to Pipedrive person 77"),
            ),
            (
                "already linked, none given: nothing recorded",
                contact(6, Some(77)),
                None,
                true,
                6,
                Record::Nothing,
                skip(true, "the contact is already linked to Pipedrive person 77"),
            ),
            (
                "no token: the score is recorded with no job",
                contact(1, None),
                Some(4),
                false,
                4,
                Record::ScoreOnly,
                skip(true, "user u1 has no Pipedrive API token; nothing was sent"),
            ),
            (
                "no token, none given: nothing recorded",
                contact(8, None),
                None,
                false,
                8,
                Record::Nothing,
                skip(true, "user u1 has no Pipedrive API token; nothing was sent"),
            ),
        ];
        for (name, contact, given, has_token, score, record, verdict) in cases {
            let token = if has_token { TokenState::Present } else { TokenState::Missing };
            let decided = gate(&contact, given, 4, &token, "u1");
            assert_eq!(decided, Gate { score, record, verdict }, "{name}");
        }
    }

    #[test]
    fn a_failed_token_lookup_queues_the_job_without_running_it() {
        let unknown = TokenState::Unknown("STORE: apiTokenFor failed: connection refused".into());
        let decided = gate(&contact(1, None), Some(5), 4, &unknown, "u1");
        assert_eq!(decided.record, Record::ScoreAndJob, "the drain retries the job");
        let GateVerdict::Skip { is_warm: true, reason } = decided.verdict else { panic!("{decided:?}") };
        assert!(reason.contains("could not be looked up") && reason.contains("connection refused"), "{reason}");
        let below = gate(&contact(1, None), Some(2), 4, &unknown, "u1");
        assert_eq!(below.record, Record::ScoreAndJob, "the score is stored; the hook queues nothing below 4");
    }
}
