/**
 * @module tests/prisma/linked_records.test
 * The linked-record methods of `createPrismaStore` on a real SQLite file and on PostgreSQL: the CRM's edit hooks
 * (`contactEdited`, `organizationEdited`, `activityEdited`: an `update_record` job for the linked Pipedrive record
 * and PENDING, in the caller's transaction or the store's own, later edits coalesced into the waiting job, nothing
 * for an unlinked record, unknown fields refused before any query) and `markLinkedRecord` (the engine's outcome on
 * every local record linked to a Pipedrive record, `REMOTE_DELETED` included).
 */

import assert from 'node:assert/strict';
import { before, beforeEach, describe, test } from 'node:test';
import { createPrismaStore, StoreArgumentError } from '../../js/prisma';
import type { SyncStore } from '../../js/store/types';
import { activityRow, at, contactRow, HOUR, isStoreError, MINUTE, SECOND, seedActivity, seedContact, seedOrganization, spyClient } from './contacts_helpers';
import { createTestDatabase, describeEachDatabase, type TestDatabase, type TestPrismaClient } from './databases';

/** The stored jobs of a Pipedrive record's update key, oldest first, with their payloads parsed. */
async function updateJobs(prisma: TestPrismaClient, recordType: string, pipedriveId: number) {
  const rows = await prisma.syncJob.findMany({ where: { dedupeKey: `update_record:${recordType}:${pipedriveId}` }, orderBy: { id: 'asc' } });
  return rows.map((row) => ({ ...row, payload: JSON.parse(row.payload) as Record<string, unknown> }));
}

/** The stored organization row, through the generated client. */
function organizationRow(prisma: TestPrismaClient, id: string) {
  return prisma.organization.findUniqueOrThrow({ where: { id } });
}

/** Asserts a rejection is a `StoreArgumentError` for `field`. */
function refuses(field: string) {
  return (error: unknown) => {
    assert.ok(error instanceof StoreArgumentError, `expected a StoreArgumentError, got ${String(error)}`);
    assert.equal(error.field, field);
    return true;
  };
}

