/**
 * @module emulator/model/merge_rules
 * What a merge makes of the surviving record (UPDATES-FACTS §3, from Pipedrive's tutorial "merging two persons"): the
 * record at `merge_with_id` survives and "its field data will remain unchanged"; where it has an empty field and the
 * merged record has content, the content "will be added". Emails and phones are combined (the survivor's first, then
 * the merged record's ones it lacks, compared case-insensitively, added as non-primary); labels likewise. Empty means
 * `null`, `''` or `[]`; custom fields are filled key by key. Pure functions: the caller stores and announces.
 * The combining of contact points and labels (rather than keeping the survivor's lists alone) is [UNVERIFIED].
 */

import type { ContactPoint, OrganizationRecord, PersonRecord } from './records';

function isEmpty(value: unknown): boolean {
  return value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0);
}

/** The survivor's contact points followed by the merged record's ones it lacks (added as non-primary). */
export function combineContactPoints(survivor: readonly ContactPoint[], merged: readonly ContactPoint[]): ContactPoint[] {
  const out = survivor.map((c) => ({ ...c }));
  const seen = new Set(out.map((c) => c.value.trim().toLowerCase()));
  for (const c of merged) {
    const key = c.value.trim().toLowerCase();
    if (key === '' || seen.has(key)) continue;
    seen.add(key);
    out.push({ ...c, primary: out.length === 0 ? c.primary : false });
  }
  return out;
}

function fillEmpty<T extends object>(survivor: T, merged: T, keys: readonly (keyof T)[]): void {
  for (const key of keys) if (isEmpty(survivor[key]) && !isEmpty(merged[key])) survivor[key] = structuredClone(merged[key]);
}

function fillCustomFields(survivor: Record<string, unknown> | null, merged: Record<string, unknown> | null): Record<string, unknown> | null {
  if (!merged) return survivor;
  const out = { ...(survivor ?? {}) };
  for (const [key, value] of Object.entries(merged)) if (isEmpty(out[key]) && !isEmpty(value)) out[key] = structuredClone(value);
  return out;
}

/** The surviving person after `merged` is merged into `survivor` (neither argument is changed). */
export function mergedPerson(survivor: PersonRecord, merged: PersonRecord): PersonRecord {
  const out = structuredClone(survivor);
  out.emails = combineContactPoints(survivor.emails, merged.emails);
  out.phones = combineContactPoints(survivor.phones, merged.phones);
  out.label_ids = [...new Set([...survivor.label_ids, ...merged.label_ids])];
  fillEmpty(out, merged, ['first_name', 'last_name', 'owner_id', 'org_id', 'picture_id']);
  out.custom_fields = fillCustomFields(survivor.custom_fields, merged.custom_fields) ?? {};
  return out;
}

/** The surviving organization after `merged` is merged into `survivor` (neither argument is changed). */
export function mergedOrganization(survivor: OrganizationRecord, merged: OrganizationRecord): OrganizationRecord {
  const out = structuredClone(survivor);
  out.label_ids = [...new Set([...survivor.label_ids, ...merged.label_ids])];
  fillEmpty(out, merged, ['owner_id', 'address', 'website', 'linkedin', 'industry', 'annual_revenue', 'employee_count']);
  out.custom_fields = fillCustomFields(survivor.custom_fields, merged.custom_fields) ?? {};
  return out;
}
