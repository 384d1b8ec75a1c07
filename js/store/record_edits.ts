/**
 * @module store/record_edits
 * The store-neutral rules of the CRM's edit hooks (`contactEdited`, `organizationEdited`, `activityEdited`; DESIGN §4
 * "Ids", §11): which fields an edit may carry per record type (the spec's `Update*Data` shapes), the checks of a
 * hook's arguments, and the `update_record` job it enqueues for the linked Pipedrive record. Both stores use them,
 * so that the job is the same whichever store records it; how a newer edit merges into the waiting job is
 * `payload_merge.ts`.
 */

import { instant, jsonValue, plainObject, StoreArgumentError, textOrNull } from './argument_checks';
import type { EditedRecordType, LinkedRecordType, NewSyncJob } from './types';

/** The record types `markLinkedRecord` takes (`deal` among them, though the reference schema links no local deal). */
export const LINKED_RECORD_TYPES: readonly LinkedRecordType[] = ['person', 'organization', 'activity', 'deal'];

/** The fields an edit may carry, per record type: the keys of `UpdatePersonData`, `UpdateOrganizationData`, `UpdateActivityData`. */
export const EDITABLE_FIELDS: { readonly [T in EditedRecordType]: readonly string[] } = {
  person: ['name', 'email', 'phone', 'org_name', 'label_ids', 'owner_id', 'visible_to'],
  organization: ['name', 'industry', 'country', 'address', 'visible_to'],
  activity: ['subject', 'type', 'due_date', 'due_time', 'note', 'person_id', 'user_id', 'done'],
};

/** The job kind the edit hooks enqueue (the engine's `update_record`). */
export const UPDATE_RECORD_KIND = 'update_record';
/** The priority of the edit hooks' jobs: background work, behind warm leads and activity replication. */
export const UPDATE_RECORD_PRIORITY = 0;

/** An edit hook's arguments, checked: the changes as JSON would store them, the acting user, the change time. */
export interface CheckedEdit {
  /** The changed fields, a fresh copy parsed back from JSON (`undefined` members dropped). */
  changes: Record<string, unknown>;
  userId: string | null;
  /** When the change was made, ISO 8601 in UTC (the hook's clock when the caller gave none). */
  changedAt: string;
}

/**
 * Checks an edit hook's `changes` and `options` (`userId`, `changedAt`; the store checks `tx` itself), each rule a
 * `StoreArgumentError` naming its field: `changes` a plain object whose keys are all in
 * {@link EDITABLE_FIELDS}`[recordType]` (the first unknown key is named as `changes.<key>`) and that serialises to
 * JSON; `userId` a non-empty string or null; `changedAt` an ISO 8601 instant. The values themselves are the
 * engine's to check when the job runs.
 */
export function checkEdit(operation: string, recordType: EditedRecordType, changes: unknown, options: unknown): CheckedEdit {
  const given = plainObject(operation, 'changes', changes);
  const allowed = EDITABLE_FIELDS[recordType];
  const unknown = Object.keys(given).find((key) => !allowed.includes(key));
  if (unknown !== undefined) {
    throw new StoreArgumentError(
      `${operation}: changes.${unknown} is not a field a ${recordType} edit may carry (allowed: ${allowed.join(', ')})`,
      `changes.${unknown}`,
    );
  }
  const { value: copy } = jsonValue(operation, 'changes', given);
  const { userId, changedAt } = options === undefined ? {} : plainObject(operation, 'options', options);
  return {
    changes: copy as Record<string, unknown>,
    userId: textOrNull(operation, 'userId', userId),
    changedAt: (changedAt === undefined ? new Date() : instant(operation, 'changedAt', changedAt)).toISOString(),
  };
}

/** Whether a checked edit changes no field (an edit hook then has nothing to send: no job). */
export function changesNothing(edit: CheckedEdit): boolean {
  return Object.keys(edit.changes).length === 0;
}

/**
 * The `update_record` job of an edit of the local record `localId`, linked to Pipedrive record `pipedriveId` of
 * `recordType`: keyed by the Pipedrive record, so that every edit of it merges into the one job still waiting.
 */
export function updateRecordJob(recordType: EditedRecordType, pipedriveId: number, localId: string, edit: CheckedEdit): NewSyncJob {
  return {
    kind: UPDATE_RECORD_KIND,
    recordType,
    recordId: String(pipedriveId),
    dedupeKey: `${UPDATE_RECORD_KIND}:${recordType}:${pipedriveId}`,
    payload: { entity: recordType, id: pipedriveId, data: edit.changes, changedAt: edit.changedAt, localId, userId: edit.userId },
    priority: UPDATE_RECORD_PRIORITY,
  };
}
