/**
 * @module next-crm/next.config
 * Next.js configuration: pipedrive-sync and the database drivers stay unbundled Node packages.
 */

import type { NextConfig } from 'next';

/** The app's Next.js configuration. */
const nextConfig: NextConfig = {
  // pipedrive-sync loads its .wasm from its own folder at run time, and the database drivers load native code or
  // engines of their own: they must stay Node packages, not be bundled.
  serverExternalPackages: ['pipedrive-sync', '@prisma/client', '@prisma/adapter-better-sqlite3', 'better-sqlite3', '@prisma/adapter-pg', 'pg'],
  // Only the app's own folder: the repository around it has lock files of its own.
  outputFileTracingRoot: __dirname,
  turbopack: { root: __dirname },
};

export default nextConfig;
