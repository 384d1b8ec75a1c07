/**
 * @module prisma/snapshots
 * The snapshot part of the Prisma store: the last-synced field values of each linked record, in table
 * `pipedrive_sync_snapshots` (model `SyncSnapshot`), the base of three-way conflict detection (DESIGN §6, §7.8).
 */

import type { SyncSnapshot } from '../store/types';
import { describe, instant, isPlainObject, jsonObject, pipedriveId as pipedriveIdArg, text, textOrNull } from './arguments';
import type { PrismaClientLike } from './client_shape';
import { executeSql, queryRows, sql, toInt, toIso } from './sql';
import { storeCall } from './store_error';

/** The store's snapshot methods over a Prisma client. */
export interface PrismaSnapshotStore {
  /** Stores a snapshot, replacing the one of the same record (see {@link createPrismaSnapshotStore}). */
  saveSnapshot(snapshot: SyncSnapshot): Promise<void>;
  /** The snapshot of a record, or `null` (see {@link createPrismaSnapshotStore}). */
  findSnapshot(recordType: string, pipedriveId: number): Promise<SyncSnapshot | null>;
}

/** A snapshot row as `$queryRaw` returns it. */
interface RawSnapshotRow {
  record_type: string;
  local_id: string | null;
  pipedrive_id: unknown;
  fields: string;
  remote_update_time: unknown;
  synced_at: unknown;
}

/** A `SyncSnapshot` from a row: `fields` parsed (a stored text that is not a JSON object is an error naming the record). */
function toSyncSnapshot(row: RawSnapshotRow): SyncSnapshot {
  const pipedriveId = toInt(row.pipedrive_id);
  let fields: unknown;
  try {
    fields = JSON.parse(row.fields);
  } catch (error) {
    throw new TypeError(`the snapshot of ${row.record_type} ${pipedriveId} has fields that are not JSON`, { cause: error });
  }
  if (!isPlainObject(fields)) throw new TypeError(`the snapshot of ${row.record_type} ${pipedriveId} has fields that are not a JSON object`);
  return {
    recordType: row.record_type,
    localId: row.local_id,
    pipedriveId,
    fields,
    remoteUpdateTime: toIso(row.remote_update_time),
    syncedAt: toIso(row.synced_at) as string,
  };
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
 * - `findSnapshot(recordType, pipedriveId)`: the row of that unique key as a `SyncSnapshot` (fields parsed, times as
 *   ISO 8601 in UTC), fresh objects; `null` when there is none. The same checks of `recordType` and `pipedriveId`,
 *   before any query. A stored `fields` text that is not a JSON object rejects (a `PrismaStoreError` naming the
 *   record).
 */
export function createPrismaSnapshotStore(prisma: PrismaClientLike): PrismaSnapshotStore {
  return {
    async saveSnapshot(snapshot) {
      const op = 'saveSnapshot';
      if (!isPlainObject(snapshot)) throw new RangeError(`${op}: snapshot must be an object, got ${describe(snapshot)}`);
      const recordType = text(op, 'recordType', snapshot.recordType);
      const localId = textOrNull(op, 'localId', snapshot.localId);
      const pipedriveId = pipedriveIdArg(op, 'pipedriveId', snapshot.pipedriveId);
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

    async findSnapshot(recordType, pipedriveId) {
      const op = 'findSnapshot';
      const type = text(op, 'recordType', recordType);
      const id = pipedriveIdArg(op, 'pipedriveId', pipedriveId);
      return storeCall(op, async () => {
        const rows = await queryRows<RawSnapshotRow>(
          prisma,
          sql`SELECT "record_type", "local_id", "pipedrive_id", "fields", "remote_update_time", "synced_at"
            FROM "pipedrive_sync_snapshots" WHERE "record_type" = ${type} AND "pipedrive_id" = ${id}`,
        );
        return rows.length > 0 ? toSyncSnapshot(rows[0]) : null;
      });
    },
  };
}
