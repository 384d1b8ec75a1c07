/**
 * @module emulator/routes/organizations
 * v2 organizations: `/api/v2/organizations` CRUD with `address {value, country, ...}` (omitted subfields become
 * null), `label_ids` checked against the organization label field, `visible_to` against the plan, custom fields,
 * and the nullable 2026 fields (`website`, `linkedin`, `industry`, `annual_revenue`, `employee_count`), served only
 * when asked for with `include_fields`. `industry` is an option id of the account's `industry` organization field
 * (`/v1/organizationFields`), refused when it is not one or when the account has no such field.
 * PATCH (UPDATES-FACTS §1.1, §1.8): only the keys sent change; `address` and `label_ids` are replaced whole (an
 * address without `value` is a 400, omitted subfields become null); `custom_fields` changes only the keys sent.
 * Refused as not in the PATCH schema: `add_time`, `update_time`, `picture_id`, `id`, `is_deleted`. No top-level
 * `null`: clearing `address` or a 2026 field that way is [UNVERIFIED].
 */

import { addressFrom, buildOrganization, type OrganizationSeed } from '../model/builders';
import type { OrganizationRecord } from '../model/records';
import type { EmulatorState } from '../model/state';
import { validationFailed } from '../wire/envelope';
import { ADDRESS_SPEC, CUSTOM_FIELDS_SPEC, LABEL_IDS_SPEC, VISIBLE_TO_SPEC } from './contact_fields';
import { applyCustomFieldValues, checkCustomFieldValues, type CustomFieldWrites } from './custom_field_values';
import type { EntityDef } from './entity_def';
import { apiPatchSpec, checkVisibleTo, patchSpecFor, uiPatchSpec, type PatchRules } from './patch_rules';
import type { RequestContext } from './router';
import { validateBody, type BodySpec } from './validation';

/** The fields Pipedrive added to v2 organizations in 2026: nullable and not included by default. */
export const OPTIONAL_ORG_FIELDS = ['website', 'linkedin', 'industry', 'annual_revenue', 'employee_count'] as const;

const ORG_BODY: BodySpec = {
  name: { kind: 'string', nonEmpty: true },
  owner_id: { kind: 'integer' },
  add_time: { kind: 'string', format: 'datetime' },
  visible_to: VISIBLE_TO_SPEC,
  label_ids: LABEL_IDS_SPEC,
  address: ADDRESS_SPEC,
  custom_fields: CUSTOM_FIELDS_SPEC,
  website: { kind: 'string', nullable: true },
  linkedin: { kind: 'string', nullable: true },
  industry: { kind: 'integer', nullable: true },
  // An integer per S-PHP `UpdateOrganizationRequestBody` (UPDATES-FACTS §1.8).
  annual_revenue: { kind: 'integer', nullable: true, min: 0 },
  employee_count: { kind: 'integer', nullable: true, min: 0 },
};

const PATCH_RULES: PatchRules = { readOnly: ['add_time'], nullable: [] };
const ORG_PATCH = apiPatchSpec(ORG_BODY, PATCH_RULES);
const ORG_UI_EDIT = uiPatchSpec(ORG_BODY, PATCH_RULES);

/** 400 unless `industry` is an option id of the account's organization `industry` field. */
function checkIndustry(state: EmulatorState, value: unknown): void {
  if (typeof value !== 'number') return;
  const field = state.industryField();
  if (!field) throw validationFailed(`industry: Parameter 'industry' is not allowed for this request: the company has no built-in industry field`);
  if (!(field.options ?? []).some((o) => o.id === value)) {
    throw validationFailed(`'industry' must be an option id of the organization field 'industry' (see /v1/organizationFields), got ${value}`);
  }
}

/** Checks references, labels, industry, visibility and custom fields; returns the custom field values to write. */
function checkReferences(ctx: RequestContext, body: Record<string, unknown>): CustomFieldWrites {
  if (typeof body.owner_id === 'number') ctx.state.requireActiveUser(body.owner_id, 'owner_id');
  if (Array.isArray(body.label_ids)) ctx.state.requireLabels('organization', body.label_ids as number[], 'label_ids');
  checkIndustry(ctx.state, body.industry);
  const custom = checkCustomFieldValues(ctx.state, 'organization', body.custom_fields, ctx.user.default_currency);
  checkVisibleTo(ctx.state, body);
  return custom;
}

/** The organization entity definition. */
export const ORGANIZATIONS: EntityDef<OrganizationRecord> = {
  kind: 'organization',
  noun: 'Organization',
  path: '/api/v2/organizations',
  collection: (state) => state.organizations,
  listFilters: { owner_id: { kind: 'integer' } },
  sortFields: ['id', 'update_time', 'add_time'],
  includeFields: OPTIONAL_ORG_FIELDS,
  matches: (rec, q) => q.owner_id === undefined || rec.owner_id === q.owner_id,
  searchText: (rec) => JSON.stringify([rec.name, rec.address?.value ?? null]),

  present(rec, include) {
    const out: Record<string, unknown> = { ...rec };
    for (const k of OPTIONAL_ORG_FIELDS) if (!include.includes(k)) delete out[k];
    return out;
  },

  create(ctx, raw, id) {
    const body = validateBody(raw, ORG_BODY);
    if (body.name === undefined) throw validationFailed(`'name' is required`);
    const custom = checkReferences(ctx, body);
    const { custom_fields: _custom, ...input } = body as OrganizationSeed;
    const rec = buildOrganization({ ...input, label_ids: input.label_ids && [...new Set(input.label_ids)] }, id, ctx.now, ctx.user.id);
    applyCustomFieldValues(rec, custom);
    return rec;
  },

  update(ctx, rec, raw) {
    const body = validateBody(raw, patchSpecFor(ctx, ORG_PATCH, ORG_UI_EDIT));
    const custom = checkReferences(ctx, body);
    for (const [key, value] of Object.entries(body)) {
      // The address object is replaced whole: omitted subfields become null (UPDATES-FACTS §1.2).
      if (key === 'address') rec.address = addressFrom(value);
      else if (key === 'label_ids') rec.label_ids = [...new Set(value as number[])];
      else if (key !== 'custom_fields') (rec as unknown as Record<string, unknown>)[key] = value;
    }
    applyCustomFieldValues(rec, custom);
  },
};
