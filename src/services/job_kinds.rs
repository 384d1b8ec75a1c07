//! The job kinds the services own, handed to the outbox (which names none of them).

use crate::host::Host;
use crate::outbox::JobKind;

/// Every kind of job the outbox may hold.
pub(crate) fn job_kinds<H: Host>() -> [JobKind<H>; 4] {
    [
        super::warm_leads::job::job_kind(),
        super::activities::job::job_kind(),
        super::record_updates::job_kind(),
        super::webhooks::job::job_kind(),
    ]
}
