/**
 * @module tests/facade/queue.test
 * The outbox drain through the wasm engine against the emulator (in-memory store): jobs done, failures retried
 * on the policy's terms and then scheduled or dead, recovered jobs checked before writing, limits respected.
 */

import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';

import { createPipedriveSync, type PipedriveSync } from '../../js/index';
import { startPipedriveEmulator, type PipedriveEmulator } from '../../js/emulator/index';
import { createMemoryStore, type MemoryStore } from '../../js/store/memory';

let emulator: PipedriveEmulator;
let store: MemoryStore;
let sync: PipedriveSync;

before(async () => {
  emulator = await startPipedriveEmulator({ plan: 'lite' });
});
after(() => emulator.close());

beforeEach(async () => {
  emulator.reset();
  emulator.state.seed({ persons: [{ id: 501, name: 'Ann Original' }, { id: 502, name: 'Bob Original' }] });
  store = createMemoryStore();
  // Fast backoff keeps the retry tests short; the policy itself is tested natively.
  sync = await createPipedriveSync({
    pipedrive: { apiToken: emulator.apiToken, baseUrl: emulator.url },
    store,
    options: { baseDelayMs: 5, maxDelayMs: 20, plan: 'lite' },
  });
});

function updateJob(id: number, fields: Record<string, unknown>, entity = 'person') {
  return { kind: 'update_record', recordType: entity, recordId: String(id), dedupeKey: `update_record:${entity}:${id}`, payload: { entity, id, fields } };
}

function patches(path: string): number {
  return emulator.journal.entries().filter((entry) => entry.method === 'PATCH' && entry.path === path).length;
}

describe('drain', () => {
  test('carries out due jobs and reports them; a newer change merges into the waiting job', async () => {
    await store.enqueueJob(updateJob(501, { name: 'Ann First' }));
    assert.deepEqual(await store.enqueueJob(updateJob(501, { name: 'Ann Second' })), { id: 1, merged: true });
    await store.enqueueJob(updateJob(502, { name: 'Bob New' }));
    const progress: number[] = [];
    const report = await sync.queue.drain({ onProgress: (p) => progress.push(p.processed) });
    assert.equal(report.processed, 2);
    assert.equal(report.succeeded, 2);
    assert.equal(report.rateLimited, 0);
    assert.deepEqual(progress, [1, 2]);
    assert.equal(emulator.state.persons.get(501)?.name, 'Ann Second');
    assert.equal(emulator.state.persons.get(502)?.name, 'Bob New');
    assert.equal(patches('/api/v2/persons/501'), 1);
    const stats = await sync.queue.stats();
    assert.deepEqual(stats.counts, { PENDING: 0, RUNNING: 0, DONE: 2, DEAD: 0 });
  });

  test('a 400 is tried once and the job is dead with the reason in words', async () => {
    emulator.faults.failNext({ method: 'PATCH', path: '/api/v2/persons/501', status: 400, count: 5 });
    await store.enqueueJob(updateJob(501, { name: 'X' }));
    const report = await sync.queue.drain();
    assert.equal(report.dead, 1);
    assert.equal(patches('/api/v2/persons/501'), 1);
    const [job] = store.jobs;
    assert.equal(job.state, 'DEAD');
    assert.match(job.lastError ?? '', /^VALIDATION: Pipedrive rejected the request \(400\)/);
  });

  test('a 503 is retried three more times and no more, then the job waits for its next slot on the long schedule', async () => {
    emulator.faults.failNext({ method: 'PATCH', path: '/api/v2/persons/501', status: 503, count: 10 });
    await store.enqueueJob(updateJob(501, { name: 'X' }));
    const before = Date.now();
    const report = await sync.queue.drain();
    assert.equal(patches('/api/v2/persons/501'), 4, 'first attempt + 3 retries');
    assert.equal(report.rescheduled, 1);
    const [job] = store.jobs;
    assert.equal(job.state, 'PENDING');
    assert.match(job.lastError ?? '', /^UNAVAILABLE: /);
    const delay = Date.parse(job.nextAttemptAt) - before;
    assert.ok(delay >= 59_000 && delay <= 61_000 + (Date.now() - before), `first long step is a minute, got ${delay} ms`);
  });

  test('a malformed job is dead at once without a request', async () => {
    await store.enqueueJob(updateJob(501, { person_id: 3 }, 'activity'));
    const before = emulator.journal.length;
    const report = await sync.queue.drain();
    assert.equal(report.dead, 1);
    assert.equal(emulator.journal.length, before);
    assert.match(store.jobs[0].lastError ?? '', /payload\.fields\.person_id is not a field an? activity update may set/);
  });

  test('a recovered job whose change already reached Pipedrive completes without writing again', async () => {
    await store.enqueueJob(updateJob(501, { name: 'Ann Applied' }));
    // A worker claimed it, sent the PATCH, and died before recording the result.
    await store.claimJobs({ workerId: 'dead-worker', limit: 1, leaseMs: 1, now: new Date().toISOString() });
    emulator.state.seed({ persons: [{ id: 501, name: 'Ann Applied' }] });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const report = await sync.queue.drain();
    assert.equal(report.succeeded, 1);
    assert.equal(patches('/api/v2/persons/501'), 0, 'no second write');
    assert.ok(emulator.journal.entries().some((entry) => entry.method === 'GET' && entry.path === '/api/v2/persons/501'));
  });

  test('retryDead puts a dead job back and the next drain finishes it', async () => {
    emulator.faults.failNext({ method: 'PATCH', path: '/api/v2/persons/501', status: 404, count: 1 });
    await store.enqueueJob(updateJob(501, { name: 'Ann Later' }));
    assert.equal((await sync.queue.drain()).dead, 1);
    assert.equal(await sync.queue.retryDead(), 1);
    assert.equal((await sync.queue.drain()).succeeded, 1);
    assert.equal(emulator.state.persons.get(501)?.name, 'Ann Later');
  });

  test('60 jobs on the Lite plan: paced to the burst window, zero 429s', async () => {
    for (let i = 0; i < 60; i++) await store.enqueueJob(updateJob(501 + (i % 2), { name: `Name ${i}` }, 'person'));
    // Distinct records so that the jobs do not merge: patch organizations seeded on the fly.
    emulator.state.seed({ organizations: Array.from({ length: 60 }, (_, i) => ({ id: 900 + i, name: `Org ${i}` })) });
    for (let i = 0; i < 60; i++) await store.enqueueJob(updateJob(900 + i, { name: `Org renamed ${i}` }, 'organization'));
    const report = await sync.queue.drain({ concurrency: 8 });
    assert.equal(report.succeeded, store.jobs.length);
    assert.equal(report.rateLimited, 0);
    assert.equal(emulator.journal.entries().filter((entry) => entry.status === 429).length, 0);
    const snapshot = sync.rateLimit.snapshot();
    assert.equal(snapshot.tokens.length, 1);
    assert.equal(snapshot.tokens[0].burst.limit, 20);
  });
});
