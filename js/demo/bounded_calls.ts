/**
 * @module demo/bounded_calls
 * Calling the engine for many records a few at a time (the engine's rate limiter paces the requests to the plan's
 * burst and search windows), counting what each call answered: in Pipedrive now, left to the queue, or failed.
 * The demo's two such runs: every warm, unlinked contact through `sync.warmLeads.checkAndCreateWarmLead`
 * ({@link syncWarmLeads}), and every activity of a contact already linked to a Pipedrive person through
 * `sync.activities.replicateActivity` ({@link replicateActivities}). Warm leads' activities do not go through the
 * latter: the engine's warm-lead backfill queues them, and the demo's final drain runs them.
 */

import type { PipedriveSync } from '../index';
import type { LeadCounts } from './lead_progress';

/** What the calls answered. */
export interface CallRun extends LeadCounts {
  /** Records whose call answered `false` (their job stays in the outbox). */
  queuedIds: string[];
  /** Records whose call threw, with the error's code and message. */
  failures: Array<{ id: string; error: string }>;
  durationMs: number;
}

/** Calls `call` for every item, at most `concurrency` at once, reporting after each. */
export async function callEach<T>(
  items: T[],
  idOf: (item: T) => string,
  call: (item: T) => Promise<boolean>,
  concurrency: number,
  onProgress: (counts: LeadCounts) => void = () => undefined,
  now: () => number = Date.now,
): Promise<CallRun> {
  const started = now();
  const run: CallRun = { done: 0, synced: 0, queued: 0, failed: 0, queuedIds: [], failures: [], durationMs: 0 };
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++];
      try {
        if (await call(item)) {
          run.synced++;
        } else {
          run.queued++;
          run.queuedIds.push(idOf(item));
        }
      } catch (error) {
        run.failed++;
        run.failures.push({ id: idOf(item), error: errorLine(error) });
      }
      run.done++;
      onProgress(run);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  run.durationMs = now() - started;
  return run;
}

/** An error as `CODE: message`. */
export function errorLine(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && !error.message.startsWith(`${code}:`) ? `${code}: ${error.message}` : error.message;
}

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

/** One activity to replicate: the activity, its contact and the CRM user acting for it (who logged it). */
export interface ActivityToReplicate {
  activityId: string;
  contactId: string;
  userId: string;
}

/** Calls `replicateActivity` for every activity, at most `concurrency` at once, reporting after each. */
export function replicateActivities(
  sync: PipedriveSync,
  activities: ActivityToReplicate[],
  concurrency: number,
  onProgress?: (counts: LeadCounts) => void,
  now?: () => number,
): Promise<CallRun> {
  const replicate = (activity: ActivityToReplicate) => sync.activities.replicateActivity(activity);
  return callEach(activities, (activity) => activity.activityId, replicate, concurrency, onProgress, now);
}
