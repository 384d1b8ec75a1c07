/**
 * @module emulator/routes/patch_rules
 * What a v2 PATCH body may hold, derived from the entity's create rules (UPDATES-FACTS §1.1, §1.4):
 * - read-only and server-generated fields (`id`, `add_time`, `update_time`, `picture_id`, `creator_user_id`, ...)
 *   are not in the PATCH schema, so they get the same 400 as an unknown key
 *   (`Parameter '<key>' is not allowed for this request`);
 * - `null` clears a field only where the entity allows it: the v2 spec marks only deal `probability`,
 *   `lost_reason` and `close_time` nullable; `null` for any other top-level field is [UNVERIFIED], so it is
 *   refused (400) rather than guessed, and a client cannot come to rely on it. Custom field values always take
 *   `null` (see `emulator/routes/custom_field_values`).
 * An edit "in the Pipedrive UI" (`editInUi`) is not bound by that: a user can clear a field, so it keeps the
 * create rules' nullability. Also here: the plan check of `visible_to` (403 for a value the plan does not allow).
 */

import type { EmulatorState } from '../model/state';
import { ApiError, failure } from '../wire/envelope';
import type { RequestContext } from './router';
import type { BodySpec, FieldSpec } from './validation';

/** How to derive a PATCH spec from a create spec. */
export interface PatchRules {
  /** Create-only or read-only fields: refused on PATCH as keys outside the schema. */
  readOnly: readonly string[];
  /** The only top-level fields a PATCH may set to `null`. */
  nullable: readonly string[];
}

function withNullable(spec: FieldSpec, nullable: boolean): FieldSpec {
  return spec.kind === 'rejected' ? spec : { ...spec, nullable };
}

/** The PATCH spec of an API write: read-only fields dropped, `null` only where `rules.nullable` says. */
export function apiPatchSpec(create: BodySpec, rules: PatchRules): BodySpec {
  const out: BodySpec = {};
  for (const [key, spec] of Object.entries(create)) {
    if (rules.readOnly.includes(key)) continue;
    out[key] = withNullable(spec, rules.nullable.includes(key));
  }
  return out;
}

/** The spec of an edit made in the UI: read-only fields dropped, nullability as on create (a user can clear). */
export function uiPatchSpec(create: BodySpec, rules: PatchRules): BodySpec {
  return Object.fromEntries(Object.entries(create).filter(([key]) => !rules.readOnly.includes(key)));
}

/** The spec for one update: the API's PATCH rules, or the UI's for an edit made in the web app. */
export function patchSpecFor(ctx: RequestContext, api: BodySpec, ui: BodySpec): BodySpec {
  return ctx.changeSource === 'app' ? ui : api;
}

/**
 * 403 unless `visible_to` (when given) is a value the company's plan allows. The status is documented; the message
 * and the absence of a `code` are [UNVERIFIED], so clients should key on the status.
 */
export function checkVisibleTo(state: EmulatorState, body: Record<string, unknown>): void {
  const value = body.visible_to;
  if (typeof value !== 'number') return;
  const allowed = state.visibleToAllowed();
  if (!allowed.includes(value)) {
    throw new ApiError(failure(403, `Visibility ${value} is not available on the ${state.plan} plan: 'visible_to' must be one of ${allowed.join(', ')}`));
  }
}
