import type { ReactNode } from 'react';

export const metadata = { title: 'Next CRM · pipedrive-sync' };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body style={{ fontFamily: 'system-ui, sans-serif', margin: '2rem' }}>{children}</body>
    </html>
  );
}
