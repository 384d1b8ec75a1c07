/**
 * @module next-crm/app/layout
 * The root layout: a sidebar (the CRM's sections, the signed-in user, sign-out) beside the page, and the toaster
 * every action's toasts go to. Pages without a user (sign-in) get the bare page.
 */

import type { ReactNode } from 'react';
import { Toaster } from 'sonner';

import { signOutAction } from '@/app/actions/session';
import { optionalUser } from '@/lib/auth';
import './globals.css';

/** The page title. */
export const metadata = { title: 'Next CRM · pipedrive-sync' };

/** The root layout. */
export default async function RootLayout({ children }: { children: ReactNode }) {
  const user = await optionalUser();
  return (
    <html lang="en">
      <body>
        {user ? (
          <div className="shell">
            <nav className="sidebar">
              <div className="brand">
                Next CRM<small>synced with Pipedrive</small>
              </div>
              <a href="/contacts">Contacts</a>
              <a href="/activities/new">Log activity</a>
              <a href="/conflicts">Conflicts</a>
              <a href="/sync">Sync</a>
              <div className="spacer" />
              <div className="who" data-testid="signed-in-user">{user.email}</div>
              <form action={signOutAction}>
                <button type="submit" data-testid="signout-button">Sign out</button>
              </form>
            </nav>
            <main className="main">{children}</main>
          </div>
        ) : (
          children
        )}
        <Toaster position="bottom-right" richColors closeButton duration={8000} />
      </body>
    </html>
  );
}
