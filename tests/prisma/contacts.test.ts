/**
 * @module tests/prisma/contacts.test
 * The contact, warmness, snapshot, conflict and single-job claim methods of `createPrismaStore` on a real SQLite
 * file and on PostgreSQL: contacts read with their organization, links and sync statuses, the warmness hook (below
 * and at the threshold, linked contacts, repeated changes merged, the caller's transaction committed or rolled
 * back, missing contacts), `claimJob` (pending, held, expired, blocked, concurrent claimers), snapshot upserts and
 * conflicts, with argument checks made before any query.
 */

import assert from 'node:assert/strict';
import { before, beforeEach, describe, test } from 'node:test';
import { createPrismaStore, NO_PIPEDRIVE_ID } from '../../js/prisma';
import type { NewSyncJob, SyncStore } from '../../js/store/types';
import { createTestDatabase, describeEachDatabase, type TestDatabase } from './databases';
import { at, contactRow, DAY, HOUR, isStoreError, leaseOf, MINUTE, namesField, SECOND, seedContact, seedOrganization, spyClient, warmLeadJobs } from './contacts_helpers';

/** A new outbox job for `record` (`person:<record>`), due at T0 unless told. */
function job(record: string, overrides: Partial<NewSyncJob> = {}): NewSyncJob {
  return {
    kind: 'update_person', recordType: 'person', recordId: record, dedupeKey: `update_person:${record}`,
    payload: { name: record }, nextAttemptAt: at(0), ...overrides,
  };
}

