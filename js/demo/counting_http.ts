/**
 * @module demo/counting_http
 * The demo's HTTP host: the package's fetch host, counting what the engine sends (requests, 429s, the route of
 * each) and keeping Pipedrive's daily-budget headers, so the summary can report requests and tokens against real
 * Pipedrive as well as against the emulator.
 */

import { createFetchHttp } from '../host/fetch_http';
import type { HttpSend } from '../host/types';
import type { SentRequest } from './token_spend';

/** What went over the wire so far. */
export interface HttpTally {
  /** Every request sent (transport failures have status 0). */
  requests: SentRequest[];
  /** Responses with status 429. */
  rateLimited: number;
  /** `x-daily-ratelimit-token-remaining` of the first response that had it, with that request. */
  firstDailyRemaining: { remaining: number; request: SentRequest } | null;
}

/** An `HttpSend` that counts, and its tally. */
export function createCountingHttp(inner: HttpSend = createFetchHttp()): { send: HttpSend; tally: HttpTally } {
  const tally: HttpTally = { requests: [], rateLimited: 0, firstDailyRemaining: null };
  const send: HttpSend = async (request) => {
    const response = await inner(request);
    const status = 'status' in response ? response.status : 0;
    const sent: SentRequest = { method: request.method, path: new URL(request.url).pathname, status };
    tally.requests.push(sent);
    if (status === 429) tally.rateLimited++;
    if ('headers' in response && tally.firstDailyRemaining === null) {
      const remaining = Number(response.headers['x-daily-ratelimit-token-remaining']);
      if (response.headers['x-daily-ratelimit-token-remaining'] !== undefined && Number.isFinite(remaining)) {
        tally.firstDailyRemaining = { remaining, request: sent };
      }
    }
    return response;
  };
  return { send, tally };
}
