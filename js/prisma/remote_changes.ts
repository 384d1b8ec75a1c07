/**
 * @module prisma/remote_changes
 * What reconciliation and webhooks need of the Prisma store (DESIGN §12), over the reference models and the
 * package's tables `pipedrive_sync_cursors` and `pipedrive_sync_webhook_events`; raw SQL written once for SQLite and
 * PostgreSQL, as in `linked_records.ts`.
 *
 * - `listLinkedRecords(recordType, {after, limit})`: the linked local records (Pipedrive id column set), by id.
 * - `relinkRecord(recordType, from, to)`: a merge's survivor takes the links of the merged-away record (for an
 *   organization, the contacts' `pipedrive_org_id` too), and the merged-away record's snapshot goes, in one
 *   transaction. Resolves the local records moved.
 * - `applyRemoteChanges(recordType, localId, fields, {tx})`: the pulled values written on the local record (one
 *   `UPDATE`; no job, the status untouched), in the caller's transaction when given.
 * - `getReconcileCursor` / `saveReconcileCursor`: one row per record type (upsert).
 * - `receiveWebhookEvent(event)`: the inbox row (`INSERT ... ON CONFLICT ("event_id") DO NOTHING RETURNING`, so
 *   the unique index decides between two deliveries at once) and the `webhook_event` job through the outbox's
 *   `enqueueJob`, in one transaction; a known event id writes nothing.
 *
 * Invalid arguments reject with a `StoreArgumentError` naming the field before any query; database failures with a
 * `PrismaStoreError` naming the method.
 */

import { oneOf, pipedriveId as pipedriveIdArg, text, transactionClient } from './arguments';
import type { PrismaClientLike, PrismaRawClientLike } from './client_shape';
import type { EnqueueJob } from './contacts';
import { EMPTY_SQL, executeSql, joinSql, queryRows, sql, toInt, type SqlFragment } from './sql';
import { storeCall } from './store_error';
import { LINKED_RECORD_TYPES } from '../store/record_edits';
import { checkPage, checkPulledFields, checkWebhookEvent, linkedFields, RECONCILED_RECORD_TYPES, webhookJob } from '../store/remote_changes';
import type { EditedRecordType, LinkedRecordState, SyncStore, UpdateSyncStatus } from '../store/types';

/** The store's reconcile and webhook methods over a Prisma client (their contract is `SyncStore`'s). */
export type PrismaRemoteChangeStore = Pick<
  SyncStore,
  'listLinkedRecords' | 'relinkRecord' | 'applyRemoteChanges' | 'getReconcileCursor' | 'saveReconcileCursor' | 'receiveWebhookEvent'
>;

/** Per record type: the table, its Pipedrive id column and the value columns `LinkedRecordState.fields` shows. */
export const LINKED_TABLES: { readonly [T in EditedRecordType]: { table: SqlFragment; column: SqlFragment; values: SqlFragment } } = {
  person: { table: sql`"contacts"`, column: sql`"pipedrive_person_id"`, values: sql`"name", "email", "phone"` },
  organization: { table: sql`"organizations"`, column: sql`"pipedrive_org_id"`, values: sql`"name", "industry", "country", "address"` },
  activity: { table: sql`"activities"`, column: sql`"pipedrive_activity_id"`, values: sql`"subject", "note", "done"` },
};

/** The SQL column of each model field `applyRemoteChanges` writes. */
const COLUMNS: Record<string, SqlFragment> = {
  name: sql`"name"`, email: sql`"email"`, phone: sql`"phone"`, industry: sql`"industry"`, country: sql`"country"`,
  address: sql`"address"`, subject: sql`"subject"`, note: sql`"note"`, done: sql`"done"`,
};

/** A linked record's row as selected by {@link LINKED_TABLES}. */
type LinkedRow = Record<string, unknown> & { id: string; pipedrive_id: unknown; status: string };

/** The row as a `LinkedRecordState`. */
export function toLinkedState(recordType: EditedRecordType, row: LinkedRow): LinkedRecordState {
  return { localId: row.id, pipedriveId: toInt(row.pipedrive_id), status: row.status as UpdateSyncStatus, fields: linkedFields(recordType, row) };
}

