/**
 * @module next-crm/next.config
 * Next.js configuration: pipedrive-sync stays an unbundled Node package.
 */

import type { NextConfig } from 'next';

/** The app's Next.js configuration. */
const nextConfig: NextConfig = {
  // pipedrive-sync loads its .wasm from its own folder at run time: it must stay a Node package, not be bundled.
  serverExternalPackages: ['pipedrive-sync'],
};

export default nextConfig;
