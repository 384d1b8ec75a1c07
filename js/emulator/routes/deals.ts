/**
 * @module emulator/routes/deals
 * v2 deals: `/api/v2/deals` CRUD. `title` is required on create; `status` moves set `won_time`/`lost_time`/
 * `close_time`; lists exclude deleted deals unless `status=deleted`; `label_ids` are checked against the deal
 * label field; `add_time`/`update_time` cannot be written on PATCH.
 */

import { buildDeal } from '../model/builders';
import type { DealRecord } from '../model/records';
import { rfc3339 } from '../wire/clock';
import { validationFailed } from '../wire/envelope';
import { CUSTOM_FIELDS_SPEC, LABEL_IDS_SPEC, VISIBLE_TO_SPEC, checkCustomFields } from './contact_fields';
import type { EntityDef } from './entities';
import type { RequestContext } from './router';
import { validateBody, type BodySpec } from './validation';

const DEAL_BODY: BodySpec = {
  title: { kind: 'string', nonEmpty: true },
  owner_id: { kind: 'integer' },
  person_id: { kind: 'integer', nullable: true },
  org_id: { kind: 'integer', nullable: true },
  pipeline_id: { kind: 'integer', min: 1 },
  stage_id: { kind: 'integer', min: 1 },
  value: { kind: 'number', min: 0 },
  currency: { kind: 'string', nonEmpty: true },
  is_deleted: { kind: 'rejected', message: 'cannot be written: delete a deal with DELETE /api/v2/deals/{id}' },
  is_archived: { kind: 'boolean' },
  archive_time: { kind: 'string', format: 'datetime', nullable: true },
  status: { kind: 'string', enum: ['open', 'won', 'lost'] },
  probability: { kind: 'number', nullable: true, min: 0 },
  lost_reason: { kind: 'string', nullable: true },
  visible_to: VISIBLE_TO_SPEC,
  close_time: { kind: 'string', format: 'datetime', nullable: true },
  won_time: { kind: 'string', format: 'datetime' },
  lost_time: { kind: 'string', format: 'datetime' },
  expected_close_date: { kind: 'string', format: 'date', nullable: true },
  label_ids: LABEL_IDS_SPEC,
  custom_fields: CUSTOM_FIELDS_SPEC,
  add_time: { kind: 'string', format: 'datetime' },
};

function validate(ctx: RequestContext, raw: unknown, isCreate: boolean): Record<string, unknown> {
  const spec = isCreate ? DEAL_BODY : { ...DEAL_BODY, add_time: { kind: 'rejected' as const, message: 'cannot be changed after creation' } };
  const body = validateBody(raw, spec);
  if (typeof body.owner_id === 'number') ctx.state.requireActiveUser(body.owner_id, 'owner_id');
  if (typeof body.person_id === 'number') ctx.state.requireLive('person', body.person_id, 'person_id');
  if (typeof body.org_id === 'number') ctx.state.requireLive('organization', body.org_id, 'org_id');
  if (Array.isArray(body.label_ids)) ctx.state.requireLabels('deal', body.label_ids as number[], 'label_ids');
  checkCustomFields(body.custom_fields);
  return body;
}

function apply(rec: DealRecord, body: Record<string, unknown>, now: number): void {
  const time = rfc3339(now);
  for (const [key, value] of Object.entries(body)) {
    if (key === 'custom_fields') continue;
    if (key === 'label_ids') rec.label_ids = [...new Set(value as number[])];
    else if (key === 'stage_id') {
      if (rec.stage_id !== value) rec.stage_change_time = time;
      rec.stage_id = value as number;
    } else (rec as unknown as Record<string, unknown>)[key] = value;
  }
  if (body.status === 'won' && body.won_time === undefined) rec.won_time = time;
  if (body.status === 'lost' && body.lost_time === undefined) rec.lost_time = time;
  if ((body.status === 'won' || body.status === 'lost') && body.close_time === undefined) rec.close_time = time;
  if (body.status === 'open') {
    rec.won_time = null;
    rec.lost_time = null;
    rec.close_time = null;
  }
  if (body.is_archived === true && body.archive_time === undefined) rec.archive_time = time;
  if (body.is_archived === false) rec.archive_time = null;
}

/** The deal entity definition. */
export const DEALS: EntityDef<DealRecord> = {
  kind: 'deal',
  noun: 'Deal',
  path: '/api/v2/deals',
  collection: (state) => state.deals,
  listFilters: {
    owner_id: { kind: 'integer' }, person_id: { kind: 'integer' }, org_id: { kind: 'integer' }, pipeline_id: { kind: 'integer' },
    stage_id: { kind: 'integer' }, status: { kind: 'string', enum: ['open', 'won', 'lost', 'deleted'] },
  },
  sortFields: ['id', 'update_time', 'add_time'],
  includeFields: [],
  listsDeleted: (q) => q.status === 'deleted',
  matches: (rec, q) =>
    // Archived deals live at /deals/archived since 2025-07-15, not in the main list.
    !rec.is_archived &&
    (q.owner_id === undefined || rec.owner_id === q.owner_id) &&
    (q.person_id === undefined || rec.person_id === q.person_id) &&
    (q.org_id === undefined || rec.org_id === q.org_id) &&
    (q.pipeline_id === undefined || rec.pipeline_id === q.pipeline_id) &&
    (q.stage_id === undefined || rec.stage_id === q.stage_id) &&
    (q.status === undefined || q.status === 'deleted' || rec.status === q.status),

  create(ctx, raw, id) {
    const body = validate(ctx, raw, true);
    if (body.title === undefined) throw validationFailed(`'title' is required`);
    const rec = buildDeal({ title: body.title as string, currency: ctx.user.default_currency, creator_user_id: ctx.user.id }, id, ctx.now, ctx.user.id);
    apply(rec, body, ctx.now);
    return rec;
  },

  update(ctx, rec, raw) {
    apply(rec, validate(ctx, raw, false), ctx.now);
  },
};
