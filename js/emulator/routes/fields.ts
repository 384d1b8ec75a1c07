/**
 * @module emulator/routes/fields
 * v1 field definitions (`/v1/personFields`, `/v1/organizationFields`, `/v1/dealFields`) with the label option
 * lists (defaults in `model/default_data.ts`), the organization `industry` field and seeded custom fields, and
 * `PUT /v1/{kind}Fields/{id}` with Pipedrive's full-list semantics: options left out are dropped (and removed from
 * the records carrying them, in `label_ids` or `custom_fields`), options without `id` are added with fresh ids.
 */

import type { FieldRecord, LabelledKind } from '../model/records';
import { v1Time } from '../wire/clock';
import { ApiError, failure, notFound, ok, okV1, validationFailed } from '../wire/envelope';
import type { Router } from './router';
import { validateBody, validateQuery } from './validation';

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
        if (dropped.length > 0) ctx.state.removeOptionsFromRecords(kind, field, dropped);
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
