/**
 * @module emulator/webhooks/retry_policy
 * Pipedrive's delivery rules as plain decisions (guide-for-webhooks-v2 "Retry logic", API-FACTS §9): any 2xx within
 * 10 s is a success; anything else (another status, a redirect, a connection error, the timeout) is a failure, retried
 * after 3, 30 and 150 s, then given up. The delays are counted on the emulator's clock, so a test moves the clock
 * instead of waiting; the timeout is real time (it bounds a network wait).
 */

/** The delays before the three retries, ms of emulator time. */
export const WEBHOOK_RETRY_DELAYS_MS: readonly number[] = [3_000, 30_000, 150_000];
/** How long a receiver may take to answer, real ms. */
export const WEBHOOK_TIMEOUT_MS = 10_000;

/** Whether a receiver's status counts as delivered: 2xx only (redirects are not followed). */
export function isDelivered(status: number | null): boolean {
  return status !== null && status >= 200 && status <= 299;
}

/**
 * When attempt `attempt + 1` is due after attempt `attempt` (1-based) failed at `failedAt`; `null` when the
 * retries are used up.
 */
export function nextAttemptAt(attempt: number, failedAt: number, delays: readonly number[] = WEBHOOK_RETRY_DELAYS_MS): number | null {
  const delay = delays[attempt - 1];
  return delay === undefined ? null : failedAt + delay;
}

/** Checks a configured retry schedule: at most 10 delays, each a whole number of ms in 0..1 day. */
export function checkRetryDelays(delays: readonly number[]): readonly number[] {
  if (!Array.isArray(delays) || delays.length > 10 || delays.some((d) => !Number.isInteger(d) || d < 0 || d > 86_400_000)) {
    throw new Error(`webhookRetryDelaysMs must be at most 10 whole numbers of ms in 0..86400000, got ${JSON.stringify(delays)}`);
  }
  return [...delays];
}
