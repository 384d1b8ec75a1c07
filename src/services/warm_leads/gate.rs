//! Whether a warm-lead check runs, as a pure decision (data in, decision out): from the contact, the score the
//! caller gave (if any), the threshold and whether the user has a token, what to record locally and whether to
//! attempt the creation now or say why not.

use crate::store::LocalContact;

/// What a warm-lead check does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gate {
    /// The score that counts: the one given, else the stored one.
    pub score: i64,
    /// Call the store's `updateWarmness` hook (a score was given, or a job is needed), with this threshold for
    /// its job: the configured one, or `i64::MAX` when there is no token to run a job with.
    pub record_with_threshold: Option<i64>,
    /// Run the queued job now, or skip with the reason.
    pub verdict: GateVerdict,
}

/// Run the job, or skip it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GateVerdict {
    /// The contact is warm, unlinked and the user has a token: attempt the creation now.
    Run,
    /// Nothing is sent: `is_warm` tells whether the score reaches the threshold, `reason` says why.
    Skip {
        /// The score reaches the threshold.
        is_warm: bool,
        /// Why nothing is sent.
        reason: String,
    },
}

/// Decides a warm-lead check for `contact` by `user_id`.
pub fn gate(contact: &LocalContact, given: Option<i64>, threshold: i64, has_token: bool, user_id: &str) -> Gate {
    let score = given.unwrap_or(contact.warmness_score);
    let needs_job = has_token && score >= threshold && contact.pipedrive_person_id.is_none();
    // Local first: the given score is always recorded; the store's hook queues the job with it (the job's shape
    // lives there only), and a threshold no score reaches when there is no token to run the job with.
    let record_with_threshold = (given.is_some() || needs_job).then_some(if has_token { threshold } else { i64::MAX });
    let skip = |is_warm: bool, reason: String| GateVerdict::Skip { is_warm, reason };
    let verdict = if score < threshold {
        skip(false, format!("warmness {score} is below the warm-lead threshold {threshold}"))
    } else if let Some(person_id) = contact.pipedrive_person_id {
        skip(true, format!("the contact is already linked to Pipedrive person {person_id}"))
    } else if !has_token {
        skip(true, format!("user {user_id} has no Pipedrive API token; nothing was sent"))
    } else {
        GateVerdict::Run
    };
    Gate { score, record_with_threshold, verdict }
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
            ("given score reaches the threshold", contact(1, None), Some(4), true, 4, Some(4), GateVerdict::Run),
            ("stored score reaches it, none given", contact(5, None), None, true, 5, Some(4), GateVerdict::Run),
            (
                "given score below: recorded, skipped",
                contact(9, None),
                Some(3),
                true,
                3,
                Some(4),
                skip(false, "warmness 3 is below the warm-lead threshold 4"),
            ),
            (
                "stored score below, none given: nothing recorded",
                contact(2, None),
                None,
                true,
                2,
                None,
                skip(false, "warmness 2 is below the warm-lead threshold 4"),
            ),
            (
                "already linked: the given score is still recorded",
                contact(1, Some(77)),
                Some(5),
                true,
                5,
                Some(4),
                skip(true, "the contact is already linked to Pipedrive person 77"),
            ),
            (
                "already linked, none given: nothing recorded",
                contact(6, Some(77)),
                None,
                true,
                6,
                None,
                skip(true, "the contact is already linked to Pipedrive person 77"),
            ),
            (
                "no token: the score is recorded with no job",
                contact(1, None),
                Some(4),
                false,
                4,
                Some(i64::MAX),
                skip(true, "user u1 has no Pipedrive API token; nothing was sent"),
            ),
            (
                "no token, none given: nothing recorded",
                contact(8, None),
                None,
                false,
                8,
                None,
                skip(true, "user u1 has no Pipedrive API token; nothing was sent"),
            ),
        ];
        for (name, contact, given, has_token, score, record, verdict) in cases {
            let decided = gate(&contact, given, 4, has_token, "u1");
            assert_eq!(decided, Gate { score, record_with_threshold: record, verdict }, "{name}");
        }
    }
}
