/**
 * @module next-crm/app/page
 * The home page: the contacts list for a signed-in user, the sign-in page otherwise.
 */

import { redirect } from 'next/navigation';

import { optionalUser } from '@/lib/auth';

/** Never prerendered: it depends on the session. */
export const dynamic = 'force-dynamic';

/** Redirects to where the user can start. */
export default async function Home() {
  redirect((await optionalUser()) ? '/contacts' : '/auth/signin');
}
