/**
 * @module emulator/ui_edit
 * Edits "made in the Pipedrive UI": `emulator.editInUi({entity, id, fields, userId?})` in-process and
 * `POST /__emulator/edit` over the control path. `fields` has the v2 PATCH shape of the entity (`name`, `emails`,
 * `custom_fields`, `stage_id`, ...) and is applied as a user would make the change: the same field rules as a PATCH
 * (types, options, references, the plan's `visible_to`, the status rules, no `value` on a deal with products), except
 * that a user may clear a field (`null` where the create rules allow it) and may edit an archived deal. It moves
 * `update_time` like any change, is neither rate limited nor charged tokens, and is journaled as
 * `{method: 'UI', source: 'app', path: '/api/v2/<entity>s/<id>', body: fields}` so tests can tell it from API
 * writes. Its change goes to the change feed with `change_source: 'app'` (what a webhook would carry).
 */

import type { Journal } from './journal';
import type { EntityKind } from './model/records';
import type { EmulatorState } from './model/state';
import { ACTIVITIES } from './routes/activities';
import { DEALS } from './routes/deals';
import { presentRecord } from './routes/entities';
import type { EntityDef } from './routes/entity_def';
import type { BaseRecord } from './routes/listing';
import { ORGANIZATIONS } from './routes/organizations';
import { PERSONS } from './routes/persons';
import { applyUpdate } from './routes/record_writes';
import type { RequestContext } from './routes/router';
import type { EmulatorClock } from './wire/clock';
import { ApiError, notFound } from './wire/envelope';

/** One edit made in the UI. */
export interface UiEdit {
  /** `person`, `organization`, `activity` or `deal`. */
  entity: EntityKind;
  /** The record's id. */
  id: number;
  /** The fields to change, in the entity's v2 PATCH shape. */
  fields: Record<string, unknown>;
  /** The user making the edit (default: the admin, owner of the emulator's API token); must be active. */
  userId?: number;
}

/** An edit the UI would not accept; `status` is what the same change through the API would have answered. */
export class UiEditError extends Error {
  /** 400 (invalid), 403 (e.g. `visible_to` not on the plan) or 404 (no such live record, or no such user). */
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/** The entity kinds an edit may name. */
export const UI_EDIT_ENTITIES: readonly EntityKind[] = ['person', 'organization', 'activity', 'deal'];

const DEFS: Record<EntityKind, EntityDef<BaseRecord>> = {
  person: PERSONS as unknown as EntityDef<BaseRecord>,
  organization: ORGANIZATIONS as unknown as EntityDef<BaseRecord>,
  activity: ACTIVITIES as unknown as EntityDef<BaseRecord>,
  deal: DEALS as unknown as EntityDef<BaseRecord>,
};

/** What an edit in the UI needs from the emulator. */
export interface UiEditTarget {
  state: EmulatorState;
  journal: Journal;
  clock: EmulatorClock;
}

/** Applies an edit made in the UI and returns the record as the API would now serve it; throws `UiEditError`. */
export function editInUi(t: UiEditTarget, edit: UiEdit): unknown {
  const def = DEFS[edit.entity];
  if (!def) throw new UiEditError(400, `'entity' must be one of ${UI_EDIT_ENTITIES.join(', ')}, got '${String(edit.entity)}'`);
  const now = t.clock.now();
  const path = `${def.path}/${edit.id}`;
  const userId = edit.userId ?? t.state.adminUserId();
  const journal = (status: number): void => {
    t.journal.record({ method: 'UI', path, query: {}, body: structuredClone(edit.fields), status, time: now, userId, source: 'app' });
  };
  try {
    const user = t.state.users.get(userId);
    if (!user || user.is_deleted || !user.active_flag) throw new UiEditError(404, `user ${userId} does not exist or is not active`);
    const rec = def.collection(t.state).get(edit.id);
    if (!rec || rec.is_deleted) throw notFound(def.noun);
    const ctx: RequestContext = {
      method: 'UI', path, params: { id: String(edit.id) }, query: new URLSearchParams(), body: edit.fields, user, state: t.state, now, changeSource: 'app',
    };
    const updated = applyUpdate(def, ctx, rec, edit.fields);
    journal(200);
    return presentRecord(def, t.state, updated, []);
  } catch (e) {
    const err = e instanceof ApiError
      ? new UiEditError(e.reply.status, String((e.reply.body as { error?: string } | undefined)?.error ?? e.message))
      : e instanceof UiEditError ? e : new UiEditError(500, e instanceof Error ? e.message : String(e));
    journal(err.status);
    throw err;
  }
}
