/**
 * @module prisma/activities
 * The activity part of the Prisma store: reading activities with their contact's Pipedrive ids, counting
 * replication attempts, linking an activity to its Pipedrive activity, and the CRM's hook for a logged activity that
 * records a `replicate_activity` job in the same transaction (spec Feature 2, §4.2, §7.2; DESIGN §7.1, §7.3).
 *
 * Raw SQL over tables `activities` and `contacts` (unqualified: on PostgreSQL they must be on the connection's
 * `search_path`), written once for SQLite and PostgreSQL, as in `contacts.ts`, so that the same statements run on the
 * store's client and on a caller's transaction client. Raw statements do not go through Prisma's `@updatedAt`, so
 * each change sets `updated_at` itself (the process clock).
 */

import type { CrmActivityType, JobFence, LocalActivity, UpdateSyncStatus } from '../store/types';
import { describe, instant, integer, isPlainObject, textOrNull, transactionClient } from './arguments';
import type { PrismaClientLike, PrismaRawClientLike } from './client_shape';
import type { EnqueueJob } from './contacts';
import { ACTIVITY_TYPES, isActivityType, isUpdateSyncStatus, UPDATE_SYNC_STATUSES } from './model_values';
import { EMPTY_SQL, executeSql, queryRows, sql, type SqlFragment, toInt, toIso } from './sql';
import { fencedBy } from './outbox';
import { PrismaStoreError, storeCall } from './store_error';
import { MAX_PIPEDRIVE_ID } from '../store/ranges';

/** The priority of `replicate_activity` jobs: interactive work, ahead of background updates. */
export const REPLICATE_ACTIVITY_PRIORITY = 10;

/** The store's activity methods over a Prisma client. */
export interface PrismaActivityStore {
  /** The activity with its contact's Pipedrive ids, or `null` (see {@link createPrismaActivityStore}). */
  findActivity(activityId: string): Promise<LocalActivity | null>;
  /** The contact's activities not yet in Pipedrive, oldest first (see {@link createPrismaActivityStore}). */
  listUnreplicatedActivities(contactId: string): Promise<LocalActivity[]>;
  /** Counts an attempt to replicate the activity (see {@link createPrismaActivityStore}). */
  recordActivityAttempt(activityId: string, attempt: { at: string; status: UpdateSyncStatus }): Promise<boolean>;
  /** Links the activity to its Pipedrive activity (see {@link createPrismaActivityStore}). */
  markActivityReplicated(activityId: string, link: { pipedriveActivityId: number; syncedAt: string; fence?: JobFence }): Promise<boolean>;
  /** Records the `replicate_activity` job of a logged activity (see {@link createPrismaActivityStore}). */
  activityLogged(activityId: string, options?: { tx?: unknown; userId?: string | null }): Promise<number | null>;
}

/** An activity joined with its contact's Pipedrive ids, as `$queryRaw` returns it. */
interface RawActivityRow {
  id: string;
  contact_id: string;
  user_id: string;
  type: unknown;
  subject: string;
  note: string | null;
  due_date: unknown;
  all_day: unknown;
  done: unknown;
  pipedrive_activity_id: unknown;
  replicated_to_pipedrive: unknown;
  pipedrive_sync_attempts: unknown;
  last_pipedrive_sync_attempt: unknown;
  update_sync_status: string;
  created_at: unknown;
  contact_pipedrive_person_id: unknown;
  contact_pipedrive_org_id: unknown;
}

/** The `SELECT ... FROM` of {@link RawActivityRow}: activities `a` joined with their contact `c`. */
const SELECT_ACTIVITY = sql`SELECT a."id", a."contact_id", a."user_id", a."type", a."subject", a."note", a."due_date", a."all_day",
    a."done", a."pipedrive_activity_id", a."replicated_to_pipedrive", a."pipedrive_sync_attempts",
    a."last_pipedrive_sync_attempt", a."update_sync_status", a."created_at",
    c."pipedrive_person_id" AS "contact_pipedrive_person_id", c."pipedrive_org_id" AS "contact_pipedrive_org_id"
  FROM "activities" a JOIN "contacts" c ON c."id" = a."contact_id"`;

