/**
 * @module prisma/linked_records
 * The local side of record updates in the Prisma store (DESIGN §4 "Ids", §11): the CRM's hooks for edited contacts,
 * organizations and activities, which enqueue an `update_record` job for the linked Pipedrive record in the CRM's own
 * transaction, and `markLinkedRecord`, which writes the engine's outcome back on the local record linked to a
 * Pipedrive record.
 *
 * A local record is linked through its Pipedrive id column: `contacts.pipedrive_person_id`,
 * `organizations.pipedrive_org_id`, `activities.pipedrive_activity_id`. Raw SQL written once for SQLite and
 * PostgreSQL, as in `contacts.ts` and `activities.ts`; each change sets `updated_at` itself (the process clock).
 */

import { instant, oneOf, pipedriveId as pipedriveIdArg, plainObject, transactionClient } from './arguments';
import type { PrismaClientLike, PrismaRawClientLike } from './client_shape';
import type { EnqueueJob } from './contacts';
import { UPDATE_SYNC_STATUSES } from './model_values';
import { EMPTY_SQL, executeSql, queryRows, sql, type SqlFragment, toInt } from './sql';
import { LINKED_TABLES, toLinkedState } from './remote_changes';
import { storeCall } from './store_error';
import { changesNothing, checkEdit, LINKED_RECORD_TYPES, updateRecordJob } from '../store/record_edits';
import type {
  EditedRecordType,
  LinkedRecord,
  LinkedRecordMark,
  LinkedRecordType,
  RecordEditOptions,
  UpdateActivityData,
  UpdateOrganizationData,
  UpdatePersonData,
} from '../store/types';

/** The store's linked-record methods over a Prisma client. */
export interface PrismaLinkedRecordStore {
  /** The hook for an edited contact (see {@link createPrismaLinkedRecordStore}). */
  contactEdited(contactId: string, changes: UpdatePersonData, options?: RecordEditOptions): Promise<number | null>;
  /** The hook for an edited organization (see {@link createPrismaLinkedRecordStore}). */
  organizationEdited(organizationId: string, changes: UpdateOrganizationData, options?: RecordEditOptions): Promise<number | null>;
  /** The hook for an edited activity (see {@link createPrismaLinkedRecordStore}). */
  activityEdited(activityId: string, changes: UpdateActivityData, options?: RecordEditOptions): Promise<number | null>;
  /** Marks the local record linked to a Pipedrive record (see {@link createPrismaLinkedRecordStore}). */
  markLinkedRecord(recordType: LinkedRecordType, pipedriveId: number, mark: LinkedRecordMark): Promise<boolean>;
  /** The local record linked to a Pipedrive record and whose it is (see {@link createPrismaLinkedRecordStore}). */
  findLinkedRecord(recordType: LinkedRecordType, pipedriveId: number): Promise<LinkedRecord | null>;
}

/** Whose a linked local record is: the owner column of each table (organizations have none). */
const OWNERS: { readonly [T in EditedRecordType]: SqlFragment } = {
  person: sql`"owner_id"`,
  organization: sql`NULL`,
  activity: sql`"user_id"`,
};

/** Whether `id` can name a row: ids are non-empty strings, so anything else matches no record. */
function isId(id: unknown): id is string {
  return typeof id === 'string' && id !== '';
}

/**
 * The linked-record methods of the Prisma store, over the reference models `Contact`, `Organization` and
 * `Activity`. Invalid arguments reject with a `StoreArgumentError` naming the field before any query; database
 * failures with a `PrismaStoreError` naming the method.
 *
 * - `contactEdited(contactId, changes, { tx, userId, changedAt })`, `organizationEdited(...)`,
 *   `activityEdited(...)`: `changes`, `userId` and `changedAt` checked by `checkEdit` (`store/record_edits.ts`: only
 *   the keys of the spec's `Update*Data` shape, the first unknown one named), `tx` an interactive-transaction client.
 *   In one transaction (the caller's `tx`, else one of the store's own): one `UPDATE ... SET "update_sync_status" =
 *   'PENDING' WHERE "id" = <id> AND <pipedrive id column> IS NOT NULL RETURNING <pipedrive id column>` (which reads
 *   the link in the transaction and, on PostgreSQL, locks the row until it ends, so that a concurrent link write or
 *   edit waits), then, when a row was linked, the `update_record` job of `updateRecordJob` through the outbox's
 *   `enqueueJob`, whose dedupe merges it into the Pipedrive record's job still PENDING (`mergePayload`: `data`
 *   field by field, the later `changedAt`) and gives a RUNNING one a successor. Resolves the job id; `null` when the
 *   record is missing or not linked, or `changes` has no field, and then nothing is written. With `tx`, the status
 *   and the job commit or roll back with the caller's transaction.
 * - `findLinkedRecord(recordType, pipedriveId)`: `{ localId, ownerId, status, fields }` of the (first, by id) local
 *   record linked to it (`ownerId`: a contact's owner, an activity's user, `null` for organizations; `fields` as
 *   `listLinkedRecords` gives them), or `null`; deals: `null`.
 * - `markLinkedRecord(recordType, pipedriveId, { status, syncedAt })`: `recordType` person, organization, activity
 *   or deal; `pipedriveId` an integer from 1; `status` one of `UPDATE_SYNC_STATUSES`; `syncedAt` an ISO 8601
 *   instant or null. One `UPDATE` of every local record whose Pipedrive id column holds `pipedriveId` (two contacts
 *   may share a person): `updateSyncStatus = status` and, when `syncedAt` is not null, `lastPipedriveUpdate =
 *   syncedAt`. Resolves whether a row was linked. `deal`: no local model, `false` without a query.
 */
