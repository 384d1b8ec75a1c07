/**
 * @module tests/queue/drain_child
 * A drainer process for the queue scenario tests: builds an engine over the Prisma store of a test database and
 * drains the outbox once, printing `ready`, then `progress <DrainReport JSON>` after every job and
 * `report <DrainReport JSON>` at the end (exit 0), or `error <message>` (exit 1). Killed with SIGKILL by the crash
 * test. Run: `node --import tsx tests/queue/drain_child.ts '<DrainerSpec JSON>'` (see `spawnDrainer`).
 */

import { createInterface } from 'node:readline';
import { createPipedriveSync } from '../../js/index';
import { createPrismaStore } from '../../js/prisma/index';
import { openPrismaClient, type DrainerSpec } from './helpers';

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '') as DrainerSpec;
  const prisma = openPrismaClient(spec.db);
  await prisma.$connect();
  const sync = await createPipedriveSync({
    pipedrive: { apiToken: spec.apiToken, baseUrl: spec.baseUrl },
    store: createPrismaStore(prisma),
    // A 1 s request timeout allows the 4 s lease the crash tests wait out (a lease is at least 2 × (timeout + 1 s)),
    // with room for a loaded machine: a timed-out PATCH is sent again, and the tests count PATCHes.
    options: { plan: spec.plan, requestTimeoutMs: 1000, ...(spec.conflictStrategy ? { conflictStrategy: spec.conflictStrategy } : {}) },
  });
  process.stdout.write('ready\n');
  if (spec.waitForGo) {
    const lines = createInterface({ input: process.stdin });
    await new Promise<void>((resolve) => lines.on('line', (line) => line.trim() === 'go' && resolve()));
    lines.close();
  }
  const report = await sync.queue.drain({
    leaseMs: spec.leaseMs,
    concurrency: spec.concurrency,
    onProgress: (progress) => process.stdout.write(`progress ${JSON.stringify(progress)}\n`),
  });
  process.stdout.write(`report ${JSON.stringify(report)}\n`);
  await prisma.$disconnect();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stdout.write(`error ${error instanceof Error ? `${(error as { code?: string }).code ?? ''} ${error.message}` : String(error)}\n`);
    process.exit(1);
  },
);
