/**
 * @module prisma/contacts
 * The contact part of the Prisma store: reading a contact with its organization, linking contacts and organizations
 * to their Pipedrive records, their sync status, and the CRM's warmness hook that records a `warm_lead` job in the
 * same transaction as the score (spec Feature 1, §4.3, §4.4; DESIGN §7.1).
 *
 * Raw SQL over tables `contacts` and `organizations` (unqualified: on PostgreSQL they must be on the connection's
 * `search_path`), written once for SQLite and PostgreSQL, so that the same statements run on the store's client
 * and on a caller's transaction client and the client needs no more model delegates than `user`. Raw statements do
 * not go through Prisma's `@updatedAt`, so each one sets `updated_at` itself (the process clock).
 */

import type { JobFence, LocalContact, LocalOrganization, NewSyncJob, UpdateSyncStatus } from '../store/types';
import { describe, instant, integer, pipedriveId, text, transactionClient } from './arguments';
import type { PrismaClientLike, PrismaRawClientLike } from './client_shape';
import { isUpdateSyncStatus, UPDATE_SYNC_STATUSES } from './model_values';
import { EMPTY_SQL, executeSql, queryRows, sql, type SqlFragment, toInt } from './sql';
import { fencedBy } from './outbox';
import { storeCall } from './store_error';
import { WARMNESS_MAX, WARMNESS_MIN } from '../store/ranges';

/** The warmness score at which a contact becomes a warm lead, unless the caller says otherwise (spec Feature 1). */
export const DEFAULT_WARM_LEAD_THRESHOLD = 4;
/** The priority of `warm_lead` jobs: interactive work, ahead of background updates. */
export const WARM_LEAD_PRIORITY = 10;

/** The store's contact methods over a Prisma client. */
export interface PrismaContactStore {
  /** The contact with its organization, or `null` (see {@link createPrismaContactStore}). */
  findContact(contactId: string): Promise<LocalContact | null>;
  /** Links the contact to its Pipedrive person (see {@link createPrismaContactStore}). */
  linkContact(contactId: string, link: { pipedrivePersonId: number; pipedriveOrgId: number | null; syncedAt: string; fence?: JobFence }): Promise<boolean>;
  /** Links the organization to its Pipedrive organization (see {@link createPrismaContactStore}). */
  linkOrganization(organizationId: string, link: { pipedriveOrgId: number; syncedAt: string }): Promise<boolean>;
  /** Sets the contact's `updateSyncStatus` (see {@link createPrismaContactStore}). */
  setContactSyncStatus(contactId: string, status: UpdateSyncStatus): Promise<boolean>;
  /** Stores a warmness score and records the warm-lead job it calls for (see {@link createPrismaContactStore}). */
  updateWarmness(
    contactId: string,
    score: number,
    options?: { tx?: unknown; threshold?: number; userId?: string | null; queueJob?: boolean },
  ): Promise<{ updated: boolean; jobId: number | null }>;
}

/** The outbox's enqueue, which `updateWarmness` records its job through (one implementation of dedupe). */
export type EnqueueJob = (job: NewSyncJob, options?: { tx?: unknown }) => Promise<{ id: number; merged: boolean }>;

/** A contact joined with its organization, as `$queryRaw` returns it. */
interface RawContactRow {
  id: string;
  name: string;
  email: string | null;
  phone: string | null;
  warmness_score: unknown;
  owner_id: string | null;
  pipedrive_person_id: unknown;
  pipedrive_org_id: unknown;
  update_sync_status: string;
  org_id: string | null;
  org_name: string | null;
  org_industry: string | null;
  org_country: string | null;
  org_address: string | null;
  org_pipedrive_org_id: unknown;
}

/** A nullable integer column value (drivers may return `bigint`). */
function toIntOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : toInt(value);
}

/** A `LocalContact` (with its organization, or `null`) from a joined row. */
function toLocalContact(row: RawContactRow): LocalContact {
  const organization: LocalOrganization | null = row.org_id === null
    ? null
    : {
      id: row.org_id,
      name: row.org_name ?? '',
      industry: row.org_industry,
      country: row.org_country,
      address: row.org_address,
      pipedriveOrgId: toIntOrNull(row.org_pipedrive_org_id),
    };
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    phone: row.phone,
    warmnessScore: toInt(row.warmness_score),
    ownerId: row.owner_id,
    pipedrivePersonId: toIntOrNull(row.pipedrive_person_id),
    pipedriveOrgId: toIntOrNull(row.pipedrive_org_id),
    updateSyncStatus: row.update_sync_status,
    organization,
  };
}

