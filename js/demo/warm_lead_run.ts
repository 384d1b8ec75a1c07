//! The demo's main job: every warm, unlinked contact through `sync.warmLeads.checkAndCreateWarmLead`, a few at a
//! time (the engine's rate limiter paces the requests to the plan's burst and search windows).

import type { PipedriveSync } from '../index';
import type { LeadCounts } from './lead_progress';

/** One warm lead to sync: the contact and the CRM user acting for it (its owner). */
export interface WarmLead {
  contactId: string;
  userId: string;
}

/** What the calls answered. */
export interface WarmLeadRun extends LeadCounts {
  /** Contacts whose call answered `false` (their job stays in the outbox). */
  queuedContacts: string[];
  /** Contacts whose call threw, with the error's code and message. */
  failures: Array<{ contactId: string; error: string }>;
  durationMs: number;
}

/** Calls `checkAndCreateWarmLead` for every lead, at most `concurrency` at once, reporting after each. */
export async function syncWarmLeads(
  sync: PipedriveSync,
  leads: WarmLead[],
  concurrency: number,
  onProgress: (counts: LeadCounts) => void = () => undefined,
  now: () => number = Date.now,
): Promise<WarmLeadRun> {
  const started = now();
  const run: WarmLeadRun = { done: 0, synced: 0, queued: 0, failed: 0, queuedContacts: [], failures: [], durationMs: 0 };
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < leads.length) {
      const lead = leads[next++];
      try {
        if (await sync.warmLeads.checkAndCreateWarmLead(lead)) {
          run.synced++;
        } else {
          run.queued++;
          run.queuedContacts.push(lead.contactId);
        }
      } catch (error) {
        run.failed++;
        run.failures.push({ contactId: lead.contactId, error: errorLine(error) });
      }
      run.done++;
      onProgress(run);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, leads.length) }, worker));
  run.durationMs = now() - started;
  return run;
}

/** An error as `CODE: message`. */
export function errorLine(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && !error.message.startsWith(`${code}:`) ? `${code}: ${error.message}` : error.message;
}
