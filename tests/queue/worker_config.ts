/**
 * @module tests/queue/worker_config
 * The config module the scale-out tests hand to `pipedrive-sync worker --config`: an engine over the Prisma store of
 * a test database (with LISTEN on it), talking to the test's emulator. Everything comes from `$PDS_WORKER_SPEC`
 * (`WorkerSpec` JSON), so one module serves every worker process.
 */

import { createPrismaStore } from '../../js/prisma/index';
import type { PipedriveSyncConfig } from '../../js/types';
import { openPrismaClient, type DatabaseLocation } from './helpers';

/** What a worker process is told through `$PDS_WORKER_SPEC`. */
export interface WorkerSpec {
  db: DatabaseLocation;
  baseUrl: string;
  apiToken: string;
  plan: 'lite' | 'growth' | 'premium' | 'ultimate';
}

const spec = JSON.parse(process.env.PDS_WORKER_SPEC ?? '') as WorkerSpec;
const prisma = openPrismaClient(spec.db);

const store = createPrismaStore(prisma, { listenUrl: spec.db.name === 'postgresql' ? spec.db.url : undefined });
// The benchmark counts the store round trips of shared pacing: printed on stderr when the process exits.
if (process.env.PDS_COUNT_PACING === '1' && store.swapPacing) {
  const swap = store.swapPacing.bind(store);
  let calls = 0;
  store.swapPacing = (key, request) => {
    calls += 1;
    return swap(key, request);
  };
  process.on('exit', () => process.stderr.write(`pacing-round-trips ${calls}\n`));
}

const config: PipedriveSyncConfig = {
  pipedrive: { apiToken: spec.apiToken, baseUrl: spec.baseUrl },
  store,
  // A short request timeout allows the short lease the crash test waits out (a lease is at least twice it).
  options: { plan: spec.plan, requestTimeoutMs: 500 },
};

export default config;
