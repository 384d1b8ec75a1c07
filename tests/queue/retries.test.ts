/**
 * @module tests/queue/retries.test
 * The retry policy through a drain with the Prisma store (DESIGN invariant 7), the emulator journal as witness:
 * a 400 is tried once and the job is dead with the reason; a 503 is tried once and retried three more times, no
 * more, and the job waits for the first step of the long schedule.
 */

import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';

import { createPipedriveSync, type PipedriveSync } from '../../js/index';
import { startPipedriveEmulator, type PipedriveEmulator } from '../../js/emulator/index';
import { createPrismaStore } from '../../js/prisma/index';
import { describeEachDatabase } from '../prisma/databases';
import { enqueueRenames, originalName, personPath, requests, seedPersons } from './helpers';

describeEachDatabase('failed attempts', (db) => {
  let emulator: PipedriveEmulator;
  let sync: PipedriveSync;
  let nextId = 6_000;

  before(async () => {
    emulator = await startPipedriveEmulator({ plan: 'growth' });
    // Short backoff keeps the test fast; the policy's delays are tested natively.
    sync = await createPipedriveSync({
      pipedrive: { apiToken: emulator.apiToken, baseUrl: emulator.url }, store: createPrismaStore(db().prisma),
      options: { plan: 'growth', baseDelayMs: 5, maxDelayMs: 20 },
    });
  });
  after(() => emulator.close());
  beforeEach(() => emulator.journal.clear());

  test('a 400 is tried once: the job is dead with the reason in words', async () => {
    const id = nextId++;
    seedPersons(emulator, [id]);
    const [jobId] = await enqueueRenames(createPrismaStore(db().prisma), [id]);
    emulator.faults.failNext({ method: 'PATCH', path: personPath(id), status: 400, count: 5 });

    const report = await sync.queue.drain();

    assert.deepEqual([report.processed, report.dead, report.succeeded, report.rescheduled], [1, 1, 0, 0]);
    assert.equal(requests(emulator, 'PATCH', personPath(id)).length, 1, 'no retry of a 400');
    const job = await db().prisma.syncJob.findUniqueOrThrow({ where: { id: jobId } });
    assert.equal(job.state, 'DEAD');
    assert.equal(job.attempts, 1);
    assert.match(job.lastError ?? '', /^VALIDATION: Pipedrive rejected the request \(400\)/);
    const stats = await sync.queue.stats();
    assert.equal(stats.dead.find((d) => d.id === jobId)?.lastError, job.lastError);
    assert.equal(emulator.state.persons.get(id)?.name, originalName(id));
  });

  test('a 503 is retried three more times and no more, then waits a minute on the long schedule', async () => {
    const id = nextId++;
    seedPersons(emulator, [id]);
    const [jobId] = await enqueueRenames(createPrismaStore(db().prisma), [id]);
    emulator.faults.failNext({ method: 'PATCH', path: personPath(id), status: 503, count: 10 });

    const before = Date.now();
    const report = await sync.queue.drain();

    assert.deepEqual([report.processed, report.rescheduled, report.dead, report.succeeded], [1, 1, 0, 0]);
    assert.deepEqual(requests(emulator, 'PATCH', personPath(id)).map((e) => e.status), [503, 503, 503, 503], 'first attempt + 3 retries');
    assert.equal(report.requests, 4);
    const job = await db().prisma.syncJob.findUniqueOrThrow({ where: { id: jobId } });
    assert.equal(job.state, 'PENDING');
    assert.match(job.lastError ?? '', /^UNAVAILABLE: /);
    const delay = job.nextAttemptAt.getTime() - before;
    assert.ok(delay >= 59_000 && delay <= 61_000 + (Date.now() - before), `the first long step is a minute, got ${delay} ms`);
    // Not due yet: a drain now leaves it alone.
    assert.equal((await sync.queue.drain()).processed, 0);
    assert.equal(requests(emulator, 'PATCH', personPath(id)).length, 4);
  });
});