/** A nullable integer column value (drivers may return `bigint`). */
function toIntOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : toInt(value);
}

/** A Boolean column value: PostgreSQL returns booleans, SQLite (raw) may return 0/1 integers. */
function toBool(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (value === 1 || value === 1n || value === '1' || value === 'true') return true;
  if (value === 0 || value === 0n || value === '0' || value === 'false') return false;
  throw new TypeError(`expected a Boolean column value, got ${String(value)}`);
}

/**
 * A `LocalActivity` from a joined row: times as ISO 8601, integers as numbers, and the type checked against the CRM's
 * activity types (a stored unknown type is an error naming the activity, never passed on to Pipedrive as a guess).
 */
function toLocalActivity(row: RawActivityRow): LocalActivity {
  if (!isActivityType(row.type)) {
    throw new TypeError(
      `activity '${row.id}' has an unknown type ${describe(row.type)} (expected one of ${ACTIVITY_TYPES.join(', ')})`,
    );
  }
  return {
    id: row.id,
    contactId: row.contact_id,
    userId: row.user_id,
    type: row.type satisfies CrmActivityType,
    subject: row.subject,
    note: row.note,
    dueDate: toIso(row.due_date),
    allDay: toBool(row.all_day),
    done: toBool(row.done),
    pipedriveActivityId: toIntOrNull(row.pipedrive_activity_id),
    replicatedToPipedrive: toBool(row.replicated_to_pipedrive),
    pipedriveSyncAttempts: toInt(row.pipedrive_sync_attempts),
    lastPipedriveSyncAttempt: toIso(row.last_pipedrive_sync_attempt),
    updateSyncStatus: row.update_sync_status,
    createdAt: toIso(row.created_at) as string,
    contact: {
      pipedrivePersonId: toIntOrNull(row.contact_pipedrive_person_id),
      pipedriveOrgId: toIntOrNull(row.contact_pipedrive_org_id),
    },
  };
}

/** Whether `id` can name a row: ids are non-empty strings, so anything else matches no record. */
function isId(id: unknown): id is string {
  return typeof id === 'string' && id !== '';
}

