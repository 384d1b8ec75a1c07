/**
 * @module tests/store/remote_changes.test
 * The store methods of reconciliation and webhooks, the same rules on the memory store and on the Prisma store
 * over SQLite and PostgreSQL: `listLinkedRecords` (linked only, by local id, paged), `findLinkedRecord` with status
 * and values, `relinkRecord` (links moved, the merged-away snapshot gone), `applyRemoteChanges` (values written, no
 * job, the status kept, the caller's transaction honoured, other keys refused), the reconcile cursors (upsert) and
 * `receiveWebhookEvent` (the inbox row and its job together; a re-delivery, concurrent ones included, writes
 * nothing).
 */

import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';

import { createMemoryStore, type MemoryStore } from '../../js/store/memory';
import { createPrismaStore, StoreArgumentError } from '../../js/prisma';
import type { SyncStore } from '../../js/store/types';
import { emptyCrmTables } from '../prisma/contacts_helpers';
import { describeEachDatabase, type TestDatabase } from '../prisma/databases';

/** Asserts a rejection is a `StoreArgumentError` for `field`. */
function refuses(field: string) {
  return (error: unknown) => {
    assert.ok(error instanceof RangeError && (error as StoreArgumentError).field === field, `expected a StoreArgumentError for ${field}, got ${String(error)}`);
    return true;
  };
}

const event = (eventId: string, pipedriveId = 501) => ({
  eventId, recordType: 'person', action: 'change' as const, pipedriveId, payload: { meta: { id: eventId } }, receivedAt: '2030-01-01T00:00:00.000Z',
});

/** The shared contract, over a store and a way to seed and read its contacts. */
function contract(
  name: string,
  setup: () => Promise<{
    store: SyncStore;
    addContact(id: string, fields: { name: string; email?: string; phone?: string; pipedrivePersonId: number | null; status?: string }): Promise<void>;
    contact(id: string): Promise<{ name: string; email: string | null; pipedrivePersonId: number | null; updateSyncStatus: string }>;
    jobs(): Promise<Array<{ kind: string; dedupeKey: string }>>;
  }>,
) {
  describe(name, () => {
    let s: Awaited<ReturnType<typeof setup>>;
    beforeEach(async () => {
      s = await setup();
      await s.addContact('c-b', { name: 'Bea', email: 'bea@x.test', pipedrivePersonId: 602 });
      await s.addContact('c-a', { name: 'Ann', email: 'ann@x.test', phone: '+1 555', pipedrivePersonId: 601, status: 'PENDING' });
      await s.addContact('c-c', { name: 'Cid', pipedrivePersonId: null });
      await s.addContact('c-d', { name: 'Dan', pipedrivePersonId: 603 });
    });

    test('listLinkedRecords: linked only, by local id, paged; findLinkedRecord shows the same state', async () => {
      const all = await s.store.listLinkedRecords('person', { after: null, limit: 10 });
      assert.deepEqual(all.map((r) => [r.localId, r.pipedriveId, r.status]), [['c-a', 601, 'PENDING'], ['c-b', 602, 'SYNCED'], ['c-d', 603, 'SYNCED']]);
      assert.deepEqual(all[0]?.fields, { name: 'Ann', email: ['ann@x.test'], phone: ['+1 555'] });
      const page = await s.store.listLinkedRecords('person', { after: 'c-a', limit: 1 });
      assert.deepEqual(page.map((r) => r.localId), ['c-b']);
      const found = await s.store.findLinkedRecord('person', 602);
      assert.deepEqual({ localId: found?.localId, status: found?.status, fields: found?.fields }, { localId: 'c-b', status: 'SYNCED', fields: { name: 'Bea', email: ['bea@x.test'] } });
      await assert.rejects(s.store.listLinkedRecords('person', { after: null, limit: 0 }), refuses('page.limit'));
      await assert.rejects(s.store.listLinkedRecords('deal' as 'person', { after: null, limit: 5 }), refuses('recordType'));
    });

    test('relinkRecord moves the links to the survivor and drops the merged-away snapshot', async () => {
      await s.store.saveSnapshot({ recordType: 'person', localId: 'c-b', pipedriveId: 602, fields: { name: 'Bea' }, remoteUpdateTime: null, syncedAt: '2030-01-01T00:00:00.000Z' });
      assert.equal(await s.store.relinkRecord('person', 602, 699), 1);
      assert.equal((await s.contact('c-b')).pipedrivePersonId, 699);
      assert.equal(await s.store.findSnapshot('person', 602), null);
      assert.equal(await s.store.relinkRecord('person', 602, 699), 0, 'a second relink moves nothing');
      assert.equal(await s.store.relinkRecord('deal', 1, 2), 0);
    });

    test('applyRemoteChanges writes the values, queues nothing and keeps the status; other keys are refused', async () => {
      assert.equal(await s.store.applyRemoteChanges('person', 'c-a', { name: 'Ann Remote', email: ['ann.r@x.test', 'other@x.test'] }), true);
      const ann = await s.contact('c-a');
      assert.deepEqual([ann.name, ann.email, ann.updateSyncStatus], ['Ann Remote', 'ann.r@x.test', 'PENDING']);
      assert.deepEqual(await s.jobs(), []);
      assert.equal(await s.store.applyRemoteChanges('person', 'c-zz', { name: 'Nobody' }), false);
      await assert.rejects(s.store.applyRemoteChanges('person', 'c-a', { label_ids: [1] }), refuses('fields.label_ids'));
      await assert.rejects(s.store.applyRemoteChanges('person', 'c-a', { name: '' }), refuses('fields.name'));
      assert.equal((await s.contact('c-a')).name, 'Ann Remote', 'a refused call writes nothing');
    });

    test('reconcile cursors are stored per record type and replaced', async () => {
      assert.equal(await s.store.getReconcileCursor('person'), null);
      await s.store.saveReconcileCursor('person', '2030-01-01T00:00:00Z');
      await s.store.saveReconcileCursor('person', '2030-01-02T00:00:00Z');
      await s.store.saveReconcileCursor('organization', '2030-01-03T00:00:00Z');
      assert.equal(await s.store.getReconcileCursor('person'), '2030-01-02T00:00:00Z');
      assert.equal(await s.store.getReconcileCursor('organization'), '2030-01-03T00:00:00Z');
      await assert.rejects(s.store.saveReconcileCursor('person', ''), refuses('cursor'));
    });

    test('receiveWebhookEvent stores the event with its job once; a re-delivery writes nothing', async () => {
      const first = await s.store.receiveWebhookEvent(event('e-1'));
      assert.equal(first.duplicate, false);
      assert.ok(first.jobId);
      assert.deepEqual(await s.store.receiveWebhookEvent(event('e-1')), { duplicate: true, jobId: null });
      const both = await Promise.all([s.store.receiveWebhookEvent(event('e-2')), s.store.receiveWebhookEvent(event('e-2'))]);
      assert.deepEqual(both.map((r) => r.duplicate).sort(), [false, true], 'two deliveries at once: one stored');
      assert.deepEqual((await s.jobs()).map((j) => [j.kind, j.dedupeKey]).sort(), [['webhook_event', 'webhook_event:e-1'], ['webhook_event', 'webhook_event:e-2']]);
      await assert.rejects(s.store.receiveWebhookEvent({ ...event('e-3'), action: 'updated' as 'change' }), refuses('event.action'));
      await assert.rejects(s.store.receiveWebhookEvent({ ...event('e-3'), eventId: 'x'.repeat(201) }), refuses('event.eventId'));
      assert.equal((await s.jobs()).length, 2);
    });
  });
}

