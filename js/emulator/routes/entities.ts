/**
 * @module emulator/routes/entities
 * The five v2 routes every entity shares (list, create, get, PATCH, soft DELETE), parameterised by what differs:
 * filters, body rules, defaults and the shape served back.
 */

import type { EntityKind } from '../model/records';
import type { EmulatorState } from '../model/state';
import { rfc3339 } from '../wire/clock';
import { ok, notFound, validationFailed, type Reply } from '../wire/envelope';
import { COMMON_LIST_QUERY, listRecords, type BaseRecord } from './listing';
import type { RequestContext, Router } from './router';
import { validateQuery, type ParsedQuery, type QuerySpec } from './validation';

/** What makes one v2 entity different from the others. */
export interface EntityDef<T extends BaseRecord> {
  /** Entity kind, used for ids and references. */
  kind: EntityKind;
  /** Singular noun for messages: `Person` gives "Person not found". */
  noun: string;
  /** Collection path, e.g. `/api/v2/persons`. */
  path: string;
  /** The records of this kind. */
  collection(state: EmulatorState): Map<number, T>;
  /** Entity-specific list filters, on top of the common ones. */
  listFilters: Record<string, QuerySpec>;
  /** Values of `sort_by` this entity accepts. */
  sortFields: readonly string[];
  /** Values of `include_fields` the emulator can honour for this entity. */
  includeFields: readonly string[];
  /** Whether a record passes the entity-specific filters. */
  matches(rec: T, q: ParsedQuery, ctx: RequestContext): boolean;
  /** Whether the list shows deleted records instead of live ones (deals `status=deleted`). */
  listsDeleted?(q: ParsedQuery): boolean;
  /** Validates a POST body and builds the new record (without storing it). */
  create(ctx: RequestContext, body: unknown, id: number): T;
  /** Validates a PATCH body and applies it to the record. */
  update(ctx: RequestContext, rec: T, body: unknown): void;
  /** The object served for a record; default is the record itself. */
  present?(rec: T, include: readonly string[]): unknown;
  /**
   * The values search looks at, for searchable kinds: a PATCH that changes them re-indexes the record, so under a
   * search lag it drops out of search results for a while (see `emulator/model/search_index`).
   */
  searchText?(rec: T): string;
}

/** A single-record v2 reply: real v2 sends no `additional_data` here (recorded GET /api/v2/deals/{id}). */
function single(data: unknown): Reply {
  return { status: 200, body: { success: true, data } };
}

function parseId(raw: string): number {
  if (!/^\d+$/.test(raw)) throw validationFailed(`path parameter 'id' must be an integer, got '${raw}'`);
  return Number(raw);
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
  const present = (rec: T, include: readonly string[]): unknown => (def.present ? def.present(rec, include) : rec);
  const live = (ctx: RequestContext): T => {
    const rec = def.collection(ctx.state).get(parseId(ctx.params.id));
    if (!rec || rec.is_deleted) throw notFound(def.noun);
    return rec;
  };

  router.add('GET', def.path, (ctx) => {
    const q = validateQuery(ctx.query, listQuery);
    const page = listRecords(def.collection(ctx.state), q, (rec) => def.matches(rec, q, ctx), def.listsDeleted?.(q) ?? false);
    const include = (q.include_fields as string[] | undefined) ?? [];
    return ok(page.items.map((r) => present(r, include)), { next_cursor: page.nextCursor });
  });

  router.add('POST', def.path, (ctx) => {
    validateQuery(ctx.query, {});
    const id = ctx.state.peekId(def.kind);
    const rec = def.create(ctx, ctx.body, id);
    ctx.state.commitId(def.kind, rec.id);
    def.collection(ctx.state).set(rec.id, rec);
    ctx.state.searchIndex.touch(def.kind, rec.id, ctx.now);
    return single(present(rec, []));
  });

  router.add('GET', `${def.path}/{id}`, (ctx) => {
    const q = validateQuery(ctx.query, singleQuery);
    return single(present(live(ctx), (q.include_fields as string[] | undefined) ?? []));
  });

  router.add('PATCH', `${def.path}/{id}`, (ctx) => {
    validateQuery(ctx.query, {});
    const rec = live(ctx);
    // Validate and apply on a copy so a rejected PATCH leaves no partial change behind.
    const draft = structuredClone(rec);
    def.update(ctx, draft, ctx.body);
    draft.update_time = rfc3339(ctx.now);
    def.collection(ctx.state).set(draft.id, draft);
    if (def.searchText && def.searchText(draft) !== def.searchText(rec)) ctx.state.searchIndex.touch(def.kind, draft.id, ctx.now);
    return single(present(draft, []));
  });

  router.add('DELETE', `${def.path}/{id}`, (ctx) => {
    validateQuery(ctx.query, {});
    const rec = live(ctx);
    rec.is_deleted = true;
    // In v2 a deleted item's update_time is its delete time (API-FACTS §2.2).
    rec.update_time = rfc3339(ctx.now);
    return { status: 200, body: { success: true, data: { id: rec.id } } };
  });
}
