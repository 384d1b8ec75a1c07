/**
 * @module prisma/conflicts
 * The conflict part of the Prisma store: decisions waiting for a person, in table `pipedrive_sync_conflicts` (model
 * `SyncConflict`), e.g. a field changed on both sides under the `manual` strategy, or two Pipedrive persons with a
 * contact's email (DESIGN §7.3, §7.8).
 */

import type { NewSyncConflict, SyncConflict, SyncConflictStatus } from '../store/types';
import {
  describe, instant, INT32_MAX, integer, isPlainObject, jsonObject, jsonValue, oneOf, pipedriveId as pipedriveIdArg,
  plainObject, text, textOrNull,
} from './arguments';
import type { PrismaClientLike } from './client_shape';
import { isSyncConflictStatus, SYNC_CONFLICT_STATUSES } from './model_values';
import { EMPTY_SQL, executeSql, queryRows, sql, toInt, toIso } from './sql';
import { storeCall } from './store_error';

/**
 * What the `pipedrive_id` column holds for a conflict about no single Pipedrive record (`pipedriveId: null`, e.g. an
 * ambiguous match): the reference schema's column is `Int NOT NULL`, and Pipedrive ids start at 1, so 0 never names
 * a real record. Readers map it back to `null`.
 */
export const NO_PIPEDRIVE_ID = 0;

/** The most conflicts `listConflicts` returns (the newest). */
export const LIST_CONFLICTS_LIMIT = 500;

/** The store's conflict methods over a Prisma client. */
export interface PrismaConflictStore {
  /** Records an OPEN conflict and resolves its id (see {@link createPrismaConflictStore}). */
  recordConflict(conflict: NewSyncConflict): Promise<number>;
  /** The conflicts, newest first (see {@link createPrismaConflictStore}). */
  listConflicts(filter?: { status?: SyncConflictStatus }): Promise<SyncConflict[]>;
  /** One conflict, or `null` (see {@link createPrismaConflictStore}). */
  findConflict(conflictId: number): Promise<SyncConflict | null>;
  /** Resolves an OPEN conflict, atomically (see {@link createPrismaConflictStore}). */
  resolveConflict(conflictId: number, resolution: { decision: unknown; resolvedAt: string }): Promise<boolean>;
}

/** A conflict row as `$queryRaw` returns it. */
interface RawConflictRow {
  id: unknown;
  record_type: string;
  local_id: string | null;
  pipedrive_id: unknown;
  fields: string;
  status: string;
  decision: string | null;
  created_at: unknown;
  resolved_at: unknown;
}

/** The `SELECT ... FROM` of {@link RawConflictRow}. */
const SELECT_CONFLICT = sql`SELECT "id", "record_type", "local_id", "pipedrive_id", "fields", "status", "decision", "created_at",
    "resolved_at" FROM "pipedrive_sync_conflicts"`;

/**
 * A `SyncConflict` from a row: {@link NO_PIPEDRIVE_ID} back to `null`, `fields` and `decision` parsed (a decision
 * that is not JSON, e.g. a bare strategy name written by other code, is returned as its text), times as ISO 8601.
 * A stored status other than OPEN and RESOLVED, or `fields` that are not a JSON object, are errors naming the
 * conflict.
 */
function toSyncConflict(row: RawConflictRow): SyncConflict {
  const id = toInt(row.id);
  if (!isSyncConflictStatus(row.status)) throw new TypeError(`conflict ${id} has an unknown status ${describe(row.status)}`);
  let fields: unknown;
  try {
    fields = JSON.parse(row.fields);
  } catch (error) {
    throw new TypeError(`conflict ${id} has fields that are not JSON`, { cause: error });
  }
  if (!isPlainObject(fields)) throw new TypeError(`conflict ${id} has fields that are not a JSON object`);
  const pipedriveId = toInt(row.pipedrive_id);
  return {
    id,
    recordType: row.record_type,
    localId: row.local_id,
    pipedriveId: pipedriveId === NO_PIPEDRIVE_ID ? null : pipedriveId,
    fields,
    status: row.status,
    decision: row.decision === null ? null : parseDecision(row.decision),
    createdAt: toIso(row.created_at) as string,
    resolvedAt: toIso(row.resolved_at),
  };
}

