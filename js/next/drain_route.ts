/**
 * @module next/drain_route
 * `handlers.drain`: a bounded drain of the outbox for a scheduler (cron) on serverless hosts (DESIGN §13), where no
 * process lives long enough for `sync.queue.run`. It takes no session: the scheduler authenticates with a shared
 * secret, `Authorization: Bearer <secret>` (what Vercel Cron sends with `CRON_SECRET`), compared in constant time;
 * without a configured secret every call is refused (fail closed). The drain claims jobs until none is due or the
 * time budget (default 50 s) runs out, then finishes the jobs in hand and answers `{success, report}`. Pacing is
 * shared with every other instance and worker through the store, so overlapping cron calls stay under the limits.
 */

import { createHash, timingSafeEqual } from 'node:crypto';
import type { PipedriveSync } from '../index';
import { errorResponse, json, thrownResponse, type HandlerFailure } from './http';

/** The default time budget of one cron drain: under the 60 s a serverless function commonly gets. */
export const DRAIN_BUDGET_MS = 50_000;

/** Options of `handlers.drain`. */
export interface DrainRouteOptions {
  /** The shared secret the scheduler sends as `Authorization: Bearer <secret>` (e.g. `process.env.CRON_SECRET`). */
  secret?: string;
  /** How long the drain claims jobs, in ms (default 50,000; from 1,000 to 900,000). */
  budgetMs?: number;
}

/** Whether `given` equals `expected`, in time independent of where they differ (digests of equal length). */
function sameSecret(given: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** The cron drain over `sync`; throws a `TypeError` naming the option when the options are unusable. */
export function drainRoute(sync: PipedriveSync, options: DrainRouteOptions, log: (failure: HandlerFailure) => void): (request: Request) => Promise<Response> {
  const budgetMs = options.budgetMs ?? DRAIN_BUDGET_MS;
  if (!Number.isInteger(budgetMs) || budgetMs < 1_000 || budgetMs > 900_000) {
    throw new TypeError('createRouteHandlers: drain.budgetMs must be a whole number of milliseconds from 1000 to 900000');
  }
  if (options.secret !== undefined && (typeof options.secret !== 'string' || options.secret.length < 16)) {
    throw new TypeError('createRouteHandlers: drain.secret must be a string of at least 16 characters');
  }
  return async (request) => {
    const header = request.headers.get('authorization') ?? '';
    const given = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : '';
    if (!options.secret || !given || !sameSecret(given, options.secret)) {
      return errorResponse('AUTH', 'AUTH: the drain route needs the scheduler secret (Authorization: Bearer <secret>)', undefined, 401);
    }
    try {
      const report = await sync.queue.drain({ signal: AbortSignal.timeout(budgetMs) });
      return json({ success: true, report });
    } catch (thrown) {
      return thrownResponse(thrown, log);
    }
  };
}
