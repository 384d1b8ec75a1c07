/**
 * @module tests/queue/rate_limits.test
 * Rate limits are respected, not discovered (DESIGN invariant 6), through the engine with the Prisma store and the
 * emulator over HTTP: 300 requests on the Lite plan without a 429; an injected 429 waited out for its reset; a spent
 * daily budget pausing the work until the reset, then resuming.
 */

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { createPipedriveSync, type PipedriveSync } from '../../js/index';
import { startPipedriveEmulator, type PipedriveEmulator } from '../../js/emulator/index';
import { createPrismaStore } from '../../js/prisma/index';
import { createTestDatabase, describeEachDatabase, type TestDatabase } from '../prisma/databases';
import { enqueueRenames, idRange, newName, originalName, personPath, requests, seedPersons, statusCounts } from './helpers';

describe('the Lite plan (20 requests per 2 s) [sqlite]', () => {
  let emulator: PipedriveEmulator;
  let db: TestDatabase;
  before(async () => {
    emulator = await startPipedriveEmulator({ plan: 'lite' });
    db = await createTestDatabase('sqlite');
  });
  after(async () => {
    await db?.close();
    await emulator?.close();
  });

  test('300 jobs drained: 300 requests, zero 429 responses', { timeout: 90_000 }, async () => {
    const ids = idRange(1_000, 300);
    seedPersons(emulator, ids);
    const store = createPrismaStore(db.prisma);
    await enqueueRenames(store, ids);
    const sync = await createPipedriveSync({ pipedrive: { apiToken: emulator.apiToken, baseUrl: emulator.url }, store, options: { plan: 'lite' } });

    const report = await sync.queue.drain({ concurrency: 8 });

    assert.equal(report.succeeded, 300);
    assert.equal(report.requests, 300);
    assert.equal(report.rateLimited, 0);
    assert.deepEqual(statusCounts(emulator), { 200: 300 });
    // Paced to the window, not to the server's refusals: no 2 s span holds more than 20 arrivals.
    const times = requests(emulator, 'PATCH').map((e) => e.time).sort((a, b) => a - b);
    let busiest = 0;
    for (let i = 0, j = 0; i < times.length; i++) {
      while (times[i] - times[j] >= 2_000) j++;
      busiest = Math.max(busiest, i - j + 1);
    }
    assert.ok(busiest <= 20, `at most 20 requests in any 2 s, saw ${busiest}`);
    for (const id of [ids[0], ids[299]]) assert.equal(emulator.state.persons.get(id)?.name, newName(id));
  });
});

describeEachDatabase('an injected 429', (db) => {
  let emulator: PipedriveEmulator;
  before(async () => {
    emulator = await startPipedriveEmulator({ plan: 'growth' });
  });
  after(() => emulator.close());

  test('is waited out for at least its x-ratelimit-reset before the next request', { timeout: 30_000 }, async () => {
    const ids = idRange(2_000, 3);
    seedPersons(emulator, ids);
    const store = createPrismaStore(db().prisma);
    await enqueueRenames(store, ids);
    emulator.faults.failNext({ method: 'PATCH', path: personPath(ids[0]), status: 429, headers: { 'x-ratelimit-reset': '2' } });
    const sync = await createPipedriveSync({ pipedrive: { apiToken: emulator.apiToken, baseUrl: emulator.url }, store, options: { plan: 'growth' } });

    // One worker: every request after the 429 is sent after its answer arrived, so each must respect its reset.
    const report = await sync.queue.drain({ concurrency: 1 });

    assert.equal(report.succeeded, 3);
    assert.equal(report.rateLimited, 1);
    assert.equal(report.requests, 4);
    const journal = emulator.journal.entries();
    assert.deepEqual(journal.map((e) => [e.path, e.status]), [
      [personPath(ids[0]), 429], [personPath(ids[0]), 200], [personPath(ids[1]), 200], [personPath(ids[2]), 200],
    ]);
    const gap = journal[1].time - journal[0].time;
    assert.ok(gap >= 2_000, `the retry came ${gap} ms after the 429 (reset: 2 s)`);
  });
});

describeEachDatabase('a spent daily token budget', (db) => {
  let emulator: PipedriveEmulator;
  before(async () => {
    emulator = await startPipedriveEmulator({ plan: 'growth' });
  });
  after(() => emulator.close());

  test('pauses the drain until the reset, then the work resumes', { timeout: 30_000 }, async () => {
    const [first, second] = idRange(4_000, 2);
    seedPersons(emulator, [first, second]);
    const store = createPrismaStore(db().prisma);
    const [firstJob, secondJob] = await enqueueRenames(store, [first]).then(async (a) => [...a, ...(await enqueueRenames(store, [second]))]);
    // Engine and emulator share one clock, so moving it past midnight resets both sides' view of the budget.
    const sync: PipedriveSync = await createPipedriveSync({
      pipedrive: { apiToken: emulator.apiToken, baseUrl: emulator.url }, store, now: emulator.clock.now, options: { plan: 'growth' },
    });
    emulator.limits.setDailyRemaining(0);
    const resetAt = emulator.limits.snapshot().dailyResetAt;

    const stopped = await sync.queue.drain({ concurrency: 1 });
    assert.equal(stopped.processed, 1, 'the drain stopped after the first refusal');
    assert.equal(stopped.rescheduled, 1);
    assert.equal(stopped.succeeded, 0);
    const until = /the daily Pipedrive token budget is spent until (\S+)/.exec(stopped.stopped ?? '')?.[1];
    assert.ok(until, `stopped says why and until when: ${stopped.stopped}`);
    const untilMs = Date.parse(until);
    assert.ok(untilMs >= resetAt && untilMs <= resetAt + 1_000, `${until} is the reset (${new Date(resetAt).toISOString()})`);
    const waiting = await db().prisma.syncJob.findUniqueOrThrow({ where: { id: firstJob } });
    assert.equal(waiting.state, 'PENDING');
    assert.equal(waiting.nextAttemptAt.getTime(), untilMs);
    assert.match(waiting.lastError ?? '', /^RATE_LIMITED: /);

    // Before the reset the engine does not ask again: the next due job is paused without a request.
    const sent = emulator.journal.length;
    const paused = await sync.queue.drain({ concurrency: 1 });
    assert.equal(emulator.journal.length, sent, 'no request while the budget is spent');
    assert.match(paused.stopped ?? '', /daily Pipedrive token budget is spent/);
    const pausedJob = await db().prisma.syncJob.findUniqueOrThrow({ where: { id: secondJob } });
    assert.equal(pausedJob.state, 'PENDING');
    assert.ok(Math.abs(pausedJob.nextAttemptAt.getTime() - untilMs) <= 1_000, 'the paused job waits for the same reset');
    assert.equal(emulator.state.persons.get(first)?.name, originalName(first));

    emulator.clock.advance(untilMs + 2_000 - emulator.clock.now());
    const resumed = await sync.queue.drain({ concurrency: 1 });
    assert.equal(resumed.stopped, undefined);
    assert.equal(resumed.succeeded, 2);
    assert.equal(resumed.rateLimited, 0);
    assert.equal(emulator.state.persons.get(first)?.name, newName(first));
    assert.equal(emulator.state.persons.get(second)?.name, newName(second));
    const states = await db().prisma.syncJob.findMany({ select: { state: true } });
    assert.deepEqual(states.map((s) => s.state), ['DONE', 'DONE']);
  });
});
