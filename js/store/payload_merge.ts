/**
 * @module store/payload_merge
 * How a newer change merges into a job still waiting in the outbox (one rule for every store): the newer payload's
 * keys win, except that a `null` never replaces a value already known (a hook called without a user must not wipe
 * the user a previous change named).
 */

/** `pending` with `newer` merged in: newer keys overwrite, `null`s only fill keys that hold nothing yet. */
export function mergePayload(pending: Record<string, unknown>, newer: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...pending };
  for (const [key, value] of Object.entries(newer)) {
    if (value === null && merged[key] !== undefined && merged[key] !== null) continue;
    merged[key] = value;
  }
  return merged;
}
