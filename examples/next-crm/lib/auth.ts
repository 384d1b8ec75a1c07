/**
 * @module next-crm/lib/auth
 * Who is calling: the one `authenticate` of the app, given to the package's route handlers
 * (`createRouteHandlers(sync, {authenticate: currentUser})`) and used by the app's own routes (`lib/app_route.ts`),
 * so every route answers 401 to a request without a valid session, the same way.
 */

import type { AuthenticatedUser } from 'pipedrive-sync/next';

import { verifySession } from './session';

/** The user of `request`'s `Authorization: Bearer <session>` header (see `lib/session.ts`), or null. */
export function currentUser(request: Request): AuthenticatedUser | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get('authorization') ?? '');
  const session = match ? verifySession(match[1], process.env.CRM_SESSION_SECRET) : null;
  return session ? { userId: session.userId, email: session.email, isAdmin: session.isAdmin === true } : null;
}
