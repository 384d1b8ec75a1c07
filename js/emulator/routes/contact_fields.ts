/**
 * @module emulator/routes/contact_fields
 * Body rules shared by the v2 entities: emails/phones lists, addresses, label ids, visibility and custom fields.
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

/** `visible_to` is an integer visibility group: 1, 3, 5 or 7. */
export const VISIBLE_TO_SPEC: FieldSpec = { kind: 'integer', enum: [1, 3, 5, 7] };

/** `label_ids`: up to 100 integer option ids. */
export const LABEL_IDS_SPEC: FieldSpec = { kind: 'array', items: { kind: 'integer' }, maxItems: 100 };

/** `custom_fields`: an object keyed by custom field hash. */
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

/**
 * Checks custom field keys. The emulated company defines no custom fields, so any key is unknown, which v2 rejects.
 */
export function checkCustomFields(raw: unknown, field = 'custom_fields'): Record<string, unknown> {
  if (raw === null || raw === undefined) return {};
  const keys = Object.keys(raw as object);
  if (keys.length > 0) throw validationFailed(`'${field}.${keys[0]}' is not a custom field of this company`);
  return {};
}

/** The contact-sync-only person fields: v2 rejects them unless the company has Contact Sync enabled. */
export const CONTACT_SYNC_ONLY = ['postal_address', 'notes', 'im', 'birthday', 'job_title'] as const;
