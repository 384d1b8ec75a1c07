/**
 * @module emulator/routes/record_writes
 * How a create, an update and a delete land in the data, for API requests and UI edits alike:
 * - `update_time` is the write's time (RFC 3339, one-second resolution, so writes in one second share it);
 *   `add_time` never changes. A write that changes nothing leaves `update_time` alone and emits no change:
 *   whether Pipedrive stamps a no-op PATCH is [UNVERIFIED], and "one edit, one change webhook" suggests not.
 * - Linking a record to a person, organization or deal (a deal's `person_id`/`org_id`, an activity's participants,
 *   `org_id` or `deal_id`, a person's `org_id`) moves the linked record's `update_time` too, as recorded
 *   (UPDATES-FACTS §1.5: person and org stamped after a deal, activity, lead and note named them [OBS, inferred
 *   cause]); such a side effect is not a change of the linked record's fields and emits no change event.
 * - Every create, change and delete goes to the change feed (`state.changes`) with its `change_source`.
 * An update is applied to a copy, so a refused one leaves nothing behind.
 */

import { changedFields } from '../model/changes';
import { rfc3339 } from '../wire/clock';
import type { EntityDef, Link } from './entity_def';
import type { BaseRecord } from './listing';
import type { RequestContext } from './router';

function linkKey([kind, id]: Link): string {
  return `${kind}:${id}`;
}

/** Moves `update_time` of every newly linked live record to the write's time. */
function touchLinked(ctx: RequestContext, before: readonly Link[], after: readonly Link[]): void {
  const old = new Set(before.map(linkKey));
  const time = rfc3339(ctx.now);
  for (const link of after) {
    if (old.has(linkKey(link))) continue;
    const target = ctx.state.collection(link[0]).get(link[1]) as BaseRecord | undefined;
    if (target && !target.is_deleted && target.update_time < time) target.update_time = time;
  }
}

function emit(ctx: RequestContext, action: 'create' | 'change' | 'delete', def: EntityDef<BaseRecord>, id: number, data: BaseRecord | null, previous: Record<string, unknown> | null): void {
  ctx.state.changes.emit({
    action, entity: def.kind, entity_id: id, change_source: ctx.changeSource, user_id: ctx.user.id, timestamp: ctx.now,
    data: data as unknown as Record<string, unknown> | null, previous,
  });
}

/** Stores a record the entity's `create` built: id used up, search index and linked records touched, change emitted. */
export function storeCreated<T extends BaseRecord>(def: EntityDef<T>, ctx: RequestContext, rec: T): void {
  ctx.state.commitId(def.kind, rec.id);
  def.collection(ctx.state).set(rec.id, rec);
  ctx.state.searchIndex.touch(def.kind, rec.id, ctx.now);
  touchLinked(ctx, [], def.links?.(rec) ?? []);
  emit(ctx, 'create', def as unknown as EntityDef<BaseRecord>, rec.id, rec, null);
}

/**
 * Validates and applies an update (`body` in PATCH shape) to a live record; stores and returns the new version, or
 * the record unchanged when the update changes nothing.
 */
export function applyUpdate<T extends BaseRecord>(def: EntityDef<T>, ctx: RequestContext, rec: T, body: unknown): T {
  const draft = structuredClone(rec);
  def.update(ctx, draft, body);
  const previous = changedFields(rec, draft);
  if (Object.keys(previous).length === 0) return rec;
  draft.update_time = rfc3339(ctx.now);
  draft.add_time = rec.add_time;
  if (draft.update_time !== rec.update_time) previous.update_time = rec.update_time;
  def.collection(ctx.state).set(draft.id, draft);
  if (def.searchText && def.searchText(draft) !== def.searchText(rec)) ctx.state.searchIndex.touch(def.kind, draft.id, ctx.now);
  touchLinked(ctx, def.links?.(rec) ?? [], def.links?.(draft) ?? []);
  emit(ctx, 'change', def as unknown as EntityDef<BaseRecord>, draft.id, draft, previous);
  return draft;
}

/** Soft-deletes a live record: `is_deleted`, and `update_time` is the delete time (API-FACTS §2.2). */
export function softDelete<T extends BaseRecord>(def: EntityDef<T>, ctx: RequestContext, rec: T): void {
  const last = structuredClone(rec);
  rec.is_deleted = true;
  rec.update_time = rfc3339(ctx.now);
  emit(ctx, 'delete', def as unknown as EntityDef<BaseRecord>, rec.id, null, last as unknown as Record<string, unknown>);
}
