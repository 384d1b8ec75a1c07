//! v1 field definitions (`/v1/personFields`, `/v1/organizationFields`, `/v1/dealFields`) with the label option
//! lists, and `PUT /v1/{kind}Fields/{id}` with Pipedrive's full-list semantics: options left out are dropped (and
//! removed from the records carrying them), options without `id` are added with fresh ids.

import { v1Time } from './clock';
import { ApiError, failure, notFound, ok, okV1, validationFailed } from './envelope';
import type { FieldOption, FieldRecord, LabelledKind } from './records';
import type { Router } from './router';
import { validateBody, validateQuery } from './validation';

/** The field lists of a company, one per labelled record kind. */
export type FieldLists = Record<LabelledKind, FieldRecord[]>;

/** The default person and organization label options (Pipedrive's four defaults; ids are per account). */
export const DEFAULT_PERSON_LABELS: readonly FieldOption[] = [
  { id: 1, label: 'Customer', color: 'green' },
  { id: 2, label: 'Hot lead', color: 'red' },
  { id: 3, label: 'Warm lead', color: 'yellow' },
  { id: 4, label: 'Cold lead', color: 'blue' },
];

/** Organizations get the same four labels, with ids of their own so a person label id is caught on an org. */
export const DEFAULT_ORGANIZATION_LABELS: readonly FieldOption[] = [
  { id: 5, label: 'Customer', color: 'green' },
  { id: 6, label: 'Hot lead', color: 'red' },
  { id: 7, label: 'Warm lead', color: 'yellow' },
  { id: 8, label: 'Cold lead', color: 'blue' },
];

/** Deal labels (assumed defaults; deal label ids are per account like the others). */
export const DEFAULT_DEAL_LABELS: readonly FieldOption[] = [
  { id: 9, label: 'Hot', color: 'red' },
  { id: 10, label: 'Warm', color: 'yellow' },
  { id: 11, label: 'Cold', color: 'blue' },
];

type FieldDef = [key: string, name: string, type: string];

const PERSON_FIELDS: FieldDef[] = [
  ['name', 'Name', 'varchar'], ['first_name', 'First name', 'varchar'], ['last_name', 'Last name', 'varchar'],
  ['label', 'Label', 'enum'], ['label_ids', 'Labels', 'set'], ['org_id', 'Organization', 'org'],
  ['owner_id', 'Owner', 'user'], ['email', 'Email', 'varchar'], ['phone', 'Phone', 'phone'],
  ['visible_to', 'Visible to', 'visible_to'], ['add_time', 'Person created', 'date'], ['update_time', 'Update time', 'date'],
];

const ORGANIZATION_FIELDS: FieldDef[] = [
  ['name', 'Name', 'varchar'], ['label', 'Label', 'enum'], ['label_ids', 'Labels', 'set'],
  ['owner_id', 'Owner', 'user'], ['address', 'Address', 'address'], ['visible_to', 'Visible to', 'visible_to'],
  ['add_time', 'Organization created', 'date'], ['update_time', 'Update time', 'date'],
];

const DEAL_FIELDS: FieldDef[] = [
  ['title', 'Title', 'varchar'], ['value', 'Value', 'monetary'], ['currency', 'Currency', 'varchar'],
  ['label', 'Label', 'set'], ['person_id', 'Contact person', 'people'], ['org_id', 'Organization', 'org'],
  ['user_id', 'Owner', 'user'], ['add_time', 'Deal created', 'date'],
];

/** The key of the field holding a kind's labels: `label_ids` for persons/orgs, `label` (a set) for deals. */
export function labelFieldKey(kind: LabelledKind): string {
  return kind === 'deal' ? 'label' : 'label_ids';
}

/**
 * Builds the default field lists. Person and org `label` and `label_ids` share one option array, since writes to
 * one sync the other in Pipedrive (API-FACTS §4).
 */
