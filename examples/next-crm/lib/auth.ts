/**
 * @module next-crm/lib/auth
 * Who is calling. Route handlers (the package's `createRouteHandlers(sync, {authenticate: currentUser})` and the
 * app's own, `lib/app_route.ts`) take a bearer session (`Authorization: Bearer <session>`, for scripts) or the
 * browser's session cookie; a cookie on a request that changes something must come with this app's own `Origin`
 * (a cross-site page cannot use the cookie). Pages and server actions use {@link requireUser} (Next.js checks
 * server actions' `Origin` itself).
 */

import { redirect } from 'next/navigation';
import type { AuthenticatedUser } from 'pipedrive-sync/next';

import { verifySession, type Session } from './session';
import { cookieSession, sessionFromCookieHeader } from './session_cookie';

/** The user a session names. */
function userOf(session: Session): AuthenticatedUser {
  return { userId: session.userId, email: session.email, isAdmin: session.isAdmin === true };
}

/** Whether a cookie-authenticated `request` may act: reads always, writes only from this app's own pages. */
function sameOrigin(request: Request): boolean {
  if (request.method === 'GET' || request.method === 'HEAD') return true;
  const origin = request.headers.get('origin');
  const host = request.headers.get('x-forwarded-host') ?? request.headers.get('host');
  if (!origin || !host) return false;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

/** The user of `request`: its bearer session, else its session cookie (same-origin writes only), else null. */
export function currentUser(request: Request): AuthenticatedUser | null {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get('authorization') ?? '');
  if (bearer) {
    const session = verifySession(bearer[1], process.env.CRM_SESSION_SECRET);
    return session ? userOf(session) : null;
  }
  const session = sessionFromCookieHeader(request.headers.get('cookie'));
  return session && sameOrigin(request) ? userOf(session) : null;
}

/** The signed-in user of a page or server action; redirects to the sign-in page without one. */
export async function requireUser(): Promise<AuthenticatedUser & { email: string }> {
  const session = await cookieSession();
  if (!session) redirect('/auth/signin');
  return { ...userOf(session), email: session.email ?? '' };
}

/** The signed-in user, or null (for the layout's header). */
export async function optionalUser(): Promise<AuthenticatedUser | null> {
  const session = await cookieSession();
  return session ? userOf(session) : null;
}
