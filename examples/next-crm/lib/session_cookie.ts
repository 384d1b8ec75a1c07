/**
 * @module next-crm/lib/session_cookie
 * The browser's session: the signed session of `lib/session.ts` in an HTTP-only, SameSite=Lax cookie, set by the
 * sign-in action and cleared by sign-out. Pages and server actions read it through `next/headers`.
 */

import { cookies } from 'next/headers';

import { signSession, verifySession, type Session } from './session';

/** The cookie's name. */
export const SESSION_COOKIE = 'crm_session';
/** How long a browser session lasts. */
export const SESSION_MS = 8 * 3_600_000;

/** The app's session secret, or a clear error when it is missing or too short. */
export function sessionSecret(): string {
  const secret = process.env.CRM_SESSION_SECRET ?? '';
  if (secret.length < 32) throw new Error('CRM_SESSION_SECRET must be set to at least 32 characters to sign sessions');
  return secret;
}

/** Sets the session cookie for `session` (without `expiresAt`: it is set here). */
export async function startSession(session: Omit<Session, 'expiresAt'>): Promise<void> {
  const expiresAt = Date.now() + SESSION_MS;
  const jar = await cookies();
  jar.set(SESSION_COOKIE, signSession({ ...session, expiresAt }, sessionSecret()), {
    httpOnly: true,
    sameSite: 'lax',
    path: '/',
    secure: process.env.CRM_SECURE_COOKIES === '1',
    expires: new Date(expiresAt),
  });
}

/** Deletes the session cookie. */
export async function endSession(): Promise<void> {
  (await cookies()).delete(SESSION_COOKIE);
}

/** The session of the current request's cookie, or null. */
export async function cookieSession(): Promise<Session | null> {
  const token = (await cookies()).get(SESSION_COOKIE)?.value;
  return token ? verifySession(token, process.env.CRM_SESSION_SECRET) : null;
}

/** The session in a raw `Cookie` header (for route handlers, which get a `Request`), or null. */
export function sessionFromCookieHeader(header: string | null): Session | null {
  for (const part of (header ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === SESSION_COOKIE) return verifySession(decodeURIComponent(value.join('=')), process.env.CRM_SESSION_SECRET);
  }
  return null;
}
