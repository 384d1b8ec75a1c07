'use server';
/**
 * @module next-crm/app/actions/session
 * Sign-in and sign-out: the email and password are checked against the seeded users (`lib/credentials.ts` and the
 * users table), and the session is an HTTP-only signed cookie (`lib/session_cookie.ts`).
 */

import { redirect } from 'next/navigation';

import { passwordMatches } from '@/lib/credentials';
import { getPrisma } from '@/lib/database';
import { SEED_USERS } from '@/lib/seed/seed_data';
import { endSession, startSession } from '@/lib/session_cookie';

/** The sign-in form's state: the error to show, if any. */
export interface SignInState {
  error?: string;
}

/** Signs the user in and goes to the contacts, or answers why not. */
export async function signInAction(_previous: SignInState, form: FormData): Promise<SignInState> {
  const email = String(form.get('email') ?? '').trim().toLowerCase();
  const password = String(form.get('password') ?? '');
  if (!email || !password) return { error: 'Enter your email and password.' };
  const prisma = await getPrisma();
  const user = await prisma.user.findFirst({ where: { email } });
  if (!user || !passwordMatches(email, password)) return { error: 'That email and password do not match a user.' };
  const isAdmin = SEED_USERS.find((seeded) => seeded.email === email)?.isAdmin === true;
  await startSession({ userId: user.id, email: user.email, isAdmin });
  redirect('/contacts');
}

/** Ends the session. */
export async function signOutAction(): Promise<void> {
  await endSession();
  redirect('/auth/signin');
}
