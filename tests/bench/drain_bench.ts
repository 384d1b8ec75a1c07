/**
 * @module tests/bench/drain_bench
 * Benchmark (not a test): draining a large outbox of `update_record` jobs against the emulator on the Premium plan
 * (burst 100 per 2 s, i.e. 50 requests/s), with the Prisma store: on SQLite with one engine, and on PostgreSQL with
 * two engines (each with its own Prisma client) in this process, which share the rate limits of one Pipedrive
 * (src/pipedrive/limits.rs `shared_limits`). Prints jobs per second, that rate as a share of the burst limit
 * (DESIGN §9 target: at least 95%) and the 429 responses (target: 0). The emulator runs in a child process so it
 * does not compete with the drain for this event loop.
 *
 * Run: `node --import tsx tests/bench/drain_bench.ts [--jobs 2000] [--concurrency 5]`; PostgreSQL runs when
 * `TEST_POSTGRES_URL` is set.
 */

import { fork, type ChildProcess } from 'node:child_process';
import { createPipedriveSync, type DrainReport } from '../../js/index';
import { startPipedriveEmulator, type JournalEntry } from '../../js/emulator/index';
import { createPrismaStore } from '../../js/prisma/index';
import { createTestDatabase, testPostgresUrl, type DatabaseName } from '../prisma/databases';
import { enqueueRenames, idRange } from '../queue/helpers';

/** The Premium plan's burst limit per 2 s window. */
const PREMIUM_BURST = 100;
const WINDOW_S = 2;
const FIRST_ID = 10_000;

interface Ready {
  url: string;
  apiToken: string;
}

/** Child mode: an emulator seeded with `jobs` persons, until the parent disconnects. */
async function serve(jobs: number): Promise<void> {
  const emu = await startPipedriveEmulator({
    plan: 'premium',
    journalLimit: jobs * 4,
    seed: { persons: idRange(FIRST_ID, jobs).map((id) => ({ id, name: `Original ${id}` })) },
  });
  process.send!({ url: emu.url, apiToken: emu.apiToken } satisfies Ready);
  process.on('disconnect', () => void emu.close().then(() => process.exit(0)));
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

async function startEmulatorChild(jobs: number): Promise<{ child: ChildProcess; ready: Ready }> {
  const child = fork(__filename, ['--serve', '--jobs', String(jobs)], { execArgv: process.execArgv });
  const ready = await new Promise<Ready>((resolve, reject) => {
    child.once('message', (m) => resolve(m as Ready));
    child.once('exit', (code) => reject(new Error(`the emulator child exited with code ${code}`)));
  });
  return { child, ready };
}

interface Row {
  scenario: string;
  jobs: number;
  seconds: number;
  jobsPerSecond: number;
  share: number;
  steadyShare: number;
  rateLimited: number;
  journal429: number;
  perEngine: string;
}

async function scenario(name: string, database: DatabaseName, engines: number, jobs: number, concurrency: number): Promise<Row> {
  const { child, ready } = await startEmulatorChild(jobs);
  const db = await createTestDatabase(database);
  try {
    const ids = idRange(FIRST_ID, jobs);
    await enqueueRenames(createPrismaStore(db.prisma), ids);
    const clients = [db.prisma, ...Array.from({ length: engines - 1 }, () => db.newClient())];
    const syncs = await Promise.all(
      clients.map((client) =>
        createPipedriveSync({ pipedrive: { apiToken: ready.apiToken, baseUrl: ready.url }, store: createPrismaStore(client), options: { plan: 'premium' } }),
      ),
    );
    const started = performance.now();
    const reports: DrainReport[] = await Promise.all(syncs.map((sync) => sync.queue.drain({ concurrency })));
    const seconds = (performance.now() - started) / 1000;
    const journal = ((await (await fetch(`${ready.url}/__emulator/journal`)).json()) as { entries: JournalEntry[] }).entries;
    const succeeded = reports.reduce((sum, r) => sum + r.succeeded, 0);
    if (succeeded !== jobs) throw new Error(`${name}: ${succeeded} of ${jobs} jobs succeeded: ${JSON.stringify(reports)}`);
    const burstRate = PREMIUM_BURST / WINDOW_S;
    // Steady state: the arrivals after the first window (which a fresh client may fill at once) over the time they took.
    const times = journal.map((e) => e.time).sort((a, b) => a - b);
    const steadyFrom = times[0] + WINDOW_S * 1000;
    const steady = times.filter((t) => t >= steadyFrom);
    const steadyRate = steady.length / ((times[times.length - 1] - steadyFrom) / 1000);
    return {
      scenario: name,
      jobs,
      seconds,
      jobsPerSecond: jobs / seconds,
      share: jobs / seconds / burstRate,
      steadyShare: steadyRate / burstRate,
      rateLimited: reports.reduce((sum, r) => sum + r.rateLimited, 0),
      journal429: journal.filter((e) => e.status === 429).length,
      perEngine: reports.map((r) => r.succeeded).join(' + '),
    };
  } finally {
    await db.close();
    child.disconnect();
  }
}

function printTable(rows: Row[]): void {
  const header = ['scenario', 'jobs', 'time', 'jobs/s', 'of burst', 'steady', '429s (report/journal)', 'jobs per engine'];
  const cells = rows.map((r) => [
    r.scenario, String(r.jobs), `${r.seconds.toFixed(1)} s`, r.jobsPerSecond.toFixed(1), `${(r.share * 100).toFixed(1)}%`,
    `${(r.steadyShare * 100).toFixed(1)}%`, `${r.rateLimited}/${r.journal429}`, r.perEngine,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]): string => c.map((v, i) => (i === 0 || i === c.length - 1 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const c of cells) console.log(line(c));
}

async function main(): Promise<void> {
  const jobs = arg('jobs', 2_000);
  if (process.argv.includes('--serve')) return serve(jobs);
  const concurrency = arg('concurrency', 5);
  console.log(
    `Drain benchmark: ${jobs} update_record jobs, Premium plan (burst ${PREMIUM_BURST} per ${WINDOW_S} s = ${PREMIUM_BURST / WINDOW_S} req/s), ` +
      `${concurrency} workers per engine, emulator in a child process`,
  );
  const rows = [await scenario('SQLite, 1 engine', 'sqlite', 1, jobs, concurrency)];
  if (testPostgresUrl()) rows.push(await scenario('PostgreSQL, 2 engines', 'postgresql', 2, jobs, concurrency));
  else console.log('(TEST_POSTGRES_URL is not set: PostgreSQL skipped)');
  printTable(rows);
  console.log('Targets: at least 95% of the burst rate, zero 429 responses. "steady" leaves out the first window.');
}

void main();