/**
 * The activity methods of the Prisma store, over the reference models `Activity` and `Contact`.
 *
 * Common rules (as for the contact methods): a non-string or empty id matches no record (`null`, `[]` or `false`,
 * no query); invalid arguments reject with a `RangeError` naming the field, before any query; database failures
 * reject with a `PrismaStoreError` naming the method. Every change is one statement (atomic on both databases).
 *
 * - `findActivity(activityId)`: the activity's `LocalActivity` fields, fresh objects, times as ISO 8601, with
 *   `contact: {pipedrivePersonId, pipedriveOrgId}` read from its contact in the same query; `null` when there is no
 *   such activity. A stored `type` that is not one of CALL, EMAIL, MEETING, LINKEDIN, REFERRAL, CONFERENCE rejects
 *   (a `PrismaStoreError` whose message names the activity and the type; the `cause` is a `TypeError`).
 * - `listUnreplicatedActivities(contactId)`: the contact's activities with `replicatedToPipedrive = false`, oldest
 *   first (`createdAt`, then `id`), in the same shape; `[]` when there are none (or no such contact). One activity
 *   with an unknown type rejects the whole call, as in `findActivity`.
 * - `recordActivityAttempt(activityId, { at, status })`: `at` an ISO 8601 instant, `status` one of SYNCED, PENDING,
 *   FAILED, CONFLICT, REMOTE_DELETED. One `UPDATE` that sets `pipedriveSyncAttempts = pipedriveSyncAttempts + 1` in
 *   the database (so concurrent attempts from any number of clients are each counted), `lastPipedriveSyncAttempt =
 *   at` and `updateSyncStatus = status`; `false` when there is no such activity.
 * - `markActivityReplicated(activityId, { pipedriveActivityId, syncedAt, fence })`: `pipedriveActivityId` an integer from 1
 *   to 2147483647, `syncedAt` an instant. Sets `pipedriveActivityId`, `replicatedToPipedrive = true`,
 *   `lastPipedriveUpdate = syncedAt`, `updateSyncStatus = 'SYNCED'`; `false` when there is no such activity, or when
 *   `fence` is given and that claim no longer holds its job (checked in the same statement). Linking
 *   the same activity to the same id again is a no-op success. `pipedriveActivityId` is unique (one remote record
 *   per local record): when another activity already holds it, the update fails and the call rejects with a
 *   `PrismaStoreError` that names both activities and the Pipedrive id (the database's error as the `cause`'s cause);
 *   nothing changes.
 * - `activityLogged(activityId, { tx, userId })`: `userId` a non-empty string or null, `tx` an interactive-transaction
 *   client. In one transaction (the caller's `tx`, else one of the store's own): when the activity exists and its
 *   contact has a `pipedrivePersonId`, sets the activity's `updateSyncStatus` to PENDING (a conditional update that
 *   also locks the activity's row on PostgreSQL until the transaction ends) and enqueues `{kind:
 *   'replicate_activity', recordType: 'activity', recordId: activityId, dedupeKey: 'replicate_activity:<activityId>',
 *   payload: {activityId, userId: userId ?? <the activity's userId>}, priority: 10}` through the outbox's
 *   `enqueueJob`, so that a repeated call merges into the job still PENDING (same id) and a job already RUNNING gets
 *   a successor; resolves the job id. Otherwise (no such activity, or a contact without a Pipedrive person: the
 *   warm-lead backfill replicates it later) resolves `null` and changes nothing. With `tx`, the status and the job
 *   commit or roll back with the caller's transaction.
 */
