/**
 * @module prisma/outbox_rows
 * Outbox rows as raw SQL returns them: their columns, and the conversion to `SyncJob`s.
 */

import type { SyncJob, SyncJobState } from '../store/types';
import { isSyncJobState } from './model_values';
import { fragment, toInt, toIso, type SqlFragment } from './sql';

/** An outbox row as `$queryRaw` returns it (column names as in the table). */
export interface RawJobRow {
  id: number | bigint;
  kind: string;
  dedupe_key: string;
  record_type: string;
  record_id: string;
  payload: string;
  state: string;
  priority: number | bigint;
  attempts: number | bigint;
  next_attempt_at: unknown;
  lease_owner: string | null;
  lease_until: unknown;
  lease_token: number | bigint;
  in_doubt_since: unknown;
  last_error: string | null;
  created_at: unknown;
  updated_at: unknown;
  done_at: unknown;
}

/** The columns of {@link RawJobRow}, for `SELECT`/`RETURNING` lists (`prefix` qualifies them, e.g. `t.`). */
export function jobColumns(prefix = ''): SqlFragment {
  const names = ['id', 'kind', 'dedupe_key', 'record_type', 'record_id', 'payload', 'state', 'priority', 'attempts',
    'next_attempt_at', 'lease_owner', 'lease_until', 'lease_token', 'in_doubt_since', 'last_error', 'created_at', 'updated_at',
    'done_at'];
  const text = names.map((name) => `${prefix}"${name}"`).join(', ');
  return fragment([text], []);
}

/** A `SyncJob` from a raw row: payload parsed, times as ISO 8601, integers as numbers. */
export function toSyncJob(row: RawJobRow): SyncJob {
  if (!isSyncJobState(row.state)) throw new TypeError(`outbox job ${String(row.id)} has an unknown state '${String(row.state)}'`);
  let payload: unknown;
  try {
    payload = JSON.parse(row.payload);
  } catch (error) {
    throw new TypeError(`outbox job ${String(row.id)} has a payload that is not JSON`, { cause: error });
  }
  return {
    id: toInt(row.id),
    kind: row.kind,
    recordType: row.record_type,
    recordId: row.record_id,
    dedupeKey: row.dedupe_key,
    payload: payload !== null && typeof payload === 'object' && !Array.isArray(payload) ? (payload as Record<string, unknown>) : {},
    state: row.state as SyncJobState,
    priority: toInt(row.priority),
    attempts: toInt(row.attempts),
    nextAttemptAt: toIso(row.next_attempt_at) as string,
    leaseOwner: row.lease_owner,
    leaseUntil: toIso(row.lease_until),
    leaseToken: toInt(row.lease_token),
    inDoubtSince: toIso(row.in_doubt_since),
    lastError: row.last_error,
    createdAt: toIso(row.created_at) as string,
    updatedAt: toIso(row.updated_at) as string,
    doneAt: toIso(row.done_at),
  };
}
