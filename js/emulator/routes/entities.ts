/**
 * @module emulator/routes/entities
 * The five v2 routes every entity shares (list, create, get, PATCH, soft DELETE), parameterised by what differs:
 * filters, body rules, defaults, links and the shape served back. Writes land through `emulator/routes/record_writes`
 * (timestamps, linked records, change feed). A GET of a deleted record is 404, or 200 with `is_deleted: true` until
 * the 30-day purge when the emulator is set to `deletedReads: 'is-deleted'` (which Pipedrive does is [UNVERIFIED]).
 */

import type { LabelledKind } from '../model/records';
import type { EmulatorState } from '../model/state';
import { notFound, ok, validationFailed, type Reply } from '../wire/envelope';
import { presentCustomFields } from './custom_field_values';
import type { EntityDef } from './entity_def';
import { COMMON_LIST_QUERY, listRecords, type BaseRecord } from './listing';
import { applyUpdate, softDelete, storeCreated } from './record_writes';
import type { RequestContext, Router } from './router';
import { validateQuery, type QuerySpec } from './validation';

/** The milliseconds a soft-deleted record stays readable before Pipedrive purges it: 30 days. */
export const PURGE_AFTER_MS = 30 * 86_400_000;

/** A single-record v2 reply: real v2 sends no `additional_data` here (recorded GET /api/v2/deals/{id}). */
function single(data: unknown): Reply {
  return { status: 200, body: { success: true, data } };
}

/** Parses a record id path parameter (a 400 naming `id` otherwise). */
export function parseId(raw: string): number {
  if (!/^\d+$/.test(raw)) throw validationFailed(`path parameter 'id' must be an integer, got '${raw}'`);
  return Number(raw);
}

/** A record as served: the entity's shape, with every custom field of labelled kinds present. */
export function presentRecord<T extends BaseRecord>(def: EntityDef<T>, state: EmulatorState, rec: T, include: readonly string[]): unknown {
  const out: Record<string, unknown> = def.present ? def.present(rec, include, state) : { ...(rec as unknown as Record<string, unknown>) };
  if (def.kind !== 'activity') out.custom_fields = presentCustomFields(state, def.kind as LabelledKind, out.custom_fields as Record<string, unknown> | null);
  return out;
}

/** Registers list, create, get, update and delete for one entity. */
export function registerEntityRoutes<T extends BaseRecord>(router: Router, def: EntityDef<T>): void {
  const listQuery: Record<string, QuerySpec> = {
    ...COMMON_LIST_QUERY,
    ...def.listFilters,
    sort_by: { kind: 'string', enum: def.sortFields },
    include_fields: { kind: 'csv-enum', values: def.includeFields },
  };
  const singleQuery: Record<string, QuerySpec> = {
    include_fields: { kind: 'csv-enum', values: def.includeFields },
    custom_fields: { kind: 'string' },
  };
  const present = (ctx: RequestContext, rec: T, include: readonly string[]): unknown => presentRecord(def, ctx.state, rec, include);
  const live = (ctx: RequestContext): T => {
    const rec = def.collection(ctx.state).get(parseId(ctx.params.id));
    if (!rec || rec.is_deleted) throw notFound(def.noun);
    return rec;
  };

  router.add('GET', def.path, (ctx) => {
    const q = validateQuery(ctx.query, listQuery);
    // `ids` lists only what exists and is live: missing, deleted and (for deals) archived ids are left out silently.
    const page = listRecords(def.collection(ctx.state), q, (rec) => def.matches(rec, q, ctx), def.listsDeleted?.(q) ?? false);
    const include = (q.include_fields as string[] | undefined) ?? [];
    return ok(page.items.map((r) => present(ctx, r, include)), { next_cursor: page.nextCursor });
  });

  router.add('POST', def.path, (ctx) => {
    validateQuery(ctx.query, {});
    const rec = def.create(ctx, ctx.body, ctx.state.peekId(def.kind));
    storeCreated(def, ctx, rec);
    return single(present(ctx, rec, []));
  });

  router.add('GET', `${def.path}/{id}`, (ctx) => {
    const q = validateQuery(ctx.query, singleQuery);
    const include = (q.include_fields as string[] | undefined) ?? [];
    const rec = def.collection(ctx.state).get(parseId(ctx.params.id));
    if (rec && rec.is_deleted && ctx.state.deletedReads === 'is-deleted' && ctx.now - Date.parse(rec.update_time) < PURGE_AFTER_MS) {
      return single(present(ctx, rec, include));
    }
    return single(present(ctx, live(ctx), include));
  });

  router.add('PATCH', `${def.path}/{id}`, (ctx) => {
    validateQuery(ctx.query, {});
    return single(present(ctx, applyUpdate(def, ctx, live(ctx), ctx.body), []));
  });

  router.add('DELETE', `${def.path}/{id}`, (ctx) => {
    validateQuery(ctx.query, {});
    const rec = live(ctx);
    softDelete(def, ctx, rec);
    return { status: 200, body: { success: true, data: { id: rec.id } } };
  });
}
