/**
 * @module next-crm/lib/sync
 * The app's one pipedrive-sync engine, created on first use and shared by every route, and the package's route
 * handlers over it (spec §8), authenticated by `lib/auth.ts`.
 */

import { createMemoryStore, createPipedriveSync, type PipedriveSync } from 'pipedrive-sync';
import { createRouteHandlers, type RouteHandlers } from 'pipedrive-sync/next';

import { currentUser } from './auth';

// The smoke-test app has no database yet, so it keeps the sync state in memory; the reference app moves to the
// Prisma store (createPrismaStore from 'pipedrive-sync/prisma').
const store = createMemoryStore();

let sync: Promise<PipedriveSync> | null = null;
let handlers: Promise<RouteHandlers> | null = null;

/** The engine, created on the first call from `PIPEDRIVE_API_TOKEN` and `PIPEDRIVE_BASE_URL`. */
export function getSync(): Promise<PipedriveSync> {
  sync ??= createPipedriveSync({
    pipedrive: {
      apiToken: process.env.PIPEDRIVE_API_TOKEN ?? '',
      baseUrl: process.env.PIPEDRIVE_BASE_URL,
    },
    store,
  }).catch((error: unknown) => {
    sync = null; // a bad configuration must not be cached: fixing the env and retrying should work
    throw error;
  });
  return sync;
}

/** The package's route handlers over the engine, every one authenticated by `currentUser`. */
export function getHandlers(): Promise<RouteHandlers> {
  handlers ??= getSync().then(
    (engine) => createRouteHandlers(engine, { authenticate: currentUser }),
    (error: unknown) => {
      handlers = null;
      throw error;
    },
  );
  return handlers;
}
