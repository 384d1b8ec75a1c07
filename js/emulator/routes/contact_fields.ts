/**
 * @module emulator/routes/contact_fields
 * Body rules shared by the v2 entities: emails/phones lists, addresses, label ids, visibility and the custom fields
 * object.
 */

import type { ContactPoint } from '../model/records';
import { validationFailed } from '../wire/envelope';
import type { FieldSpec } from './validation';

/** Email labels Pipedrive offers. */
export const EMAIL_LABELS = ['work', 'home', 'other'] as const;
/** Phone labels Pipedrive offers. */
export const PHONE_LABELS = ['work', 'home', 'mobile', 'other'] as const;

/** Rule for an `emails`/`phones` list: objects with a string `value`, boolean `primary`, string `label`. */
export function contactListSpec(labels: readonly string[]): FieldSpec {
  return {
    kind: 'array',
    items: {
      kind: 'object',
      fields: { value: { kind: 'string' }, primary: { kind: 'boolean' }, label: { kind: 'string', enum: labels } },
      required: ['value'],
    },
  };
}

/** Rule for an address object (`address`, `location`): only `value` is required. */
export const ADDRESS_SPEC: FieldSpec = {
  kind: 'object',
  nullable: true,
  required: ['value'],
  fields: Object.fromEntries(
    ['value', 'country', 'admin_area_level_1', 'admin_area_level_2', 'locality', 'sublocality', 'route', 'street_number', 'subpremise', 'postal_code']
      .map((k) => [k, { kind: 'string', nullable: k !== 'value' } as FieldSpec]),
  ),
};

/**
 * `visible_to` is an integer visibility group; which values are allowed depends on the plan, and a value it does not
 * allow is a 403, not a 400 (see `checkVisibleTo` in `emulator/routes/patch_rules`).
 */
export const VISIBLE_TO_SPEC: FieldSpec = { kind: 'integer' };

/**
 * `label_ids`: up to 100 integer option ids, replacing the whole list. Whether `[]` clears the labels or fails like
 * an empty `set` custom field is [UNVERIFIED]; `[]` clears (the list is replaced by the one sent), `null` is refused.
 */
export const LABEL_IDS_SPEC: FieldSpec = { kind: 'array', items: { kind: 'integer' }, maxItems: 100 };

/** `custom_fields`: an object keyed by custom field hash (values checked by `emulator/routes/custom_field_values`). */
export const CUSTOM_FIELDS_SPEC: FieldSpec = { kind: 'free-object', nullable: true };

/**
 * Normalises an emails/phones list the way Pipedrive stores it: `label` defaults to `work`, at most one primary,
 * and the first item becomes primary when none is.
 */
export function normaliseContactPoints(raw: unknown, field: string): ContactPoint[] {
  const list = raw as { value: string; primary?: boolean; label?: string }[];
  const primaries = list.filter((c) => c.primary === true).length;
  if (primaries > 1) throw validationFailed(`'${field}' may have at most one primary item, got ${primaries}`);
  return list.map((c, i) => ({ value: c.value, primary: primaries === 0 ? i === 0 : c.primary === true, label: c.label ?? 'work' }));
}

/** The contact-sync-only person fields: v2 rejects them unless the company has Contact Sync enabled. */
export const CONTACT_SYNC_ONLY = ['postal_address', 'notes', 'im', 'birthday', 'job_title'] as const;
