//! v2 organizations: `/api/v2/organizations` CRUD with `address {value, country, ...}` (omitted subfields become
//! null), `label_ids` checked against the organization label field, and the nullable 2026 fields (`website`,
//! `linkedin`, `industry`, `annual_revenue`, `employee_count`), served only when asked for with `include_fields`.

import { rfc3339 } from './clock';
import { ADDRESS_SPEC, CUSTOM_FIELDS_SPEC, LABEL_IDS_SPEC, VISIBLE_TO_SPEC, addressFrom, checkCustomFields } from './contact_fields';
import { validationFailed } from './envelope';
import type { EntityDef } from './entities';
import type { Address, OrganizationRecord } from './records';
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

/** An organization to seed: `name` at least; `address` may omit subfields. */
export type OrganizationSeed = Omit<Partial<OrganizationRecord>, 'address'> & { name: string; address?: Partial<Address> | null };

/** Builds a stored organization from a seed or a validated body. */
export function buildOrganization(input: OrganizationSeed, id: number, now: number, ownerId: number): OrganizationRecord {
  const time = rfc3339(now);
  return {
    id,
    name: input.name,
    owner_id: input.owner_id ?? ownerId,
    add_time: input.add_time ?? time,
    update_time: input.update_time ?? time,
    is_deleted: input.is_deleted ?? false,
    visible_to: input.visible_to ?? 3,
    address: addressFrom(input.address),
    label_ids: input.label_ids ?? [],
    custom_fields: input.custom_fields ?? {},
    website: input.website ?? null,
    linkedin: input.linkedin ?? null,
    industry: input.industry ?? null,
    annual_revenue: input.annual_revenue ?? null,
    employee_count: input.employee_count ?? null,
  };
}

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
