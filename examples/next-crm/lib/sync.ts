// The app's one pipedrive-sync engine, created on first use and shared by every route handler.
import { createPipedriveSync, type PipedriveSync, type SyncStore } from 'pipedrive-sync';

// The smoke-test app has no database yet: a store with no users. The reference app moves to the Prisma store.
const emptyStore: SyncStore = {
  findUserById: async () => null,
  findUserByEmail: async () => null,
  setUserPipedriveId: async () => false,
};

let sync: Promise<PipedriveSync> | null = null;

export function getSync(): Promise<PipedriveSync> {
  sync ??= createPipedriveSync({
    pipedrive: {
      apiToken: process.env.PIPEDRIVE_API_TOKEN ?? '',
      baseUrl: process.env.PIPEDRIVE_BASE_URL,
    },
    store: emptyStore,
  }).catch((error: unknown) => {
    sync = null; // a bad configuration must not be cached: fixing the env and retrying should work
    throw error;
  });
  return sync;
}