export function defaultFields(now: number): FieldLists {
  const time = v1Time(now - 365 * 86_400_000);
  const build = (defs: FieldDef[], firstId: number, labels: readonly FieldOption[]): FieldRecord[] => {
    const shared = labels.map((o) => ({ ...o }));
    return defs.map(([key, name, type], i) => {
      const isLabel = key === 'label' || key === 'label_ids';
      const field: FieldRecord = {
        id: firstId + i, key, name, order_nr: i + 1, field_type: type, add_time: time, update_time: time,
        last_updated_by_user_id: null, created_by_user_id: null, active_flag: true, edit_flag: isLabel,
        index_visible_flag: true, details_visible_flag: true, add_visible_flag: true, important_flag: false,
        bulk_edit_allowed: true, searchable_flag: key === 'name' || key === 'title' || key === 'email' || key === 'phone',
        filtering_allowed: true, sortable_flag: true, mandatory_flag: key === 'name' || key === 'title',
      };
      if (isLabel) {
        field.options = shared;
        field.options_deleted = [];
      }
      return field;
    });
  };
  return {
    person: build(PERSON_FIELDS, 9001, DEFAULT_PERSON_LABELS),
    organization: build(ORGANIZATION_FIELDS, 4001, DEFAULT_ORGANIZATION_LABELS),
    deal: build(DEAL_FIELDS, 12001, DEFAULT_DEAL_LABELS),
  };
}

const PATHS: Record<LabelledKind, string> = { person: '/personFields', organization: '/organizationFields', deal: '/dealFields' };

const OPTION_SPEC = {
  kind: 'object' as const,
  fields: { id: { kind: 'integer' as const }, label: { kind: 'string' as const, nonEmpty: true }, color: { kind: 'string' as const } },
  required: ['label'],
};

/** Registers GET list, GET one and PUT for each of the three field kinds. */
export function registerFieldRoutes(router: Router): void {
  for (const kind of Object.keys(PATHS) as LabelledKind[]) {
    const base = PATHS[kind];
    router.addV1('GET', base, (ctx) => {
      const q = validateQuery(ctx.query, { start: { kind: 'integer', min: 0 }, limit: { kind: 'integer', min: 1, max: 500 } });
      const start = (q.start as number | undefined) ?? 0;
      const limit = (q.limit as number | undefined) ?? 100;
      const all = ctx.state.fields[kind];
      const page = all.slice(start, start + limit);
      const more = start + limit < all.length;
      const pagination: Record<string, unknown> = { start, limit, more_items_in_collection: more };
      if (more) pagination.next_start = start + limit;
      return ok(page, { pagination });
    });

    router.addV1('GET', `${base}/{id}`, (ctx) => {
      validateQuery(ctx.query, {});
      return okV1(findField(ctx.state.fields[kind], ctx.params.id));
    });

    router.addV1('PUT', `${base}/{id}`, (ctx) => {
      validateQuery(ctx.query, {});
      const field = findField(ctx.state.fields[kind], ctx.params.id);
      const body = validateBody(ctx.body, {
        name: { kind: 'string', nonEmpty: true },
        options: { kind: 'array', items: OPTION_SPEC, maxItems: 10_000 },
        add_visible_flag: { kind: 'boolean' },
      });
      if (!field.edit_flag) {
        throw new ApiError(failure(403, `Field '${field.key}' is a system field and cannot be edited`));
      }
      if (body.options !== undefined) {
        if (!field.options) throw validationFailed(`'options' can only be set on enum and set fields; '${field.key}' is ${field.field_type}`);
        const dropped = ctx.state.replaceFieldOptions(kind, field, body.options as { id?: number; label: string; color?: string }[]);
        if (dropped.length > 0) ctx.state.removeLabelFromRecords(kind, dropped);
      }
      if (body.name !== undefined) field.name = body.name as string;
      if (body.add_visible_flag !== undefined) field.add_visible_flag = body.add_visible_flag as boolean;
      field.update_time = v1Time(ctx.now);
      field.last_updated_by_user_id = ctx.user.id;
      return okV1(field);
    });
  }
}

function findField(fields: FieldRecord[], rawId: string): FieldRecord {
  const id = /^\d+$/.test(rawId) ? Number(rawId) : NaN;
  const field = fields.find((f) => f.id === id);
  if (!field) throw notFound('Field');
  return field;
}
