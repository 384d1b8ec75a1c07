/**
 * @module tests/prisma/outbox.test
 * The outbox of `createPrismaStore` (`pipedrive-sync/prisma`) on a real SQLite file and on PostgreSQL: enqueue in
 * the CRM's transaction (committed, rolled back), dedupe merges, strict order per record, priorities, leases and
 * their expiry, complete/fail with a lost lease, retry then dead, replay, stats, two workers on one outbox, and a
 * seeded random sequence checked for per-record order.
 */

import assert from 'node:assert/strict';
import { before, beforeEach, describe, test } from 'node:test';
import { createPrismaStore, PrismaStoreError, type PrismaClientLike } from '../../js/prisma';
import { detectDialect } from '../../js/prisma/sql';
import type { NewSyncJob, SyncStore } from '../../js/store/types';
import { leaseOf } from './contacts_helpers';
import { createTestDatabase, describeEachDatabase, type PostgresClientModule, type TestDatabase } from './databases';

// Compile-time: the generated PostgreSQL client satisfies the structural type, `$transaction` and `$executeRaw` included.
type PostgresClient = InstanceType<PostgresClientModule['PrismaClient']>;
const acceptsPostgresClient = (client: PostgresClient): PrismaClientLike => client;
void acceptsPostgresClient;

/** The tests' clock: every time is an offset from this instant. */
const T0 = Date.parse('2030-01-01T00:00:00.000Z');
/** The instant `ms` after {@link T0}, as ISO 8601. */
const at = (ms: number): string => new Date(T0 + ms).toISOString();
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** A new job for `record` (`person:<record>` by default), due at T0 unless told. */
function job(record: string, overrides: Partial<NewSyncJob> = {}): NewSyncJob {
  return {
    kind: 'update_person',
    recordType: 'person',
    recordId: record,
    dedupeKey: `update_person:${record}`,
    payload: { name: `Name of ${record}` },
    nextAttemptAt: at(0),
    ...overrides,
  };
}

/** Asserts a rejection is a PrismaStoreError for `operation`, with the database's error as its cause. */
function isStoreError(operation: string) {
  return (error: unknown) => {
    assert.ok(error instanceof PrismaStoreError, `expected a PrismaStoreError, got ${String(error)}`);
    assert.equal(error.operation, operation);
    assert.ok(error.cause instanceof Error, 'the database error is kept as the cause');
    return true;
  };
}

/** Asserts a rejection is a RangeError whose message names `field`. */
function namesField(field: string) {
  return (error: unknown) => {
    assert.ok(error instanceof RangeError, `expected a RangeError, got ${String(error)}`);
    assert.ok(error.message.includes(field), `the message names ${field}: ${error.message}`);
    return true;
  };
}

