//! The demo's direct activity replication: every activity of a contact already linked to a Pipedrive person
//! through `sync.activities.replicateActivity`, a few at a time (the engine's rate limiter paces the requests).
//! Warm leads' activities do not come here: the engine's warm-lead backfill queues them, and the final drain runs them.

import type { PipedriveSync } from '../index';
import type { LeadCounts } from './lead_progress';
import { callEach, type CallRun } from './bounded_calls';

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
