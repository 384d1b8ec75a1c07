/**
 * @module emulator/routes/merges
 * v1 merges (`openapi-v1.yaml` `mergePersons`, `mergeOrganizations`; 40 tokens each): `PUT /v1/persons/{id}/merge`
 * and `PUT /v1/organizations/{id}/merge` with body `{merge_with_id}`. The record in the path is merged into
 * `merge_with_id`, which survives (see `emulator/routes/record_merge` for what changes and what is announced). v1
 * takes `merge_with_id` as an integer or a digit string; anything else, and unknown fields, are a 400 naming the
 * field. Replies, in v1 shape: persons `data` is the survivor in the v1 person shape (`email`/`phone` lists, v1
 * times) with `merge_what_id` the merged-away id; organizations `data` is `{id}` of the survivor. That `id` is the
 * survivor in both is read from the spec's wording ("the ID of the merged organization") [UNVERIFIED].
 */

import type { OrganizationRecord, PersonRecord } from '../model/records';
import { v1Time } from '../wire/clock';
import { okV1, validationFailed, type Reply } from '../wire/envelope';
import { parseId } from './entities';
import { applyMerge, type MergeKind } from './record_merge';
import type { RequestContext, Router } from './router';
import { validateQuery } from './validation';

/** Reads `{merge_with_id}`: an integer or a digit string, nothing else. */
export function mergeWithId(body: unknown): number {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw validationFailed(`request body must be a JSON object with 'merge_with_id'`);
  const b = body as Record<string, unknown>;
  for (const key of Object.keys(b)) if (key !== 'merge_with_id') throw validationFailed(`${key}: Parameter '${key}' is not allowed for this request`);
  const raw = b.merge_with_id;
  if (raw === undefined || raw === null) throw validationFailed(`'merge_with_id' is required`);
  const id = typeof raw === 'string' && /^\d{1,10}$/.test(raw) ? Number(raw) : raw;
  if (typeof id !== 'number' || !Number.isInteger(id) || id < 1) throw validationFailed(`'merge_with_id' must be a positive integer`);
  return id;
}

/** The survivor of a person merge in the v1 person shape of `mergePersonItem`. */
function v1Person(ctx: RequestContext, p: PersonRecord, mergedId: number): Record<string, unknown> {
  const org = p.org_id === null ? undefined : ctx.state.organizations.get(p.org_id);
  const owner = p.owner_id === null ? undefined : ctx.state.users.get(p.owner_id);
  return {
    id: p.id, company_id: ctx.state.company.company_id, active_flag: true, name: p.name, first_name: p.first_name, last_name: p.last_name,
    first_char: p.name.charAt(0).toLowerCase(), owner_id: p.owner_id, org_id: p.org_id, org_name: org?.name ?? null, owner_name: owner?.name ?? null,
    email: p.emails.map((e) => ({ ...e })), phone: p.phones.map((e) => ({ ...e })), visible_to: String(p.visible_to), label_ids: [...p.label_ids],
    add_time: v1Time(Date.parse(p.add_time)), update_time: v1Time(Date.parse(p.update_time)), merge_what_id: mergedId,
  };
}

function mergeRoute(kind: MergeKind): (ctx: RequestContext) => Reply {
  return (ctx) => {
    validateQuery(ctx.query, {});
    const id = parseId(ctx.params.id);
    const survivor = applyMerge(ctx, kind, id, mergeWithId(ctx.body));
    return okV1(kind === 'person' ? v1Person(ctx, survivor as PersonRecord, id) : { id: (survivor as OrganizationRecord).id });
  };
}

/** Registers the person and organization merge routes. */
export function registerMergeRoutes(router: Router): void {
  router.addV1('PUT', '/persons/{id}/merge', mergeRoute('person'));
  router.addV1('PUT', '/organizations/{id}/merge', mergeRoute('organization'));
}
