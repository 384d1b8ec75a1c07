/**
 * @module emulator/webhooks/webhook_data
 * The `data` (and `previous`) of a v2 webhook: "only crucial information about the entity and related/connected
 * entities (if their ids …)", not the REST record (S-WHMIG, UPDATES-FACTS §2). Which keys Pipedrive keeps per entity
 * is not documented [UNVERIFIED]; the emulator keeps the identity, names, links, owner, contact points, labels,
 * visibility, status and times, and leaves out the rest (pictures, the 2026 organization fields, deal
 * `arr`/`mrr`/`acv`/channels/archive time, activity attendees, location, conference and description fields), so a
 * client that takes `data` for the record is caught. Custom fields are in `data.custom_fields` in the typed webhook
 * shape ([3P], UPDATES-FACTS §1.3): `{type: 'enum', id}`, `{type: 'set', values: [{id}]}`,
 * `{type: 'monetary', value, currency}`, `{type: 'address', value, ...subfields}`, `{type, value}` otherwise, and
 * `null` when unset.
 */

import type { EntityKind, LabelledKind } from '../model/records';
import type { EmulatorState } from '../model/state';

/** The keys of each entity a webhook's `data` carries. */
export const WEBHOOK_DATA_KEYS: Record<EntityKind, readonly string[]> = {
  person: ['id', 'name', 'first_name', 'last_name', 'owner_id', 'org_id', 'emails', 'phones', 'label_ids', 'visible_to', 'add_time', 'update_time', 'custom_fields'],
  organization: ['id', 'name', 'owner_id', 'address', 'label_ids', 'visible_to', 'add_time', 'update_time', 'custom_fields'],
  deal: [
    'id', 'title', 'creator_user_id', 'owner_id', 'person_id', 'org_id', 'pipeline_id', 'stage_id', 'value', 'currency', 'status',
    'probability', 'lost_reason', 'expected_close_date', 'label_ids', 'visible_to', 'is_archived', 'origin', 'origin_id', 'add_time',
    'update_time', 'stage_change_time', 'close_time', 'won_time', 'lost_time', 'custom_fields',
  ],
  activity: [
    'id', 'subject', 'type', 'owner_id', 'creator_user_id', 'deal_id', 'lead_id', 'person_id', 'org_id', 'project_id', 'due_date', 'due_time',
    'duration', 'busy', 'done', 'marked_as_done_time', 'participants', 'priority', 'note', 'add_time', 'update_time',
  ],
};

/** One custom field value in the typed webhook shape. */
function typedValue(type: string, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'enum':
      return { type, id: value };
    case 'set':
      return { type, values: (Array.isArray(value) ? value : [value]).map((id) => ({ id })) };
    case 'monetary':
    case 'address':
    case 'daterange':
      return typeof value === 'object' && !Array.isArray(value) ? { type, ...(value as Record<string, unknown>) } : { type, value };
    default:
      return { type, value };
  }
}

/** A record's custom field values in the typed webhook shape (every field of the kind, `null` when unset). */
function typedCustomFields(state: EmulatorState, kind: LabelledKind, stored: unknown): Record<string, unknown> {
  const values = (stored ?? {}) as Record<string, unknown>;
  return Object.fromEntries(state.customFields(kind).map((f) => [f.key, typedValue(f.field_type, values[f.key])]));
}

/**
 * The webhook view of a stored record, or of some of its fields (`previous` of a change): only the kept keys, custom
 * fields typed. `only`: restrict to these keys (a change's changed fields).
 */
export function webhookView(state: EmulatorState, entity: EntityKind, record: Record<string, unknown>, only?: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of WEBHOOK_DATA_KEYS[entity]) {
    if (only && !only.includes(key)) continue;
    if (key === 'custom_fields') {
      if (entity !== 'activity' && (!only || record.custom_fields !== undefined)) out.custom_fields = typedCustomFields(state, entity, record.custom_fields);
      continue;
    }
    if (key in record) out[key] = structuredClone(record[key]);
  }
  return out;
}