/** A small seeded PRNG (mulberry32): the same seed gives the same sequence, so a failure can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describeEachDatabase('Prisma store outbox', (db: () => TestDatabase, name) => {
  let store: SyncStore;

  /** The stored row of a job, through the generated client (independent of the store's own reads). */
  const row = async (id: number) => db().prisma.syncJob.findUniqueOrThrow({ where: { id } });

  before(() => {
    store = createPrismaStore(db().prisma);
  });

  beforeEach(async () => {
    await db().prisma.syncJob.deleteMany();
  });

  describe('enqueueJob', () => {
    test('stores a PENDING job with its fields, payload as JSON text, default priority 0', async () => {
      const before = Date.now();
      const result = await store.enqueueJob({ kind: 'warm_lead', recordType: 'contact', recordId: 'c1', dedupeKey: 'warm_lead:c1', payload: { score: 4, tags: ['a'] } });
      assert.deepEqual(Object.keys(result).sort(), ['id', 'merged']);
      assert.equal(result.merged, false);
      const stored = await row(result.id);
      assert.equal(stored.kind, 'warm_lead');
      assert.equal(stored.recordType, 'contact');
      assert.equal(stored.recordId, 'c1');
      assert.equal(stored.dedupeKey, 'warm_lead:c1');
      assert.deepEqual(JSON.parse(stored.payload), { score: 4, tags: ['a'] });
      assert.equal(stored.state, 'PENDING');
      assert.equal(stored.priority, 0);
      assert.equal(stored.attempts, 0);
      assert.equal(stored.leaseOwner, null);
      assert.equal(stored.lastError, null);
      // Default schedule: now (the process clock, not the database's).
      assert.ok(stored.nextAttemptAt.getTime() >= before - 1 && stored.nextAttemptAt.getTime() <= Date.now() + 1);
    });

    test("inside the caller's committed transaction: the job commits with the change", async () => {
      const prisma = db().prisma;
      const email = `committed-${name}@example.com`;
      const result = await prisma.$transaction(async (tx) => {
        await tx.user.create({ data: { email } });
        return store.enqueueJob(job('tx-commit'), { tx });
      });
      assert.equal((await row(result.id)).recordId, 'tx-commit');
      assert.ok(await prisma.user.findUnique({ where: { email } }));
    });

    test("inside the caller's rolled-back transaction: the job does not exist", async () => {
      const prisma = db().prisma;
      const email = `rolled-back-${name}@example.com`;
      let enqueued: { id: number } | undefined;
      await assert.rejects(
        prisma.$transaction(async (tx) => {
          await tx.user.create({ data: { email } });
          enqueued = await store.enqueueJob(job('tx-rollback'), { tx });
          // Visible inside the transaction...
          assert.equal((await tx.syncJob.findUniqueOrThrow({ where: { id: enqueued.id } })).recordId, 'tx-rollback');
          throw new Error('the CRM change failed');
        }),
        /the CRM change failed/,
      );
      assert.ok(enqueued, 'the job was enqueued inside the transaction');
      // ...and gone with it.
      assert.equal(await prisma.syncJob.count({ where: { recordId: 'tx-rollback' } }), 0);
      assert.equal(await prisma.user.findUnique({ where: { email } }), null);
      assert.deepEqual(await store.claimJobs({ workerId: 'w', limit: 10, leaseMs: MINUTE, now: at(DAY) }), []);
    });

    test('a merge inside a rolled-back transaction leaves the pending job as it was', async () => {
      const first = await store.enqueueJob(job('tx-merge', { payload: { a: 1 } }));
      await assert.rejects(
        db().prisma.$transaction(async (tx) => {
          assert.deepEqual(await store.enqueueJob(job('tx-merge', { payload: { a: 2, b: 2 }, priority: 9 }), { tx }), { id: first.id, merged: true });
          throw new Error('rollback');
        }),
        /rollback/,
      );
      const stored = await row(first.id);
      assert.deepEqual(JSON.parse(stored.payload), { a: 1 });
      assert.equal(stored.priority, 0);
    });

    test('dedupe: a newer change merges into the pending job (keys overwritten, priority max, schedule kept)', async () => {
      const first = await store.enqueueJob(job('m1', { payload: { a: 1, b: 1, nested: { x: 1 } }, priority: 0, nextAttemptAt: at(HOUR) }));
      const second = await store.enqueueJob(job('m1', { payload: { b: 2, c: 3, nested: { y: 2 } }, priority: 10, nextAttemptAt: at(0) }));
      assert.deepEqual(second, { id: first.id, merged: true });
      let stored = await row(first.id);
      assert.deepEqual(JSON.parse(stored.payload), { a: 1, b: 2, c: 3, nested: { y: 2 } }, 'shallow merge: new keys win');
      assert.equal(stored.priority, 10);
      assert.equal(stored.nextAttemptAt.toISOString(), at(HOUR), 'the waiting job keeps its schedule');
      assert.deepEqual(await store.enqueueJob(job('m1', { payload: { d: 4 }, priority: 5 })), { id: first.id, merged: true });
      stored = await row(first.id);
      assert.equal(stored.priority, 10, 'a merge keeps the higher priority');
      assert.deepEqual(JSON.parse(stored.payload), { a: 1, b: 2, c: 3, nested: { y: 2 }, d: 4 });
      assert.equal(await db().prisma.syncJob.count(), 1);
      // A different key is a different job, even for the same record.
      const other = await store.enqueueJob(job('m1', { dedupeKey: 'replicate_activity:m1', payload: { z: 1 } }));
      assert.equal(other.merged, false);
      assert.notEqual(other.id, first.id);
    });

    test('dedupe: RUNNING, DONE and DEAD jobs are never merged into', async () => {
      const first = await store.enqueueJob(job('m2', { payload: { v: 1 } }));
      const [claimed] = await store.claimJobs({ workerId: 'w1', limit: 1, leaseMs: MINUTE, now: at(0) });
      assert.equal(claimed.id, first.id);
      const whileRunning = await store.enqueueJob(job('m2', { payload: { v: 2 } }));
      assert.equal(whileRunning.merged, false);
      assert.notEqual(whileRunning.id, first.id);
      assert.deepEqual(JSON.parse((await row(first.id)).payload), { v: 1 }, 'the running job keeps the payload it was claimed with');
      assert.deepEqual(JSON.parse((await row(whileRunning.id)).payload), { v: 2 });

      assert.equal(await store.completeJob(first.id, await leaseOf(db().prisma, first.id, 'w1'), at(SECOND)), true);
      const [second] = await store.claimJobs({ workerId: 'w1', limit: 1, leaseMs: MINUTE, now: at(2 * SECOND) });
      assert.equal(second.id, whileRunning.id);
      assert.equal(await store.failJob(second.id, await leaseOf(db().prisma, second.id, 'w1'), { error: 'VALIDATION: bad', retryAt: null, now: at(3 * SECOND) }), true);
      // first is DONE, second is DEAD: a new change makes a new job.
      const third = await store.enqueueJob(job('m2', { payload: { v: 3 } }));
      assert.equal(third.merged, false);
      assert.ok(third.id !== first.id && third.id !== second.id);
      assert.equal((await row(first.id)).state, 'DONE');
      assert.equal((await row(second.id)).state, 'DEAD');
    });

    test('concurrent enqueues of one key from two clients end with one PENDING job holding every change', async () => {
      const other = createPrismaStore(db().newClient());
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? store : other).enqueueJob(job('race', { payload: { [`k${i}`]: i }, priority: i % 7 }))),
      );
      const pending = await db().prisma.syncJob.findMany({ where: { dedupeKey: 'update_person:race' } });
      assert.equal(pending.length, 1, 'one job for the key');
      assert.equal(pending[0].state, 'PENDING');
      assert.equal(results.filter((r) => !r.merged).length, 1, 'exactly one insert');
      assert.ok(results.every((r) => r.id === pending[0].id));
      const payload = JSON.parse(pending[0].payload) as Record<string, number>;
      assert.deepEqual(Object.keys(payload).sort(), Array.from({ length: 40 }, (_, i) => `k${i}`).sort(), 'no change lost');
      assert.equal(pending[0].priority, 6);
    });

    test("concurrent enqueues of one key in callers' transactions end with one PENDING job", async () => {
      // On PostgreSQL through two clients (the advisory lock serialises the transactions); on SQLite one client's
      // transactions are serialised by the adapter (see the report on two clients with interactive transactions).
      const clients = name === 'postgresql' ? [db().prisma, db().newClient()] : [db().prisma];
      const results = await Promise.all(
        Array.from({ length: 16 }, (_, i) =>
          clients[i % clients.length].$transaction(async (tx) => {
            const result = await store.enqueueJob(job('tx-race', { payload: { [`k${i}`]: i } }), { tx });
            await tx.user.count(); // more work in the same transaction after the enqueue
            return result;
          }),
        ),
      );
      const stored = await db().prisma.syncJob.findMany({ where: { dedupeKey: 'update_person:tx-race' } });
      assert.equal(stored.length, 1);
      assert.equal(results.filter((r) => !r.merged).length, 1);
      assert.equal(Object.keys(JSON.parse(stored[0].payload)).length, 16);
    });

    test('rejects invalid jobs with a RangeError naming the field, before any query', async () => {
      const calls: string[] = [];
      const spy = {
        user: {},
        $queryRaw: () => (calls.push('$queryRaw'), Promise.resolve([])),
        $executeRaw: () => (calls.push('$executeRaw'), Promise.resolve(0)),
        $transaction: () => (calls.push('$transaction'), Promise.resolve(undefined)),
      } as unknown as PrismaClientLike;
      const spyStore = createPrismaStore(spy);
      const cases: Array<[string, unknown]> = [
        ['kind', { ...job('v'), kind: '' }],
        ['recordType', { ...job('v'), recordType: 42 }],
        ['recordId', { ...job('v'), recordId: '  ' }],
        ['dedupeKey', { ...job('v'), dedupeKey: undefined }],
        ['payload', { ...job('v'), payload: null }],
        ['payload', { ...job('v'), payload: ['a'] }],
        ['payload', { ...job('v'), payload: new Date() }],
        ['payload', { ...job('v'), payload: 'text' }],
        ['payload', { ...job('v'), payload: { big: 1n } }],
        ['priority', { ...job('v'), priority: 1.5 }],
        ['priority', { ...job('v'), priority: '1' }],
        ['nextAttemptAt', { ...job('v'), nextAttemptAt: 'tomorrow' }],
        ['nextAttemptAt', { ...job('v'), nextAttemptAt: '2030-01-01T00:00:00' }],
        ['job', null],
      ];
      for (const [field, bad] of cases) {
        await assert.rejects(spyStore.enqueueJob(bad as NewSyncJob), namesField(field), `rejects a bad ${field}`);
      }
      await assert.rejects(spyStore.enqueueJob(job('v'), { tx: {} }), namesField('tx'));
      assert.deepEqual(calls, [], 'no query was sent');
      assert.equal(await db().prisma.syncJob.count(), 0);
    });
  });

  describe('claimJobs', () => {
    test('leases due jobs: RUNNING, lease owner and end, attempts + 1, parsed payload, ISO times', async () => {
      const { id } = await store.enqueueJob(job('c1', { payload: { email: ['a@b.c'] }, priority: 3 }));
      const claimed = await store.claimJobs({ workerId: 'worker-1', limit: 5, leaseMs: 30 * SECOND, now: at(MINUTE) });
      assert.equal(claimed.length, 1);
      const [got] = claimed;
      assert.equal(got.id, id);
      assert.equal(got.state, 'RUNNING');
      assert.equal(got.leaseOwner, 'worker-1');
      assert.equal(got.leaseUntil, at(MINUTE + 30 * SECOND));
      assert.equal(got.attempts, 1);
      assert.equal(got.recovered, false);
      assert.deepEqual(got.payload, { email: ['a@b.c'] });
      assert.equal(got.priority, 3);
      assert.equal(got.nextAttemptAt, at(0));
      assert.equal(got.updatedAt, at(MINUTE));
      assert.equal(got.doneAt, null);
      assert.match(got.createdAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      const stored = await row(id);
      assert.equal(stored.state, 'RUNNING');
      assert.equal(stored.leaseOwner, 'worker-1');
      assert.equal(stored.leaseUntil?.toISOString(), at(MINUTE + 30 * SECOND));
      assert.equal(stored.attempts, 1);
    });

    test('due means nextAttemptAt <= now, to the millisecond and across days', async () => {
      const ms = await store.enqueueJob(job('due-ms', { nextAttemptAt: at(1) }));
      const days = await store.enqueueJob(job('due-days', { nextAttemptAt: at(2 * DAY) }));
      const claim = (now: string) => store.claimJobs({ workerId: 'w', limit: 10, leaseMs: 30 * DAY, now });
      assert.deepEqual(await claim(at(0)), [], '1 ms early');
      assert.deepEqual((await claim(at(1))).map((j) => j.id), [ms.id], 'exactly due');
      assert.deepEqual(await claim(at(DAY)), [], 'a day early');
      assert.deepEqual(await claim(at(2 * DAY - 1)), [], '1 ms early, days later');
      assert.deepEqual((await claim(new Date(T0 + 2 * DAY).toISOString().replace('Z', '+00:00'))).map((j) => j.id), [days.id]);
      // Offsets are instants: 01:00+01:00 is 00:00Z.
      const offset = await store.enqueueJob(job('due-offset', { nextAttemptAt: '2030-01-05T01:00:00.000+01:00' }));
      assert.deepEqual(await claim('2030-01-04T23:59:59.999Z'), []);
      assert.deepEqual((await claim('2030-01-05T00:00:00.000Z')).map((j) => j.id), [offset.id]);
    });

    test('priority DESC then id ASC; limit; minPriority filters', async () => {
      const low = await store.enqueueJob(job('p-low', { priority: 0 }));
      const highOld = await store.enqueueJob(job('p-high-1', { priority: 10 }));
      const mid = await store.enqueueJob(job('p-mid', { priority: 5 }));
      const highNew = await store.enqueueJob(job('p-high-2', { priority: 10 }));
      const negative = await store.enqueueJob(job('p-neg', { priority: -3 }));
      const two = await store.claimJobs({ workerId: 'w', limit: 2, leaseMs: MINUTE, now: at(0) });
      assert.deepEqual(two.map((j) => j.id), [highOld.id, highNew.id]);
      const interactive = await store.claimJobs({ workerId: 'w', limit: 10, leaseMs: MINUTE, now: at(0), minPriority: 1 });
      assert.deepEqual(interactive.map((j) => j.id), [mid.id]);
      const rest = await store.claimJobs({ workerId: 'w', limit: 10, leaseMs: MINUTE, now: at(0) });
      assert.deepEqual(rest.map((j) => j.id), [low.id, negative.id]);
    });

    test('strict order per record: an older pending job blocks a newer one, even when only the newer is due', async () => {
      const older = await store.enqueueJob(job('r1', { dedupeKey: 'a:r1', nextAttemptAt: at(HOUR) }));
      const newer = await store.enqueueJob(job('r1', { dedupeKey: 'b:r1', nextAttemptAt: at(0), priority: 10 }));
      const otherRecord = await store.enqueueJob(job('r2', { nextAttemptAt: at(0) }));
      // Same id, other record type: a different record.
      const otherType = await store.enqueueJob(job('r1', { recordType: 'organization', dedupeKey: 'org:r1', nextAttemptAt: at(0) }));
      const claim = (now: string, limit = 10) => store.claimJobs({ workerId: 'w', limit, leaseMs: DAY, now });

      assert.deepEqual((await claim(at(MINUTE))).map((j) => j.id), [otherRecord.id, otherType.id], 'r1 waits for its older job');
      // Both r1 jobs due: one claim returns only the older.
      assert.deepEqual((await claim(at(2 * HOUR))).map((j) => j.id), [older.id]);
      // The older one RUNNING still blocks the newer one.
      assert.deepEqual(await claim(at(2 * HOUR)), []);
      assert.equal(await store.completeJob(older.id, await leaseOf(db().prisma, older.id, 'w'), at(2 * HOUR)), true);
      assert.deepEqual((await claim(at(2 * HOUR))).map((j) => j.id), [newer.id]);
    });

    test('strict order per record: a job waiting for its retry blocks newer jobs; a DEAD one does not', async () => {
      const first = await store.enqueueJob(job('r3', { dedupeKey: 'a:r3' }));
      await store.claimJobs({ workerId: 'w', limit: 1, leaseMs: MINUTE, now: at(0) });
      const second = await store.enqueueJob(job('r3', { dedupeKey: 'b:r3' }));
      assert.equal(await store.failJob(first.id, await leaseOf(db().prisma, first.id, 'w'), { error: 'UNAVAILABLE: down', retryAt: at(HOUR), now: at(SECOND) }), true);
      assert.deepEqual(await store.claimJobs({ workerId: 'w', limit: 10, leaseMs: MINUTE, now: at(MINUTE) }), []);
      const [retried] = await store.claimJobs({ workerId: 'w', limit: 10, leaseMs: MINUTE, now: at(HOUR) });
      assert.equal(retried.id, first.id);
      assert.equal(await store.failJob(first.id, await leaseOf(db().prisma, first.id, 'w'), { error: 'UNAVAILABLE: still down', retryAt: null, now: at(HOUR + SECOND) }), true);
      assert.deepEqual((await store.claimJobs({ workerId: 'w', limit: 10, leaseMs: MINUTE, now: at(HOUR + 2 * SECOND) })).map((j) => j.id), [second.id]);
    });

    test('an expired lease comes back to another worker with recovered: true', async () => {
      const { id } = await store.enqueueJob(job('lease'));
      const [first] = await store.claimJobs({ workerId: 'w1', limit: 1, leaseMs: 30 * SECOND, now: at(0) });
      assert.equal(first.recovered, false);
      const claimAs = (workerId: string, now: string) => store.claimJobs({ workerId, limit: 5, leaseMs: 30 * SECOND, now });
      assert.deepEqual(await claimAs('w2', at(30 * SECOND - 1)), [], 'lease still held');
      assert.deepEqual(await claimAs('w2', at(30 * SECOND)), [], 'a lease ends after its last millisecond');
      const [second] = await claimAs('w2', at(30 * SECOND + 1));
      assert.equal(second.id, id);
      assert.equal(second.recovered, true);
      assert.equal(second.attempts, 2);
      assert.equal(second.leaseOwner, 'w2');
      assert.equal(second.leaseUntil, at(60 * SECOND + 1));

      // The first worker lost its lease: nothing it reports changes the job.
      assert.equal(await store.completeJob(id, await leaseOf(db().prisma, id, 'w1'), at(40 * SECOND)), false);
      assert.equal(await store.failJob(id, await leaseOf(db().prisma, id, 'w1'), { error: 'UNAVAILABLE: x', retryAt: at(HOUR), now: at(40 * SECOND) }), false);
      assert.equal(await store.failJob(id, await leaseOf(db().prisma, id, 'w1'), { error: 'UNAVAILABLE: x', retryAt: null, now: at(40 * SECOND) }), false);
      let stored = await row(id);
      assert.equal(stored.state, 'RUNNING');
      assert.equal(stored.leaseOwner, 'w2');
      assert.equal(stored.lastError, null);

      assert.equal(await store.completeJob(id, await leaseOf(db().prisma, id, 'w2'), at(45 * SECOND)), true);
      stored = await row(id);
      assert.equal(stored.state, 'DONE');
      assert.equal(stored.doneAt?.toISOString(), at(45 * SECOND));
      assert.equal(stored.leaseOwner, null);
      assert.equal(stored.leaseUntil, null);
      assert.equal(await store.completeJob(id, await leaseOf(db().prisma, id, 'w2'), at(46 * SECOND)), false, 'completing twice');
      assert.deepEqual(await claimAs('w3', at(DAY)), [], 'a DONE job is never claimed');
    });

    test('fenced leases: each claim a new token; a stale claim of the same worker id is refused everywhere', async () => {
      const { id } = await store.enqueueJob(job('fenced'));
      const [first] = await store.claimJobs({ workerId: 'w', limit: 1, leaseMs: SECOND, now: at(0) });
      assert.equal(first.leaseToken, 1);
      assert.equal(first.inDoubtSince, null);
      const stale = { workerId: 'w', token: first.leaseToken };
      // The lease runs out; a worker with the same id (two processes named alike) claims it again.
      const [second] = await store.claimJobs({ workerId: 'w', limit: 1, leaseMs: MINUTE, now: at(2 * SECOND) });
      assert.equal(second.leaseToken, 2);
      assert.equal(await store.renewLease(id, stale, { leaseMs: MINUTE, now: at(3 * SECOND) }), false);
      assert.equal(await store.markJobInDoubt(id, stale, { since: at(3 * SECOND), now: at(3 * SECOND) }), false);
      assert.equal(await store.completeJob(id, stale, at(3 * SECOND)), false);
      assert.equal(await store.failJob(id, stale, { error: 'x', retryAt: null, now: at(3 * SECOND) }), false);
      let stored = await row(id);
      assert.equal(stored.state, 'RUNNING');
      assert.equal(stored.inDoubtSince, null);
      assert.equal(stored.leaseUntil?.toISOString(), at(MINUTE + 2 * SECOND), 'the stale renewal changed nothing');

      const current = { workerId: 'w', token: second.leaseToken };
      assert.equal(await store.renewLease(id, current, { leaseMs: MINUTE, now: at(50 * SECOND) }), true);
      assert.equal((await row(id)).leaseUntil?.toISOString(), at(110 * SECOND));
      assert.deepEqual(await store.claimJobs({ workerId: 'x', limit: 1, leaseMs: MINUTE, now: at(100 * SECOND) }), [], 'renewed: not reclaimable');
      assert.equal(await store.markJobInDoubt(id, current, { since: at(51 * SECOND), now: at(51 * SECOND) }), true);
      assert.equal(await store.markJobInDoubt(id, current, { since: at(60 * SECOND), now: at(60 * SECOND) }), true);
      stored = await row(id);
      assert.equal(stored.inDoubtSince?.toISOString(), at(51 * SECOND), 'the first mark is kept');
      assert.equal(await store.failJob(id, current, { error: 'UNAVAILABLE: timeout', retryAt: at(HOUR), now: at(61 * SECOND) }), true);
      const [third] = await store.claimJobs({ workerId: 'y', limit: 1, leaseMs: MINUTE, now: at(HOUR) });
      assert.equal(third.leaseToken, 3);
      assert.equal(third.inDoubtSince, at(51 * SECOND), 'the next attempt knows a create may exist');
      assert.equal(await store.completeJob(id, current, at(HOUR)), false, 'the old claim is fenced out');
      assert.equal(await store.completeJob(id, { workerId: 'y', token: 3 }, at(HOUR)), true);
      await assert.rejects(store.renewLease(id, { workerId: 'y', token: 3 }, { leaseMs: 0, now: at(0) }), namesField('leaseMs'));
      await assert.rejects(store.markJobInDoubt(id, { workerId: 'y', token: 3 }, { since: 'soon', now: at(0) }), namesField('since'));
    });

    test('a merge into a pending job never replaces a known value with null', async () => {
      const first = await store.enqueueJob(job('merge-null', { payload: { contactId: 'c', userId: 'u1' } }));
      const merged = await store.enqueueJob(job('merge-null', { payload: { contactId: 'c', userId: null, extra: null } }));
      assert.equal(merged.id, first.id);
      assert.deepEqual(JSON.parse((await row(first.id)).payload), { contactId: 'c', userId: 'u1', extra: null });
    });

    test('a job is claimed fresh (recovered: false) after a failure, whatever happened before', async () => {
      const { id } = await store.enqueueJob(job('fresh'));
      await store.claimJobs({ workerId: 'w1', limit: 1, leaseMs: SECOND, now: at(0) });
      const [recovered] = await store.claimJobs({ workerId: 'w2', limit: 1, leaseMs: SECOND, now: at(2 * SECOND) });
      assert.equal(recovered.recovered, true);
      assert.equal(await store.failJob(id, await leaseOf(db().prisma, id, 'w2'), { error: 'UNAVAILABLE: 503', retryAt: at(3 * SECOND), now: at(2 * SECOND) }), true);
      const [again] = await store.claimJobs({ workerId: 'w1', limit: 1, leaseMs: SECOND, now: at(3 * SECOND) });
      assert.equal(again.recovered, false);
      assert.equal(again.attempts, 3);
    });

    test('rejects invalid requests with a RangeError naming the field; limit 0 claims nothing', async () => {
      await store.enqueueJob(job('bad-claim'));
      const ok = { workerId: 'w', limit: 1, leaseMs: MINUTE, now: at(0) };
      for (const [field, bad] of [
        ['workerId', { ...ok, workerId: '' }],
        ['limit', { ...ok, limit: -1 }],
        ['limit', { ...ok, limit: 1.5 }],
        ['leaseMs', { ...ok, leaseMs: 0 }],
        ['now', { ...ok, now: 'now' }],
        ['minPriority', { ...ok, minPriority: 'high' }],
      ] as const) {
        await assert.rejects(store.claimJobs(bad as never), namesField(field));
      }
      assert.deepEqual(await store.claimJobs({ ...ok, limit: 0 }), []);
      assert.equal((await db().prisma.syncJob.findFirstOrThrow()).state, 'PENDING');
    });

    test('two workers on two clients claiming at once never get the same job and together get every job', async () => {
      const total = 300;
      for (let i = 0; i < total; i += 50) {
        await db().prisma.syncJob.createMany({
          data: Array.from({ length: 50 }, (_, k) => ({
            kind: 'update_person',
            recordType: 'person',
            recordId: `many-${i + k}`,
            dedupeKey: `update_person:many-${i + k}`,
            payload: '{}',
            nextAttemptAt: new Date(T0),
          })),
        });
      }
      const workers = [createPrismaStore(db().newClient()), createPrismaStore(db().newClient())];
      const got: number[][] = [[], []];
      await Promise.all(
        workers.map(async (worker, w) => {
          for (let round = 0; round < 200; round++) {
            const jobs = await worker.claimJobs({ workerId: `worker-${w}`, limit: 7, leaseMs: HOUR, now: at(0) });
            if (jobs.length === 0) break;
            got[w].push(...jobs.map((j) => j.id));
          }
        }),
      );
      const all = [...got[0], ...got[1]];
      assert.equal(new Set(all).size, all.length, 'no job claimed twice');
      assert.equal(all.length, total, 'every job claimed');
      assert.ok(got[0].length > 0 && got[1].length > 0, `both workers got work (${got[0].length} and ${got[1].length})`);
      const owners = await db().prisma.syncJob.groupBy({ by: ['leaseOwner'], _count: { _all: true } });
      assert.deepEqual(
        Object.fromEntries(owners.map((o) => [o.leaseOwner, o._count._all])),
        { 'worker-0': got[0].length, 'worker-1': got[1].length },
      );
    });

    test('two workers draining one outbox (claim, complete) keep each record in order and one job per record running', async () => {
      const ids: Array<{ id: number; record: string }> = [];
      for (let i = 0; i < 120; i++) {
        const record = `drain-${i % 30}`;
        const { id } = await store.enqueueJob(job(record, { dedupeKey: `k${i}`, priority: i % 3 }));
        ids.push({ id, record });
      }
      const running = new Map<string, number>();
      const doneOrder = new Map<string, number[]>();
      const workers = [createPrismaStore(db().newClient()), createPrismaStore(db().newClient())];
      await Promise.all(
        workers.map(async (worker, w) => {
          for (let round = 0; round < 500; round++) {
            const jobs = await worker.claimJobs({ workerId: `d${w}`, limit: 4, leaseMs: HOUR, now: at(0) });
            if (jobs.length === 0) {
              if ([...doneOrder.values()].reduce((n, list) => n + list.length, 0) === ids.length) break;
              await new Promise((resolve) => setTimeout(resolve, 2));
              continue;
            }
            for (const j of jobs) {
              assert.equal(running.get(j.recordId), undefined, `record ${j.recordId} already has job ${running.get(j.recordId)} running`);
              running.set(j.recordId, j.id);
            }
            await new Promise((resolve) => setImmediate(resolve));
            for (const j of jobs) {
              running.delete(j.recordId);
              doneOrder.set(j.recordId, [...(doneOrder.get(j.recordId) ?? []), j.id]);
              assert.equal(await worker.completeJob(j.id, { workerId: `d${w}`, token: j.leaseToken }, at(0)), true);
            }
          }
        }),
      );
      for (const [record, order] of doneOrder) {
        const expected = ids.filter((entry) => entry.record === record).map((entry) => entry.id);
        assert.deepEqual(order, expected, `record ${record} done in id order`);
      }
      assert.equal(await db().prisma.syncJob.count({ where: { state: 'DONE' } }), ids.length);
    });
  });

  describe('failJob, retryDeadJobs, queueStats', () => {
    test('fail: PENDING at the retry time with the error, then DEAD with the last error', async () => {
      const { id } = await store.enqueueJob(job('f1'));
      await store.claimJobs({ workerId: 'w', limit: 1, leaseMs: MINUTE, now: at(0) });
      assert.equal(await store.failJob(id, await leaseOf(db().prisma, id, 'w'), { error: 'UNAVAILABLE: Pipedrive answered 503', retryAt: at(10 * SECOND), now: at(SECOND) }), true);
      let stored = await row(id);
      assert.equal(stored.state, 'PENDING');
      assert.equal(stored.nextAttemptAt.toISOString(), at(10 * SECOND));
      assert.equal(stored.lastError, 'UNAVAILABLE: Pipedrive answered 503');
      assert.equal(stored.leaseOwner, null);
      assert.equal(stored.leaseUntil, null);
      assert.equal(stored.attempts, 1);
      assert.equal(stored.updatedAt.toISOString(), at(SECOND));
      assert.equal(await store.failJob(id, await leaseOf(db().prisma, id, 'w'), { error: 'again', retryAt: at(HOUR), now: at(2 * SECOND) }), false, 'not RUNNING any more');

      assert.deepEqual(await store.claimJobs({ workerId: 'w', limit: 1, leaseMs: MINUTE, now: at(10 * SECOND - 1) }), []);
      const [again] = await store.claimJobs({ workerId: 'w', limit: 1, leaseMs: MINUTE, now: at(10 * SECOND) });
      assert.equal(again.attempts, 2);
      assert.equal(again.lastError, 'UNAVAILABLE: Pipedrive answered 503', 'the last error stays until the next result');
      assert.equal(await store.failJob(id, await leaseOf(db().prisma, id, 'w'), { error: 'RATE_LIMITED: daily budget spent', retryAt: null, now: at(11 * SECOND) }), true);
      stored = await row(id);
      assert.equal(stored.state, 'DEAD');
      assert.equal(stored.lastError, 'RATE_LIMITED: daily budget spent');
      assert.equal(stored.leaseOwner, null);
      assert.equal(stored.attempts, 2);
      assert.deepEqual(await store.claimJobs({ workerId: 'w', limit: 1, leaseMs: MINUTE, now: at(10 * DAY) }), [], 'a DEAD job is never claimed');
    });

    test('complete and fail resolve false for unknown, pending and other workers’ jobs; reject bad arguments', async () => {
      const { id } = await store.enqueueJob(job('f2'));
      assert.equal(await store.completeJob(id, await leaseOf(db().prisma, id, 'w'), at(0)), false, 'PENDING, never claimed');
      assert.equal(await store.failJob(id, await leaseOf(db().prisma, id, 'w'), { error: 'x', retryAt: null, now: at(0) }), false);
      assert.equal(await store.completeJob(999_999, await leaseOf(db().prisma, 999_999, 'w'), at(0)), false);
      await store.claimJobs({ workerId: 'owner', limit: 1, leaseMs: MINUTE, now: at(0) });
      assert.equal(await store.completeJob(id, await leaseOf(db().prisma, id, 'intruder'), at(0)), false);
      assert.equal(await store.failJob(id, await leaseOf(db().prisma, id, 'intruder'), { error: 'x', retryAt: null, now: at(0) }), false);
      assert.equal((await row(id)).state, 'RUNNING');
      await assert.rejects(store.completeJob(1.5, { workerId: 'w', token: 1 }, at(0)), namesField('jobId'));
      await assert.rejects(store.completeJob(id, { workerId: '', token: 1 }, at(0)), namesField('workerId'));
      await assert.rejects(store.completeJob(id, { workerId: 'owner', token: -1 }, at(0)), namesField('lease.token'));
      await assert.rejects(store.completeJob(id, 'owner' as never, at(0)), namesField('lease'));
      await assert.rejects(store.completeJob(id, await leaseOf(db().prisma, id, 'owner'), 'yesterday'), namesField('now'));
      await assert.rejects(store.failJob(id, await leaseOf(db().prisma, id, 'owner'), { error: 'x', retryAt: 'soon', now: at(0) }), namesField('retryAt'));
      await assert.rejects(store.failJob(id, await leaseOf(db().prisma, id, 'owner'), { error: 5, retryAt: null, now: at(0) } as never), namesField('error'));
      await assert.rejects(store.retryDeadJobs(at(0), -1), namesField('jobId'));
      await assert.rejects(store.queueStats('2030-01-01'), namesField('now'));
      assert.equal((await row(id)).state, 'RUNNING');
    });

    test('completing an expired lease nobody reclaimed still counts', async () => {
      const { id } = await store.enqueueJob(job('late'));
      await store.claimJobs({ workerId: 'slow', limit: 1, leaseMs: SECOND, now: at(0) });
      assert.equal(await store.completeJob(id, await leaseOf(db().prisma, id, 'slow'), at(MINUTE)), true);
      assert.equal((await row(id)).state, 'DONE');
    });

    test('retryDeadJobs: one, then all; PENDING due now, attempts 0, last error kept', async () => {
      const dead: number[] = [];
      for (const record of ['d1', 'd2', 'd3']) {
        const { id } = await store.enqueueJob(job(record));
        dead.push(id);
      }
      await store.claimJobs({ workerId: 'w', limit: 3, leaseMs: MINUTE, now: at(0) });
      for (const id of dead) assert.equal(await store.failJob(id, await leaseOf(db().prisma, id, 'w'), { error: `NOT_FOUND: ${id}`, retryAt: null, now: at(SECOND) }), true);
      const pending = await store.enqueueJob(job('d4'));

      assert.equal(await store.retryDeadJobs(at(DAY), dead[1]), 1);
      const revived = await row(dead[1]);
      assert.equal(revived.state, 'PENDING');
      assert.equal(revived.attempts, 0);
      assert.equal(revived.nextAttemptAt.toISOString(), at(DAY));
      assert.equal(revived.lastError, `NOT_FOUND: ${dead[1]}`);
      assert.equal((await row(dead[0])).state, 'DEAD');
      assert.equal(await store.retryDeadJobs(at(DAY), dead[1]), 0, 'no longer DEAD');
      assert.equal(await store.retryDeadJobs(at(DAY), pending.id), 0, 'a PENDING job is not touched');
      assert.equal(await store.retryDeadJobs(at(DAY), 987_654), 0);

      assert.equal(await store.retryDeadJobs(at(2 * DAY)), 2);
      assert.equal(await store.retryDeadJobs(at(2 * DAY)), 0);
      assert.equal((await row(dead[0])).nextAttemptAt.toISOString(), at(2 * DAY));
      const claimed = await store.claimJobs({ workerId: 'w', limit: 10, leaseMs: MINUTE, now: at(2 * DAY) });
      assert.deepEqual(claimed.map((j) => j.id).sort((a, b) => a - b), [...dead, pending.id].sort((a, b) => a - b));
      assert.ok(claimed.filter((j) => dead.includes(j.id)).every((j) => j.attempts === 1 && !j.recovered));
    });

    test('queueStats: every state counted (0 when none), due at now, oldest pending, latest dead first', async () => {
      assert.deepEqual(await store.queueStats(at(0)), {
        counts: { PENDING: 0, RUNNING: 0, DONE: 0, DEAD: 0 },
        due: 0,
        oldestPendingAt: null,
        dead: [],
      });
      const oldest = await store.enqueueJob(job('s-due', { nextAttemptAt: at(0) }));
      await store.enqueueJob(job('s-later', { nextAttemptAt: at(2 * DAY) }));
      await store.enqueueJob(job('s-ms', { nextAttemptAt: at(DAY + 1) }));
      const running = await store.enqueueJob(job('s-run', { priority: 100 }));
      const done = await store.enqueueJob(job('s-done', { priority: 100 }));
      const dead1 = await store.enqueueJob(job('s-dead1', { kind: 'warm_lead', recordType: 'contact', priority: 100 }));
      const dead2 = await store.enqueueJob(job('s-dead2', { priority: 100 }));
      const claimed = await store.claimJobs({ workerId: 'w', limit: 4, leaseMs: HOUR, now: at(0) });
      assert.deepEqual(claimed.map((j) => j.id), [running.id, done.id, dead1.id, dead2.id]);
      await store.completeJob(done.id, await leaseOf(db().prisma, done.id, 'w'), at(SECOND));
      await store.failJob(dead2.id, await leaseOf(db().prisma, dead2.id, 'w'), { error: 'AUTH: token refused', retryAt: null, now: at(2 * SECOND) });
      await store.failJob(dead1.id, await leaseOf(db().prisma, dead1.id, 'w'), { error: 'VALIDATION: email is not an address', retryAt: null, now: at(3 * SECOND) });

      const stats = await store.queueStats(at(DAY));
      assert.deepEqual(stats.counts, { PENDING: 3, RUNNING: 1, DONE: 1, DEAD: 2 });
      assert.equal(stats.due, 1, 'only s-due: s-ms is 1 ms later, s-later a day later');
      assert.equal((await store.queueStats(at(DAY + 1))).due, 2);
      assert.equal((await store.queueStats(at(3 * DAY))).due, 3);
      assert.equal(stats.oldestPendingAt, (await row(oldest.id)).createdAt.toISOString());
      assert.deepEqual(stats.dead, [
        { id: dead1.id, kind: 'warm_lead', recordType: 'contact', recordId: 's-dead1', attempts: 1, lastError: 'VALIDATION: email is not an address', updatedAt: at(3 * SECOND) },
        { id: dead2.id, kind: 'update_person', recordType: 'person', recordId: 's-dead2', attempts: 1, lastError: 'AUTH: token refused', updatedAt: at(2 * SECOND) },
      ]);
    });

    test('queueStats lists at most the 20 latest dead jobs', async () => {
      const ids: number[] = [];
      for (let i = 0; i < 23; i++) ids.push((await store.enqueueJob(job(`many-dead-${i}`))).id);
      await store.claimJobs({ workerId: 'w', limit: 23, leaseMs: HOUR, now: at(0) });
      for (const [i, id] of ids.entries()) await store.failJob(id, await leaseOf(db().prisma, id, 'w'), { error: `E${i}`, retryAt: null, now: at(i * SECOND) });
      const stats = await store.queueStats(at(HOUR));
      assert.equal(stats.counts.DEAD, 23);
      assert.deepEqual(stats.dead.map((d) => d.id), ids.slice(3).reverse());
    });
  });

  test('property: random enqueues, merges, failures and claims process each record in id order', async () => {
    const random = prng(0x5eed + (name === 'sqlite' ? 1 : 2));
    const records = Array.from({ length: 8 }, (_, i) => `prop-${i}`);
    const jobsOf = new Map<string, Set<number>>();
    const enqueueRandom = async (nowMs: number) => {
      const record = records[Math.floor(random() * records.length)];
      const key = `${record}:${Math.floor(random() * 3)}`; // repeated keys merge into the pending job
      const result = await store.enqueueJob(job(record, {
        dedupeKey: key,
        payload: { [`f${Math.floor(random() * 4)}`]: random() },
        priority: Math.floor(random() * 3) * 5,
        nextAttemptAt: at(nowMs + Math.floor(random() * 5 * SECOND)),
      }));
      jobsOf.set(record, (jobsOf.get(record) ?? new Set()).add(result.id));
    };
    let nowMs = 0;
    for (let i = 0; i < 200; i++) await enqueueRandom(nowMs);

    const finished = new Map<string, number[]>();
    let claimsMade = 0;
    for (let step = 0; step < 2000; step++) {
      nowMs += Math.floor(random() * 2 * SECOND);
      if (step < 100 && random() < 0.3) await enqueueRandom(nowMs); // new work keeps arriving while draining
      const claimed = await store.claimJobs({ workerId: 'prop', limit: 1 + Math.floor(random() * 5), leaseMs: MINUTE, now: at(nowMs) });
      claimsMade += 1;
      const seen = new Set<string>();
      for (const j of claimed) {
        assert.ok(!seen.has(j.recordId), `one claim returned two jobs of ${j.recordId}`);
        seen.add(j.recordId);
        if (random() < 0.2) {
          assert.equal(await store.failJob(j.id, { workerId: 'prop', token: j.leaseToken }, { error: 'UNAVAILABLE: flaky', retryAt: at(nowMs + Math.floor(random() * 3 * SECOND)), now: at(nowMs) }), true);
        } else {
          assert.equal(await store.completeJob(j.id, { workerId: 'prop', token: j.leaseToken }, at(nowMs)), true);
          finished.set(j.recordId, [...(finished.get(j.recordId) ?? []), j.id]);
        }
      }
      const total = [...jobsOf.values()].reduce((n, set) => n + set.size, 0);
      if (step >= 100 && [...finished.values()].reduce((n, list) => n + list.length, 0) === total) break;
    }
    for (const [record, ids] of jobsOf) {
      assert.deepEqual(finished.get(record), [...ids].sort((a, b) => a - b), `${record}: jobs done in id order`);
    }
    assert.ok(claimsMade > 0);
    assert.equal(await db().prisma.syncJob.count({ where: { state: { not: 'DONE' } } }), 0);
  });

  test('the database is recognised from the client, and by a probe query when the client does not say', async () => {
    assert.equal(await detectDialect(db().prisma), name);
    // A wrapper (e.g. a CRM's own data layer) that forwards raw SQL but does not say which database it is.
    const prisma = db().prisma;
    const silent = {
      $queryRaw: (query: TemplateStringsArray, ...values: unknown[]) => prisma.$queryRaw(query, ...values),
      $executeRaw: (query: TemplateStringsArray, ...values: unknown[]) => prisma.$executeRaw(query, ...values),
    };
    assert.equal(await detectDialect(silent), name);
    await assert.rejects(detectDialect({ _activeProvider: 'mysql' } as never), /SQLite and PostgreSQL, not 'mysql'/);
  });

  test('every outbox method rejects with a PrismaStoreError once the database is gone', async () => {
    const doomed = await createTestDatabase(db().name);
    const doomedStore = createPrismaStore(doomed.prisma);
    const { id } = await doomedStore.enqueueJob(job('gone'));
    await doomed.close();
    await assert.rejects(doomedStore.enqueueJob(job('gone')), isStoreError('enqueueJob'));
    await assert.rejects(doomedStore.claimJobs({ workerId: 'w', limit: 1, leaseMs: MINUTE, now: at(0) }), isStoreError('claimJobs'));
    await assert.rejects(doomedStore.completeJob(id, { workerId: 'w', token: 1 }, at(0)), isStoreError('completeJob'));
    await assert.rejects(doomedStore.failJob(id, { workerId: 'w', token: 1 }, { error: 'x', retryAt: null, now: at(0) }), isStoreError('failJob'));
    await assert.rejects(doomedStore.renewLease(id, { workerId: 'w', token: 1 }, { leaseMs: MINUTE, now: at(0) }), isStoreError('renewLease'));
    await assert.rejects(doomedStore.markJobInDoubt(id, { workerId: 'w', token: 1 }, { since: at(0), now: at(0) }), isStoreError('markJobInDoubt'));
    await assert.rejects(doomedStore.retryDeadJobs(at(0)), isStoreError('retryDeadJobs'));
    await assert.rejects(doomedStore.queueStats(at(0)), isStoreError('queueStats'));
  });
});