/** A stored decision: its JSON parsed, or the text itself when it is not JSON. */
function parseDecision(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** A conflict id argument: an integer from 1 (the column is a 32-bit `Int`). */
function conflictIdArg(operation: string, value: unknown): number {
  return integer(operation, 'conflictId', value, 1, INT32_MAX);
}

/**
 * The conflict methods of the Prisma store.
 *
 * - `recordConflict({ recordType, localId, pipedriveId, fields, now })`: inserts a row with status OPEN, `fields` as
 *   JSON text, `createdAt = now`, no decision; resolves its id. Every call records a new conflict (no dedupe).
 *   `pipedriveId: null` is stored as {@link NO_PIPEDRIVE_ID}. Checks, each a `RangeError` naming the field before any
 *   query: `recordType` a non-empty string, `localId` a non-empty string or null, `pipedriveId` an integer from 1 or
 *   null, `fields` a plain object that serialises to a JSON object, `now` an ISO 8601 instant.
 * - `listConflicts({ status })`: the conflicts (all, or those with that status), ordered `createdAt` then `id`
 *   descending (newest first), at most {@link LIST_CONFLICTS_LIMIT}; each with `fields` and `decision` parsed and
 *   `pipedriveId` {@link NO_PIPEDRIVE_ID} read back as `null`. `filter` an object or undefined, `status` OPEN,
 *   RESOLVED or undefined (a `RangeError` naming it otherwise, before any query).
 * - `findConflict(conflictId)`: that conflict in the same shape, or `null`.
 * - `resolveConflict(conflictId, { decision, resolvedAt })`: one `UPDATE ... WHERE "id" = conflictId AND "status" =
 *   'OPEN'` (atomic on both databases: of concurrent resolves of one conflict, from any number of clients, exactly
 *   one changes the row) that sets status RESOLVED, `decision` as JSON text and `resolvedAt`; resolves whether it
 *   changed the row (`false` for a missing or already RESOLVED conflict, which keeps its first decision).
 *   `decision` any JSON value but `null`, `resolvedAt` an ISO 8601 instant.
 *
 * Conflict ids must be integers from 1 to 2147483647 (a `RangeError` naming `conflictId` otherwise, before any
 * query). A stored row that breaks the schema's rules (an unknown status, `fields` not a JSON object) rejects with a
 * `PrismaStoreError` naming the conflict.
 */
export function createPrismaConflictStore(prisma: PrismaClientLike): PrismaConflictStore {
  return {
    async recordConflict(conflict) {
      const op = 'recordConflict';
      if (!isPlainObject(conflict)) throw new RangeError(`${op}: conflict must be an object, got ${describe(conflict)}`);
      const recordType = text(op, 'recordType', conflict.recordType);
      const localId = textOrNull(op, 'localId', conflict.localId);
      const pipedriveId = conflict.pipedriveId === null || conflict.pipedriveId === undefined
        ? NO_PIPEDRIVE_ID
        : pipedriveIdArg(op, 'pipedriveId', conflict.pipedriveId);
      const { json: fields } = jsonObject(op, 'fields', conflict.fields);
      const now = instant(op, 'now', conflict.now);
      const rows = await storeCall(op, () =>
        queryRows<{ id: unknown }>(
          prisma,
          sql`INSERT INTO "pipedrive_sync_conflicts" ("record_type", "local_id", "pipedrive_id", "fields", "status", "created_at")
            VALUES (${recordType}, ${localId}, ${pipedriveId}, ${fields}, 'OPEN', ${now}) RETURNING "id"`,
        ),
      );
      return toInt(rows[0]?.id);
    },

    async listConflicts(filter) {
      const op = 'listConflicts';
      const { status: wanted } = filter === undefined ? {} : plainObject(op, 'filter', filter);
      const status = wanted === undefined ? undefined : oneOf(op, 'status', wanted, SYNC_CONFLICT_STATUSES);
      const where = status === undefined ? EMPTY_SQL : sql` WHERE "status" = ${status}`;
      return storeCall(op, async () => {
        const rows = await queryRows<RawConflictRow>(
          prisma,
          sql`${SELECT_CONFLICT}${where} ORDER BY "created_at" DESC, "id" DESC LIMIT ${LIST_CONFLICTS_LIMIT}`,
        );
        return rows.map(toSyncConflict);
      });
    },

    async findConflict(conflictId) {
      const op = 'findConflict';
      const id = conflictIdArg(op, conflictId);
      return storeCall(op, async () => {
        const rows = await queryRows<RawConflictRow>(prisma, sql`${SELECT_CONFLICT} WHERE "id" = ${id}`);
        return rows.length > 0 ? toSyncConflict(rows[0]) : null;
      });
    },

    async resolveConflict(conflictId, resolution) {
      const op = 'resolveConflict';
      const id = conflictIdArg(op, conflictId);
      const given = plainObject(op, 'resolution', resolution);
      const { json: decision } = jsonValue(op, 'decision', given.decision);
      const resolvedAt = instant(op, 'resolvedAt', given.resolvedAt);
      const changed = await storeCall(op, () =>
        executeSql(prisma, sql`UPDATE "pipedrive_sync_conflicts" SET "status" = 'RESOLVED', "decision" = ${decision},
          "resolved_at" = ${resolvedAt} WHERE "id" = ${id} AND "status" = 'OPEN'`),
      );
      return changed > 0;
    },
  };
}
