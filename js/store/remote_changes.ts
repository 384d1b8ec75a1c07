/**
 * @module store/remote_changes
 * The rules both stores share for what reconciliation and webhooks bring in (DESIGN §12): the fields a linked
 * local record shows the engine (`LinkedRecordState.fields`, in the spec's `Update*Data` form), the fields
 * `applyRemoteChanges` may write and how each is checked, and the webhook event `receiveWebhookEvent` stores with
 * its `webhook_event` job. Every check throws a `StoreArgumentError` naming the method and the field.
 */

import { isPlainObject, pipedriveId, plainObject, StoreArgumentError, text } from './argument_checks';
import type { EditedRecordType, NewSyncJob, WebhookEventInput } from './types';
import { UPDATE_RECORD_PRIORITY } from './record_edits';

/** The record types reconcile walks and `listLinkedRecords` serves. */
export const RECONCILED_RECORD_TYPES: readonly EditedRecordType[] = ['person', 'organization', 'activity'];

/** The job kind a stored webhook event gets. */
export const WEBHOOK_EVENT_KIND = 'webhook_event';

/** The webhook v2 actions. */
export const WEBHOOK_ACTIONS = ['create', 'change', 'delete'] as const;

/** The most rows one `listLinkedRecords` page may ask for. */
export const LINKED_PAGE_MAX = 1_000;

/** Per record type, the `applyRemoteChanges` fields and the local column (model field) each writes. */
export const PULLED_COLUMNS: { readonly [T in EditedRecordType]: Readonly<Record<string, string>> } = {
  person: { name: 'name', email: 'email', phone: 'phone' },
  organization: { name: 'name', industry: 'industry', country: 'country', address: 'address' },
  activity: { subject: 'subject', note: 'note', done: 'done' },
};

/** The local values of a linked record as `LinkedRecordState.fields`: only the columns that hold a value. */
export function linkedFields(recordType: EditedRecordType, row: Record<string, unknown>): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  const present = (value: unknown) => value !== null && value !== undefined && value !== '';
  if (recordType === 'person') {
    if (present(row.name)) fields.name = row.name;
    if (present(row.email)) fields.email = [row.email];
    if (present(row.phone)) fields.phone = [row.phone];
  } else if (recordType === 'organization') {
    for (const key of ['name', 'industry', 'country', 'address']) if (present(row[key])) fields[key] = row[key];
  } else {
    if (present(row.subject)) fields.subject = row.subject;
    if (present(row.note)) fields.note = row.note;
    if (row.done !== null && row.done !== undefined) fields.done = Boolean(row.done);
  }
  return fields;
}

/**
 * `applyRemoteChanges`'s `fields` checked: only the record type's pulled fields, strings (lists of strings for a
 * person's `email` and `phone`, whose first element is kept), `done` a boolean, `null` to clear. Resolves the model
 * field → value to write.
 */
export function checkPulledFields(operation: string, recordType: EditedRecordType, fields: unknown): Record<string, string | boolean | null> {
  const given = plainObject(operation, 'fields', fields);
  const columns = PULLED_COLUMNS[recordType];
  const values: Record<string, string | boolean | null> = {};
  for (const [key, value] of Object.entries(given)) {
    const column = columns[key];
    if (column === undefined) {
      throw new StoreArgumentError(
        `${operation}: fields.${key} is not a field pulled into a local ${recordType} (allowed: ${Object.keys(columns).join(', ')})`,
        `fields.${key}`,
      );
    }
    const first = Array.isArray(value) && (key === 'email' || key === 'phone') ? (value[0] ?? null) : value;
    if (key === 'done') {
      if (typeof first !== 'boolean') throw new StoreArgumentError(`${operation}: fields.done must be true or false`, 'fields.done');
    } else if (first !== null && typeof first !== 'string') {
      throw new StoreArgumentError(`${operation}: fields.${key} must be a string or null`, `fields.${key}`);
    }
    if (key === 'name' && (first === null || (first as string).trim() === '')) {
      throw new StoreArgumentError(`${operation}: fields.name must be a non-empty string`, 'fields.name');
    }
    values[column] = first as string | boolean | null;
  }
  return values;
}

/** A `listLinkedRecords` page argument checked: `after` a local id or null, `limit` 1..{@link LINKED_PAGE_MAX}. */
export function checkPage(operation: string, page: unknown): { after: string | null; limit: number } {
  const given = plainObject(operation, 'page', page);
  const after = given.after === null || given.after === undefined ? null : text(operation, 'page.after', given.after);
  const limit = given.limit;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > LINKED_PAGE_MAX) {
    throw new StoreArgumentError(`${operation}: page.limit must be a whole number from 1 to ${LINKED_PAGE_MAX}`, 'page.limit');
  }
  return { after, limit };
}

/** `receiveWebhookEvent`'s event checked (see `SyncStore.receiveWebhookEvent`). */
export function checkWebhookEvent(operation: string, event: unknown): WebhookEventInput {
  const given = plainObject(operation, 'event', event);
  const bounded = (field: string, max: number) => {
    const value = text(operation, `event.${field}`, given[field]);
    if (value.length > max) throw new StoreArgumentError(`${operation}: event.${field} must be at most ${max} characters`, `event.${field}`);
    return value;
  };
  const eventId = bounded('eventId', 200);
  const recordType = bounded('recordType', 50);
  const action = given.action;
  if (!WEBHOOK_ACTIONS.includes(action as (typeof WEBHOOK_ACTIONS)[number])) {
    throw new StoreArgumentError(`${operation}: event.action must be 'create', 'change' or 'delete'`, 'event.action');
  }
  const id = pipedriveId(operation, 'event.pipedriveId', given.pipedriveId);
  if (!isPlainObject(given.payload)) throw new StoreArgumentError(`${operation}: event.payload must be a plain object`, 'event.payload');
  const receivedAt = text(operation, 'event.receivedAt', given.receivedAt);
  if (Number.isNaN(Date.parse(receivedAt))) throw new StoreArgumentError(`${operation}: event.receivedAt must be an ISO 8601 instant`, 'event.receivedAt');
  return { eventId, recordType, action: action as WebhookEventInput['action'], pipedriveId: id, payload: given.payload, receivedAt };
}

/** The `webhook_event` job of a stored event. */
export function webhookJob(event: WebhookEventInput): NewSyncJob {
  return {
    kind: WEBHOOK_EVENT_KIND,
    recordType: event.recordType,
    recordId: String(event.pipedriveId),
    dedupeKey: `${WEBHOOK_EVENT_KIND}:${event.eventId}`,
    payload: event.payload,
    priority: UPDATE_RECORD_PRIORITY,
  };
}
