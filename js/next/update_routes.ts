/**
 * @module next/update_routes
 * The record-update handlers (spec §8.3): `PUT /api/pipedrive/{activities,people,organizations,deals}/[id]` with
 * the `Update*Data` body, and `POST /api/pipedrive/batch-update` with `{updates: [{recordType, recordId, data}]}`
 * (at most 50). Ids are Pipedrive ids. Who may update: for a Pipedrive record linked to a local one, its owner or an
 * admin; for one linked to nothing (or when the store cannot tell), admins only, unless `authorizeRemote` says
 * yes. The answer is the `UpdateResult` (or `BatchUpdateResult`), with the status of its error code.
 */

import type { PipedriveSync } from '../index';
import type { ErrorCode } from '../errors';
import type { BatchUpdateRequest } from '../updates';
import { errorResponse, json, readObject, STATUS_OF } from './http';

/** The record types of the update routes. */
export type UpdateRecordType = BatchUpdateRequest['recordType'];

/** Who is asking, as the handlers know it. */
export interface UpdateCaller {
  userId: string;
  isAdmin?: boolean;
}

/** Decides updates of Pipedrive records linked to no local record (default: admins only). */
export type AuthorizeRemote = (caller: UpdateCaller, recordType: UpdateRecordType, pipedriveId: string) => boolean | Promise<boolean>;

/** The status of an update's answer: 200 when it succeeded, else the status of its error's code. */
function statusOf(error: string | undefined): number {
  const code = (error ?? '').split(':')[0] as ErrorCode;
  return STATUS_OF[code] ?? 500;
}

/**
 * Why `caller` may not update `recordType` `pipedriveId`, or `null` when they may.
 */
async function refusal(
  sync: PipedriveSync,
  caller: UpdateCaller,
  recordType: UpdateRecordType,
  pipedriveId: string,
  authorizeRemote: AuthorizeRemote | undefined,
): Promise<string | null> {
  if (caller.isAdmin) return null;
  const numeric = Number(pipedriveId);
  const linked = Number.isInteger(numeric) && numeric > 0 && sync.store.findLinkedRecord
    ? await sync.store.findLinkedRecord(recordType, numeric)
    : null;
  if (linked?.ownerId) return linked.ownerId === caller.userId ? null : `this ${recordType} belongs to another user`;
  if (authorizeRemote && (await authorizeRemote(caller, recordType, pipedriveId))) return null;
  return linked
    ? `this ${recordType} has no owner: only admins may update it`
    : `this Pipedrive ${recordType} is linked to no record of yours: only admins may update it`;
}

/** The update handlers' bodies, given an authenticated caller, the route id and the request. */
export function updateRoutes(sync: PipedriveSync, authorizeRemote: AuthorizeRemote | undefined) {
  const one = (recordType: UpdateRecordType) => async (caller: UpdateCaller, id: string, request: Request): Promise<Response> => {
    const body = await readObject(request);
    if (body instanceof Response) return body;
    const refused = await refusal(sync, caller, recordType, id, authorizeRemote);
    if (refused) return errorResponse('AUTH', `AUTH: ${refused}`, undefined, 403);
    const update = {
      activity: sync.updates.updateActivity,
      person: sync.updates.updatePerson,
      organization: sync.updates.updateOrganization,
      deal: sync.updates.updateDeal,
    }[recordType];
    const result = await update(id, body as never);
    return json(result, result.success ? 200 : statusOf(result.error));
  };
  return {
    updateActivity: one('activity'),
    updatePerson: one('person'),
    updateOrganization: one('organization'),
    updateDeal: one('deal'),
    batchUpdate: async (caller: UpdateCaller, request: Request): Promise<Response> => {
      const body = await readObject(request);
      if (body instanceof Response) return body;
      if (!Array.isArray(body.updates)) return errorResponse('VALIDATION', 'VALIDATION: updates must be an array of {recordType, recordId, data}');
      const updates = body.updates as BatchUpdateRequest[];
      for (const [index, item] of updates.entries()) {
        const type = item?.recordType;
        if (!['activity', 'person', 'organization', 'deal'].includes(type)) continue; // the engine answers it per item
        const refused = await refusal(sync, caller, type, String(item.recordId ?? ''), authorizeRemote);
        if (refused) return errorResponse('AUTH', `AUTH: updates[${index}]: ${refused}`, undefined, 403);
      }
      return json(await sync.updates.batchUpdate(updates));
    },
  };
}
