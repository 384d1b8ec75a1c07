// The app's one pipedrive-sync engine, created on first use and shared by every route handler.
import { createMemoryStore, createPipedriveSync, type PipedriveSync } from 'pipedrive-sync';

// The smoke-test app has no database yet, so it keeps the sync state in memory; the reference app moves to the
// Prisma store (createPrismaStore from 'pipedrive-sync/prisma').
const store = createMemoryStore();

let sync: Promise<PipedriveSync> | null = null;

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