/** The reconcile and webhook methods of the Prisma store (see the module comment). */
export function createPrismaRemoteChangeStore(prisma: PrismaClientLike, enqueueJob: EnqueueJob): PrismaRemoteChangeStore {
  return {
    async listLinkedRecords(recordType, page) {
      const op = 'listLinkedRecords';
      const type = oneOf(op, 'recordType', recordType, RECONCILED_RECORD_TYPES);
      const { after, limit } = checkPage(op, page);
      const { table, column, values } = LINKED_TABLES[type];
      const from = after === null ? EMPTY_SQL : sql` AND "id" > ${after}`;
      const rows = await storeCall(op, () =>
        queryRows<LinkedRow>(prisma, sql`SELECT "id", ${column} AS "pipedrive_id", "update_sync_status" AS "status", ${values}
          FROM ${table} WHERE ${column} IS NOT NULL${from} ORDER BY "id" LIMIT ${limit}`),
      );
      return rows.map((row) => toLinkedState(type, row));
    },

    async relinkRecord(recordType, fromPipedriveId, toPipedriveId) {
      const op = 'relinkRecord';
      const type = oneOf(op, 'recordType', recordType, LINKED_RECORD_TYPES);
      const from = pipedriveIdArg(op, 'fromPipedriveId', fromPipedriveId);
      const to = pipedriveIdArg(op, 'toPipedriveId', toPipedriveId);
      if (type === 'deal' || from === to) return 0;
      const { table, column } = LINKED_TABLES[type];
      return storeCall(op, () =>
        prisma.$transaction(async (tx: PrismaRawClientLike) => {
          const moved = await executeSql(tx, sql`UPDATE ${table} SET ${column} = ${to}, "updated_at" = ${new Date()} WHERE ${column} = ${from}`);
          if (type === 'organization') {
            await executeSql(tx, sql`UPDATE "contacts" SET "pipedrive_org_id" = ${to}, "updated_at" = ${new Date()} WHERE "pipedrive_org_id" = ${from}`);
          }
          await executeSql(tx, sql`DELETE FROM "pipedrive_sync_snapshots" WHERE "record_type" = ${type} AND "pipedrive_id" = ${from}`);
          return moved;
        }),
      );
    },

    async applyRemoteChanges(recordType, localId, fields, options) {
      const op = 'applyRemoteChanges';
      const type = oneOf(op, 'recordType', recordType, RECONCILED_RECORD_TYPES);
      const id = text(op, 'localId', localId);
      const values = checkPulledFields(op, type, fields);
      const tx = transactionClient(op, options?.tx);
      const { table } = LINKED_TABLES[type];
      const assignments = Object.entries(values).map(([field, value]) => {
        // Booleans as SQL literals: SQLite's driver takes no boolean parameters.
        if (typeof value === 'boolean') return sql`${COLUMNS[field]} = ${value ? sql`TRUE` : sql`FALSE`}`;
        return sql`${COLUMNS[field]} = ${value}`;
      });
      const client = tx ?? prisma;
      return storeCall(op, async () => {
        if (assignments.length === 0) {
          return (await queryRows(client, sql`SELECT "id" FROM ${table} WHERE "id" = ${id}`)).length > 0;
        }
        const set = joinSql([...assignments, sql`"updated_at" = ${new Date()}`], ', ');
        return (await executeSql(client, sql`UPDATE ${table} SET ${set} WHERE "id" = ${id}`)) > 0;
      });
    },

    async getReconcileCursor(recordType) {
      const op = 'getReconcileCursor';
      const type = oneOf(op, 'recordType', recordType, LINKED_RECORD_TYPES);
      const rows = await storeCall(op, () =>
        queryRows<{ cursor: string }>(prisma, sql`SELECT "cursor" FROM "pipedrive_sync_cursors" WHERE "record_type" = ${type}`),
      );
      return rows[0]?.cursor ?? null;
    },

    async saveReconcileCursor(recordType, cursor) {
      const op = 'saveReconcileCursor';
      const type = oneOf(op, 'recordType', recordType, LINKED_RECORD_TYPES);
      const value = text(op, 'cursor', cursor);
      await storeCall(op, () =>
        executeSql(prisma, sql`INSERT INTO "pipedrive_sync_cursors" ("record_type", "cursor", "updated_at") VALUES (${type}, ${value}, ${new Date()})
          ON CONFLICT ("record_type") DO UPDATE SET "cursor" = excluded."cursor", "updated_at" = excluded."updated_at"`),
      );
    },

    async receiveWebhookEvent(event) {
      const op = 'receiveWebhookEvent';
      const checked = checkWebhookEvent(op, event);
      return storeCall(op, () =>
        prisma.$transaction(async (tx: PrismaRawClientLike) => {
          const inserted = await queryRows<{ id: unknown }>(
            tx,
            sql`INSERT INTO "pipedrive_sync_webhook_events" ("event_id", "record_type", "action", "pipedrive_id", "received_at")
              VALUES (${checked.eventId}, ${checked.recordType}, ${checked.action}, ${checked.pipedriveId}, ${new Date(checked.receivedAt)})
              ON CONFLICT ("event_id") DO NOTHING RETURNING "id"`,
          );
          if (inserted.length === 0) return { duplicate: true, jobId: null };
          const { id } = await enqueueJob(webhookJob(checked), { tx });
          return { duplicate: false, jobId: id };
        }),
      );
    },
  };
}
