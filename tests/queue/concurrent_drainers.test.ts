/**
 * @module tests/queue/concurrent_drainers.test
 * Two drainer processes on one PostgreSQL outbox never run one job twice (DESIGN §6: "two workers draining one
 * outbox"): each record gets exactly one PATCH in the emulator journal, and the two reports add up to the jobs.
 */

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { startPipedriveEmulator, type PipedriveEmulator } from '../../js/emulator/index';
import { createPrismaStore } from '../../js/prisma/index';
import { createTestDatabase, POSTGRES_SKIP_REASON, testPostgresUrl, type TestDatabase } from '../prisma/databases';
import { enqueueRenames, idRange, newName, personPath, requests, seedPersons, spawnDrainer, statusCounts, type Drainer } from './helpers';

const JOBS = 200;

describe('two drainer processes on one PostgreSQL outbox', { skip: testPostgresUrl() ? undefined : POSTGRES_SKIP_REASON }, () => {
  let emulator: PipedriveEmulator;
  let db: TestDatabase;
  const drainers: Drainer[] = [];

  before(async () => {
    // Processes do not share the engine's pacing, so the emulator's window is wider than both together (2 × 120 per
    // 2 s): any second PATCH in the journal is then a job run twice, never a retried 429.
    emulator = await startPipedriveEmulator({ plan: 'ultimate', burstLimit: 1_000 });
    db = await createTestDatabase('postgresql');
  });
  after(async () => {
    for (const d of drainers) d.kill();
    await Promise.all(drainers.map((d) => d.exited));
    await db?.close();
    await emulator?.close();
  });

  test('never run one job twice', { timeout: 60_000 }, async () => {
    const ids = idRange(5_000, JOBS);
    seedPersons(emulator, ids);
    await enqueueRenames(createPrismaStore(db.prisma), ids);
    emulator.faults.latency({ method: 'PATCH', path: '/api/v2/persons/', ms: 25 });
    const spec = {
      db: { name: db.name, url: db.url, schema: db.schema }, baseUrl: emulator.url, apiToken: emulator.apiToken,
      plan: 'ultimate' as const, leaseMs: 60_000, concurrency: 5, waitForGo: true,
    };
    const pair = [spawnDrainer(spec), spawnDrainer(spec)];
    drainers.push(...pair);
    await Promise.all(pair.map((d) => d.ready));
    for (const d of pair) d.go();
    const results = await Promise.all(pair.map((d) => d.exited));

    for (const r of results) assert.equal(r.code, 0, r.stderr);
    const reports = results.map((r) => r.report!);
    assert.equal(reports[0].succeeded + reports[1].succeeded, JOBS, JSON.stringify(reports));
    assert.ok(reports.every((r) => r.succeeded > 0), `both drainers worked: ${reports.map((r) => r.succeeded).join(' + ')}`);
    assert.ok(reports.every((r) => r.dead === 0 && r.leaseLost === 0 && r.rateLimited === 0));

    const patches = requests(emulator, 'PATCH');
    assert.equal(patches.length, JOBS, 'one PATCH per job, no more');
    for (const id of ids) {
      assert.equal(patches.filter((e) => e.path === personPath(id)).length, 1, `person ${id}`);
      assert.equal(emulator.state.persons.get(id)?.name, newName(id));
    }
    assert.deepEqual(statusCounts(emulator), { 200: JOBS });
    const states = await db.prisma.syncJob.groupBy({ by: ['state'], _count: true });
    assert.deepEqual(states.map((s) => [s.state, s._count]), [['DONE', JOBS]]);
  });
});
