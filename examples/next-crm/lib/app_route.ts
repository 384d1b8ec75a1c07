/**
 * @module next-crm/lib/app_route
 * Every route of the app goes through here, so all of them follow the package's handler rules
 * (`pipedrive-sync/next`): 401 without a signed-in user (`lib/auth.ts`), the per-user throttle (429 with
 * `Retry-After`), typed errors answered with their code and status, and failures of our own as a 500 that names
 * only a correlation id (the details go to the server log). The spec's endpoints are the package's own handlers
 * ({@link packageRoute}); the app's other routes are {@link appRoute}s, which do the same around their body.
 */

import { randomUUID } from 'node:crypto';

import { PipedriveSyncError, type ErrorCode, type PipedriveSync } from 'pipedrive-sync';
import type { AuthenticatedUser, RouteContext, RouteHandler, RouteHandlers } from 'pipedrive-sync/next';

import { currentUser } from './auth';
import { getHandlers, getSync } from './sync';

/** The status of each error code, as the package's handlers answer it (`AUTH` is Pipedrive refusing our token). */
const STATUS_OF: Record<ErrorCode, number> = {
  CONFIG: 500, VALIDATION: 400, NOT_FOUND: 404, AUTH: 502, RATE_LIMITED: 429, UNAVAILABLE: 503, CONFLICT: 409, STORE: 500, INTERNAL: 500,
};

/** `{success: false, error, code}` with the code's status (or `status`: 401 and 403 are the caller's own). */
export function failure(code: ErrorCode, error: string, status: number = STATUS_OF[code], retryAfterMs?: number): Response {
  const headers: Record<string, string> = {};
  if (code === 'RATE_LIMITED' && typeof retryAfterMs === 'number') headers['retry-after'] = String(Math.max(1, Math.ceil(retryAfterMs / 1000)));
  return Response.json({ success: false, error, code }, { status, headers });
}

/** The 401 of a request without a signed-in user, worded as the package's handlers word it. */
function unauthenticated(): Response {
  return failure('AUTH', 'AUTH: sign in to use this endpoint', 401);
}

/** The answer for anything a route threw: typed errors the caller can act on keep their code; the rest is a 500. */
function thrownResponse(thrown: unknown): Response {
  if (thrown instanceof PipedriveSyncError && !['STORE', 'INTERNAL', 'CONFIG'].includes(thrown.code)) {
    return failure(thrown.code, thrown.message, undefined, thrown.details.retryAfterMs as number | undefined);
  }
  const correlationId = randomUUID();
  const code: ErrorCode = thrown instanceof PipedriveSyncError ? thrown.code : 'INTERNAL';
  console.error('next-crm route failed', { correlationId, code, error: thrown });
  return Response.json(
    { success: false, error: `${code}: the request failed on our side; quote ${correlationId} when reporting it`, code, correlationId },
    { status: 500 },
  );
}

/** What an app route's body gets: the signed-in user, the request, the engine and the route context. */
export type AppRouteBody = (user: AuthenticatedUser, request: Request, sync: PipedriveSync, context: RouteContext) => Promise<Response>;

/** One of the app's own routes: authenticates, counts the request against the user's throttle, runs `body`. */
export function appRoute(body: AppRouteBody): RouteHandler {
  return async (request, context) => {
    try {
      const user = currentUser(request);
      if (!user) return unauthenticated();
      const sync = await getSync();
      sync.rateLimit.allowUser(user.userId);
      return await body(user, request, sync, context);
    } catch (thrown) {
      return thrownResponse(thrown);
    }
  };
}

/**
 * One of the package's handlers (`createRouteHandlers`, authenticated by the same `currentUser`). A request
 * without a user is refused before the engine is created, so it gets its 401 even while the engine cannot start.
 */
export function packageRoute(pick: (handlers: RouteHandlers) => RouteHandler): RouteHandler {
  return async (request, context) => {
    if (!currentUser(request)) return unauthenticated();
    let handlers: RouteHandlers;
    try {
      handlers = await getHandlers();
    } catch (thrown) {
      return thrownResponse(thrown);
    }
    return pick(handlers)(request, context);
  };
}

/** Whether a non-admin `user` is asking about their own email (fail closed: no email of their own, no). */
export function isOwnEmail(user: AuthenticatedUser, email: string): boolean {
  return !!user.email && user.email.trim().toLowerCase() === email.trim().toLowerCase();
}