export function createPrismaLinkedRecordStore(prisma: PrismaClientLike, enqueueJob: EnqueueJob): PrismaLinkedRecordStore {
  /** One edit hook: checks, then the status and the job in one transaction. */
  const edited = async (
    operation: string,
    recordType: EditedRecordType,
    localId: string,
    changes: unknown,
    options: RecordEditOptions | undefined,
  ): Promise<number | null> => {
    const edit = checkEdit(operation, recordType, changes, options);
    const tx = transactionClient(operation, options?.tx);
    if (!isId(localId) || changesNothing(edit)) return null;
    const { table, column } = LINKED_TABLES[recordType];
    const work = async (client: PrismaRawClientLike): Promise<number | null> => {
      const rows = await queryRows<{ pipedrive_id: unknown }>(
        client,
        sql`UPDATE ${table} SET "update_sync_status" = 'PENDING', "updated_at" = ${new Date()}
          WHERE "id" = ${localId} AND ${column} IS NOT NULL RETURNING ${column} AS "pipedrive_id"`,
      );
      if (rows.length === 0) return null; // no such record, or not linked to Pipedrive (yet)
      const { id } = await enqueueJob(updateRecordJob(recordType, toInt(rows[0].pipedrive_id), localId, edit), { tx: client });
      return id;
    };
    return storeCall(operation, () => (tx ? work(tx) : prisma.$transaction(work)));
  };

  return {
    contactEdited: (contactId, changes, options) => edited('contactEdited', 'person', contactId, changes, options),
    organizationEdited: (organizationId, changes, options) => edited('organizationEdited', 'organization', organizationId, changes, options),
    activityEdited: (activityId, changes, options) => edited('activityEdited', 'activity', activityId, changes, options),

    async findLinkedRecord(recordType, pipedriveId) {
      const op = 'findLinkedRecord';
      const type = oneOf(op, 'recordType', recordType, LINKED_RECORD_TYPES);
      const id = pipedriveIdArg(op, 'pipedriveId', pipedriveId);
      if (type === 'deal') return null;
      const { table, column, values } = LINKED_TABLES[type];
      const rows = await storeCall(op, () =>
        queryRows<Record<string, unknown> & { id: string; owner: string | null; pipedrive_id: unknown; status: string }>(
          prisma,
          sql`SELECT "id", ${OWNERS[type]} AS "owner", ${column} AS "pipedrive_id", "update_sync_status" AS "status", ${values}
            FROM ${table} WHERE ${column} = ${id} ORDER BY "id" LIMIT 1`,
        ),
      );
      if (rows.length === 0) return null;
      const { status, fields } = toLinkedState(type, rows[0]);
      return { localId: rows[0].id, ownerId: rows[0].owner ?? null, status, fields };
    },

    async markLinkedRecord(recordType, pipedriveId, mark) {
      const op = 'markLinkedRecord';
      const type = oneOf(op, 'recordType', recordType, LINKED_RECORD_TYPES);
      const id = pipedriveIdArg(op, 'pipedriveId', pipedriveId);
      const given = plainObject(op, 'mark', mark);
      const status = oneOf(op, 'status', given.status, UPDATE_SYNC_STATUSES);
      const syncedAt = given.syncedAt === null || given.syncedAt === undefined ? null : instant(op, 'syncedAt', given.syncedAt);
      if (type === 'deal') return false; // the reference schema has no local deals
      const { table, column } = LINKED_TABLES[type];
      const synced = syncedAt === null ? EMPTY_SQL : sql`, "last_pipedrive_update" = ${syncedAt}`;
      const changed = await storeCall(op, () =>
        executeSql(prisma, sql`UPDATE ${table} SET "update_sync_status" = ${status}${synced}, "updated_at" = ${new Date()}
          WHERE ${column} = ${id}`),
      );
      return changed > 0;
    },
  };
}