describeEachDatabase('Prisma store contacts, snapshots, conflicts, claimJob', (db: () => TestDatabase, name) => {
  let store: SyncStore;

  before(() => {
    store = createPrismaStore(db().prisma);
  });

  beforeEach(async () => {
    const prisma = db().prisma;
    await prisma.syncJob.deleteMany();
    await prisma.contact.deleteMany();
    await prisma.organization.deleteMany();
    await prisma.syncSnapshot.deleteMany();
    await prisma.syncConflict.deleteMany();
  });

  describe('findContact', () => {
    test('returns every LocalContact field with the organization joined', async () => {
      const prisma = db().prisma;
      const owner = await prisma.user.create({ data: { email: `owner-${Date.now()}@example.com` } });
      const orgId = await seedOrganization(prisma, { name: 'Acme GmbH', industry: 'Software', country: 'DE', address: 'Hauptstr. 1, Berlin', pipedriveOrgId: 77 });
      const id = await seedContact(prisma, {
        name: 'Ada Lovelace', email: 'ada@example.com', phone: '+49 30 1234', warmnessScore: 3, organizationId: orgId,
        ownerId: owner.id, pipedrivePersonId: 501, pipedriveOrgId: 77, updateSyncStatus: 'FAILED',
      });
      assert.deepEqual(await store.findContact(id), {
        id, name: 'Ada Lovelace', email: 'ada@example.com', phone: '+49 30 1234', warmnessScore: 3, ownerId: owner.id,
        pipedrivePersonId: 501, pipedriveOrgId: 77, updateSyncStatus: 'FAILED',
        organization: { id: orgId, name: 'Acme GmbH', industry: 'Software', country: 'DE', address: 'Hauptstr. 1, Berlin', pipedriveOrgId: 77 },
      });
    });

    test('organization null when the contact has none; nullable fields null; defaults as the schema sets them', async () => {
      const id = await seedContact(db().prisma, { name: 'Solo' });
      assert.deepEqual(await store.findContact(id), {
        id, name: 'Solo', email: null, phone: null, warmnessScore: 0, ownerId: null, pipedrivePersonId: null,
        pipedriveOrgId: null, updateSyncStatus: 'SYNCED', organization: null,
      });
    });

    test('null for a missing contact or an empty id', async () => {
      assert.equal(await store.findContact('no-such-contact'), null);
      assert.equal(await store.findContact(''), null);
    });
  });

  describe('linkContact, linkOrganization, setContactSyncStatus', () => {
    test('linkContact with a fence: applied only while that claim holds its job, else false and unchanged', async () => {
      const id = await seedContact(db().prisma, { name: 'Fenced' });
      const { id: jobId } = await store.enqueueJob(job('fence-link'));
      const claimed = await store.claimJob(jobId, { workerId: 'w', leaseMs: MINUTE, now: at(0) });
      assert.ok(claimed);
      const fence = { jobId, workerId: 'w', token: claimed.leaseToken };
      const link = { pipedrivePersonId: 9, pipedriveOrgId: null, syncedAt: at(SECOND) };
      assert.equal(await store.linkContact(id, { ...link, fence: { ...fence, token: fence.token - 1 } }), false, 'a stale claim');
      assert.equal(await store.linkContact(id, { ...link, fence: { ...fence, workerId: 'other' } }), false, 'another worker');
      assert.equal((await db().prisma.contact.findUniqueOrThrow({ where: { id } })).pipedrivePersonId, null);
      assert.equal(await store.linkContact(id, { ...link, fence }), true);
      assert.equal((await db().prisma.contact.findUniqueOrThrow({ where: { id } })).pipedrivePersonId, 9);
      await assert.rejects(store.linkContact(id, { ...link, fence: { ...fence, jobId: 0 } }), namesField('fence.jobId'));
    });

    test('linkContact stores the person and organization ids, lastPipedriveUpdate and SYNCED', async () => {
      const id = await seedContact(db().prisma, { updateSyncStatus: 'PENDING' });
      assert.equal(await store.linkContact(id, { pipedrivePersonId: 901, pipedriveOrgId: 44, syncedAt: at(MINUTE) }), true);
      const row = await contactRow(db().prisma, id);
      assert.equal(row.pipedrivePersonId, 901);
      assert.equal(row.pipedriveOrgId, 44);
      assert.equal(row.lastPipedriveUpdate?.toISOString(), at(MINUTE));
      assert.equal(row.updateSyncStatus, 'SYNCED');
      const found = await store.findContact(id);
      assert.equal(found?.pipedrivePersonId, 901);
    });

    test('linkContact with pipedriveOrgId null keeps the stored organization id', async () => {
      const id = await seedContact(db().prisma, { pipedriveOrgId: 12, updateSyncStatus: 'FAILED' });
      assert.equal(await store.linkContact(id, { pipedrivePersonId: 902, pipedriveOrgId: null, syncedAt: at(HOUR) }), true);
      const row = await contactRow(db().prisma, id);
      assert.equal(row.pipedriveOrgId, 12);
      assert.equal(row.pipedrivePersonId, 902);
      assert.equal(row.updateSyncStatus, 'SYNCED');
      assert.equal(row.lastPipedriveUpdate?.toISOString(), at(HOUR));
    });

    test('linkContact: false for a missing contact; bad ids and times rejected before any query', async () => {
      assert.equal(await store.linkContact('missing', { pipedrivePersonId: 1, pipedriveOrgId: null, syncedAt: at(0) }), false);
      const { client, calls } = spyClient();
      const spy = createPrismaStore(client);
      await assert.rejects(spy.linkContact('c', { pipedrivePersonId: 0, pipedriveOrgId: null, syncedAt: at(0) }), namesField('pipedrivePersonId'));
      await assert.rejects(spy.linkContact('c', { pipedrivePersonId: 1.5, pipedriveOrgId: null, syncedAt: at(0) }), namesField('pipedrivePersonId'));
      await assert.rejects(spy.linkContact('c', { pipedrivePersonId: 1, pipedriveOrgId: -4, syncedAt: at(0) }), namesField('pipedriveOrgId'));
      await assert.rejects(spy.linkContact('c', { pipedrivePersonId: 1, pipedriveOrgId: null, syncedAt: '2030-01-01' }), namesField('syncedAt'));
      await assert.rejects(spy.linkContact('c', null as never), namesField('link'));
      assert.deepEqual(calls, []);
    });

    test('linkOrganization stores the organization id, lastPipedriveUpdate and SYNCED; false when missing', async () => {
      const prisma = db().prisma;
      const orgId = await seedOrganization(prisma);
      await prisma.organization.update({ where: { id: orgId }, data: { updateSyncStatus: 'PENDING' } });
      assert.equal(await store.linkOrganization(orgId, { pipedriveOrgId: 3301, syncedAt: at(2 * SECOND) }), true);
      const row = await prisma.organization.findUniqueOrThrow({ where: { id: orgId } });
      assert.equal(row.pipedriveOrgId, 3301);
      assert.equal(row.lastPipedriveUpdate?.toISOString(), at(2 * SECOND));
      assert.equal(row.updateSyncStatus, 'SYNCED');
      const contactId = await seedContact(prisma, { organizationId: orgId });
      assert.equal((await store.findContact(contactId))?.organization?.pipedriveOrgId, 3301);
      assert.equal(await store.linkOrganization('missing', { pipedriveOrgId: 1, syncedAt: at(0) }), false);
      await assert.rejects(store.linkOrganization(orgId, { pipedriveOrgId: 2 ** 31, syncedAt: at(0) }), namesField('pipedriveOrgId'));
      await assert.rejects(store.linkOrganization(orgId, { pipedriveOrgId: 5, syncedAt: 'now' }), namesField('syncedAt'));
      assert.equal((await prisma.organization.findUniqueOrThrow({ where: { id: orgId } })).pipedriveOrgId, 3301);
    });

    test('setContactSyncStatus: each status stored; unknown status a RangeError naming it; false when missing', async () => {
      const id = await seedContact(db().prisma);
      for (const status of ['CONFLICT', 'FAILED', 'PENDING', 'SYNCED'] as const) {
        assert.equal(await store.setContactSyncStatus(id, status), true);
        assert.equal((await contactRow(db().prisma, id)).updateSyncStatus, status);
      }
      await assert.rejects(store.setContactSyncStatus(id, 'DONE' as never), (error: unknown) => {
        assert.ok(error instanceof RangeError);
        assert.match(error.message, /status/);
        assert.match(error.message, /"DONE"/);
        return true;
      });
      assert.equal((await contactRow(db().prisma, id)).updateSyncStatus, 'SYNCED');
      assert.equal(await store.setContactSyncStatus('missing', 'FAILED'), false);
    });
  });

  describe('updateWarmness', () => {
    test('below the threshold: the score is stored, no job, status unchanged', async () => {
      const id = await seedContact(db().prisma, { warmnessScore: 1 });
      assert.deepEqual(await store.updateWarmness(id, 3, { userId: 'u1' }), { updated: true, jobId: null });
      const row = await contactRow(db().prisma, id);
      assert.equal(row.warmnessScore, 3);
      assert.equal(row.updateSyncStatus, 'SYNCED');
      assert.equal(await db().prisma.syncJob.count(), 0);
    });

    test('at the threshold: one warm_lead job (fields, payload, priority 10) and the contact PENDING', async () => {
      const id = await seedContact(db().prisma);
      const result = await store.updateWarmness(id, 4, { userId: 'user-7' });
      assert.equal(result.updated, true);
      assert.equal(typeof result.jobId, 'number');
      const [stored, ...others] = await warmLeadJobs(db().prisma, id);
      assert.equal(others.length, 0);
      assert.equal(stored.id, result.jobId);
      assert.equal(stored.kind, 'warm_lead');
      assert.equal(stored.recordType, 'contact');
      assert.equal(stored.recordId, id);
      assert.equal(stored.state, 'PENDING');
      assert.equal(stored.priority, 10);
      assert.deepEqual(JSON.parse(stored.payload), { contactId: id, userId: 'user-7' });
      const row = await contactRow(db().prisma, id);
      assert.equal(row.warmnessScore, 4);
      assert.equal(row.updateSyncStatus, 'PENDING');
    });

    test('the threshold option; userId defaults to null', async () => {
      const id = await seedContact(db().prisma);
      assert.deepEqual(await store.updateWarmness(id, 6, { threshold: 7 }), { updated: true, jobId: null });
      assert.equal(await db().prisma.syncJob.count(), 0);
      const { jobId } = await store.updateWarmness(id, 2, { threshold: 2 });
      assert.ok(jobId);
      assert.deepEqual(JSON.parse((await warmLeadJobs(db().prisma, id))[0].payload), { contactId: id, userId: null });
    });

    test('a contact already linked to a person: score stored, no job, status kept', async () => {
      const id = await seedContact(db().prisma, { pipedrivePersonId: 55, updateSyncStatus: 'SYNCED' });
      assert.deepEqual(await store.updateWarmness(id, 9, { userId: 'u' }), { updated: true, jobId: null });
      const row = await contactRow(db().prisma, id);
      assert.equal(row.warmnessScore, 9);
      assert.equal(row.updateSyncStatus, 'SYNCED');
      assert.equal(await db().prisma.syncJob.count(), 0);
    });

    test('a repeated change merges into the one pending job; once it runs, a new change makes a successor', async () => {
      const id = await seedContact(db().prisma);
      const first = await store.updateWarmness(id, 4, { userId: 'u1' });
      const second = await store.updateWarmness(id, 5, { userId: 'u2' });
      assert.ok(first.jobId);
      assert.equal(second.jobId, first.jobId);
      let jobs = await warmLeadJobs(db().prisma, id);
      assert.equal(jobs.length, 1);
      assert.deepEqual(JSON.parse(jobs[0].payload), { contactId: id, userId: 'u2' }, 'the newer change wins');
      assert.equal((await contactRow(db().prisma, id)).warmnessScore, 5);

      assert.ok(await store.claimJob(first.jobId, { workerId: 'w', leaseMs: MINUTE, now: at(0) }));
      const third = await store.updateWarmness(id, 6, { userId: 'u3' });
      assert.ok(third.jobId && third.jobId !== first.jobId, 'a RUNNING job is never merged into');
      jobs = await warmLeadJobs(db().prisma, id);
      assert.deepEqual(jobs.map((j) => j.state), ['RUNNING', 'PENDING']);
    });

    test("inside the caller's transaction that commits: score, status and job commit together", async () => {
      const prisma = db().prisma;
      const id = await seedContact(prisma);
      const result = await prisma.$transaction(async (tx) => {
        await tx.contact.update({ where: { id }, data: { email: 'new@example.com' } });
        return store.updateWarmness(id, 4, { tx, userId: 'u' });
      });
      assert.ok(result.jobId);
      const row = await contactRow(prisma, id);
      assert.equal(row.email, 'new@example.com');
      assert.equal(row.warmnessScore, 4);
      assert.equal(row.updateSyncStatus, 'PENDING');
      assert.equal((await warmLeadJobs(prisma, id)).length, 1);
    });

    test("inside the caller's transaction that rolls back: neither the score nor the job persists", async () => {
      const prisma = db().prisma;
      const id = await seedContact(prisma, { warmnessScore: 1 });
      let inside: { updated: boolean; jobId: number | null } | undefined;
      await assert.rejects(
        prisma.$transaction(async (tx) => {
          inside = await store.updateWarmness(id, 8, { tx, userId: 'u' });
          // Visible inside the transaction...
          assert.equal((await tx.contact.findUniqueOrThrow({ where: { id } })).warmnessScore, 8);
          assert.equal(await tx.syncJob.count({ where: { dedupeKey: `warm_lead:${id}` } }), 1);
          throw new Error('the CRM change failed');
        }),
        /the CRM change failed/,
      );
      assert.ok(inside?.jobId, 'a job was recorded inside the transaction');
      // ...and gone with it.
      const row = await contactRow(prisma, id);
      assert.equal(row.warmnessScore, 1);
      assert.equal(row.updateSyncStatus, 'SYNCED');
      assert.equal(await prisma.syncJob.count(), 0);
    });

    test('a missing contact: {updated: false, jobId: null} and no job', async () => {
      assert.deepEqual(await store.updateWarmness('no-such-contact', 10, { userId: 'u' }), { updated: false, jobId: null });
      assert.deepEqual(await store.updateWarmness('', 10), { updated: false, jobId: null });
      assert.equal(await db().prisma.syncJob.count(), 0);
    });

    test('bad score, threshold, userId or tx: a RangeError naming it, before any query', async () => {
      const { client, calls } = spyClient();
      const spy = createPrismaStore(client);
      const cases: Array<[string, number, object]> = [
        ['score', 4.5, {}],
        ['score', Number.NaN, {}],
        ['score', Number.POSITIVE_INFINITY, {}],
        ['score', '4' as never, {}],
        ['threshold', 4, { threshold: Number.NaN }],
        ['threshold', 4, { threshold: '4' }],
        ['userId', 4, { userId: 42 }],
        ['tx', 4, { tx: {} }],
      ];
      for (const [field, score, options] of cases) {
        await assert.rejects(spy.updateWarmness('c', score, options as never), namesField(field), `rejects a bad ${field}`);
      }
      assert.deepEqual(calls, [], 'no query was sent');
      // And on the real database nothing changed.
      const id = await seedContact(db().prisma, { warmnessScore: 2 });
      await assert.rejects(store.updateWarmness(id, 4.5), namesField('score'));
      assert.equal((await contactRow(db().prisma, id)).warmnessScore, 2);
    });

    test('concurrent changes to one contact leave one pending job', async () => {
      const id = await seedContact(db().prisma);
      // PostgreSQL: two clients (the row lock and the outbox's advisory lock serialise them). SQLite: one client, whose
      // transactions the adapter runs one at a time; two clients of one file in one process cannot both hold
      // interactive transactions (better-sqlite3 waits for the file lock synchronously, blocking the event loop the
      // other transaction needs, so it fails with SQLITE_BUSY after its timeout), as in the outbox tests.
      const stores = name === 'postgresql' ? [store, createPrismaStore(db().newClient())] : [store];
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) => stores[i % stores.length].updateWarmness(id, 4 + i, { userId: `u${i}` })),
      );
      const jobs = await warmLeadJobs(db().prisma, id);
      assert.equal(jobs.length, 1);
      assert.ok(results.every((r) => r.updated && r.jobId === jobs[0].id));
      assert.equal((await contactRow(db().prisma, id)).updateSyncStatus, 'PENDING');
    });
  });

  describe('claimJob', () => {
    test('leases a PENDING job even before it is due: RUNNING, owner, lease end, attempts + 1', async () => {
      const { id } = await store.enqueueJob(job('one', { nextAttemptAt: at(DAY), payload: { a: 1 } }));
      const claimed = await store.claimJob(id, { workerId: 'api', leaseMs: 30 * SECOND, now: at(0) });
      assert.ok(claimed);
      assert.equal(claimed.id, id);
      assert.equal(claimed.state, 'RUNNING');
      assert.equal(claimed.leaseOwner, 'api');
      assert.equal(claimed.leaseUntil, at(30 * SECOND));
      assert.equal(claimed.attempts, 1);
      assert.equal(claimed.recovered, false);
      assert.deepEqual(claimed.payload, { a: 1 });
      const row = await db().prisma.syncJob.findUniqueOrThrow({ where: { id } });
      assert.equal(row.state, 'RUNNING');
      assert.equal(row.leaseOwner, 'api');
      assert.equal(row.attempts, 1);
      assert.equal(await store.completeJob(id, await leaseOf(db().prisma, id, 'api'), at(SECOND)), true, 'the lease is a normal one');
    });

    test('a job another worker holds: null, unchanged; after its lease expires: recovered', async () => {
      const { id } = await store.enqueueJob(job('held'));
      const [drained] = await store.claimJobs({ workerId: 'drain', limit: 1, leaseMs: MINUTE, now: at(0) });
      assert.equal(drained.id, id);
      assert.equal(await store.claimJob(id, { workerId: 'api', leaseMs: MINUTE, now: at(MINUTE) }), null, 'lease still valid at its last ms');
      let row = await db().prisma.syncJob.findUniqueOrThrow({ where: { id } });
      assert.equal(row.leaseOwner, 'drain');
      assert.equal(row.attempts, 1);
      const recovered = await store.claimJob(id, { workerId: 'api', leaseMs: MINUTE, now: at(MINUTE + 1) });
      assert.ok(recovered);
      assert.equal(recovered.recovered, true);
      assert.equal(recovered.attempts, 2);
      assert.equal(recovered.leaseOwner, 'api');
      assert.equal(recovered.leaseUntil, at(2 * MINUTE + 1));
      assert.equal(await store.completeJob(id, await leaseOf(db().prisma, id, 'drain'), at(2 * MINUTE)), false, 'the old worker lost it');
      row = await db().prisma.syncJob.findUniqueOrThrow({ where: { id } });
      assert.equal(row.leaseOwner, 'api');
    });

    test('blocked by an older open job of the same record: null; free once that one is done', async () => {
      const older = await store.enqueueJob(job('rec', { dedupeKey: 'a:rec', nextAttemptAt: at(HOUR) }));
      const newer = await store.enqueueJob(job('rec', { dedupeKey: 'b:rec' }));
      const otherType = await store.enqueueJob(job('rec', { recordType: 'organization', dedupeKey: 'c:rec' }));
      const claim = (id: number, now: string) => store.claimJob(id, { workerId: 'api', leaseMs: MINUTE, now });
      assert.equal(await claim(newer.id, at(0)), null, 'an older PENDING job, even not due, blocks it');
      assert.equal((await claim(otherType.id, at(0)))?.id, otherType.id, 'another record type is another record');
      assert.equal((await claim(older.id, at(0)))?.id, older.id);
      assert.equal(await claim(newer.id, at(0)), null, 'an older RUNNING job blocks it');
      assert.equal(await store.completeJob(older.id, await leaseOf(db().prisma, older.id, 'api'), at(SECOND)), true);
      assert.equal((await claim(newer.id, at(SECOND)))?.id, newer.id);
      assert.equal((await db().prisma.syncJob.findUniqueOrThrow({ where: { id: newer.id } })).attempts, 1);
    });

    test('DONE, DEAD and missing jobs: null; bad arguments rejected before any query', async () => {
      const done = await store.enqueueJob(job('d1'));
      const dead = await store.enqueueJob(job('d2'));
      await store.claimJobs({ workerId: 'w', limit: 2, leaseMs: MINUTE, now: at(0) });
      await store.completeJob(done.id, await leaseOf(db().prisma, done.id, 'w'), at(SECOND));
      await store.failJob(dead.id, await leaseOf(db().prisma, dead.id, 'w'), { error: 'VALIDATION: no', retryAt: null, now: at(SECOND) });
      const claim = (id: number) => store.claimJob(id, { workerId: 'api', leaseMs: MINUTE, now: at(DAY) });
      assert.equal(await claim(done.id), null);
      assert.equal(await claim(dead.id), null);
      assert.equal(await claim(987_654), null);
      const { client, calls } = spyClient();
      const spy = createPrismaStore(client);
      await assert.rejects(spy.claimJob(0, { workerId: 'w', leaseMs: MINUTE, now: at(0) }), namesField('jobId'));
      await assert.rejects(spy.claimJob(1, { workerId: '', leaseMs: MINUTE, now: at(0) }), namesField('workerId'));
      await assert.rejects(spy.claimJob(1, { workerId: 'w', leaseMs: 0, now: at(0) }), namesField('leaseMs'));
      await assert.rejects(spy.claimJob(1, { workerId: 'w', leaseMs: MINUTE, now: 'now' }), namesField('now'));
      await assert.rejects(spy.claimJob(1, null as never), namesField('request'));
      assert.deepEqual(calls, []);
    });

    test('two clients claiming one job at once: exactly one gets it', async () => {
      const clients = [store, createPrismaStore(db().newClient())];
      for (let round = 0; round < 10; round++) {
        const { id } = await store.enqueueJob(job(`race-${round}`));
        const results = await Promise.all(
          Array.from({ length: 6 }, (_, i) => clients[i % 2].claimJob(id, { workerId: `w${i}`, leaseMs: MINUTE, now: at(0) })),
        );
        const winners = results.filter((r) => r !== null);
        assert.equal(winners.length, 1, `round ${round}: one winner, got ${winners.length}`);
        const row = await db().prisma.syncJob.findUniqueOrThrow({ where: { id } });
        assert.equal(row.attempts, 1);
        assert.equal(row.leaseOwner, winners[0]?.leaseOwner);
      }
    });

    test('claimJob and a drain worker racing for one job: exactly one gets it', async () => {
      const drainer = createPrismaStore(db().newClient());
      for (let round = 0; round < 10; round++) {
        const { id } = await store.enqueueJob(job(`mixed-${round}`));
        const [single, batch] = await Promise.all([
          store.claimJob(id, { workerId: 'api', leaseMs: MINUTE, now: at(0) }),
          drainer.claimJobs({ workerId: 'drain', limit: 5, leaseMs: MINUTE, now: at(0) }),
        ]);
        assert.equal((single ? 1 : 0) + batch.filter((j) => j.id === id).length, 1, `round ${round}`);
        await store.completeJob(id, await leaseOf(db().prisma, id, single ? 'api' : 'drain'), at(SECOND));
      }
    });

    if (name === 'postgresql') {
      test('PostgreSQL: a job locked by a concurrent claimer is skipped (null at once), not waited for', async () => {
        const prisma = db().prisma;
        const { id } = await store.enqueueJob(job('locked'));
        const holder = db().newClient();
        let release!: () => void;
        const released = new Promise<void>((resolve) => {
          release = resolve;
        });
        let locked!: () => void;
        const isLocked = new Promise<void>((resolve) => {
          locked = resolve;
        });
        const holding = holder.$transaction(async (tx) => {
          await tx.$queryRaw`SELECT "id" FROM "pipedrive_sync_jobs" WHERE "id" = ${id} FOR UPDATE`;
          locked();
          await released;
        }, { timeout: 20_000 });
        await isLocked;
        const started = Date.now();
        const result = await store.claimJob(id, { workerId: 'api', leaseMs: MINUTE, now: at(0) });
        const waited = Date.now() - started;
        release();
        await holding;
        assert.equal(result, null);
        assert.ok(waited < 5_000, `did not wait for the lock (${waited} ms)`);
        assert.equal((await prisma.syncJob.findUniqueOrThrow({ where: { id } })).state, 'PENDING');
        assert.equal((await store.claimJob(id, { workerId: 'api', leaseMs: MINUTE, now: at(0) }))?.id, id, 'free again once released');
      });
    }
  });

  describe('saveSnapshot', () => {
    test('inserts, then replaces the snapshot of the same recordType and pipedriveId', async () => {
      const prisma = db().prisma;
      await store.saveSnapshot({
        recordType: 'person', localId: 'c1', pipedriveId: 501, fields: { name: 'Ada', emails: [{ value: 'a@b.c', primary: true }] },
        remoteUpdateTime: '2030-01-01T10:00:00Z', syncedAt: at(MINUTE),
      });
      let rows = await prisma.syncSnapshot.findMany();
      assert.equal(rows.length, 1);
      assert.equal(rows[0].recordType, 'person');
      assert.equal(rows[0].localId, 'c1');
      assert.equal(rows[0].pipedriveId, 501);
      assert.deepEqual(JSON.parse(rows[0].fields), { name: 'Ada', emails: [{ value: 'a@b.c', primary: true }] });
      assert.equal(rows[0].remoteUpdateTime?.toISOString(), '2030-01-01T10:00:00.000Z');
      assert.equal(rows[0].syncedAt.toISOString(), at(MINUTE));

      await store.saveSnapshot({ recordType: 'person', localId: null, pipedriveId: 501, fields: { name: 'Ada L.' }, remoteUpdateTime: null, syncedAt: at(HOUR) });
      rows = await prisma.syncSnapshot.findMany();
      assert.equal(rows.length, 1, 'replaced, not added');
      assert.deepEqual(JSON.parse(rows[0].fields), { name: 'Ada L.' });
      assert.equal(rows[0].localId, null);
      assert.equal(rows[0].remoteUpdateTime, null);
      assert.equal(rows[0].syncedAt.toISOString(), at(HOUR));

      // Same Pipedrive id, another record type: another snapshot.
      await store.saveSnapshot({ recordType: 'organization', localId: 'o1', pipedriveId: 501, fields: {}, remoteUpdateTime: null, syncedAt: at(HOUR) });
      assert.equal(await prisma.syncSnapshot.count(), 2);
    });

    test('concurrent saves of one record leave one row', async () => {
      const other = createPrismaStore(db().newClient());
      await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? store : other).saveSnapshot({
        recordType: 'deal', localId: null, pipedriveId: 9, fields: { v: i }, remoteUpdateTime: null, syncedAt: at(i),
      })));
      assert.equal(await db().prisma.syncSnapshot.count({ where: { recordType: 'deal', pipedriveId: 9 } }), 1);
    });

    test('bad snapshots: a RangeError naming the field, before any query', async () => {
      const { client, calls } = spyClient();
      const spy = createPrismaStore(client);
      const good = { recordType: 'person', localId: null, pipedriveId: 1, fields: {}, remoteUpdateTime: null, syncedAt: at(0) };
      const cases: Array<[string, object]> = [
        ['recordType', { ...good, recordType: '' }],
        ['localId', { ...good, localId: 5 }],
        ['pipedriveId', { ...good, pipedriveId: 0 }],
        ['fields', { ...good, fields: [1] }],
        ['fields', { ...good, fields: { n: 1n } }],
        ['remoteUpdateTime', { ...good, remoteUpdateTime: 'yesterday' }],
        ['syncedAt', { ...good, syncedAt: undefined }],
      ];
      for (const [field, bad] of cases) await assert.rejects(spy.saveSnapshot(bad as never), namesField(field));
      assert.deepEqual(calls, []);
    });
  });

  describe('recordConflict', () => {
    test('inserts an OPEN conflict and resolves its id; each call a new conflict', async () => {
      const prisma = db().prisma;
      const fields = { name: { local: 'Ada', remote: 'Ada L.', base: 'A.' } };
      const first = await store.recordConflict({ recordType: 'person', localId: 'c1', pipedriveId: 501, fields, now: at(MINUTE) });
      const second = await store.recordConflict({ recordType: 'person', localId: 'c1', pipedriveId: 501, fields, now: at(HOUR) });
      assert.ok(Number.isInteger(first) && Number.isInteger(second));
      assert.notEqual(first, second);
      const row = await prisma.syncConflict.findUniqueOrThrow({ where: { id: first } });
      assert.equal(row.status, 'OPEN');
      assert.equal(row.recordType, 'person');
      assert.equal(row.localId, 'c1');
      assert.equal(row.pipedriveId, 501);
      assert.deepEqual(JSON.parse(row.fields), fields);
      assert.equal(row.createdAt.toISOString(), at(MINUTE));
      assert.equal(row.decision, null);
      assert.equal(row.resolvedAt, null);
    });

    test('an ambiguous match (no single Pipedrive record) is stored with pipedriveId 0', async () => {
      const id = await store.recordConflict({ recordType: 'person', localId: 'c2', pipedriveId: null, fields: { candidates: [11, 12] }, now: at(0) });
      const row = await db().prisma.syncConflict.findUniqueOrThrow({ where: { id } });
      assert.equal(row.pipedriveId, NO_PIPEDRIVE_ID);
      assert.deepEqual(JSON.parse(row.fields), { candidates: [11, 12] });
    });

    test('bad conflicts: a RangeError naming the field, before any query', async () => {
      const { client, calls } = spyClient();
      const spy = createPrismaStore(client);
      const good = { recordType: 'person', localId: null, pipedriveId: null, fields: {}, now: at(0) };
      for (const [field, bad] of [
        ['recordType', { ...good, recordType: 3 }],
        ['pipedriveId', { ...good, pipedriveId: -1 }],
        ['fields', { ...good, fields: null }],
        ['now', { ...good, now: '2030-01-01 00:00' }],
      ] as Array<[string, object]>) {
        await assert.rejects(spy.recordConflict(bad as never), namesField(field));
      }
      assert.deepEqual(calls, []);
    });
  });

  test('every new method rejects with a PrismaStoreError naming it once the database is gone', async () => {
    const doomed = await createTestDatabase(db().name);
    const doomedStore = createPrismaStore(doomed.prisma);
    const { id } = await doomedStore.enqueueJob(job('gone'));
    await doomed.close();
    await assert.rejects(doomedStore.findContact('c'), isStoreError('findContact'));
    await assert.rejects(doomedStore.linkContact('c', { pipedrivePersonId: 1, pipedriveOrgId: null, syncedAt: at(0) }), isStoreError('linkContact'));
    await assert.rejects(doomedStore.linkOrganization('o', { pipedriveOrgId: 1, syncedAt: at(0) }), isStoreError('linkOrganization'));
    await assert.rejects(doomedStore.setContactSyncStatus('c', 'FAILED'), isStoreError('setContactSyncStatus'));
    await assert.rejects(doomedStore.updateWarmness('c', 5), isStoreError('updateWarmness'));
    await assert.rejects(doomedStore.saveSnapshot({ recordType: 'person', localId: null, pipedriveId: 1, fields: {}, remoteUpdateTime: null, syncedAt: at(0) }), isStoreError('saveSnapshot'));
    await assert.rejects(doomedStore.recordConflict({ recordType: 'person', localId: null, pipedriveId: 1, fields: {}, now: at(0) }), isStoreError('recordConflict'));
    await assert.rejects(doomedStore.claimJob(id, { workerId: 'w', leaseMs: MINUTE, now: at(0) }), isStoreError('claimJob'));
  });
});