contract('memory store', async () => {
  const store: MemoryStore = createMemoryStore();
  return {
    store,
    async addContact(id, fields) {
      store.contacts.push({
        id, name: fields.name, email: fields.email ?? null, phone: fields.phone ?? null, warmnessScore: 0, ownerId: null,
        pipedrivePersonId: fields.pipedrivePersonId, pipedriveOrgId: null, updateSyncStatus: fields.status ?? 'SYNCED', organizationId: null,
      });
    },
    async contact(id) {
      const found = store.contacts.find((c) => c.id === id);
      assert.ok(found);
      return found;
    },
    async jobs() {
      return store.jobs;
    },
  };
});

describeEachDatabase('Prisma store', (db: () => TestDatabase) => {
  contract('remote changes', async () => {
    const prisma = db().prisma;
    await emptyCrmTables(prisma);
    await prisma.$executeRawUnsafe('DELETE FROM pipedrive_sync_webhook_events');
    await prisma.$executeRawUnsafe('DELETE FROM pipedrive_sync_cursors');
    return {
      store: createPrismaStore(prisma),
      async addContact(id, fields) {
        await prisma.contact.create({ data: { id, name: fields.name, email: fields.email, phone: fields.phone, pipedrivePersonId: fields.pipedrivePersonId, updateSyncStatus: fields.status ?? 'SYNCED' } });
      },
      contact: (id) => prisma.contact.findUniqueOrThrow({ where: { id } }),
      jobs: () => prisma.syncJob.findMany(),
    };
  });

  test('applyRemoteChanges in the caller transaction rolls back with it', async () => {
    const prisma = db().prisma;
    await emptyCrmTables(prisma);
    await prisma.contact.create({ data: { id: 'c-tx', name: 'Before', pipedrivePersonId: 777 } });
    const store = createPrismaStore(prisma);
    await assert.rejects(
      prisma.$transaction(async (tx) => {
        await store.applyRemoteChanges('person', 'c-tx', { name: 'Inside' }, { tx });
        throw new Error('the CRM rolls back');
      }),
      /rolls back/,
    );
    assert.equal((await prisma.contact.findUniqueOrThrow({ where: { id: 'c-tx' } })).name, 'Before');
  });
});
