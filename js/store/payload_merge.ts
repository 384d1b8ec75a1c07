/**
 * @module store/payload_merge
 * How a newer change merges into a job still waiting in the outbox (one rule for every store): the newer payload's
 * keys win, except that a `null` never replaces a value already known (a hook called without a user must not wipe
 * the user a previous change named). Two keys of the record-edit payloads (`update_record` jobs of the CRM's edit
 * hooks, `record_edits.ts`) merge more finely, so that coalesced edits lose nothing: `data` (the changed fields)
 * merges field by field, and `changedAt` keeps the later instant.
 */

import { isPlainObject } from './argument_checks';

/**
 * `pending` with `newer` merged in (neither is modified):
 *
 * - top level: newer keys overwrite, and a `null` only fills a key that holds nothing yet;
 * - `data`, when both hold plain objects: merged key by key, the newer value winning, `null` included (clearing a
 *   field is a change); a fresh object;
 * - `changedAt`, when both hold instants: the later one is kept (an edit that arrives late does not make the
 *   coalesced change look older than it is).
 */
export function mergePayload(pending: Record<string, unknown>, newer: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...pending };
  for (const [key, value] of Object.entries(newer)) {
    const known = merged[key];
    if (value === null && known !== undefined && known !== null) continue;
    if (key === 'data' && isPlainObject(known) && isPlainObject(value)) {
      merged[key] = { ...known, ...value };
    } else if (key === 'changedAt' && isLaterInstant(known, value)) {
      continue;
    } else {
      merged[key] = value;
    }
  }
  return merged;
}

/** Whether `known` and `newer` are both instants and `known` is the later one. */
function isLaterInstant(known: unknown, newer: unknown): boolean {
  if (typeof known !== 'string' || typeof newer !== 'string') return false;
  return Date.parse(known) > Date.parse(newer); // false when either does not parse: the newer value wins
}
