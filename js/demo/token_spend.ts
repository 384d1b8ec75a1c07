/**
 * @module demo/token_spend
 * What the requests of a run cost in Pipedrive API tokens: a request's route key in the token-cost table
 * (`GET /api/v2/persons/{id}`) and the sum over a list of requests, from the costs in `js/emulator/limits/token_costs.ts`
 * (the official OpenAPI `x-token-cost` values).
 */

import { tokenCost } from '../emulator/limits/token_costs';

/** A request as the journal or an HTTP wrapper records it. */
export interface SentRequest {
  method: string;
  /** Path (`/api/v2/persons/12`) or full URL. */
  path: string;
  /** HTTP status; 429s are refused before they are charged. */
  status: number;
}

/**
 * The token-cost key of a request: upper-case method and path, `/api/v1` folded into `/v1`, numeric segments as
 * `{id}` (enough for the records the engine touches; unknown keys cost the table's default).
 */
export function routeKey(method: string, pathOrUrl: string): string {
  let path = pathOrUrl;
  if (/^https?:\/\//i.test(path)) path = new URL(path).pathname;
  path = path.split('?')[0].replace(/\/+$/, '');
  if (path.startsWith('/api/v1/')) path = path.slice('/api'.length);
  path = path.replace(/\/\d+(?=\/|$)/g, '/{id}');
  return `${method.toUpperCase()} ${path}`;
}

/** The tokens a request costs, by its route key; nothing for a 429 (Pipedrive charges only answered requests). */
export function requestTokens(request: SentRequest): number {
  return request.status === 429 ? 0 : tokenCost(routeKey(request.method, request.path));
}

/** The tokens a list of requests costs. */
export function totalTokens(requests: Iterable<SentRequest>): number {
  let sum = 0;
  for (const request of requests) sum += requestTokens(request);
  return sum;
}