/** Whether `id` can name a row: ids are non-empty strings, so anything else matches no record. */
function isId(id: unknown): id is string {
  return typeof id === 'string' && id !== '';
}

/**
 * The contact methods of the Prisma store, over the reference models `Contact` and `Organization`.
 *
 * Common rules: a non-string or empty id matches no record (`null`/`false`, no query); invalid arguments reject with
 * a `RangeError` naming the field, before any query; database failures reject with a `PrismaStoreError` naming the
 * method. Every change is one statement (atomic on both databases).
 *
 * - `findContact(contactId)`: the contact's `LocalContact` fields with its organization (`organization: null` when it
 *   has none), fresh objects; `null` when there is no such contact.
 * - `linkContact(contactId, { pipedrivePersonId, pipedriveOrgId, syncedAt, fence })`: sets `pipedrivePersonId`,
 *   `pipedriveOrgId` (only when given non-null: `null` leaves the stored one unchanged), `lastPipedriveUpdate =
 *   syncedAt`, `updateSyncStatus = 'SYNCED'`; `false` when there is no such contact, or when `fence` (`{jobId,
 *   workerId, token}`) is given and that claim no longer holds its job (checked in the same statement).
 * - `linkOrganization(organizationId, { pipedriveOrgId, syncedAt })`: sets `pipedriveOrgId`, `lastPipedriveUpdate`
 *   and `updateSyncStatus = 'SYNCED'`; `false` when there is no such organization.
 * - `setContactSyncStatus(contactId, status)`: `status` must be one of SYNCED, PENDING, FAILED, CONFLICT,
 *   REMOTE_DELETED (`RangeError` naming it otherwise); `false` when there is no such contact.
 * - `updateWarmness(contactId, score, { tx, threshold = 4, userId, queueJob = true })`: `score` must be an integer
 *   from `WARMNESS_MIN` to `WARMNESS_MAX` (the engine's range); `queueJob: false` stores the score only;
 *   `threshold` a finite number, `userId` a non-empty string or null, `tx` an interactive-transaction client. In one
 *   transaction (the caller's `tx`, else one of the store's own): stores the score; when `score >= threshold` and
 *   the contact has no `pipedrivePersonId` (as read by that same update), sets its `updateSyncStatus` to PENDING and
 *   enqueues `{kind: 'warm_lead', recordType: 'contact', recordId: contactId, dedupeKey: 'warm_lead:<contactId>',
 *   payload: {contactId, userId}, priority: 10}` through the outbox's `enqueueJob`, so that a repeated change merges
 *   into the job still PENDING (same id) and a job already RUNNING gets a successor instead. Resolves
 *   `{updated: false, jobId: null}` for a missing contact (nothing changed), `{updated: true, jobId}` otherwise
 *   (`jobId: null` when no job was needed). With `tx`, the score, the status and the job commit or roll back with
 *   the caller's transaction. On PostgreSQL the score update locks the contact's row until the transaction ends, so
 *   a concurrent `linkContact` waits for it (and the warm-lead job then finds the contact linked).
 */
