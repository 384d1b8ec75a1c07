/**
 * @module emulator/routes/deals
 * v2 deals: `/api/v2/deals` CRUD. `title` is required on create; lists exclude deleted deals unless
 * `status=deleted`, and archived ones always; `label_ids` are checked against the deal label field, `currency`
 * against the company's active currencies (`/v1/currencies`), `visible_to` against the plan (403), custom fields
 * against the deal fields; `include_fields=products_count` adds the number of attached products.
 * Status rules are in `emulator/routes/deal_status`, stage and pipeline rules in `emulator/routes/deal_pipeline`.
 * PATCH (UPDATES-FACTS §1.1, §1.7): only the keys sent change; `label_ids` is replaced whole; `custom_fields` changes
 * only the keys sent; `null` only for `probability`, `lost_reason` and `close_time` (the spec's nullable ones).
 * Refused: `add_time`, `update_time`, `stage_change_time`, `creator_user_id`, `acv`/`arr`/`mrr`, `origin`,
 * `local_*_date`, `id` (not in the schema), `is_deleted` (a PATCH cannot delete); any PATCH of an archived deal
 * (not editable through the API since 2025-07-15; the status, 400 `ERR_BAD_REQUEST`, is [UNVERIFIED]); and `value` on
 * a deal with products, whose value is derived from them (sent anyway, Pipedrive's behaviour is [UNVERIFIED]: a
 * refusal makes the mistake visible). An edit in the UI follows the same rules, except that it may edit an
 * archived deal and clear nullable fields.
 */

import { buildDeal } from '../model/builders';
import type { DealRecord } from '../model/records';
import { rfc3339 } from '../wire/clock';
import { badRequest, validationFailed } from '../wire/envelope';
import { CUSTOM_FIELDS_SPEC, LABEL_IDS_SPEC, VISIBLE_TO_SPEC } from './contact_fields';
import { applyCustomFieldValues, checkCustomFieldValues, type CustomFieldWrites } from './custom_field_values';
import { resolvePlacement } from './deal_pipeline';
import { applyStatus, checkStatusFields } from './deal_status';
import type { EntityDef, Link } from './entity_def';
import { apiPatchSpec, checkVisibleTo, patchSpecFor, uiPatchSpec, type PatchRules } from './patch_rules';
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

const PATCH_RULES: PatchRules = { readOnly: ['add_time'], nullable: ['probability', 'lost_reason', 'close_time'] };
const DEAL_PATCH = apiPatchSpec(DEAL_BODY, PATCH_RULES);
const DEAL_UI_EDIT = uiPatchSpec(DEAL_BODY, PATCH_RULES);

/** Checks references, labels, currency, custom fields and visibility; returns the custom field values to write. */
function checkReferences(ctx: RequestContext, body: Record<string, unknown>): CustomFieldWrites {
  if (typeof body.owner_id === 'number') ctx.state.requireActiveUser(body.owner_id, 'owner_id');
  if (typeof body.person_id === 'number') ctx.state.requireLive('person', body.person_id, 'person_id');
  if (typeof body.org_id === 'number') ctx.state.requireLive('organization', body.org_id, 'org_id');
  if (Array.isArray(body.label_ids)) ctx.state.requireLabels('deal', body.label_ids as number[], 'label_ids');
  if (typeof body.currency === 'string' && !ctx.state.activeCurrency(body.currency)) {
    throw validationFailed(`'currency' must be the code of one of the company's currencies (GET /v1/currencies), got '${body.currency}'`);
  }
  const custom = checkCustomFieldValues(ctx.state, 'deal', body.custom_fields, ctx.user.default_currency);
  checkVisibleTo(ctx.state, body);
  return custom;
}

const SEPARATE = new Set(['custom_fields', 'label_ids', 'stage_id', 'pipeline_id', 'status', 'won_time', 'lost_time', 'close_time', 'lost_reason']);

function apply(ctx: RequestContext, rec: DealRecord, body: Record<string, unknown>, custom: CustomFieldWrites, isCreate: boolean): void {
  const time = rfc3339(ctx.now);
  for (const [key, value] of Object.entries(body)) {
    if (key === 'label_ids') rec.label_ids = [...new Set(value as number[])];
    else if (!SEPARATE.has(key)) (rec as unknown as Record<string, unknown>)[key] = value;
  }
  const placement = resolvePlacement(ctx.state, body, isCreate ? null : rec);
  if (placement) {
    if (!isCreate && placement.stage_id !== rec.stage_id) rec.stage_change_time = time;
    rec.stage_id = placement.stage_id;
    rec.pipeline_id = placement.pipeline_id;
  }
  applyStatus(rec, body, time);
  if (body.is_archived === true && body.archive_time === undefined) rec.archive_time = time;
  if (body.is_archived === false) rec.archive_time = null;
  applyCustomFieldValues(rec, custom);
  if (ctx.state.productsOf(rec.id).length > 0) rec.value = ctx.state.dealValue(rec);
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
  includeFields: ['products_count'],
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
  links: (rec) => [
    ...(rec.person_id === null ? [] : [['person', rec.person_id] as Link]),
    ...(rec.org_id === null ? [] : [['organization', rec.org_id] as Link]),
  ],

  present(rec, include, state) {
    const out: Record<string, unknown> = { ...rec };
    if (include.includes('products_count')) out.products_count = state.productsOf(rec.id).length;
    return out;
  },

  create(ctx, raw, id) {
    const body = validateBody(raw, DEAL_BODY);
    if (body.title === undefined) throw validationFailed(`'title' is required`);
    const custom = checkReferences(ctx, body);
    checkStatusFields(body, 'open');
    const rec = buildDeal({ title: body.title as string, currency: ctx.user.default_currency, creator_user_id: ctx.user.id }, id, ctx.now, ctx.user.id);
    apply(ctx, rec, body, custom, true);
    return rec;
  },

  update(ctx, rec, raw) {
    const body = validateBody(raw, patchSpecFor(ctx, DEAL_PATCH, DEAL_UI_EDIT));
    const custom = checkReferences(ctx, body);
    if (ctx.changeSource === 'api' && rec.is_archived) {
      throw badRequest(`Deal ${rec.id} is archived: archived deals cannot be edited through the API`);
    }
    if (body.value !== undefined && ctx.state.productsOf(rec.id).length > 0) {
      throw badRequest(`'value' of deal ${rec.id} cannot be set: the deal has products, and its value is derived from them`);
    }
    checkStatusFields(body, rec.status);
    apply(ctx, rec, body, custom, false);
  },
};
