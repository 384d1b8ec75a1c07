/**
 * @module next-crm/lib/realtime_update
 * The real-time attempt of a queued person update: the `update_record` job that `store.contactEdited` recorded with
 * the edit is leased (so no drain sends it twice), its changes are sent at once with `sync.updates.updatePerson`,
 * and the job is settled by the outcome: done when Pipedrive has the change or holds it as a conflict for a person,
 * back in the queue when Pipedrive could not be reached (tried again {@link QUICK_RETRY_MS} later, then on the
 * outbox's schedule), dead with the error when Pipedrive refused it for good (replayable on /sync).
 */

import { randomUUID } from 'node:crypto';

import type { PipedriveSync, UpdatePersonData, UpdateResult } from 'pipedrive-sync';

/** What became of the attempt. */
export type RealtimeOutcome =
  | { state: 'synced'; result: UpdateResult }
  | { state: 'conflict'; conflictId: number | null; result: UpdateResult }
  | { state: 'queued'; reason: string }
  | { state: 'token-refused'; reason: string }
  | { state: 'failed'; reason: string };

/** How long the attempt holds the job: longer than an update with its retries can take. */
const LEASE_MS = 120_000;
/** How soon the queue tries a change again after the real-time attempt could not reach Pipedrive. */
export const QUICK_RETRY_MS = 10_000;
/** Error codes a retry cannot fix: the job is given up (dead, replayable) instead of queued again. */
const PERMANENT = /^(VALIDATION|NOT_FOUND):/;

/** Leases job `jobId` (the update of Pipedrive person `personId`), sends it, and settles the job by the outcome. */
export async function sendQueuedPersonUpdate(sync: PipedriveSync, jobId: number, personId: number, fallback: UpdatePersonData): Promise<RealtimeOutcome> {
  const { store } = sync;
  const workerId = `crm-realtime-${randomUUID()}`;
  const now = () => new Date().toISOString();
  const soon = () => new Date(Date.now() + QUICK_RETRY_MS).toISOString();
  const job = await store.claimJob(jobId, { workerId, leaseMs: LEASE_MS, now: now() });
  if (!job) return { state: 'queued', reason: 'the queue is already sending an earlier change of this contact' };
  const lease = { workerId, token: job.leaseToken };
  // The job's data is this edit merged with any earlier change still waiting: send all of it.
  const data = (job.payload.data as UpdatePersonData | undefined) ?? fallback;
  let result: UpdateResult;
  try {
    result = await sync.updates.updatePerson(personId, data);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await store.failJob(jobId, lease, { error: message, retryAt: soon(), now: now() });
    return { state: 'queued', reason: message };
  }
  if (result.success) {
    await store.completeJob(jobId, lease, now());
    return { state: 'synced', result };
  }
  const error = result.error ?? 'UNAVAILABLE: no answer';
  if (error.startsWith('CONFLICT:')) {
    await store.completeJob(jobId, lease, now());
    return { state: 'conflict', conflictId: result.conflictId ?? null, result };
  }
  if (error.startsWith('AUTH:')) {
    // The token was refused: nothing is wrong with the change, so it waits in the queue until the token is fixed.
    await store.failJob(jobId, lease, { error, retryAt: soon(), now: now() });
    return { state: 'token-refused', reason: error };
  }
  if (PERMANENT.test(error)) {
    await store.failJob(jobId, lease, { error, retryAt: null, now: now() });
    return { state: 'failed', reason: error };
  }
  await store.failJob(jobId, lease, { error, retryAt: soon(), now: now() });
  return { state: 'queued', reason: error };
}
