/**
 * @module tests/delivery/timing_faults.test
 * Exactly once when faults meet timing (issue 11, findings 1-6 and 8): the wasm engine, the real Prisma store
 * (SQLite and PostgreSQL) and the emulator over HTTP, each case with the fault schedule that used to duplicate a
 * record or lose a change. After every case: one Pipedrive record per local record, and the job done.
 */

import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';

import { createPipedriveSync, type PipedriveSync, type PipedriveSyncConfig } from '../../js/index';
import { startPipedriveEmulator, type PipedriveEmulator } from '../../js/emulator/index';
import { createPrismaStore } from '../../js/prisma/index';
import type { SyncStore } from '../../js/store/types';
import { emptyCrmTables } from '../prisma/contacts_helpers';
import { describeEachDatabase, type TestPrismaClient } from '../prisma/databases';

/** Polls `check` until it holds (or fails after `timeoutMs`). */
async function until(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describeEachDatabase('exactly once under timing faults', (db) => {
  let prisma: TestPrismaClient;
  let emulator: PipedriveEmulator;
  let user: { id: string };
  let logs: Array<[string, string, Record<string, unknown>]> = [];

  /** POSTs the emulator applied to `path`. */
  const applied = (path: string) =>
    emulator.journal.entries().filter((entry) => entry.method === 'POST' && entry.path === path && entry.status < 400).length;
  const records = (kind: 'persons' | 'organizations' | 'activities') =>
    [...emulator.state[kind].values()].filter((r) => !r.is_deleted) as Array<{ id: number; name?: string }>;

  function makeSync(options: Record<string, unknown> = {}, extra: Partial<PipedriveSyncConfig> = {}): Promise<PipedriveSync> {
    return createPipedriveSync({
      pipedrive: { apiToken: emulator.apiToken, baseUrl: emulator.url },
      store: createPrismaStore(prisma),
      options: { baseDelayMs: 5, maxDelayMs: 50, ...options },
      logger: (level, event, fields) => logs.push([level, event, fields]),
      ...extra,
    });
  }

  async function jobs() {
    return prisma.syncJob.findMany({ orderBy: { id: 'asc' } });
  }

  /** Jobs leave RUNNING (their attempts, including those that went on after a caller's answer, have settled). */
  async function settled(): Promise<void> {
    await until('every attempt to settle', async () => (await jobs()).every((job) => job.state !== 'RUNNING'));
  }

  /** Drains until no job is due, moving the clock past every retry (the drain's `now`). */
  async function drainAll(sync: PipedriveSync): Promise<void> {
    for (let round = 0; round < 10; round++) {
      await prisma.syncJob.updateMany({ where: { state: 'PENDING' }, data: { nextAttemptAt: new Date(0) } });
      const report = await sync.queue.drain();
      if (report.processed === 0) return;
    }
  }

  async function linkedContact(personId = 7201) {
    if (!emulator.state.persons.get(personId)) emulator.state.seed({ persons: [{ id: personId, name: `Person ${personId}` }] });
    return prisma.contact.create({ data: { name: 'Jane Roe', email: `jane.${Math.random().toString(36).slice(2, 8)}@example.com`, ownerId: user.id, pipedrivePersonId: personId } });
  }

  async function activity(contactId: string, subject = 'Follow up email') {
    return prisma.activity.create({ data: { contactId, userId: user.id, type: 'EMAIL', subject, dueDate: new Date('2025-12-25T10:00:00Z') } });
  }

  async function warmContact(name: string, organization?: string) {
    const org = organization
      ? (await prisma.organization.findFirst({ where: { name: organization } })) ?? (await prisma.organization.create({ data: { name: organization } }))
      : null;
    return prisma.contact.create({
      data: { name, email: `${name.toLowerCase().replace(/\W+/g, '.')}@example.com`, warmnessScore: 2, ownerId: user.id, organizationId: org?.id },
    });
  }

  beforeEach(async () => {
    prisma = db().prisma;
    emulator = await startPipedriveEmulator({ plan: 'premium' });
    // Each case gets a fresh emulator (ids start again at 1), so the local links of earlier cases go too.
    await emptyCrmTables(prisma);
    logs = [];
    user = await prisma.user.upsert({ where: { email: 'sam.seller@example.com' }, update: {}, create: { email: 'sam.seller@example.com' } });
  });

  afterEach(() => emulator.close());

  test('#1 a create applied, its connection dropped, its lookup failing: the next attempt looks up first', async () => {
    const sync = await makeSync();
    const a = await activity((await linkedContact()).id);
    emulator.faults.dropAfterApply({ method: 'POST', path: '/api/v2/activities' });
    emulator.faults.failNext({ method: 'GET', path: '/api/v2/activities', status: 503, count: 4 });
    assert.equal(await sync.activities.replicateActivity({ activityId: a.id, userId: user.id }), false);
    const [job] = await jobs();
    assert.equal(job.state, 'PENDING');
    assert.ok(job.inDoubtSince, 'the in-doubt mark is stored with the job');
    await drainAll(sync);
    assert.equal(applied('/api/v2/activities'), 1, 'posted once');
    assert.equal(records('activities').length, 1);
    const stored = await prisma.activity.findUniqueOrThrow({ where: { id: a.id } });
    assert.equal(stored.pipedriveActivityId, records('activities')[0].id, 'linked to the one it created');
  });

  test('#2 the 3 s real-time limit cuts off a create Pipedrive then applies: the caller hears false, the attempt finishes it', async () => {
    const sync = await makeSync();
    const a = await activity((await linkedContact()).id);
    emulator.faults.latency({ method: 'POST', path: '/api/v2/activities', ms: 4_000, count: 1 });
    const started = Date.now();
    assert.equal(await sync.activities.replicateActivity({ activityId: a.id, userId: user.id }), false);
    assert.ok(Date.now() - started < 3_900, 'answered at the real-time limit');
    const [running] = await jobs();
    assert.equal(running.state, 'RUNNING', 'the job stays leased while its request is in flight');
    const report = await sync.queue.drain();
    assert.equal(report.processed, 0, 'a drain cannot take the job meanwhile');
    await settled();
    assert.equal(applied('/api/v2/activities'), 1);
    assert.equal((await jobs())[0].state, 'DONE');
    assert.ok((await prisma.activity.findUniqueOrThrow({ where: { id: a.id } })).pipedriveActivityId);
  });

  test('#3 the link write fails once after a successful create: the retry links it without a second create', async () => {
    const store = createPrismaStore(prisma);
    let failures = 1;
    const flaky: SyncStore = {
      ...store,
      markActivityReplicated: async (...args) => {
        if (failures-- > 0) throw new Error('connection to the database lost');
        return store.markActivityReplicated(...args);
      },
    };
    const sync = await makeSync({}, { store: flaky });
    const a = await activity((await linkedContact()).id);
    assert.equal(await sync.activities.replicateActivity({ activityId: a.id, userId: user.id }), false);
    await drainAll(sync);
    assert.equal(applied('/api/v2/activities'), 1, 'one create');
    assert.equal((await prisma.activity.findUniqueOrThrow({ where: { id: a.id } })).pipedriveActivityId, records('activities')[0].id);
    assert.equal((await jobs())[0].state, 'DONE');
  });

  test('#4 an attempt longer than its lease (429 waits, then the create): renewed, a second worker takes nothing', async () => {
    const options = { requestTimeoutMs: 1_000 };
    const first = await makeSync(options);
    const second = await makeSync(options);
    const a = await activity((await linkedContact()).id);
    await createPrismaStore(prisma).activityLogged(a.id, { userId: user.id });
    // The lease is the shortest allowed (2 × (1 s + 1 s)); the attempt waits 2 × 3 s for Pipedrive's Retry-After.
    emulator.faults.failNext({ method: 'POST', path: '/api/v2/activities', status: 429, count: 2, headers: { 'retry-after': '3' } });
    const draining = first.queue.drain({ leaseMs: 4_000 });
    await until('the job to be claimed', async () => (await jobs())[0]?.state === 'RUNNING');
    for (let i = 0; i < 12; i++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      const report = await second.queue.drain({ leaseMs: 4_000 });
      assert.equal(report.processed, 0, 'the running job is never claimed by the second worker');
    }
    const report = await draining;
    assert.equal(report.succeeded, 1);
    assert.equal(applied('/api/v2/activities'), 1);
    assert.ok(Number((await jobs())[0].leaseToken) === 1, 'claimed once');
  });

  test('a drain lease shorter than twice the longest request is refused, naming the field', async () => {
    const sync = await makeSync({ requestTimeoutMs: 1_000 });
    await assert.rejects(sync.queue.drain({ leaseMs: 3_999 }), /leaseMs must be a whole number from 4000/);
  });

  test('#5 the 5 s warm-lead cut-off keeps the job and the organization lock until the attempt settles', async () => {
    const sync = await makeSync();
    const ann = await warmContact('Ann Able', 'Shared New Org');
    const bob = await warmContact('Bob Baker', 'Shared New Org');
    emulator.faults.latency({ method: 'POST', path: '/api/v2/organizations', ms: 6_000, count: 1 });
    const started = Date.now();
    const [first, second] = await Promise.all([
      sync.warmLeads.checkAndCreateWarmLead({ contactId: ann.id, userId: user.id, warmnessScore: 5 }),
      sync.warmLeads.checkAndCreateWarmLead({ contactId: bob.id, userId: user.id, warmnessScore: 5 }),
    ]);
    assert.deepEqual([first, second], [false, false]);
    assert.ok(Date.now() - started < 5_900, 'both callers answered at the real-time limit');
    const report = await sync.queue.drain();
    assert.equal(report.processed, 0, 'the leased jobs are not taken by a drain meanwhile');
    await settled();
    await drainAll(sync);
    assert.equal(records('organizations').filter((o) => o.name === 'Shared New Org').length, 1, 'one organization');
    assert.equal(records('persons').length, 2, 'one person per contact');
    for (const contact of [ann, bob]) {
      const stored = await prisma.contact.findUniqueOrThrow({ where: { id: contact.id } });
      assert.ok(stored.pipedrivePersonId && stored.pipedriveOrgId === records('organizations')[0].id);
    }
  });

  test('#6 a client timeout, then a search that cannot see the create yet: found by the records added since', async () => {
    const sync = await makeSync({ requestTimeoutMs: 1_000, maxRetries: 1 });
    emulator.searchLag({ ms: 60_000 });
    const c = await warmContact('Cara Cole', 'Slow Org');
    emulator.faults.latency({ method: 'POST', path: '/api/v2/organizations', ms: 1_500, count: 1 });
    await sync.warmLeads.checkAndCreateWarmLead({ contactId: c.id, userId: user.id, warmnessScore: 5 });
    await settled();
    await drainAll(sync);
    assert.equal(records('organizations').filter((o) => o.name === 'Slow Org').length, 1, 'one organization');
    assert.equal(records('persons').length, 1);
    assert.ok((await prisma.contact.findUniqueOrThrow({ where: { id: c.id } })).pipedrivePersonId);
  });

  test('#8 local first: no token stores the score (no job, no error); a failing token lookup queues the job', async () => {
    const c = await warmContact('Dan Dale');
    let tokenLookup: () => Promise<string | null> = async () => null;
    const sync = await createPipedriveSync({
      pipedrive: { apiTokenFor: () => tokenLookup(), baseUrl: emulator.url },
      store: createPrismaStore(prisma),
      options: { baseDelayMs: 5, maxDelayMs: 50 },
      logger: (level, event, fields) => logs.push([level, event, fields]),
    });
    assert.equal(await sync.warmLeads.checkAndCreateWarmLead({ contactId: c.id, userId: user.id, warmnessScore: 5 }), false);
    assert.equal((await prisma.contact.findUniqueOrThrow({ where: { id: c.id } })).warmnessScore, 5, 'the score is stored');
    assert.equal((await jobs()).length, 0, 'definitely no token: no job');

    tokenLookup = async () => {
      throw new Error('the secrets vault is down');
    };
    assert.equal(await sync.warmLeads.checkAndCreateWarmLead({ contactId: c.id, userId: user.id, warmnessScore: 6 }), false);
    assert.equal((await prisma.contact.findUniqueOrThrow({ where: { id: c.id } })).warmnessScore, 6);
    assert.equal((await jobs()).length, 1, 'the lookup failed: the job is queued for the drain');
    tokenLookup = async () => emulator.apiToken;
    await drainAll(sync);
    assert.ok((await prisma.contact.findUniqueOrThrow({ where: { id: c.id } })).pipedrivePersonId, 'created once the token is there');
    assert.equal(records('persons').length, 1);
  });
});