describeEachDatabase('Prisma store linked records', (db: () => TestDatabase, name) => {
  let store: SyncStore;
  let userId: string;

  before(() => {
    store = createPrismaStore(db().prisma);
  });

  beforeEach(async () => {
    const prisma = db().prisma;
    await prisma.syncJob.deleteMany();
    await prisma.activity.deleteMany();
    await prisma.contact.deleteMany();
    await prisma.organization.deleteMany();
    await prisma.user.deleteMany();
    userId = (await prisma.user.create({ data: { email: 'editor@example.com' } })).id;
  });

  describe('contactEdited', () => {
    test('a linked contact: one update_record job (fields, payload, priority 0), PENDING, the job id', async () => {
      const prisma = db().prisma;
      const id = await seedContact(prisma, { pipedrivePersonId: 501 });
      const changes = { name: 'Ada L.', email: ['ada@example.com'], label_ids: [1, '2'], visible_to: 3 };
      const jobId = await store.contactEdited(id, changes, { userId, changedAt: '2030-01-01T01:00:00+01:00' });
      assert.equal(typeof jobId, 'number');
      const [job, ...others] = await updateJobs(prisma, 'person', 501);
      assert.equal(others.length, 0);
      assert.deepEqual(
        [job.id, job.kind, job.recordType, job.recordId, job.state, job.priority],
        [jobId, 'update_record', 'person', '501', 'PENDING', 0],
      );
      assert.deepEqual(job.payload, { entity: 'person', id: 501, data: changes, changedAt: at(0), localId: id, userId });
      assert.equal((await contactRow(prisma, id)).updateSyncStatus, 'PENDING');
    });

    test('changedAt defaults to now; userId to null', async () => {
      const id = await seedContact(db().prisma, { pipedrivePersonId: 502 });
      const before = Date.now();
      await store.contactEdited(id, { phone: ['+49 30 1234'] });
      const [job] = await updateJobs(db().prisma, 'person', 502);
      const changedAt = Date.parse(job.payload.changedAt as string);
      assert.ok(changedAt >= before - SECOND && changedAt <= Date.now() + SECOND, `now: ${String(job.payload.changedAt)}`);
      assert.match(job.payload.changedAt as string, /Z$/, 'ISO 8601 in UTC');
      assert.equal(job.payload.userId, null);
    });

    test('newer edits merge into the waiting job: data field by field (null clears), the later changedAt, a known user kept', async () => {
      const prisma = db().prisma;
      const id = await seedContact(prisma, { pipedrivePersonId: 501 });
      const first = await store.contactEdited(id, { name: 'A', phone: ['+49 1'], owner_id: 7 }, { userId, changedAt: at(2 * MINUTE) });
      const second = await store.contactEdited(id, { phone: null, org_name: 'Acme' }, { changedAt: at(MINUTE) });
      const third = await store.contactEdited(id, { name: 'B' }, { changedAt: at(3 * MINUTE) });
      assert.ok(first);
      assert.deepEqual([second, third], [first, first]);
      const jobs = await updateJobs(prisma, 'person', 501);
      assert.equal(jobs.length, 1);
      assert.deepEqual(jobs[0].payload, {
        entity: 'person', id: 501, data: { name: 'B', phone: null, owner_id: 7, org_name: 'Acme' }, changedAt: at(3 * MINUTE),
        localId: id, userId,
      });
    });

    test('a late edit keeps the later changedAt of the waiting job', async () => {
      const id = await seedContact(db().prisma, { pipedrivePersonId: 501 });
      await store.contactEdited(id, { name: 'A' }, { changedAt: at(HOUR) });
      await store.contactEdited(id, { email: ['a@example.com'] }, { changedAt: at(MINUTE) });
      const [job] = await updateJobs(db().prisma, 'person', 501);
      assert.equal(job.payload.changedAt, at(HOUR));
      assert.deepEqual(job.payload.data, { name: 'A', email: ['a@example.com'] });
    });

    test('two contacts linked to one person share its job; once it runs, a new edit makes a successor', async () => {
      const prisma = db().prisma;
      const a = await seedContact(prisma, { pipedrivePersonId: 501 });
      const b = await seedContact(prisma, { pipedrivePersonId: 501 });
      const first = await store.contactEdited(a, { name: 'A' });
      assert.equal(await store.contactEdited(b, { email: ['b@example.com'] }), first);
      assert.ok(first && await store.claimJob(first, { workerId: 'w', leaseMs: MINUTE, now: at(0) }));
      const successor = await store.contactEdited(a, { name: 'C' });
      assert.ok(successor && successor !== first, 'a RUNNING job is never merged into');
      const jobs = await updateJobs(prisma, 'person', 501);
      assert.deepEqual(jobs.map((job) => [job.state, job.payload.data]), [['RUNNING', { name: 'A', email: ['b@example.com'] }], ['PENDING', { name: 'C' }]]);
    });

    test('an unlinked or missing contact, or no field changed: null, no job, not even updated_at', async () => {
      const prisma = db().prisma;
      const plain = await seedContact(prisma, { updateSyncStatus: 'FAILED' });
      const linked = await seedContact(prisma, { pipedrivePersonId: 9 });
      const before = await contactRow(prisma, plain);
      assert.equal(await store.contactEdited(plain, { name: 'X' }), null);
      assert.equal(await store.contactEdited('no-such-contact', { name: 'X' }), null);
      assert.equal(await store.contactEdited('', { name: 'X' }), null);
      assert.equal(await store.contactEdited(linked, {}), null);
      assert.equal(await store.contactEdited(linked, { name: undefined }), null);
      assert.equal(await prisma.syncJob.count(), 0);
      const after = await contactRow(prisma, plain);
      assert.deepEqual([after.updateSyncStatus, after.updatedAt.toISOString()], ['FAILED', before.updatedAt.toISOString()]);
      assert.equal((await contactRow(prisma, linked)).updateSyncStatus, 'SYNCED');
    });

    test("inside the caller's transaction that commits: the edit, the status and the job commit together", async () => {
      const prisma = db().prisma;
      const id = await seedContact(prisma, { pipedrivePersonId: 501 });
      const jobId = await prisma.$transaction(async (tx) => {
        await tx.contact.update({ where: { id }, data: { name: 'Ada L.' } });
        return store.contactEdited(id, { name: 'Ada L.' }, { tx, userId });
      });
      assert.ok(jobId);
      const row = await contactRow(prisma, id);
      assert.deepEqual([row.name, row.updateSyncStatus], ['Ada L.', 'PENDING']);
      assert.deepEqual((await updateJobs(prisma, 'person', 501)).map((job) => job.id), [jobId]);
    });

    test("inside the caller's transaction that rolls back: neither the status nor the job persists", async () => {
      const prisma = db().prisma;
      const id = await seedContact(prisma, { pipedrivePersonId: 501, updateSyncStatus: 'FAILED' });
      let inside: number | null = null;
      await assert.rejects(
        prisma.$transaction(async (tx) => {
          await tx.contact.update({ where: { id }, data: { name: 'Never' } });
          inside = await store.contactEdited(id, { name: 'Never' }, { tx });
          assert.equal((await tx.contact.findUniqueOrThrow({ where: { id } })).updateSyncStatus, 'PENDING');
          assert.equal(await tx.syncJob.count(), 1);
          throw new Error('the CRM change failed');
        }),
        /the CRM change failed/,
      );
      assert.ok(inside, 'a job was recorded inside the transaction');
      const row = await contactRow(prisma, id);
      assert.deepEqual([row.name, row.updateSyncStatus], ['Ada Lovelace', 'FAILED']);
      assert.equal(await prisma.syncJob.count(), 0);
    });

    test('an unknown key, changes that are not a plain object, a bad option: a StoreArgumentError naming it, before any query', async () => {
      const { client, calls } = spyClient();
      const spy = createPrismaStore(client);
      await assert.rejects(spy.contactEdited('c', { name: 'A', title: 'Dr', rank: 1 } as never), (error: unknown) => {
        assert.ok(refuses('changes.title')(error));
        assert.match((error as Error).message, /^contactEdited: changes\.title is not a field a person edit may carry \(allowed: name, email, phone, org_name, label_ids, owner_id, visible_to\)$/);
        return true;
      });
      await assert.rejects(spy.contactEdited('c', { industry: 'Software' } as never), refuses('changes.industry'));
      await assert.rejects(spy.organizationEdited('o', { email: ['a@b.c'] } as never), refuses('changes.email'));
      await assert.rejects(spy.activityEdited('a', { title: 'x' } as never), refuses('changes.title'));
      for (const bad of [null, [], 'name', new Date(), new Map()]) {
        await assert.rejects(spy.contactEdited('c', bad as never), refuses('changes'), `refuses ${String(bad)}`);
      }
      await assert.rejects(spy.contactEdited('c', { owner_id: 1n } as never), refuses('changes'), 'not JSON');
      await assert.rejects(spy.contactEdited('c', { name: 'A' }, { changedAt: '2030-01-01' }), refuses('changedAt'));
      await assert.rejects(spy.contactEdited('c', { name: 'A' }, { userId: '' }), refuses('userId'));
      await assert.rejects(spy.contactEdited('c', { name: 'A' }, { tx: {} }), refuses('tx'));
      await assert.rejects(spy.contactEdited('c', { name: 'A' }, 'tx' as never), refuses('options'));
      assert.deepEqual(calls, [], 'no query was sent');
      const id = await seedContact(db().prisma, { pipedrivePersonId: 501 });
      await assert.rejects(store.contactEdited(id, { nickname: 'A' } as never), refuses('changes.nickname'));
      assert.equal((await contactRow(db().prisma, id)).updateSyncStatus, 'SYNCED', 'nothing changed');
      assert.equal(await db().prisma.syncJob.count(), 0);
    });

    test('concurrent edits of one contact leave one pending job holding every field', async () => {
      const id = await seedContact(db().prisma, { pipedrivePersonId: 501 });
      // PostgreSQL: two clients (the row lock and the outbox's advisory lock serialise them). SQLite: one client, whose
      // interactive transactions the adapter runs one at a time (see contacts.test.ts).
      const stores = name === 'postgresql' ? [store, createPrismaStore(db().newClient())] : [store];
      const fields = ['name', 'org_name', 'owner_id', 'visible_to', 'email', 'phone', 'label_ids'] as const;
      const results = await Promise.all(fields.map((field, i) => stores[i % stores.length].contactEdited(id, { [field]: i })));
      const jobs = await updateJobs(db().prisma, 'person', 501);
      assert.equal(jobs.length, 1);
      assert.ok(results.every((jobId) => jobId === jobs[0].id));
      assert.deepEqual(Object.keys(jobs[0].payload.data as object).sort(), [...fields].sort(), 'no edit lost');
    });
  });

  describe('organizationEdited and activityEdited', () => {
    test('a linked organization: its update_record job and PENDING; unlinked: null', async () => {
      const prisma = db().prisma;
      const id = await seedOrganization(prisma, { pipedriveOrgId: 33 });
      const plain = await seedOrganization(prisma, { name: 'Unlinked' });
      const jobId = await store.organizationEdited(id, { industry: 'Software', address: null, visible_to: '3' }, { userId, changedAt: at(0) });
      assert.ok(jobId);
      const [job] = await updateJobs(prisma, 'organization', 33);
      assert.deepEqual([job.id, job.kind, job.recordType, job.recordId, job.priority], [jobId, 'update_record', 'organization', '33', 0]);
      assert.deepEqual(job.payload, {
        entity: 'organization', id: 33, data: { industry: 'Software', address: null, visible_to: '3' }, changedAt: at(0), localId: id, userId,
      });
      assert.equal((await organizationRow(prisma, id)).updateSyncStatus, 'PENDING');
      assert.equal(await store.organizationEdited(plain, { name: 'X' }), null);
      assert.equal((await organizationRow(prisma, plain)).updateSyncStatus, 'SYNCED');
      assert.equal(await prisma.syncJob.count(), 1);
    });

    test('a replicated activity: its update_record job and PENDING; one not yet in Pipedrive: null', async () => {
      const prisma = db().prisma;
      const contactId = await seedContact(prisma, { pipedrivePersonId: 501 });
      const id = await seedActivity(prisma, { contactId, userId, pipedriveActivityId: 9001, replicatedToPipedrive: true });
      const pending = await seedActivity(prisma, { contactId, userId, updateSyncStatus: 'FAILED' });
      const changes = { subject: 'Demo', type: 'meeting', due_date: '2030-01-02', due_time: '10:00', note: null, person_id: 501, user_id: '5', done: true };
      const jobId = await store.activityEdited(id, changes, { changedAt: at(0) });
      assert.ok(jobId);
      const [job] = await updateJobs(prisma, 'activity', 9001);
      assert.deepEqual([job.id, job.recordType, job.recordId], [jobId, 'activity', '9001']);
      assert.deepEqual(job.payload, { entity: 'activity', id: 9001, data: changes, changedAt: at(0), localId: id, userId: null });
      assert.equal((await activityRow(prisma, id)).updateSyncStatus, 'PENDING');
      assert.equal(await store.activityEdited(pending, { subject: 'X' }), null);
      assert.equal((await activityRow(prisma, pending)).updateSyncStatus, 'FAILED');
      assert.equal(await prisma.syncJob.count(), 1);
    });

    test("in the caller's transaction: an activity's job rolls back with it", async () => {
      const prisma = db().prisma;
      const contactId = await seedContact(prisma);
      const id = await seedActivity(prisma, { contactId, userId, pipedriveActivityId: 9002, replicatedToPipedrive: true });
      await assert.rejects(prisma.$transaction(async (tx) => {
        assert.ok(await store.activityEdited(id, { done: true }, { tx }));
        throw new Error('rolled back');
      }), /rolled back/);
      assert.equal(await prisma.syncJob.count(), 0);
      assert.equal((await activityRow(prisma, id)).updateSyncStatus, 'SYNCED');
    });
  });

  describe('markLinkedRecord', () => {
    test('person: every contact linked to it gets the status and lastPipedriveUpdate; null keeps the time', async () => {
      const prisma = db().prisma;
      const a = await seedContact(prisma, { pipedrivePersonId: 501, updateSyncStatus: 'PENDING' });
      const b = await seedContact(prisma, { pipedrivePersonId: 501, updateSyncStatus: 'FAILED' });
      const other = await seedContact(prisma, { pipedrivePersonId: 502, updateSyncStatus: 'PENDING' });
      assert.equal(await store.markLinkedRecord('person', 501, { status: 'SYNCED', syncedAt: at(MINUTE) }), true);
      for (const id of [a, b]) {
        const row = await contactRow(prisma, id);
        assert.deepEqual([row.updateSyncStatus, row.lastPipedriveUpdate?.toISOString()], ['SYNCED', at(MINUTE)]);
      }
      const untouched = await contactRow(prisma, other);
      assert.deepEqual([untouched.updateSyncStatus, untouched.lastPipedriveUpdate], ['PENDING', null]);
      assert.equal(await store.markLinkedRecord('person', 501, { status: 'REMOTE_DELETED', syncedAt: null }), true);
      const gone = await contactRow(prisma, a);
      assert.deepEqual([gone.updateSyncStatus, gone.lastPipedriveUpdate?.toISOString()], ['REMOTE_DELETED', at(MINUTE)]);
      assert.equal((await store.findContact(a))?.updateSyncStatus, 'REMOTE_DELETED');
    });

    test('organization and activity by their own Pipedrive ids; deal and unlinked ids: false', async () => {
      const prisma = db().prisma;
      const org = await seedOrganization(prisma, { pipedriveOrgId: 33, updateSyncStatus: 'PENDING' });
      const contactId = await seedContact(prisma, { organizationId: org, pipedrivePersonId: 33, pipedriveOrgId: 33, updateSyncStatus: 'PENDING' });
      const act = await seedActivity(prisma, { contactId, userId, pipedriveActivityId: 33, replicatedToPipedrive: true, updateSyncStatus: 'PENDING' });
      assert.equal(await store.markLinkedRecord('organization', 33, { status: 'CONFLICT', syncedAt: at(SECOND) }), true);
      const orgRow = await organizationRow(prisma, org);
      assert.deepEqual([orgRow.updateSyncStatus, orgRow.lastPipedriveUpdate?.toISOString()], ['CONFLICT', at(SECOND)]);
      assert.equal((await contactRow(prisma, contactId)).updateSyncStatus, 'PENDING', "the organization's contact is another record");
      assert.equal((await activityRow(prisma, act)).updateSyncStatus, 'PENDING');
      assert.equal(await store.markLinkedRecord('activity', 33, { status: 'FAILED', syncedAt: at(HOUR) }), true);
      const actRow = await activityRow(prisma, act);
      assert.deepEqual([actRow.updateSyncStatus, actRow.lastPipedriveUpdate?.toISOString()], ['FAILED', at(HOUR)]);
      assert.equal(await store.markLinkedRecord('deal', 33, { status: 'SYNCED', syncedAt: at(0) }), false);
      assert.equal(await store.markLinkedRecord('activity', 34, { status: 'SYNCED', syncedAt: at(0) }), false);
      assert.equal(await store.markLinkedRecord('organization', 34, { status: 'SYNCED', syncedAt: at(0) }), false);
    });

    test('bad record type, id, status, time or mark: a StoreArgumentError naming it, before any query', async () => {
      const { client, calls } = spyClient();
      const spy = createPrismaStore(client);
      const cases: Array<[string, unknown[]]> = [
        ['recordType', ['contact', 5, { status: 'SYNCED', syncedAt: null }]],
        ['pipedriveId', ['person', 0, { status: 'SYNCED', syncedAt: null }]],
        ['pipedriveId', ['person', '5', { status: 'SYNCED', syncedAt: null }]],
        ['status', ['person', 5, { status: 'DONE', syncedAt: null }]],
        ['syncedAt', ['person', 5, { status: 'SYNCED', syncedAt: '2030-01-01' }]],
        ['mark', ['person', 5, null]],
        ['status', ['deal', 5, { status: 'deleted', syncedAt: null }]],
      ];
      for (const [field, args] of cases) {
        await assert.rejects((spy.markLinkedRecord as (...a: unknown[]) => Promise<boolean>)(...args), refuses(field), `refuses a bad ${field}`);
      }
      assert.deepEqual(calls, []);
    });

    test('REMOTE_DELETED is accepted by the other status writers too', async () => {
      const prisma = db().prisma;
      const contactId = await seedContact(prisma);
      assert.equal(await store.setContactSyncStatus(contactId, 'REMOTE_DELETED'), true);
      assert.equal((await contactRow(prisma, contactId)).updateSyncStatus, 'REMOTE_DELETED');
      const act = await seedActivity(prisma, { contactId, userId });
      assert.equal(await store.recordActivityAttempt(act, { at: at(0), status: 'REMOTE_DELETED' }), true);
      assert.equal((await activityRow(prisma, act)).updateSyncStatus, 'REMOTE_DELETED');
    });
  });

  test('every linked-record method rejects with a PrismaStoreError naming it once the database is gone', async () => {
    const doomed = await createTestDatabase(db().name);
    const doomedStore = createPrismaStore(doomed.prisma);
    await doomed.close();
    await assert.rejects(doomedStore.contactEdited('c', { name: 'A' }), isStoreError('contactEdited'));
    await assert.rejects(doomedStore.organizationEdited('o', { name: 'A' }), isStoreError('organizationEdited'));
    await assert.rejects(doomedStore.activityEdited('a', { subject: 'A' }), isStoreError('activityEdited'));
    await assert.rejects(doomedStore.markLinkedRecord('person', 1, { status: 'SYNCED', syncedAt: null }), isStoreError('markLinkedRecord'));
  });
});
