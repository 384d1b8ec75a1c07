/**
 * @module emulator/ui_merge
 * Merges "made in the Pipedrive UI": `emulator.mergeInUi({entity, id, mergeWithId, userId?})` in-process and
 * `POST /__emulator/merge` over the control path. The same merge as `PUT /v1/{persons|organizations}/{id}/merge`
 * (`emulator/routes/record_merge`: `id` is merged into `mergeWithId`, which survives), with `change_source: 'app'`
 * on its events, no tokens charged, journaled as `{method: 'UI', source: 'app', path: '/v1/<entity>s/<id>/merge',
 * body: {merge_with_id}}`. Refusals throw `UiEditError` with the status the API would answer (400, 404).
 */

import type { Journal } from './journal';
import { applyMerge, MERGE_KINDS, type MergeKind } from './routes/record_merge';
import type { RequestContext } from './routes/router';
import type { EmulatorState } from './model/state';
import { UiEditError } from './ui_edit';
import type { EmulatorClock } from './wire/clock';
import { ApiError } from './wire/envelope';

/** One merge made in the UI. */
export interface UiMerge {
  /** `person` or `organization`. */
  entity: MergeKind;
  /** The record merged away (deleted). */
  id: number;
  /** The record that survives. */
  mergeWithId: number;
  /** The user making the merge (default: the admin); must be active. */
  userId?: number;
}

/** What a merge in the UI needs from the emulator. */
export interface UiMergeTarget {
  state: EmulatorState;
  journal: Journal;
  clock: EmulatorClock;
}

/** Applies a merge made in the UI; returns the survivor as stored; throws `UiEditError`. */
export function mergeInUi(t: UiMergeTarget, merge: UiMerge): unknown {
  if (!MERGE_KINDS.includes(merge.entity)) throw new UiEditError(400, `'entity' must be one of ${MERGE_KINDS.join(', ')}, got '${String(merge.entity)}'`);
  const now = t.clock.now();
  const path = `/v1/${merge.entity === 'person' ? 'persons' : 'organizations'}/${merge.id}/merge`;
  const userId = merge.userId ?? t.state.adminUserId();
  const journal = (status: number): void => {
    t.journal.record({ method: 'UI', path, query: {}, body: { merge_with_id: merge.mergeWithId }, status, time: now, userId, source: 'app' });
  };
  try {
    const user = t.state.users.get(userId);
    if (!user || user.is_deleted || !user.active_flag) throw new UiEditError(404, `user ${userId} does not exist or is not active`);
    const ctx: RequestContext = {
      method: 'UI', path, params: { id: String(merge.id) }, query: new URLSearchParams(), body: { merge_with_id: merge.mergeWithId }, user,
      state: t.state, now, changeSource: 'app',
    };
    const survivor = applyMerge(ctx, merge.entity, merge.id, merge.mergeWithId);
    journal(200);
    return structuredClone(survivor);
  } catch (e) {
    const err = e instanceof ApiError
      ? new UiEditError(e.reply.status, String((e.reply.body as { error?: string } | undefined)?.error ?? e.message))
      : e instanceof UiEditError ? e : new UiEditError(500, e instanceof Error ? e.message : String(e));
    journal(err.status);
    throw err;
  }
}
