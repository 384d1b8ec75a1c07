/**
 * @module prisma/conflicts
 * The conflict part of the Prisma store: decisions waiting for a person, in table `pipedrive_sync_conflicts` (model
 * `SyncConflict`), e.g. a field changed on both sides under the `manual` strategy, or two Pipedrive persons with a
 * contact's email (DESIGN §7.3, §7.8).
 */

import type { NewSyncConflict } from '../store/types';
import { describe, instant, integer, isPlainObject, jsonObject, text, textOrNull } from './arguments';
import type { PrismaClientLike } from './client_shape';
import { queryRows, sql, toInt } from './sql';
import { storeCall } from './store_error';
import { MAX_PIPEDRIVE_ID } from '../store/ranges';

/**
 * What the `pipedrive_id` column holds for a conflict about no single Pipedrive record (`pipedriveId: null`, e.g. an
 * ambiguous match): the reference schema's column is `Int NOT NULL`, and Pipedrive ids start at 1, so 0 never names
 * a real record. Readers map it back to `null`.
 */
export const NO_PIPEDRIVE_ID = 0;

/** The store's conflict methods over a Prisma client. */
export interface PrismaConflictStore {
  /** Records an OPEN conflict and resolves its id (see {@link createPrismaConflictStore}). */
  recordConflict(conflict: NewSyncConflict): Promise<number>;
}

/**
 * The conflict methods of the Prisma store.
 *
 * - `recordConflict({ recordType, localId, pipedriveId, fields, now })`: inserts a row with status OPEN, `fields` as
 *   JSON text, `createdAt = now`, no decision; resolves its id. Every call records a new conflict (no dedupe).
 *   `pipedriveId: null` is stored as {@link NO_PIPEDRIVE_ID}. Checks, each a `RangeError` naming the field before any
 *   query: `recordType` a non-empty string, `localId` a non-empty string or null, `pipedriveId` an integer from 1 or
 *   null, `fields` a plain object that serialises to a JSON object, `now` an ISO 8601 instant.
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
        : integer(op, 'pipedriveId', conflict.pipedriveId, 1, MAX_PIPEDRIVE_ID);
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
  };
}
