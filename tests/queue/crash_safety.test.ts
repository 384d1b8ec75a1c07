/**
 * @module tests/queue/crash_safety.test
 * Crash safety (DESIGN invariant 2) on SQLite and PostgreSQL: a drainer process killed with SIGKILL in the middle
 * of a run, and a second one started after the lease expired, finish every job exactly once. The emulator runs in
 * this process (it survives the kill) and its journal is the witness: one successful PATCH per record, and a
 * recovered job whose PATCH had already been applied reads the record instead of writing again.
 */

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { startPipedriveEmulator, type PipedriveEmulator } from '../../js/emulator/index';
import { createPrismaStore } from '../../js/prisma/index';
import { describeEachDatabase } from '../prisma/databases';
import {
  enqueueRenames, idRange, newName, personPath, requests, seedPersons, spawnDrainer, statusCounts, successfulPatchesByPath,
  waitFor, type Drainer,
} from './helpers';

const JOBS = 150;
const LEASE_MS = 4_000;

describeEachDatabase('a drainer killed mid-run', (db) => {
  let emulator: PipedriveEmulator;
  const drainers: Drainer[] = [];

  before(async () => {
    emulator = await startPipedriveEmulator({ plan: 'premium' });
  });
  after(async () => {
    for (const d of drainers) d.kill();
    await Promise.all(drainers.map((d) => d.exited));
    await emulator.close();
  });

  test('and a second one started after the lease: every job done once, one successful PATCH per record', { timeout: 60_000 }, async () => {
    const ids = idRange(3_000, JOBS);
    seedPersons(emulator, ids);
    const store = createPrismaStore(db().prisma);
    await enqueueRenames(store, ids);
    // Every PATCH spends 80 ms in the emulator before it is applied, so some are in flight when the kill comes.
    emulator.faults.latency({ method: 'PATCH', path: '/api/v2/persons/', ms: 80 });
    const spec = { db: { name: db().name, url: db().url, schema: db().schema }, baseUrl: emulator.url, apiToken: emulator.apiToken, plan: 'premium' as const, leaseMs: LEASE_MS, concurrency: 5 };

    const first = spawnDrainer(spec);
    drainers.push(first);
    await first.ready;
    await waitFor('the first drainer to finish 40 jobs', () => (first.progress()?.processed ?? 0) >= 40);
    first.kill('SIGKILL');
    const killed = await first.exited;
    assert.equal(killed.signal, 'SIGKILL');
    const doneBeforeKill = first.progress()?.succeeded ?? 0;
    assert.ok(doneBeforeKill < JOBS, 'the kill came in the middle of the run');

    // Jobs the dead worker held come back once their lease has expired: wait for the latest lease, then start again.
    const leased = await db().prisma.syncJob.findMany({ where: { state: 'RUNNING' }, select: { leaseUntil: true } });
    assert.ok(leased.length > 0, 'the killed drainer left leased jobs behind');
    const leaseEnd = Math.max(...leased.map((job) => new Date(job.leaseUntil ?? 0).getTime()));
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, leaseEnd - Date.now()) + 50));

    const second = spawnDrainer(spec);
    drainers.push(second);
    const { code, report, stderr } = await second.exited;
    assert.equal(code, 0, stderr);
    assert.ok(report, 'the second drainer printed its report');
    assert.equal(report.dead, 0);
    assert.equal(report.rateLimited, 0);
    // The first drainer's last progress lines may die with it (a job completed in the database a moment before the
    // kill), so its count is a lower bound: the database and the journal below are the witnesses.
    const total = doneBeforeKill + report.succeeded;
    assert.ok(total <= JOBS && total >= JOBS - spec.concurrency, `succeeded ${doneBeforeKill} + ${report.succeeded} of ${JOBS}`);

    const jobs = await db().prisma.syncJob.findMany({ select: { state: true } });
    assert.equal(jobs.length, JOBS);
    assert.ok(jobs.every((job) => job.state === 'DONE'), `states: ${JSON.stringify(jobs.map((j) => j.state))}`);
    for (const id of ids) assert.equal(emulator.state.persons.get(id)?.name, newName(id), `person ${id}`);

    const patches = successfulPatchesByPath(emulator);
    const twice = ids.filter((id) => patches.get(personPath(id)) !== 1);
    assert.deepEqual(twice.map((id) => [id, patches.get(personPath(id)) ?? 0]), [], 'one successful PATCH per record');
    assert.equal(statusCounts(emulator)[429] ?? 0, 0);

    // The recovered jobs read their record first; those whose PATCH had landed before the kill did not write again.
    const reads = requests(emulator, 'GET');
    assert.ok(reads.length > 0, 'recovered jobs were looked up before acting');
    const patchedBeforeRecovery = reads.filter((read) =>
      requests(emulator, 'PATCH', read.path).some((patch) => patch.status === 200 && patch.time <= read.time),
    );
    assert.ok(patchedBeforeRecovery.length > 0, `some recovered job had already been applied (reads: ${reads.map((e) => e.path).join(', ')})`);
  });
});
