/**
 * @module prisma/snapshots
 * The snapshot part of the Prisma store: the last-synced field values of each linked record, in table
 * `pipedrive_sync_snapshots` (model `SyncSnapshot`), the base of three-way conflict detection (DESIGN §6, §7.8).
 */

import type { SyncSnapshot } from '../store/types';
import { describe, instant, integer, isPlainObject, jsonObject, text, textOrNull } from './arguments';
import type { PrismaClientLike } from './client_shape';
import { executeSql, sql } from './sql';
import { storeCall } from './store_error';
import { MAX_PIPEDRIVE_ID } from '../store/ranges';

/** The store's snapshot methods over a Prisma client. */
export interface PrismaSnapshotStore {
  /** Stores a snapshot, replacing the one of the same record (see {@link createPrismaSnapshotStore}). */
  saveSnapshot(snapshot: SyncSnapshot): Promise<void>;
}

/**
 * The snapshot methods of the Prisma store.
 *
 * - `saveSnapshot({ recordType, localId, pipedriveId, fields, remoteUpdateTime, syncedAt })`: one upsert on the
 *   unique key (`recordType`, `pipedriveId`) (`INSERT ... ON CONFLICT DO UPDATE`, atomic on SQLite and PostgreSQL,
 *   so concurrent saves of one record leave one row, the last writer's): a new row, or the existing row's
 *   `localId`, `fields`, `remoteUpdateTime` and `syncedAt` replaced (all of them: a `null` replaces too). `fields`
 *   is stored as JSON text. Checks, each a `RangeError` naming the field before any query: `recordType` a non-empty
 *   string, `localId` a non-empty string or null, `pipedriveId` an integer from 1, `fields` a plain object that
 *   serialises to a JSON object, `remoteUpdateTime` an ISO 8601 instant or null, `syncedAt` an ISO 8601 instant.
 */
export function createPrismaSnapshotStore(prisma: PrismaClientLike): PrismaSnapshotStore {
  return {
    async saveSnapshot(snapshot) {
      const op = 'saveSnapshot';
      if (!isPlainObject(snapshot)) throw new RangeError(`${op}: snapshot must be an object, got ${describe(snapshot)}`);
      const recordType = text(op, 'recordType', snapshot.recordType);
      const localId = textOrNull(op, 'localId', snapshot.localId);
      const pipedriveId = integer(op, 'pipedriveId', snapshot.pipedriveId, 1, MAX_PIPEDRIVE_ID);
      const { json: fields } = jsonObject(op, 'fields', snapshot.fields);
      const remoteUpdateTime = snapshot.remoteUpdateTime === null || snapshot.remoteUpdateTime === undefined
        ? null
        : instant(op, 'remoteUpdateTime', snapshot.remoteUpdateTime);
      const syncedAt = instant(op, 'syncedAt', snapshot.syncedAt);
      await storeCall(op, () =>
        executeSql(prisma, sql`INSERT INTO "pipedrive_sync_snapshots" ("record_type", "local_id", "pipedrive_id", "fields",
            "remote_update_time", "synced_at")
          VALUES (${recordType}, ${localId}, ${pipedriveId}, ${fields}, ${remoteUpdateTime}, ${syncedAt})
          ON CONFLICT ("record_type", "pipedrive_id") DO UPDATE SET "local_id" = excluded."local_id", "fields" = excluded."fields",
            "remote_update_time" = excluded."remote_update_time", "synced_at" = excluded."synced_at"`),
      );
    },
  };
}
