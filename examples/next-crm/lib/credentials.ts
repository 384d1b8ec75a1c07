/**
 * @module next-crm/lib/credentials
 * Password check for the seeded demo users. The reference schema has no password column (it is the package's
 * schema, not a whole CRM's), so the demo passwords live in the seed and are compared as scrypt hashes in
 * constant time. A real CRM replaces this module with its own sign-in (NextAuth, Clerk, its user table...).
 */

import { scryptSync, timingSafeEqual } from 'node:crypto';

import { SEED_USERS } from './seed/seed_data';

/** A fixed salt is enough for demo passwords that are public anyway; a real CRM stores a salt per user. */
const SALT = 'next-crm-demo-credentials';

/** The scrypt hash of `password`. */
function hash(password: string): Buffer {
  return scryptSync(password, SALT, 32);
}

/** Each seeded user's email (lowercased) and password hash, computed once. */
const HASHES = new Map(SEED_USERS.map((user) => [user.email.toLowerCase(), hash(user.password)]));

/** Whether `password` is the demo password of `email` (case-insensitive); hashes even for unknown emails. */
export function passwordMatches(email: string, password: string): boolean {
  const expected = HASHES.get(email.trim().toLowerCase());
  const given = hash(password);
  return expected !== undefined && timingSafeEqual(given, expected);
}
