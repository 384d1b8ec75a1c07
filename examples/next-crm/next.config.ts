import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  // pipedrive-sync loads its .wasm from its own folder at run time: it must stay a Node package, not be bundled.
  serverExternalPackages: ['pipedrive-sync'],
};

export default nextConfig;
