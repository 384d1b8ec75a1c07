//! The demo's main job: every warm, unlinked contact through `sync.warmLeads.checkAndCreateWarmLead`, a few at a
//! time (the engine's rate limiter paces the requests to the plan's burst and search windows).

import type { PipedriveSync } from '../index';
import { callEach, type CallRun } from './bounded_calls';
import type { LeadCounts } from './lead_progress';

/** One warm lead to sync: the contact and the CRM user acting for it (its owner). */
export interface WarmLead {
  contactId: string;
  userId: string;
}

/** Calls `checkAndCreateWarmLead` for every lead, at most `concurrency` at once, reporting after each. */
export function syncWarmLeads(
  sync: PipedriveSync,
  leads: WarmLead[],
  concurrency: number,
  onProgress?: (counts: LeadCounts) => void,
  now?: () => number,
): Promise<CallRun> {
  return callEach(leads, (lead) => lead.contactId, (lead) => sync.warmLeads.checkAndCreateWarmLead(lead), concurrency, onProgress, now);
}
