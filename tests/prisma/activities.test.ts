/**
 * @module tests/prisma/activities.test
 * The activity methods of `createPrismaStore` on a real SQLite file and on PostgreSQL: activities read with their
 * contact's Pipedrive ids (unknown stored types refused), the contact's unreplicated activities in order, attempts
 * counted atomically (concurrent clients), the link to the Pipedrive activity (unique), and the CRM's hook for a
 * logged activity (job and status in the caller's transaction or the store's own, merged when repeated, nothing for
 * a contact without a Pipedrive person), with argument checks made before any query.
 */

import assert from 'node:assert/strict';
import { before, beforeEach, describe, test } from 'node:test';
import { createPrismaStore, PrismaStoreError, REPLICATE_ACTIVITY_PRIORITY } from '../../js/prisma';
import type { SyncStore } from '../../js/store/types';
import { activityRow, at, DAY, HOUR, isStoreError, MINUTE, namesField, SECOND, seedActivity, seedContact, spyClient } from './contacts_helpers';
import { createTestDatabase, describeEachDatabase, type TestDatabase, type TestPrismaClient } from './databases';

/** The stored jobs of the replicate-activity dedupe key of `activityId`, oldest first. */
function replicateJobs(prisma: TestPrismaClient, activityId: string) {
  return prisma.syncJob.findMany({ where: { dedupeKey: `replicate_activity:${activityId}` }, orderBy: { id: 'asc' } });
}

