/**
 * @module emulator/routes/persons
 * v2 persons: `/api/v2/persons` CRUD with `emails`/`phones` as objects, `label_ids` checked against the person
 * label field, `org_id`/`owner_id` checked against live records, `visible_to` against the plan, custom fields, and
 * `name` or `first_name` + `last_name` required on create.
 * PATCH (UPDATES-FACTS §1.1, §1.9): only the keys sent change; `name` re-derives `first_name`/`last_name`;
 * `emails`, `phones` and `label_ids` are replaced whole; `custom_fields` changes only the keys sent. Refused as not
 * in the PATCH schema: `add_time`, `update_time`, `picture_id`, `id`, `is_deleted`, and `first_name`/`last_name`
 * (absent from the 2025-10 spec and from S-PHP's `UpdatePersonRequestBody`). No top-level `null` (not even
 * `org_id`: unlinking that way is [UNVERIFIED]).
 */

import { buildPerson, splitName } from '../model/builders';
import type { PersonRecord } from '../model/records';
import { validationFailed } from '../wire/envelope';
import {
  CONTACT_SYNC_ONLY, CUSTOM_FIELDS_SPEC, EMAIL_LABELS, LABEL_IDS_SPEC, PHONE_LABELS, VISIBLE_TO_SPEC, contactListSpec,
  normaliseContactPoints,
} from './contact_fields';
import { applyCustomFieldValues, checkCustomFieldValues, type CustomFieldWrites } from './custom_field_values';
import type { EntityDef } from './entity_def';
import { apiPatchSpec, checkVisibleTo, patchSpecFor, uiPatchSpec, type PatchRules } from './patch_rules';
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

const PATCH_RULES: PatchRules = { readOnly: ['add_time', 'first_name', 'last_name'], nullable: [] };
const PERSON_PATCH = apiPatchSpec(PERSON_BODY, PATCH_RULES);
const PERSON_UI_EDIT = uiPatchSpec(PERSON_BODY, PATCH_RULES);

/** Checks references, labels, visibility and custom fields; returns the custom field values to write. */
function checkReferences(ctx: RequestContext, body: Record<string, unknown>): CustomFieldWrites {
  if (typeof body.owner_id === 'number') ctx.state.requireActiveUser(body.owner_id, 'owner_id');
  if (typeof body.org_id === 'number') ctx.state.requireLive('organization', body.org_id, 'org_id');
  if (Array.isArray(body.label_ids)) ctx.state.requireLabels('person', body.label_ids as number[], 'label_ids');
  const custom = checkCustomFieldValues(ctx.state, 'person', body.custom_fields, ctx.user.default_currency);
  checkVisibleTo(ctx.state, body);
  return custom;
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
  links: (rec) => (rec.org_id === null ? [] : [['organization', rec.org_id]]),

  create(ctx, raw, id) {
    const body = validateBody(raw, PERSON_BODY);
    let name = body.name as string | undefined;
    if (name === undefined) {
      if (typeof body.first_name !== 'string' || typeof body.last_name !== 'string' || `${body.first_name}${body.last_name}`.trim() === '') {
        throw validationFailed(`'name' is required (or both 'first_name' and 'last_name')`);
      }
      name = `${body.first_name} ${body.last_name}`.trim();
    }
    const custom = checkReferences(ctx, body);
    const rec = buildPerson(
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
    applyCustomFieldValues(rec, custom);
    return rec;
  },

  update(ctx, rec, raw) {
    const body = validateBody(raw, patchSpecFor(ctx, PERSON_PATCH, PERSON_UI_EDIT));
    const custom = checkReferences(ctx, body);
    if (typeof body.name === 'string') {
      // As recorded: a new name re-derives first_name/last_name (UPDATES-FACTS §1.1).
      const [first, last] = splitName(body.name);
      rec.name = body.name;
      rec.first_name = first;
      rec.last_name = last;
    }
    if (body.owner_id !== undefined) rec.owner_id = body.owner_id as number;
    if (body.org_id !== undefined) rec.org_id = body.org_id as number | null;
    // Lists are replaced whole, never merged (UPDATES-FACTS §1.2): callers must send the full desired list.
    if (body.emails !== undefined) rec.emails = normaliseContactPoints(body.emails, 'emails');
    if (body.phones !== undefined) rec.phones = normaliseContactPoints(body.phones, 'phones');
    if (body.visible_to !== undefined) rec.visible_to = body.visible_to as number;
    if (body.label_ids !== undefined) rec.label_ids = [...new Set(body.label_ids as number[])];
    applyCustomFieldValues(rec, custom);
  },
};
