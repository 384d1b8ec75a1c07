/**
 * @module tests/queue/scale_out.test
 * Several worker processes on one token and one PostgreSQL outbox (DESIGN §13, issue 13): `pipedrive-sync worker`
 * processes pace together through the store's shared window, so that 3 of them on Lite (20 requests per 2 s, the
 * emulator's real rolling window) drain 300 jobs with zero 429s and one PATCH per job; a worker killed mid-run loses
 * no job; SIGTERM ends a worker with exit 0 and no job left RUNNING; an idle worker is woken by LISTEN/NOTIFY.
 * Without shared pacing each process paces to the whole window and together they collect 429s and the block.
 */

import assert from 'node:assert/strict';
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';

import { createPipedriveSync } from '../../js/index';
import { startPipedriveEmulator, type PipedriveEmulator } from '../../js/emulator/index';
import { createPrismaStore } from '../../js/prisma/index';
import { createTestDatabase, POSTGRES_SKIP_REASON, testPostgresUrl, type TestDatabase } from '../prisma/databases';
import { enqueueRenames, idRange, newName, personPath, requests, ROOT, seedPersons, statusCounts, waitFor } from './helpers';
import type { WorkerSpec } from './worker_config';

/** A `pipedrive-sync worker` process and what it printed. */
interface Worker {
  child: ChildProcessByStdio<null, Readable, Readable>;
  stdout: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

function spawnWorker(spec: WorkerSpec): Worker {
  const main = path.join(ROOT, 'js', 'cli', 'main.ts');
  const configModule = path.join(__dirname, 'worker_config.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', main, 'worker', '--config', configModule, '--concurrency', '4', '--lease-ms', '3000'], {
    cwd: ROOT, env: { ...process.env, PDS_WORKER_SPEC: JSON.stringify(spec) }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, stdout: () => stdout, exited };
}

async function jobStates(db: TestDatabase): Promise<Record<string, number>> {
  const groups = await db.prisma.syncJob.groupBy({ by: ['state'], _count: true });
  return Object.fromEntries(groups.map((g) => [g.state, g._count]));
}

describe('worker processes on one token and one PostgreSQL outbox', { skip: testPostgresUrl() ? undefined : POSTGRES_SKIP_REASON }, () => {
  let emulator: PipedriveEmulator;
  let db: TestDatabase;
  const workers: Worker[] = [];
  const spec = (): WorkerSpec => ({ db: { name: db.name, url: db.url, schema: db.schema }, baseUrl: emulator.url, apiToken: emulator.apiToken, plan: 'lite' });

  before(async () => {
    emulator = await startPipedriveEmulator({ plan: 'lite' });
    db = await createTestDatabase('postgresql');
  });
  after(async () => {
    for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
    await Promise.all(workers.map((w) => w.exited));
    await db?.close();
    await emulator?.close();
  });

  test('3 workers on Lite drain 300 jobs with zero 429s, one PATCH per job, and stop cleanly on SIGTERM', { timeout: 180_000 }, async () => {
    const ids = idRange(10_000, 300);
    seedPersons(emulator, ids);
    await enqueueRenames(createPrismaStore(db.prisma), ids);
    const three = [spawnWorker(spec()), spawnWorker(spec()), spawnWorker(spec())];
    workers.push(...three);
    await waitFor('all 300 jobs done', async () => (await jobStates(db)).DONE === 300, 150_000);
    for (const w of three) w.child.kill('SIGTERM');
    const results = await Promise.all(three.map((w) => w.exited));
    for (const r of results) {
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /Worker report/);
    }
    assert.deepEqual(statusCounts(emulator), { 200: 300 }, 'no 429, no block: every request answered 200');
    const patches = requests(emulator, 'PATCH');
    assert.equal(patches.length, 300, 'one PATCH per job');
    for (const id of ids) {
      assert.equal(patches.filter((e) => e.path === personPath(id)).length, 1, `person ${id}`);
      assert.equal(emulator.state.persons.get(id)?.name, newName(id));
    }
    const worked = results.filter((r) => /processed\s+[1-9]/.test(r.stdout));
    assert.equal(worked.length, 3, `every worker carried out jobs:\n${results.map((r) => r.stdout).join('\n')}`);
    assert.deepEqual(await jobStates(db), { DONE: 300 });
  });

  test('a worker killed mid-run loses nothing: the others finish its jobs', { timeout: 120_000 }, async () => {
    const ids = idRange(20_000, 60);
    const base = (await jobStates(db)).DONE ?? 0;
    seedPersons(emulator, ids);
    await enqueueRenames(createPrismaStore(db.prisma), ids);
    const [victim, survivor] = [spawnWorker(spec()), spawnWorker(spec())];
    workers.push(victim, survivor);
    await waitFor('some jobs done', async () => ((await jobStates(db)).DONE ?? 0) >= base + 10, 60_000);
    await waitFor('the victim holds jobs', async () => (await jobStates(db)).RUNNING !== undefined, 30_000);
    victim.child.kill('SIGKILL');
    await waitFor('every job done', async () => (await jobStates(db)).DONE === base + 60, 90_000);
    survivor.child.kill('SIGTERM');
    assert.equal((await survivor.exited).code, 0);
    for (const id of ids) assert.equal(emulator.state.persons.get(id)?.name, newName(id), `person ${id}`);
    assert.equal(statusCounts(emulator)[429], undefined, 'still no 429');
  });

  test('SIGTERM mid-drain: the worker claims nothing more, finishes its jobs, exits 0 with no job RUNNING', { timeout: 120_000 }, async () => {
    const ids = idRange(30_000, 80);
    const base = (await jobStates(db)).DONE ?? 0;
    seedPersons(emulator, ids);
    await enqueueRenames(createPrismaStore(db.prisma), ids);
    const worker = spawnWorker(spec());
    workers.push(worker);
    await waitFor('the worker started', () => worker.stdout().includes('worker: started'), 60_000);
    await waitFor('the worker is on the jobs', async () => ((await jobStates(db)).DONE ?? 0) >= base + 5, 60_000);
    worker.child.kill('SIGTERM');
    const result = await worker.exited;
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /SIGTERM: finishing the jobs in hand/);
    const states = await jobStates(db);
    assert.equal(states.RUNNING, undefined, `no job left RUNNING: ${JSON.stringify(states)}`);
    assert.ok((states.PENDING ?? 0) > 0, `the rest waits in the queue: ${JSON.stringify(states)}`);
    assert.equal((states.DONE ?? 0) + (states.PENDING ?? 0), base + 80);
  });

  test('an idle worker is woken by LISTEN/NOTIFY when a job is enqueued', { timeout: 90_000 }, async () => {
    // What the previous tests left is not this test's business: removed, so the worker goes idle at once and, with a
    // 10-minute poll, only the notification can wake it.
    await db.prisma.syncJob.deleteMany({});
    const listenClient = db.newClient();
    const sync = await createPipedriveSync({
      pipedrive: { apiToken: emulator.apiToken, baseUrl: emulator.url },
      store: createPrismaStore(listenClient, { listenUrl: db.url }),
      options: { plan: 'lite', requestTimeoutMs: 500 },
    });
    const stop = new AbortController();
    const running = sync.queue.run({ signal: stop.signal, pollMs: 600_000 });
    const [id] = idRange(40_000, 1);
    seedPersons(emulator, [id]);
    // Let the drain in flight return and the worker fall asleep (on a 10-minute poll).
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await enqueueRenames(createPrismaStore(db.newClient()), [id]);
    await waitFor('the new job done', () => emulator.state.persons.get(id)?.name === newName(id), 20_000);
    stop.abort();
    const report = await running;
    assert.ok(report.wakeups >= 1, JSON.stringify(report));
  });
});
