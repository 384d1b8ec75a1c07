/**
 * @module emulator/routes/deal_status
 * A deal's status (`open`, `won`, `lost`) and the fields bound to it (`openapi-v2.yaml` PATCH /deals/{id};
 * UPDATES-FACTS §1.7): `lost_reason` "can only be set if deal status is lost", `won_time` only if won, `lost_time`
 * only if lost, `close_time` only if won or lost, all checked against the status the deal will have after the write.
 * Moving to won or lost stamps `won_time`/`lost_time` and `close_time` (unless given); leaving a status clears its
 * fields, `lost_reason` included (whether Pipedrive keeps a reopened deal's lost reason is [UNVERIFIED]; clearing it
 * keeps "a lost reason only on a lost deal" true). The refusal is a 400 `ERR_BAD_REQUEST` (its exact wording is
 * [UNVERIFIED]).
 */

import type { DealRecord } from '../model/records';
import { badRequest } from '../wire/envelope';

/** Refuses status-bound fields that do not fit the status the deal will have (`status`, or the current one). */
export function checkStatusFields(body: Record<string, unknown>, currentStatus: string): void {
  const status = (body.status as string | undefined) ?? currentStatus;
  const fail = (field: string, rule: string): never => {
    throw badRequest(`'${field}' can only be set if deal status is ${rule}; the deal's status would be '${status}'`);
  };
  if (typeof body.lost_reason === 'string' && status !== 'lost') fail('lost_reason', 'lost');
  if (body.won_time !== undefined && status !== 'won') fail('won_time', 'won');
  if (body.lost_time !== undefined && status !== 'lost') fail('lost_time', 'lost');
  if (typeof body.close_time === 'string' && status === 'open') fail('close_time', 'won or lost');
}

/** Applies `status` and the fields bound to it; `time` (RFC 3339) stamps what the move sets. */
export function applyStatus(rec: DealRecord, body: Record<string, unknown>, time: string): void {
  const next = (body.status as string | undefined) ?? rec.status;
  const given = <K extends 'won_time' | 'lost_time' | 'close_time' | 'lost_reason'>(k: K): DealRecord[K] | undefined => body[k] as DealRecord[K] | undefined;
  if (next !== rec.status) {
    rec.status = next;
    rec.won_time = next === 'won' ? given('won_time') ?? time : null;
    rec.lost_time = next === 'lost' ? given('lost_time') ?? time : null;
    rec.lost_reason = next === 'lost' ? given('lost_reason') ?? null : null;
    rec.close_time = next === 'open' ? null : given('close_time') ?? time;
    return;
  }
  for (const k of ['won_time', 'lost_time', 'close_time', 'lost_reason'] as const) {
    const v = given(k);
    if (v !== undefined) rec[k] = v;
  }
}
