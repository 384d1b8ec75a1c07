/**
 * @module tests/bench/scale_out_bench
 * Benchmark (not a test): 1, 2 and 4 `pipedrive-sync worker` processes on one token and one PostgreSQL outbox,
 * on Lite (20 requests per 2 s) and Premium (100 per 2 s), against the emulator's real rolling window (DESIGN §9:
 * 4 processes keep at least 90% of the burst rate with zero 429s). Prints, per run, the aggregate request rate as a
 * share of the burst rate (each `update_record` job is a GET and a PATCH), the 429s, and the shared pacing's store
 * round trips per request; then the wake-up latency of an idle worker (a job enqueued while it sleeps: LISTEN/NOTIFY)
 * as median and p99, in ms. Figures only, never asserted.
 *
 * Run: `TEST_POSTGRES_URL=... node --import tsx tests/bench/scale_out_bench.ts [--jobs 300] [--plans lite,premium]`.
 */

import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { createPipedriveSync } from '../../js/index';
import { startPipedriveEmulator } from '../../js/emulator/index';
import { createPrismaStore } from '../../js/prisma/index';
import { createTestDatabase, testPostgresUrl } from '../prisma/databases';
import { enqueueRenames, idRange, newName, ROOT, seedPersons, statusCounts } from '../queue/helpers';
import type { WorkerSpec } from '../queue/worker_config';

const BURST = { lite: 20, premium: 100 } as const;
const WINDOW_S = 2;

function flag(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && process.argv[at + 1] ? process.argv[at + 1] : fallback;
}

/** One worker process; resolves its stderr (with the pacing round trips) when it exits. */
function worker(spec: WorkerSpec): { started: Promise<void>; stop: () => void; exited: Promise<string> } {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'js/cli/main.ts'), 'worker', '--config',
    path.join(ROOT, 'tests/queue/worker_config.ts'), '--concurrency', '5'], {
    cwd: ROOT, env: { ...process.env, PDS_WORKER_SPEC: JSON.stringify(spec), PDS_COUNT_PACING: '1' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const started = new Promise<void>((resolve) => child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('worker: started') && resolve()));
  return { started, stop: () => child.kill('SIGTERM'), exited: new Promise((resolve) => child.on('close', () => resolve(stderr))) };
}

async function run(plan: 'lite' | 'premium', processes: number, jobs: number): Promise<void> {
  const emulator = await startPipedriveEmulator({ plan, journalLimit: jobs * 4 });
  const db = await createTestDatabase('postgresql');
  try {
    const ids = idRange(10_000, jobs);
    seedPersons(emulator, ids);
    const spec: WorkerSpec = { db: { name: db.name, url: db.url, schema: db.schema }, baseUrl: emulator.url, apiToken: emulator.apiToken, plan };
    // Workers start idle (nothing queued yet), then the jobs arrive at once: the clock measures draining only.
    const workers = Array.from({ length: processes }, () => worker(spec));
    await Promise.all(workers.map((w) => w.started));
    const started = Date.now();
    await enqueueRenames(createPrismaStore(db.prisma), ids);
    while ((await db.prisma.syncJob.count({ where: { state: 'DONE' } })) < jobs) await new Promise((r) => setTimeout(r, 50));
    const seconds = (Date.now() - started) / 1000;
    for (const w of workers) w.stop();
    const stderrs = await Promise.all(workers.map((w) => w.exited));
    const roundTrips = stderrs.reduce((sum, text) => sum + Number(/pacing-round-trips (\d+)/.exec(text)?.[1] ?? 0), 0);
    const statuses = statusCounts(emulator);
    const requests = Object.values(statuses).reduce((a, b) => a + b, 0);
    const share = requests / seconds / (BURST[plan] / WINDOW_S);
    console.log(`${plan.padEnd(8)} ${processes} process${processes === 1 ? ' ' : 'es'}: ${jobs} jobs, ${requests} requests in ${seconds.toFixed(1)} s = ` +
      `${(share * 100).toFixed(1)}% of the burst rate (floor ratio ${(1 / share).toFixed(2)}), 429s ${statuses[429] ?? 0}, ` +
      `store round trips per request ${(roundTrips / requests).toFixed(2)}`);
  } finally {
    await db.close();
    await emulator.close();
  }
}

/** Wake-up latency: jobs enqueued one at a time while the worker sleeps (10-minute poll: only NOTIFY wakes it). */
async function wakeups(samples: number): Promise<void> {
  const emulator = await startPipedriveEmulator({ plan: 'premium' });
  const db = await createTestDatabase('postgresql');
  const stop = new AbortController();
  try {
    const sync = await createPipedriveSync({
      pipedrive: { apiToken: emulator.apiToken, baseUrl: emulator.url },
      store: createPrismaStore(db.newClient(), { listenUrl: db.url }),
      options: { plan: 'premium' },
    });
    const running = sync.queue.run({ signal: stop.signal, pollMs: 600_000 });
    const store = createPrismaStore(db.prisma);
    const latencies: number[] = [];
    for (const id of idRange(50_000, samples)) {
      seedPersons(emulator, [id]);
      await new Promise((r) => setTimeout(r, 200));
      const at = Date.now();
      await enqueueRenames(store, [id]);
      while (emulator.state.persons.get(id)?.name !== newName(id)) await new Promise((r) => setTimeout(r, 2));
      latencies.push(Date.now() - at);
    }
    stop.abort();
    await running;
    latencies.sort((a, b) => a - b);
    const pick = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
    console.log(`idle worker wake-up (enqueue → job done, GET + PATCH included), ${samples} jobs: median ${pick(0.5)} ms, p99 ${pick(0.99)} ms`);
  } finally {
    await db.close();
    await emulator.close();
  }
}

async function main(): Promise<void> {
  if (!testPostgresUrl()) throw new Error('set TEST_POSTGRES_URL: the scale-out benchmark runs on PostgreSQL');
  const jobs = Number(flag('jobs', '300'));
  const plans = flag('plans', 'lite,premium').split(',') as Array<'lite' | 'premium'>;
  const counts = flag('processes', '1,2,4').split(',').map(Number);
  for (const plan of plans) for (const processes of counts) await run(plan, processes, plan === 'premium' ? jobs * 3 : jobs);
  await wakeups(Number(flag('wakeups', '30')));
}

main().then(() => process.exit(0), (error: unknown) => {
  console.error(error);
  process.exit(1);
});