describeEachDatabase('Prisma store activities', (db: () => TestDatabase, name) => {
  let store: SyncStore;
  let userId: string;
  /** A contact linked to Pipedrive person 501 (organization 77). */
  let personContact: string;
  /** A contact not (yet) in Pipedrive. */
  let plainContact: string;

  before(() => {
    store = createPrismaStore(db().prisma);
  });

  beforeEach(async () => {
    const prisma = db().prisma;
    await prisma.syncJob.deleteMany();
    await prisma.activity.deleteMany();
    await prisma.contact.deleteMany();
    await prisma.user.deleteMany();
    userId = (await prisma.user.create({ data: { email: 'logger@example.com', name: 'Logger' } })).id;
    personContact = await seedContact(prisma, { name: 'Linked', pipedrivePersonId: 501, pipedriveOrgId: 77 });
    plainContact = await seedContact(prisma, { name: 'Unlinked' });
  });

  describe('findActivity', () => {
    test("returns every LocalActivity field, times as ISO 8601, with the contact's Pipedrive ids", async () => {
      const id = await seedActivity(db().prisma, {
        contactId: personContact, userId, type: 'MEETING', subject: 'Demo', note: 'Bring slides',
        dueDate: new Date(at(DAY + 9 * HOUR)), allDay: false, done: true, pipedriveActivityId: 9001, replicatedToPipedrive: true,
        pipedriveSyncAttempts: 2, lastPipedriveSyncAttempt: new Date(at(MINUTE)), updateSyncStatus: 'SYNCED',
        createdAt: new Date(at(0)),
      });
      assert.deepEqual(await store.findActivity(id), {
        id, contactId: personContact, userId, type: 'MEETING', subject: 'Demo', note: 'Bring slides', dueDate: at(DAY + 9 * HOUR),
        allDay: false, done: true, pipedriveActivityId: 9001, replicatedToPipedrive: true, pipedriveSyncAttempts: 2,
        lastPipedriveSyncAttempt: at(MINUTE), updateSyncStatus: 'SYNCED', createdAt: at(0),
        contact: { pipedrivePersonId: 501, pipedriveOrgId: 77 },
      });
    });

    test('defaults as the schema sets them; nullable fields null; an unlinked contact has null ids', async () => {
      const id = await seedActivity(db().prisma, { contactId: plainContact, userId, type: 'EMAIL', allDay: true, createdAt: new Date(at(SECOND)) });
      assert.deepEqual(await store.findActivity(id), {
        id, contactId: plainContact, userId, type: 'EMAIL', subject: 'Intro call', note: null, dueDate: null, allDay: true,
        done: false, pipedriveActivityId: null, replicatedToPipedrive: false, pipedriveSyncAttempts: 0,
        lastPipedriveSyncAttempt: null, updateSyncStatus: 'SYNCED', createdAt: at(SECOND),
        contact: { pipedrivePersonId: null, pipedriveOrgId: null },
      });
    });

    test('every CRM type is read back', async () => {
      for (const type of ['CALL', 'EMAIL', 'MEETING', 'LINKEDIN', 'REFERRAL', 'CONFERENCE']) {
        const id = await seedActivity(db().prisma, { contactId: personContact, userId, type });
        assert.equal((await store.findActivity(id))?.type, type);
      }
    });

    test('null for a missing activity or an empty id', async () => {
      assert.equal(await store.findActivity('no-such-activity'), null);
      assert.equal(await store.findActivity(''), null);
    });

    test('a stored unknown type rejects with an error naming the activity and the type', async () => {
      const id = await seedActivity(db().prisma, { contactId: personContact, userId, type: 'VISIT' });
      await assert.rejects(store.findActivity(id), (error: unknown) => {
        assert.ok(error instanceof PrismaStoreError, `expected a PrismaStoreError, got ${String(error)}`);
        assert.equal(error.operation, 'findActivity');
        assert.ok(error.message.includes(id), `names the activity: ${error.message}`);
        assert.match(error.message, /unknown type "VISIT"/);
        assert.match(error.message, /CALL, EMAIL, MEETING, LINKEDIN, REFERRAL, CONFERENCE/);
        return true;
      });
    });
  });

  describe('listUnreplicatedActivities', () => {
    test("the contact's unreplicated activities, oldest first (createdAt, then id)", async () => {
      const prisma = db().prisma;
      const late = await seedActivity(prisma, { id: 'act-a-late', contactId: personContact, userId, createdAt: new Date(at(HOUR)) });
      const tieB = await seedActivity(prisma, { id: 'act-b-tie', contactId: personContact, userId, createdAt: new Date(at(MINUTE)) });
      const tieA = await seedActivity(prisma, { id: 'act-a-tie', contactId: personContact, userId, createdAt: new Date(at(MINUTE)) });
      const early = await seedActivity(prisma, { id: 'act-z-early', contactId: personContact, userId, createdAt: new Date(at(0)) });
      await seedActivity(prisma, { contactId: personContact, userId, replicatedToPipedrive: true, pipedriveActivityId: 1, createdAt: new Date(at(-DAY)) });
      await seedActivity(prisma, { contactId: plainContact, userId, createdAt: new Date(at(-DAY)) });
      const listed = await store.listUnreplicatedActivities(personContact);
      assert.deepEqual(listed.map((a) => a.id), [early, tieA, tieB, late]);
      assert.ok(listed.every((a) => !a.replicatedToPipedrive && a.contact.pipedrivePersonId === 501));
      assert.equal(listed[0].createdAt, at(0));
    });

    test('[] for a contact with none, a missing contact or an empty id', async () => {
      await seedActivity(db().prisma, { contactId: personContact, userId, replicatedToPipedrive: true });
      assert.deepEqual(await store.listUnreplicatedActivities(personContact), []);
      assert.deepEqual(await store.listUnreplicatedActivities('no-such-contact'), []);
      assert.deepEqual(await store.listUnreplicatedActivities(''), []);
    });

    test('an activity with an unknown type rejects the list, naming it', async () => {
      const id = await seedActivity(db().prisma, { contactId: personContact, userId, type: 'call' });
      await assert.rejects(store.listUnreplicatedActivities(personContact), (error: unknown) => {
        assert.ok(error instanceof PrismaStoreError);
        assert.ok(error.message.includes(id) && error.message.includes('"call"'), error.message);
        return true;
      });
    });
  });

  describe('recordActivityAttempt', () => {
    test('counts the attempt, stores its time and status; false for a missing activity', async () => {
      const id = await seedActivity(db().prisma, { contactId: personContact, userId, updateSyncStatus: 'PENDING' });
      assert.equal(await store.recordActivityAttempt(id, { at: at(MINUTE), status: 'FAILED' }), true);
      let row = await activityRow(db().prisma, id);
      assert.equal(row.pipedriveSyncAttempts, 1);
      assert.equal(row.lastPipedriveSyncAttempt?.toISOString(), at(MINUTE));
      assert.equal(row.updateSyncStatus, 'FAILED');
      assert.equal(await store.recordActivityAttempt(id, { at: '2030-01-01T01:00:00+01:00', status: 'PENDING' }), true);
      row = await activityRow(db().prisma, id);
      assert.equal(row.pipedriveSyncAttempts, 2);
      assert.equal(row.lastPipedriveSyncAttempt?.toISOString(), at(0), 'an offset is the same instant in UTC');
      assert.equal(row.updateSyncStatus, 'PENDING');
      assert.equal(row.replicatedToPipedrive, false, 'an attempt is not a replication');
      const found = await store.findActivity(id);
      assert.deepEqual([found?.pipedriveSyncAttempts, found?.lastPipedriveSyncAttempt], [2, at(0)]);
      assert.equal(await store.recordActivityAttempt('no-such-activity', { at: at(0), status: 'FAILED' }), false);
      assert.equal(await store.recordActivityAttempt('', { at: at(0), status: 'FAILED' }), false);
    });

    test('bad status, time or attempt: a RangeError naming it, before any query', async () => {
      const { client, calls } = spyClient();
      const spy = createPrismaStore(client);
      await assert.rejects(spy.recordActivityAttempt('a', { at: at(0), status: 'DONE' as never }), namesField('status'));
      await assert.rejects(spy.recordActivityAttempt('a', { at: '2030-01-01', status: 'FAILED' }), namesField('at'));
      await assert.rejects(spy.recordActivityAttempt('a', { at: undefined as never, status: 'FAILED' }), namesField('at'));
      await assert.rejects(spy.recordActivityAttempt('a', null as never), namesField('attempt'));
      assert.deepEqual(calls, []);
      const id = await seedActivity(db().prisma, { contactId: personContact, userId });
      await assert.rejects(store.recordActivityAttempt(id, { at: at(0), status: 'done' as never }), namesField('status'));
      const row = await activityRow(db().prisma, id);
      assert.deepEqual([row.pipedriveSyncAttempts, row.updateSyncStatus], [0, 'SYNCED'], 'nothing changed');
    });

    test('20 concurrent attempts from two clients are all counted', async () => {
      const id = await seedActivity(db().prisma, { contactId: personContact, userId });
      const stores = [store, createPrismaStore(db().newClient())];
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => stores[i % 2].recordActivityAttempt(id, { at: at(i * SECOND), status: 'FAILED' })),
      );
      assert.ok(results.every((changed) => changed === true));
      const row = await activityRow(db().prisma, id);
      assert.equal(row.pipedriveSyncAttempts, 20);
      assert.equal(row.updateSyncStatus, 'FAILED');
    });
  });

  describe('markActivityReplicated', () => {
    test('with a fence: applied only while that claim holds its job, else false and unchanged', async () => {
      const id = await seedActivity(db().prisma, { contactId: personContact, userId, updateSyncStatus: 'PENDING' });
      const jobId = await store.activityLogged(id, { userId });
      assert.ok(jobId !== null);
      const claimed = await store.claimJob(jobId, { workerId: 'w', leaseMs: MINUTE, now: at(0) });
      assert.ok(claimed);
      const fence = { jobId, workerId: 'w', token: claimed.leaseToken };
      const link = { pipedriveActivityId: 5151, syncedAt: at(SECOND) };
      assert.equal(await store.markActivityReplicated(id, { ...link, fence: { ...fence, token: fence.token + 1 } }), false);
      assert.equal((await activityRow(db().prisma, id)).pipedriveActivityId, null);
      assert.equal(await store.markActivityReplicated(id, { ...link, fence }), true);
      assert.equal((await activityRow(db().prisma, id)).pipedriveActivityId, 5151);
    });

    test('stores the Pipedrive id, replicated, lastPipedriveUpdate and SYNCED; the list then leaves it out', async () => {
      const id = await seedActivity(db().prisma, { contactId: personContact, userId, updateSyncStatus: 'PENDING', pipedriveSyncAttempts: 1 });
      assert.equal(await store.markActivityReplicated(id, { pipedriveActivityId: 4242, syncedAt: at(HOUR) }), true);
      const row = await activityRow(db().prisma, id);
      assert.equal(row.pipedriveActivityId, 4242);
      assert.equal(row.replicatedToPipedrive, true);
      assert.equal(row.lastPipedriveUpdate?.toISOString(), at(HOUR));
      assert.equal(row.updateSyncStatus, 'SYNCED');
      assert.equal(row.pipedriveSyncAttempts, 1, 'the attempts are kept');
      const found = await store.findActivity(id);
      assert.deepEqual([found?.pipedriveActivityId, found?.replicatedToPipedrive, found?.updateSyncStatus], [4242, true, 'SYNCED']);
      assert.deepEqual(await store.listUnreplicatedActivities(personContact), []);
      assert.equal(await store.markActivityReplicated(id, { pipedriveActivityId: 4242, syncedAt: at(2 * HOUR) }), true, 'the same link again');
      assert.equal((await activityRow(db().prisma, id)).lastPipedriveUpdate?.toISOString(), at(2 * HOUR));
    });

    test('false for a missing activity or an empty id', async () => {
      assert.equal(await store.markActivityReplicated('no-such-activity', { pipedriveActivityId: 1, syncedAt: at(0) }), false);
      assert.equal(await store.markActivityReplicated('', { pipedriveActivityId: 1, syncedAt: at(0) }), false);
    });

    test('a Pipedrive id another activity holds: a clear rejection naming both, and nothing changes', async () => {
      const prisma = db().prisma;
      const first = await seedActivity(prisma, { contactId: personContact, userId });
      const second = await seedActivity(prisma, { contactId: personContact, userId, updateSyncStatus: 'PENDING' });
      assert.equal(await store.markActivityReplicated(first, { pipedriveActivityId: 777, syncedAt: at(0) }), true);
      await assert.rejects(store.markActivityReplicated(second, { pipedriveActivityId: 777, syncedAt: at(MINUTE) }), (error: unknown) => {
        assert.ok(error instanceof PrismaStoreError, `expected a PrismaStoreError, got ${String(error)}`);
        assert.equal(error.operation, 'markActivityReplicated');
        assert.match(error.message, /Pipedrive activity 777 is already linked to activity/);
        assert.ok(error.message.includes(first) && error.message.includes(second), error.message);
        assert.ok(error.cause instanceof Error && error.cause.cause !== undefined, "the database's error is kept");
        return true;
      });
      const row = await activityRow(prisma, second);
      assert.deepEqual([row.pipedriveActivityId, row.replicatedToPipedrive, row.updateSyncStatus, row.lastPipedriveUpdate], [null, false, 'PENDING', null]);
      assert.equal((await activityRow(prisma, first)).pipedriveActivityId, 777);
      assert.equal(await store.markActivityReplicated(second, { pipedriveActivityId: 778, syncedAt: at(MINUTE) }), true);
    });

    test('bad ids and times: a RangeError naming the field, before any query', async () => {
      const { client, calls } = spyClient();
      const spy = createPrismaStore(client);
      await assert.rejects(spy.markActivityReplicated('a', { pipedriveActivityId: 0, syncedAt: at(0) }), namesField('pipedriveActivityId'));
      await assert.rejects(spy.markActivityReplicated('a', { pipedriveActivityId: 2 ** 31, syncedAt: at(0) }), namesField('pipedriveActivityId'));
      await assert.rejects(spy.markActivityReplicated('a', { pipedriveActivityId: '5' as never, syncedAt: at(0) }), namesField('pipedriveActivityId'));
      await assert.rejects(spy.markActivityReplicated('a', { pipedriveActivityId: 5, syncedAt: 'now' }), namesField('syncedAt'));
      await assert.rejects(spy.markActivityReplicated('a', null as never), namesField('link'));
      assert.deepEqual(calls, []);
    });
  });

  describe('activityLogged', () => {
    test('a contact with a Pipedrive person: one replicate_activity job (fields, payload, priority 10) and PENDING', async () => {
      const id = await seedActivity(db().prisma, { contactId: personContact, userId });
      const jobId = await store.activityLogged(id);
      assert.equal(typeof jobId, 'number');
      const [stored, ...others] = await replicateJobs(db().prisma, id);
      assert.equal(others.length, 0);
      assert.equal(stored.id, jobId);
      assert.equal(stored.kind, 'replicate_activity');
      assert.equal(stored.recordType, 'activity');
      assert.equal(stored.recordId, id);
      assert.equal(stored.state, 'PENDING');
      assert.equal(stored.priority, 10);
      assert.equal(REPLICATE_ACTIVITY_PRIORITY, 10);
      assert.deepEqual(JSON.parse(stored.payload), { activityId: id, userId }, "userId defaults to the activity's user");
      assert.equal((await activityRow(db().prisma, id)).updateSyncStatus, 'PENDING');
    });

    test('repeated calls merge into the one pending job (the newer userId wins); once it runs, a successor', async () => {
      const id = await seedActivity(db().prisma, { contactId: personContact, userId });
      const first = await store.activityLogged(id, { userId: 'acting-user' });
      const second = await store.activityLogged(id, { userId: null });
      const third = await store.activityLogged(id, { userId: 'u3' });
      assert.ok(first);
      assert.equal(second, first);
      assert.equal(third, first);
      let jobs = await replicateJobs(db().prisma, id);
      assert.equal(jobs.length, 1);
      assert.deepEqual(JSON.parse(jobs[0].payload), { activityId: id, userId: 'u3' });
      assert.ok(await store.claimJob(first, { workerId: 'w', leaseMs: MINUTE, now: at(0) }));
      const fourth = await store.activityLogged(id);
      assert.ok(fourth && fourth !== first, 'a RUNNING job is never merged into');
      jobs = await replicateJobs(db().prisma, id);
      assert.deepEqual(jobs.map((j) => j.state), ['RUNNING', 'PENDING']);
    });

    test('a contact without a Pipedrive person: null, no job, the activity unchanged', async () => {
      const prisma = db().prisma;
      const id = await seedActivity(prisma, { contactId: plainContact, userId, updateSyncStatus: 'SYNCED' });
      const before = await activityRow(prisma, id);
      assert.equal(await store.activityLogged(id, { userId: 'u' }), null);
      assert.equal(await prisma.syncJob.count(), 0);
      const after = await activityRow(prisma, id);
      assert.equal(after.updateSyncStatus, 'SYNCED');
      assert.equal(after.updatedAt.toISOString(), before.updatedAt.toISOString(), 'not even updated_at');
    });

    test('a missing activity or an empty id: null and no job', async () => {
      assert.equal(await store.activityLogged('no-such-activity'), null);
      assert.equal(await store.activityLogged(''), null);
      assert.equal(await db().prisma.syncJob.count(), 0);
    });

    test("inside the caller's transaction that commits: the activity, its status and the job commit together", async () => {
      const prisma = db().prisma;
      const { id, jobId } = await prisma.$transaction(async (tx) => {
        const created = await tx.activity.create({ data: { contactId: personContact, userId, type: 'CALL', subject: 'In tx' } });
        return { id: created.id, jobId: await store.activityLogged(created.id, { tx, userId: 'acting' }) };
      });
      assert.ok(jobId);
      assert.equal((await activityRow(prisma, id)).updateSyncStatus, 'PENDING');
      const jobs = await replicateJobs(prisma, id);
      assert.deepEqual(jobs.map((j) => j.id), [jobId]);
      assert.deepEqual(JSON.parse(jobs[0].payload), { activityId: id, userId: 'acting' });
    });

    test("inside the caller's transaction that rolls back: neither the status change nor the job persists", async () => {
      const prisma = db().prisma;
      const id = await seedActivity(prisma, { contactId: personContact, userId, updateSyncStatus: 'FAILED' });
      let inside: number | null = null;
      await assert.rejects(
        prisma.$transaction(async (tx) => {
          inside = await store.activityLogged(id, { tx });
          // Visible inside the transaction...
          assert.equal((await tx.activity.findUniqueOrThrow({ where: { id } })).updateSyncStatus, 'PENDING');
          assert.equal(await tx.syncJob.count({ where: { dedupeKey: `replicate_activity:${id}` } }), 1);
          throw new Error('the CRM change failed');
        }),
        /the CRM change failed/,
      );
      assert.ok(inside, 'a job was recorded inside the transaction');
      // ...and gone with it.
      assert.equal((await activityRow(prisma, id)).updateSyncStatus, 'FAILED');
      assert.equal(await prisma.syncJob.count(), 0);
    });

    test('bad userId, tx or options: a RangeError naming it, before any query', async () => {
      const { client, calls } = spyClient();
      const spy = createPrismaStore(client);
      await assert.rejects(spy.activityLogged('a', { userId: 42 as never }), namesField('userId'));
      await assert.rejects(spy.activityLogged('a', { userId: '  ' }), namesField('userId'));
      await assert.rejects(spy.activityLogged('a', { tx: {} }), namesField('tx'));
      await assert.rejects(spy.activityLogged('a', 'tx' as never), namesField('options'));
      assert.deepEqual(calls, []);
    });

    test('concurrent calls for one activity leave one pending job', async () => {
      const id = await seedActivity(db().prisma, { contactId: personContact, userId });
      // PostgreSQL: two clients (the row lock and the outbox's advisory lock serialise them). SQLite: one client, whose
      // interactive transactions the adapter runs one at a time (see contacts.test.ts).
      const stores = name === 'postgresql' ? [store, createPrismaStore(db().newClient())] : [store];
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => stores[i % stores.length].activityLogged(id, { userId: `u${i}` })));
      const jobs = await replicateJobs(db().prisma, id);
      assert.equal(jobs.length, 1);
      assert.ok(results.every((jobId) => jobId === jobs[0].id));
      assert.equal((await activityRow(db().prisma, id)).updateSyncStatus, 'PENDING');
    });
  });

  test('every activity method rejects with a PrismaStoreError naming it once the database is gone', async () => {
    const doomed = await createTestDatabase(db().name);
    const doomedStore = createPrismaStore(doomed.prisma);
    await doomed.close();
    await assert.rejects(doomedStore.findActivity('a'), isStoreError('findActivity'));
    await assert.rejects(doomedStore.listUnreplicatedActivities('c'), isStoreError('listUnreplicatedActivities'));
    await assert.rejects(doomedStore.recordActivityAttempt('a', { at: at(0), status: 'FAILED' }), isStoreError('recordActivityAttempt'));
    await assert.rejects(doomedStore.markActivityReplicated('a', { pipedriveActivityId: 1, syncedAt: at(0) }), isStoreError('markActivityReplicated'));
    await assert.rejects(doomedStore.activityLogged('a'), isStoreError('activityLogged'));
  });
});