export function createPrismaContactStore(prisma: PrismaClientLike, enqueueJob: EnqueueJob): PrismaContactStore {
  /** One `UPDATE "contacts"` of `contactId` (and the extra `condition`); whether a row changed. */
  const updateContact = async (operation: string, contactId: string, set: SqlFragment, condition = EMPTY_SQL): Promise<boolean> => {
    const changed = await storeCall(operation, () =>
      executeSql(prisma, sql`UPDATE "contacts" SET ${set}, "updated_at" = ${new Date()} WHERE "id" = ${contactId}${condition}`),
    );
    return changed > 0;
  };

  /** The warmness change on `client` (already inside a transaction). */
  const warmnessOn = async (
    client: PrismaRawClientLike,
    contactId: string,
    score: number,
    reachesThreshold: boolean,
    userId: string | null,
  ): Promise<{ updated: boolean; jobId: number | null }> => {
    const markPending = reachesThreshold
      ? sql`, "update_sync_status" = CASE WHEN "pipedrive_person_id" IS NULL THEN 'PENDING' ELSE "update_sync_status" END`
      : EMPTY_SQL;
    const rows = await queryRows<{ pipedrive_person_id: unknown }>(
      client,
      sql`UPDATE "contacts" SET "warmness_score" = ${score}${markPending}, "updated_at" = ${new Date()}
        WHERE "id" = ${contactId} RETURNING "pipedrive_person_id"`,
    );
    if (rows.length === 0) return { updated: false, jobId: null };
    if (!reachesThreshold || rows[0].pipedrive_person_id !== null) return { updated: true, jobId: null };
    const { id } = await enqueueJob(
      {
        kind: 'warm_lead',
        recordType: 'contact',
        recordId: contactId,
        dedupeKey: `warm_lead:${contactId}`,
        payload: { contactId, userId },
        priority: WARM_LEAD_PRIORITY,
      },
      { tx: client },
    );
    return { updated: true, jobId: id };
  };

  return {
    async findContact(contactId) {
      if (!isId(contactId)) return null;
      const rows = await storeCall('findContact', () =>
        queryRows<RawContactRow>(
          prisma,
          sql`SELECT c."id", c."name", c."email", c."phone", c."warmness_score", c."owner_id", c."pipedrive_person_id",
              c."pipedrive_org_id", c."update_sync_status", o."id" AS "org_id", o."name" AS "org_name",
              o."industry" AS "org_industry", o."country" AS "org_country", o."address" AS "org_address",
              o."pipedrive_org_id" AS "org_pipedrive_org_id"
            FROM "contacts" c LEFT JOIN "organizations" o ON o."id" = c."organization_id"
            WHERE c."id" = ${contactId}`,
        ),
      );
      return rows.length > 0 ? toLocalContact(rows[0]) : null;
    },

    async linkContact(contactId, link) {
      const op = 'linkContact';
      if (link === null || typeof link !== 'object') throw new RangeError(`${op}: link must be an object, got ${describe(link)}`);
      const personId = pipedriveId(op, 'pipedrivePersonId', link.pipedrivePersonId);
      const orgId = link.pipedriveOrgId === null ? null : pipedriveId(op, 'pipedriveOrgId', link.pipedriveOrgId);
      const syncedAt = instant(op, 'syncedAt', link.syncedAt);
      const fenced = fencedBy(op, link.fence);
      if (!isId(contactId)) return false;
      const org = orgId === null ? EMPTY_SQL : sql`, "pipedrive_org_id" = ${orgId}`;
      return updateContact(op, contactId, sql`"pipedrive_person_id" = ${personId}${org}, "last_pipedrive_update" = ${syncedAt},
        "update_sync_status" = 'SYNCED'`, fenced);
    },

    async linkOrganization(organizationId, link) {
      const op = 'linkOrganization';
      if (link === null || typeof link !== 'object') throw new RangeError(`${op}: link must be an object, got ${describe(link)}`);
      const orgId = pipedriveId(op, 'pipedriveOrgId', link.pipedriveOrgId);
      const syncedAt = instant(op, 'syncedAt', link.syncedAt);
      if (!isId(organizationId)) return false;
      const changed = await storeCall(op, () =>
        executeSql(prisma, sql`UPDATE "organizations" SET "pipedrive_org_id" = ${orgId}, "last_pipedrive_update" = ${syncedAt},
          "update_sync_status" = 'SYNCED', "updated_at" = ${new Date()} WHERE "id" = ${organizationId}`),
      );
      return changed > 0;
    },

    async setContactSyncStatus(contactId, status) {
      const op = 'setContactSyncStatus';
      if (!isUpdateSyncStatus(status)) {
        throw new RangeError(`${op}: status must be one of ${UPDATE_SYNC_STATUSES.join(', ')}, got ${describe(status)}`);
      }
      if (!isId(contactId)) return false;
      return updateContact(op, contactId, sql`"update_sync_status" = ${status}`);
    },

    async updateWarmness(contactId, score, options = {}) {
      const op = 'updateWarmness';
      if (options === null || typeof options !== 'object') throw new RangeError(`${op}: options must be an object, got ${describe(options)}`);
      const value = integer(op, 'score', score, WARMNESS_MIN, WARMNESS_MAX);
      const threshold = options.threshold ?? DEFAULT_WARM_LEAD_THRESHOLD;
      if (typeof threshold !== 'number' || !Number.isFinite(threshold)) {
        throw new RangeError(`${op}: threshold must be a finite number, got ${describe(threshold)}`);
      }
      const userId = options.userId === undefined || options.userId === null ? null : text(op, 'userId', options.userId);
      const tx = transactionClient(op, options.tx);
      if (!isId(contactId)) return { updated: false, jobId: null };
      const queueJob = options.queueJob ?? true;
      if (typeof queueJob !== 'boolean') throw new RangeError(`${op}: queueJob must be a boolean, got ${describe(queueJob)}`);
      const work = (client: PrismaRawClientLike) => warmnessOn(client, contactId, value, queueJob && value >= threshold, userId);
      return storeCall(op, () => (tx ? work(tx) : prisma.$transaction(work)));
    },
  };
}
