/**
 * @module emulator/routes/organizations
 * v2 organizations: `/api/v2/organizations` CRUD with `address {value, country, ...}` (omitted subfields become
 * null), `label_ids` checked against the organization label field, and the nullable 2026 fields (`website`,
 * `linkedin`, `industry`, `annual_revenue`, `employee_count`), served only when asked for with `include_fields`.
 */

import { addressFrom, buildOrganization, type OrganizationSeed } from '../model/builders';
import type { OrganizationRecord } from '../model/records';
import { validationFailed } from '../wire/envelope';
import { ADDRESS_SPEC, CUSTOM_FIELDS_SPEC, LABEL_IDS_SPEC, VISIBLE_TO_SPEC, checkCustomFields } from './contact_fields';
import type { EntityDef } from './entities';
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
  annual_revenue: { kind: 'number', nullable: true, min: 0 },
  employee_count: { kind: 'integer', nullable: true, min: 0 },
};

function checkReferences(ctx: RequestContext, body: Record<string, unknown>): void {
  if (typeof body.owner_id === 'number') ctx.state.requireActiveUser(body.owner_id, 'owner_id');
  if (Array.isArray(body.label_ids)) ctx.state.requireLabels('organization', body.label_ids as number[], 'label_ids');
  checkCustomFields(body.custom_fields);
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
    checkReferences(ctx, body);
    const input = body as OrganizationSeed;
    return buildOrganization({ ...input, label_ids: input.label_ids && [...new Set(input.label_ids)] }, id, ctx.now, ctx.user.id);
  },

  update(ctx, rec, raw) {
    const body = validateBody(raw, ORG_BODY);
    checkReferences(ctx, body);
    for (const [key, value] of Object.entries(body)) {
      if (key === 'address') rec.address = addressFrom(value);
      else if (key === 'label_ids') rec.label_ids = [...new Set(value as number[])];
      else if (key !== 'custom_fields') (rec as unknown as Record<string, unknown>)[key] = value;
    }
  },
};
