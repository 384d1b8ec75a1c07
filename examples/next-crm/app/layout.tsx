/**
 * @module next-crm/app/layout
 * The root layout of the App Router.
 */

import type { ReactNode } from 'react';

/** The page title. */
export const metadata = { title: 'Next CRM · pipedrive-sync' };

/** The root layout: one page body. */
export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body style={{ fontFamily: 'system-ui, sans-serif', margin: '2rem' }}>{children}</body>
    </html>
  );
}
