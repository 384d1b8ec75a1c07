//! The demo's direct activity replication: every activity of a contact already linked to a Pipedrive person
//! through `sync.activities.replicateActivity`, a few at a time (the engine's rate limiter paces the requests).
//! Warm leads' activities do not come here: the engine's warm-lead backfill queues them, and the final drain runs them.

import type { PipedriveSync } from '../index';
import type { LeadCounts } from './lead_progress';
import { errorLine } from './warm_lead_run';

/** One activity to replicate: the activity, its contact and the CRM user acting for it (who logged it). */
export interface ActivityToReplicate {
  activityId: string;
  contactId: string;
  userId: string;
}

/** What the calls answered. */
export interface ActivityRun extends LeadCounts {
  /** Activities whose call answered `false` (their job stays in the outbox for the final drain). */
  queuedActivities: string[];
  /** Activities whose call threw, with the error's code and message. */
  failures: Array<{ activityId: string; error: string }>;
  durationMs: number;
}

/** Calls `replicateActivity` for every activity, at most `concurrency` at once, reporting after each. */
export async function replicateActivities(
  sync: PipedriveSync,
  activities: ActivityToReplicate[],
  concurrency: number,
  onProgress: (counts: LeadCounts) => void = () => undefined,
  now: () => number = Date.now,
): Promise<ActivityRun> {
  const started = now();
  const run: ActivityRun = { done: 0, synced: 0, queued: 0, failed: 0, queuedActivities: [], failures: [], durationMs: 0 };
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < activities.length) {
      const activity = activities[next++];
      try {
        if (await sync.activities.replicateActivity(activity)) {
          run.synced++;
        } else {
          run.queued++;
          run.queuedActivities.push(activity.activityId);
        }
      } catch (error) {
        run.failed++;
        run.failures.push({ activityId: activity.activityId, error: errorLine(error) });
      }
      run.done++;
      onProgress(run);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, activities.length) }, worker));
  run.durationMs = now() - started;
  return run;
}