export function createPrismaActivityStore(prisma: PrismaClientLike, enqueueJob: EnqueueJob): PrismaActivityStore {
  /** Reads activities matching `where` (over `a` and `c`), converting each row. */
  const readActivities = (operation: string, where: SqlFragment, order: SqlFragment): Promise<LocalActivity[]> =>
    storeCall(operation, async () => {
      const rows = await queryRows<RawActivityRow>(prisma, sql`${SELECT_ACTIVITY} WHERE ${where}${order}`);
      return rows.map(toLocalActivity);
    });

  /** One `UPDATE "activities"` of `activityId`; whether a row changed. */
  const updateActivity = async (operation: string, activityId: string, set: SqlFragment, condition = EMPTY_SQL): Promise<boolean> => {
    const changed = await storeCall(operation, () =>
      executeSql(prisma, sql`UPDATE "activities" SET ${set}, "updated_at" = ${new Date()} WHERE "id" = ${activityId}${condition}`),
    );
    return changed > 0;
  };

  /** The activity other than `activityId` that holds `pipedriveActivityId`, if any (after a failed link). */
  const holderOf = async (pipedriveActivityId: number, activityId: string): Promise<string | null> => {
    const rows = await queryRows<{ id: string }>(
      prisma,
      sql`SELECT "id" FROM "activities" WHERE "pipedrive_activity_id" = ${pipedriveActivityId} AND "id" <> ${activityId} LIMIT 1`,
    );
    return rows.length > 0 ? rows[0].id : null;
  };

  /** The logged-activity hook on `client` (already inside a transaction). */
  const loggedOn = async (client: PrismaRawClientLike, activityId: string, userId: string | null): Promise<number | null> => {
    const rows = await queryRows<{ user_id: string }>(
      client,
      sql`UPDATE "activities" SET "update_sync_status" = 'PENDING', "updated_at" = ${new Date()}
        WHERE "id" = ${activityId} AND EXISTS (SELECT 1 FROM "contacts" c WHERE c."id" = "activities"."contact_id"
          AND c."pipedrive_person_id" IS NOT NULL)
        RETURNING "user_id"`,
    );
    if (rows.length === 0) return null; // no such activity, or its contact is not (yet) a Pipedrive person
    const { id } = await enqueueJob(
      {
        kind: 'replicate_activity',
        recordType: 'activity',
        recordId: activityId,
        dedupeKey: `replicate_activity:${activityId}`,
        payload: { activityId, userId: userId ?? rows[0].user_id },
        priority: REPLICATE_ACTIVITY_PRIORITY,
      },
      { tx: client },
    );
    return id;
  };

  return {
    async findActivity(activityId) {
      if (!isId(activityId)) return null;
      const [found] = await readActivities('findActivity', sql`a."id" = ${activityId}`, EMPTY_SQL);
      return found ?? null;
    },

    async listUnreplicatedActivities(contactId) {
      if (!isId(contactId)) return [];
      return readActivities(
        'listUnreplicatedActivities',
        sql`a."contact_id" = ${contactId} AND a."replicated_to_pipedrive" = FALSE`,
        sql` ORDER BY a."created_at" ASC, a."id" ASC`,
      );
    },

    async recordActivityAttempt(activityId, attempt) {
      const op = 'recordActivityAttempt';
      if (!isPlainObject(attempt)) throw new RangeError(`${op}: attempt must be an object, got ${describe(attempt)}`);
      const at = instant(op, 'at', attempt.at);
      if (!isUpdateSyncStatus(attempt.status)) {
        throw new RangeError(`${op}: status must be one of ${UPDATE_SYNC_STATUSES.join(', ')}, got ${describe(attempt.status)}`);
      }
      if (!isId(activityId)) return false;
      return updateActivity(op, activityId, sql`"pipedrive_sync_attempts" = "pipedrive_sync_attempts" + 1,
        "last_pipedrive_sync_attempt" = ${at}, "update_sync_status" = ${attempt.status}`);
    },

    async markActivityReplicated(activityId, link) {
      const op = 'markActivityReplicated';
      if (!isPlainObject(link)) throw new RangeError(`${op}: link must be an object, got ${describe(link)}`);
      const remoteId = integer(op, 'pipedriveActivityId', link.pipedriveActivityId, 1, MAX_PIPEDRIVE_ID);
      const syncedAt = instant(op, 'syncedAt', link.syncedAt);
      const fenced = fencedBy(op, link.fence);
      if (!isId(activityId)) return false;
      try {
        return await updateActivity(op, activityId, sql`"pipedrive_activity_id" = ${remoteId}, "replicated_to_pipedrive" = TRUE,
          "last_pipedrive_update" = ${syncedAt}, "update_sync_status" = 'SYNCED'`, fenced);
      } catch (error) {
        // The likely cause is the unique pipedriveActivityId: say so in plain words when another activity holds it.
        const holder = await holderOf(remoteId, activityId).catch(() => null);
        if (holder === null) throw error;
        throw new PrismaStoreError(
          op,
          new Error(
            `Pipedrive activity ${remoteId} is already linked to activity '${holder}', so it cannot also be linked to ` +
              `activity '${activityId}' (pipedriveActivityId is unique: one Pipedrive activity per local activity)`,
            { cause: error instanceof PrismaStoreError ? error.cause : error },
          ),
        );
      }
    },

    async activityLogged(activityId, options = {}) {
      const op = 'activityLogged';
      if (options === null || typeof options !== 'object') throw new RangeError(`${op}: options must be an object, got ${describe(options)}`);
      const userId = textOrNull(op, 'userId', options.userId);
      const tx = transactionClient(op, options.tx);
      if (!isId(activityId)) return null;
      const work = (client: PrismaRawClientLike) => loggedOn(client, activityId, userId);
      return storeCall(op, () => (tx ? work(tx) : prisma.$transaction(work)));
    },
  };
}
