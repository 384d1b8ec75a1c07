/**
 * @module prisma/index
 * `pipedrive-sync/prisma`: the reference `SyncStore` over the reference Prisma models (`prisma/schema.prisma`).
 *
 * The CRM passes its own Prisma client (the package imports no generated client):
 *
 *     import { createPrismaStore } from 'pipedrive-sync/prisma';
 *     const store = createPrismaStore(prisma);
 *
 * The outbox methods (`enqueueJob`, `claimJobs`, `claimJob`, ...) are documented in `outbox.ts`: pass the CRM's
 * transaction client to `enqueueJob(job, { tx })` so that the job commits or rolls back with the change that caused
 * it. The contact methods (`findContact`, `linkContact`, `linkOrganization`, `setContactSyncStatus`, and the CRM's
 * warmness hook `updateWarmness(contactId, score, { tx })`) are in `contacts.ts`; the activity methods
 * (`findActivity`, `listUnreplicatedActivities`, `recordActivityAttempt`, `markActivityReplicated`, and the CRM's
 * hook for a logged activity `activityLogged(activityId, { tx })`) in `activities.ts`; `saveSnapshot` and
 * `findSnapshot` in `snapshots.ts`; `recordConflict`, `listConflicts`, `findConflict` and `resolveConflict` in
 * `conflicts.ts`; the CRM's edit hooks (`contactEdited`, `organizationEdited`, `activityEdited`, each with `{ tx }`)
 * and `markLinkedRecord` in `linked_records.ts`; reconcile's and the webhook intake's methods (`listLinkedRecords`,
 * `relinkRecord`, `applyRemoteChanges`, the reconcile cursors, `receiveWebhookEvent`) in `remote_changes.ts`;
 * `swapPacing` (pacing shared by every process on a token) in `pacing.ts`.
 *
 * Also exported: `applyMigrations`, which creates or updates the reference tables (the package's own included) from
 * the package's SQL migrations, and the allowed values of the schema's status columns.
 */

import type { SyncStore } from '../store/types';
import { createPrismaActivityStore } from './activities';
import type { PrismaClientLike } from './client_shape';
import { createPrismaConflictStore } from './conflicts';
import { createPrismaContactStore } from './contacts';
import { createPrismaLinkedRecordStore } from './linked_records';
import { createPrismaJobWakeupStore } from './job_wakeup';
import { createPrismaOutboxStore } from './outbox';
import { createPrismaPacingStore } from './pacing';
import { createPrismaRemoteChangeStore } from './remote_changes';
import { createPrismaSnapshotStore } from './snapshots';
import { createPrismaUserStore } from './users';

export { REPLICATE_ACTIVITY_PRIORITY } from './activities';
export type { PrismaClientLike, PrismaRawClientLike, PrismaUserDelegateLike, PrismaUserRow } from './client_shape';
export { LIST_CONFLICTS_LIMIT, NO_PIPEDRIVE_ID } from './conflicts';
export { DEFAULT_WARM_LEAD_THRESHOLD, WARM_LEAD_PRIORITY } from './contacts';
export { QUEUE_STATS_DEAD_LIMIT } from './outbox';
export { PACING_KEY_MAX, PACING_STATE_MAX } from './pacing';
export { PrismaStoreError } from './store_error';
export { StoreArgumentError } from './arguments';
export { MAX_PIPEDRIVE_ID } from './users';
export * from './model_values';
export {
  applyMigrations,
  MigrationError,
  type ApplyMigrationsOptions,
  type ApplyMigrationsResult,
  type DatabaseProvider,
} from './migrate';

/** Options of {@link createPrismaStore}. */
export interface PrismaStoreOptions {
  /**
   * PostgreSQL only: the database URL (Prisma's form; `?schema=` honoured) on which an idle worker `LISTEN`s for new
   * jobs, so that a job enqueued while it sleeps starts at once. Without it the worker polls (every second).
   */
  listenUrl?: string;
}

/**
 * The `SyncStore` over a Prisma client of the reference schema (SQLite or PostgreSQL).
 *
 * Methods resolve `null`/`false` for "no such record" and reject with a `PrismaStoreError` (Prisma's error as its
 * `cause`) when the database fails; invalid arguments reject with a `RangeError` before any query.
 */
export function createPrismaStore(prisma: PrismaClientLike, options: PrismaStoreOptions = {}): SyncStore {
  if (
    !prisma || typeof prisma !== 'object' || !prisma.user || typeof prisma.$queryRaw !== 'function' ||
    typeof prisma.$executeRaw !== 'function' || typeof prisma.$transaction !== 'function'
  ) {
    throw new TypeError(
      'createPrismaStore: expected a Prisma client of the reference schema (with `user`, `$queryRaw`, `$executeRaw` and `$transaction`)',
    );
  }
  const outbox = createPrismaOutboxStore(prisma);
  return {
    ...createPrismaUserStore(prisma),
    // updateWarmness records its job through the outbox's enqueue: one implementation of dedupe and of the locks.
    ...createPrismaContactStore(prisma, outbox.enqueueJob),
    // activityLogged too: its replicate_activity job goes through the same enqueue.
    ...createPrismaActivityStore(prisma, outbox.enqueueJob),
    // And the edit hooks' update_record jobs.
    ...createPrismaLinkedRecordStore(prisma, outbox.enqueueJob),
    // And the webhook inbox's jobs.
    ...createPrismaRemoteChangeStore(prisma, outbox.enqueueJob),
    ...createPrismaSnapshotStore(prisma),
    ...createPrismaConflictStore(prisma),
    // Pacing shared with every other process on the token (DESIGN §13).
    ...createPrismaPacingStore(prisma),
    // What the long-running worker sleeps on: the next due job, and PostgreSQL LISTEN/NOTIFY.
    ...createPrismaJobWakeupStore(prisma, options.listenUrl),
    ...outbox,
  };
}
