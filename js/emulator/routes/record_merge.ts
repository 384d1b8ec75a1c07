/**
 * @module emulator/routes/record_merge
 * How a merge of two persons or two organizations lands in the data, through the API (`PUT /v1/persons/{id}/merge`)
 * or "in the UI" (`POST /__emulator/merge`). The record in the path is merged into `merge_with_id`, which survives
 * (UPDATES-FACTS §3, Pipedrive's tutorial; some third-party tools say the reverse, the official text is followed):
 * - the merged record is soft-deleted (it then reads as any deleted record does: 404, or `is_deleted` under
 *   `deletedReads: 'is-deleted'`) and announced as a `delete` with `merged_to_id`;
 * - the survivor takes the merged record's emails, phones and labels and fills its empty fields
 *   (`emulator/model/merge_rules`), moves `update_time`, and is announced as a `change` with `merged_from_id`;
 * - related records (deals, activities, and for organizations their persons) are re-pointed to the survivor, each
 *   announced as a `change` ("all related data … will be transferred"; whether Pipedrive sends webhooks for those
 *   is [UNVERIFIED]: announcing them is the safer side for a client).
 * The two merge events share one `correlation_id`; their order (delete, then change) is [UNVERIFIED]: Pipedrive
 * documents none, so clients must accept either.
 */

import { randomUUID } from 'node:crypto';
import { changedFields, type RecordChange } from '../model/changes';
import { mergedOrganization, mergedPerson } from '../model/merge_rules';
import type { ActivityRecord, EntityKind, OrganizationRecord, PersonRecord } from '../model/records';
import { rfc3339 } from '../wire/clock';
import { notFound, validationFailed } from '../wire/envelope';
import type { BaseRecord } from './listing';
import type { RequestContext } from './router';

/** The kinds the emulator merges. */
export type MergeKind = 'person' | 'organization';

/** The kinds a merge may name. */
export const MERGE_KINDS: readonly MergeKind[] = ['person', 'organization'];

function announce(ctx: RequestContext, change: Omit<RecordChange, 'change_source' | 'user_id' | 'timestamp'>): void {
  ctx.state.changes.emit({ ...change, change_source: ctx.changeSource, user_id: ctx.user.id, timestamp: ctx.now });
}

/** Applies `edit` to a copy of each live record of `kind` that `refers` to the merged id, stores and announces it. */
function repoint<T extends BaseRecord>(ctx: RequestContext, kind: EntityKind, refers: (r: T) => boolean, edit: (r: T) => void, correlation: string): void {
  const coll = ctx.state.collection(kind) as unknown as Map<number, T>;
  for (const rec of [...coll.values()]) {
    if (rec.is_deleted || !refers(rec)) continue;
    const draft = structuredClone(rec);
    edit(draft);
    draft.update_time = rfc3339(ctx.now);
    const previous = changedFields(rec, draft);
    if (Object.keys(previous).length === 0) continue;
    coll.set(draft.id, draft);
    announce(ctx, { action: 'change', entity: kind, entity_id: draft.id, data: draft as unknown as Record<string, unknown>, previous, correlation_id: correlation });
  }
}

function repointActivityPerson(a: ActivityRecord, from: number, to: number): void {
  if (a.person_id === from) a.person_id = to;
  const hasSurvivor = a.participants.some((p) => p.person_id === to);
  const fromPrimary = a.participants.some((p) => p.person_id === from && p.primary);
  a.participants = a.participants.filter((p) => p.person_id !== from || !hasSurvivor).map((p) => (p.person_id === from ? { ...p, person_id: to } : p));
  if (fromPrimary && hasSurvivor) a.participants = a.participants.map((p) => (p.person_id === to ? { ...p, primary: true } : p));
  a.attendees = a.attendees.map((x) => (x.person_id === from ? { ...x, person_id: to } : x));
}

function moveRelated(ctx: RequestContext, kind: MergeKind, from: number, to: number, correlation: string): void {
  if (kind === 'person') {
    repoint<BaseRecord & { person_id: number | null }>(ctx, 'deal', (d) => d.person_id === from, (d) => { d.person_id = to; }, correlation);
    repoint<ActivityRecord>(
      ctx, 'activity',
      (a) => a.person_id === from || a.participants.some((p) => p.person_id === from) || a.attendees.some((x) => x.person_id === from),
      (a) => repointActivityPerson(a, from, to), correlation,
    );
    return;
  }
  repoint<PersonRecord>(ctx, 'person', (p) => p.org_id === from, (p) => { p.org_id = to; }, correlation);
  repoint<BaseRecord & { org_id: number | null }>(ctx, 'deal', (d) => d.org_id === from, (d) => { d.org_id = to; }, correlation);
  repoint<ActivityRecord>(ctx, 'activity', (a) => a.org_id === from, (a) => { a.org_id = to; }, correlation);
}

/**
 * Merges record `id` of `kind` into `mergeWithId` (the survivor); returns the survivor as stored. 404 when `id` is no
 * live record, 400 naming `merge_with_id` when that is the same id or no live record.
 */
export function applyMerge(ctx: RequestContext, kind: MergeKind, id: number, mergeWithId: number): PersonRecord | OrganizationRecord {
  const coll = ctx.state.collection(kind) as unknown as Map<number, PersonRecord | OrganizationRecord>;
  const noun = kind === 'person' ? 'Person' : 'Organization';
  const merged = coll.get(id);
  if (!merged || merged.is_deleted) throw notFound(noun);
  if (mergeWithId === id) throw validationFailed(`'merge_with_id' must be another ${kind} than ${id}: a record cannot be merged with itself`);
  const survivor = coll.get(mergeWithId);
  if (!survivor || survivor.is_deleted) throw validationFailed(`'merge_with_id' refers to ${kind} ${mergeWithId}, which does not exist`);

  const time = rfc3339(ctx.now);
  const correlation = randomUUID();
  const next = kind === 'person'
    ? mergedPerson(survivor as PersonRecord, merged as PersonRecord)
    : mergedOrganization(survivor as OrganizationRecord, merged as OrganizationRecord);
  next.update_time = time;
  const previous = changedFields(survivor, next);
  const last = structuredClone(merged);
  merged.is_deleted = true;
  merged.update_time = time;
  coll.set(next.id, next);
  ctx.state.searchIndex.touch(kind, next.id, ctx.now);

  announce(ctx, {
    action: 'delete', entity: kind, entity_id: id, data: null, previous: last as unknown as Record<string, unknown>, merged_to_id: next.id, correlation_id: correlation,
  });
  announce(ctx, {
    action: 'change', entity: kind, entity_id: next.id, data: next as unknown as Record<string, unknown>, previous, merged_from_id: id, correlation_id: correlation,
  });
  moveRelated(ctx, kind, id, next.id, correlation);
  return next;
}
