/**
 * @module emulator/model/custom_fields
 * Custom field definitions: what a test seeds (`customFields`), and the v1 field record it becomes in
 * `/v1/personFields`, `/v1/organizationFields` or `/v1/dealFields`, keyed by a 40-character hex hash as in
 * Pipedrive. Values live under a record's `custom_fields` (see `emulator/routes/custom_field_values` for the rules).
 * Activities have no custom fields in v2 (UPDATES-FACTS §1.10).
 */

import { createHash } from 'node:crypto';
import { v1Time } from '../wire/clock';
import type { FieldOption, FieldRecord, LabelledKind } from './records';

/** The custom field types the emulator validates, with the value shape REST v2 takes (UPDATES-FACTS §1.3). */
export const CUSTOM_FIELD_TYPES = [
  'varchar', 'varchar_auto', 'text', 'phone', 'double', 'monetary', 'date', 'daterange', 'time', 'enum', 'set',
  'user', 'org', 'people', 'address',
] as const;

/** One custom field type. */
export type CustomFieldType = (typeof CUSTOM_FIELD_TYPES)[number];

/** A custom field to seed. */
export interface CustomFieldSeed {
  /** Which records carry it. */
  entity: LabelledKind;
  /** Display name, e.g. `Industry` or `Budget`. */
  name: string;
  /** Its type. */
  field_type: CustomFieldType;
  /** The 40-character hex key (default: derived from the entity and the field id). */
  key?: string;
  /** Option labels of `enum` and `set` fields. */
  options?: string[];
}

const HASH_KEY = /^[0-9a-f]{40}$/;

/** Whether a field key is a custom field's hash key (built-in fields have plain names). */
export function isCustomFieldKey(key: string): boolean {
  return HASH_KEY.test(key);
}

/** The deterministic key of a seeded custom field without one: sha1 of the entity and the field id. */
export function customFieldKey(entity: LabelledKind, fieldId: number): string {
  return createHash('sha1').update(`${entity}:${fieldId}`).digest('hex');
}

/** Builds the v1 field record of a custom field; `nextOptionId` hands out option ids. */
export function buildCustomField(seed: CustomFieldSeed, id: number, orderNr: number, now: number, nextOptionId: () => number): FieldRecord {
  if (!(CUSTOM_FIELD_TYPES as readonly string[]).includes(seed.field_type)) {
    throw new Error(`custom field '${seed.name}': field_type must be one of ${CUSTOM_FIELD_TYPES.join(', ')}, got '${seed.field_type}'`);
  }
  const key = seed.key ?? customFieldKey(seed.entity, id);
  if (!isCustomFieldKey(key)) throw new Error(`custom field '${seed.name}': key must be 40 lower-case hex characters, got '${key}'`);
  const hasOptions = seed.field_type === 'enum' || seed.field_type === 'set';
  if (!hasOptions && seed.options !== undefined) throw new Error(`custom field '${seed.name}': only enum and set fields take options`);
  const time = v1Time(now);
  const field: FieldRecord = {
    id, key, name: seed.name, order_nr: orderNr, field_type: seed.field_type, add_time: time, update_time: time,
    last_updated_by_user_id: null, created_by_user_id: null, active_flag: true, edit_flag: true, index_visible_flag: true,
    details_visible_flag: true, add_visible_flag: true, important_flag: false, bulk_edit_allowed: true, searchable_flag: false,
    filtering_allowed: true, sortable_flag: true, mandatory_flag: false,
  };
  if (hasOptions) {
    field.options = (seed.options ?? []).map((label): FieldOption => ({ id: nextOptionId(), label }));
    field.options_deleted = [];
  }
  return field;
}
