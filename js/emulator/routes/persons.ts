/**
 * @module emulator/routes/persons
 * v2 persons: `/api/v2/persons` CRUD with `emails`/`phones` as objects, `label_ids` checked against the person
 * label field, `org_id`/`owner_id` checked against live records, and `name` or `first_name` + `last_name` required.
 */

import { buildPerson, splitName } from '../model/builders';
import type { PersonRecord } from '../model/records';
import { validationFailed } from '../wire/envelope';
import {
  CONTACT_SYNC_ONLY, CUSTOM_FIELDS_SPEC, EMAIL_LABELS, LABEL_IDS_SPEC, PHONE_LABELS, VISIBLE_TO_SPEC,
  checkCustomFields, contactListSpec, normaliseContactPoints,
} from './contact_fields';
import type { EntityDef } from './entities';
import type { RequestContext } from './router';
import { validateBody, type BodySpec } from './validation';

const CONTACT_SYNC_MESSAGE = 'exists only when Contact Sync is enabled for the company';

const PERSON_BODY: BodySpec = {
  name: { kind: 'string', nonEmpty: true },
  first_name: { kind: 'string' },
  last_name: { kind: 'string' },
  owner_id: { kind: 'integer' },
  org_id: { kind: 'integer', nullable: true },
  add_time: { kind: 'string', format: 'datetime' },
  emails: contactListSpec(EMAIL_LABELS),
  phones: contactListSpec(PHONE_LABELS),
  visible_to: VISIBLE_TO_SPEC,
  label_ids: LABEL_IDS_SPEC,
  marketing_status: { kind: 'rejected', message: 'can only be set when the company has the Campaigns (marketing) app enabled' },
  custom_fields: CUSTOM_FIELDS_SPEC,
  ...Object.fromEntries(CONTACT_SYNC_ONLY.map((k) => [k, { kind: 'rejected', message: CONTACT_SYNC_MESSAGE }])),
};

function checkReferences(ctx: RequestContext, body: Record<string, unknown>): void {
  if (typeof body.owner_id === 'number') ctx.state.requireActiveUser(body.owner_id, 'owner_id');
  if (typeof body.org_id === 'number') ctx.state.requireLive('organization', body.org_id, 'org_id');
  if (Array.isArray(body.label_ids)) ctx.state.requireLabels('person', body.label_ids as number[], 'label_ids');
  checkCustomFields(body.custom_fields);
}

/** The person entity definition. */
export const PERSONS: EntityDef<PersonRecord> = {
  kind: 'person',
  noun: 'Person',
  path: '/api/v2/persons',
  collection: (state) => state.persons,
  listFilters: { owner_id: { kind: 'integer' }, org_id: { kind: 'integer' } },
  sortFields: ['id', 'update_time', 'add_time'],
  includeFields: [],
  matches: (rec, q) =>
    (q.owner_id === undefined || rec.owner_id === q.owner_id) && (q.org_id === undefined || rec.org_id === q.org_id),
  searchText: (rec) => JSON.stringify([rec.name, rec.emails.map((e) => e.value), rec.phones.map((p) => p.value)]),

  create(ctx, raw, id) {
    const body = validateBody(raw, PERSON_BODY);
    let name = body.name as string | undefined;
    if (name === undefined) {
      if (typeof body.first_name !== 'string' || typeof body.last_name !== 'string' || `${body.first_name}${body.last_name}`.trim() === '') {
        throw validationFailed(`'name' is required (or both 'first_name' and 'last_name')`);
      }
      name = `${body.first_name} ${body.last_name}`.trim();
    }
    checkReferences(ctx, body);
    return buildPerson(
      {
        name,
        first_name: body.first_name as string | undefined,
        last_name: body.last_name as string | undefined,
        owner_id: body.owner_id as number | undefined,
        org_id: body.org_id as number | null | undefined,
        add_time: body.add_time as string | undefined,
        emails: body.emails === undefined ? undefined : normaliseContactPoints(body.emails, 'emails'),
        phones: body.phones === undefined ? undefined : normaliseContactPoints(body.phones, 'phones'),
        visible_to: body.visible_to as number | undefined,
        label_ids: body.label_ids === undefined ? undefined : [...new Set(body.label_ids as number[])],
      },
      id,
      ctx.now,
      ctx.user.id,
    );
  },

  update(ctx, rec, raw) {
    const body = validateBody(raw, PERSON_BODY);
    checkReferences(ctx, body);
    if (typeof body.name === 'string') {
      const [first, last] = splitName(body.name);
      rec.name = body.name;
      rec.first_name = first;
      rec.last_name = last;
    }
    if (typeof body.first_name === 'string') rec.first_name = body.first_name;
    if (typeof body.last_name === 'string') rec.last_name = body.last_name;
    if (body.name === undefined && (body.first_name !== undefined || body.last_name !== undefined)) {
      rec.name = `${rec.first_name ?? ''} ${rec.last_name ?? ''}`.trim();
    }
    if (body.owner_id !== undefined) rec.owner_id = body.owner_id as number;
    if (body.org_id !== undefined) rec.org_id = body.org_id as number | null;
    if (body.add_time !== undefined) rec.add_time = body.add_time as string;
    // Lists are replaced whole, never merged (API-FACTS §2.3): callers must send the full desired list.
    if (body.emails !== undefined) rec.emails = normaliseContactPoints(body.emails, 'emails');
    if (body.phones !== undefined) rec.phones = normaliseContactPoints(body.phones, 'phones');
    if (body.visible_to !== undefined) rec.visible_to = body.visible_to as number;
    if (body.label_ids !== undefined) rec.label_ids = [...new Set(body.label_ids as number[])];
  },
};
