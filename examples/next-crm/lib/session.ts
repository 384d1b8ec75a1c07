/**
 * @module next-crm/lib/session
 * The example's demo sessions: a session is a bearer token, `<payload>.<signature>`, where the payload is the
 * base64url JSON of {@link Session} and the signature its HMAC-SHA256 under the app's secret (`CRM_SESSION_SECRET`,
 * at least 32 characters). A real CRM replaces this with its own sign-in (NextAuth, Clerk, its session cookie...);
 * `lib/auth.ts` is the one place that reads sessions, so only it changes. Mint one for trying the app (the same bytes {@link signSession} produces):
 *
 *     TOKEN=$(node -e "const p = Buffer.from(JSON.stringify({userId: 'u1', email: 'sam@acme.test',
 *       expiresAt: Date.now() + 864e5})).toString('base64url'); console.log(p + '.' + require('node:crypto')
 *       .createHmac('sha256', process.env.CRM_SESSION_SECRET).update(p).digest('base64url'))")
 *     curl -H "authorization: Bearer $TOKEN" http://localhost:3000/api/engine
 *
 * The same signed value travels as a bearer token (scripts) or in the browser's HTTP-only session cookie
 * (`lib/session_cookie.ts`); `lib/auth.ts` accepts a cookie on a write only from the app's own origin, so a
 * cross-site page cannot make a signed-in user's browser call the POST routes.
 */

import { createHmac, timingSafeEqual } from 'node:crypto';

/** What a session says about its user. */
export interface Session {
  /** The CRM user id. */
  userId: string;
  /** The user's email: a non-admin may only look up or set up their own Pipedrive user. */
  email?: string;
  /** Admins may act on other users' records. */
  isAdmin?: boolean;
  /** When the session ends, epoch milliseconds. */
  expiresAt: number;
}

/** The shortest secret the app accepts: a shorter one signs nothing and verifies nothing (fail closed). */
export const MIN_SECRET_LENGTH = 32;

/** The HMAC-SHA256 of `payload` under `secret`. */
function signature(payload: string, secret: string): Buffer {
  return createHmac('sha256', secret).update(payload).digest();
}

/** Signs `session` with `secret`; throws when the secret is shorter than {@link MIN_SECRET_LENGTH}. */
export function signSession(session: Session, secret: string): string {
  if (secret.length < MIN_SECRET_LENGTH) throw new RangeError(`the session secret must be at least ${MIN_SECRET_LENGTH} characters`);
  const payload = Buffer.from(JSON.stringify(session)).toString('base64url');
  return `${payload}.${signature(payload, secret).toString('base64url')}`;
}

/**
 * The session `token` carries, or `null` when it is malformed, signed with another secret, expired, or when
 * `secret` is too short to trust.
 */
export function verifySession(token: string, secret: string | undefined, now: number = Date.now()): Session | null {
  if (!secret || secret.length < MIN_SECRET_LENGTH) return null;
  const [payload, signed, ...rest] = token.split('.');
  if (!payload || !signed || rest.length > 0) return null;
  const expected = signature(payload, secret);
  const given = Buffer.from(signed, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  let session: unknown;
  try {
    session = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (typeof session !== 'object' || session === null) return null;
  const { userId, email, isAdmin, expiresAt } = session as Record<string, unknown>;
  if (typeof userId !== 'string' || userId === '' || typeof expiresAt !== 'number' || expiresAt <= now) return null;
  if (email !== undefined && typeof email !== 'string') return null;
  if (isAdmin !== undefined && typeof isAdmin !== 'boolean') return null;
  return { userId, email, isAdmin, expiresAt };
}
