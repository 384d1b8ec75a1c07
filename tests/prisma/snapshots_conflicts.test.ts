/**
 * @module tests/prisma/snapshots_conflicts.test
 * Reading back the package's own tables through `createPrismaStore` on a real SQLite file and on PostgreSQL:
 * `findSnapshot` (the snapshot `saveSnapshot` stored, fields parsed) and the conflicts a person decides
 * (`listConflicts` newest first and filtered, `findConflict`, `resolveConflict` once and atomically, even from two
 * clients at once), with argument checks made before any query.
 */

import assert from 'node:assert/strict';
import { before, beforeEach, describe, test } from 'node:test';
import { createPrismaStore, LIST_CONFLICTS_LIMIT, PrismaStoreError, StoreArgumentError } from '../../js/prisma';
import type { NewSyncConflict, SyncStore } from '../../js/store/types';
import { at, HOUR, isStoreError, MINUTE, SECOND, spyClient } from './contacts_helpers';
import { createTestDatabase, describeEachDatabase, type TestDatabase } from './databases';

/** Asserts a rejection is a `StoreArgumentError` for `field`. */
function refuses(field: string) {
  return (error: unknown) => {
    assert.ok(error instanceof StoreArgumentError, `expected a StoreArgumentError, got ${String(error)}`);
    assert.equal(error.field, field);
    return true;
  };
}

/** A conflict about person `pipedriveId` (or none), found at `now`. */
function conflict(pipedriveId: number | null, now: string, fields: Record<string, unknown> = { name: { local: 'A', remote: 'B', base: null } }): NewSyncConflict {
  return { recordType: 'person', localId: 'c1', pipedriveId, fields, now };
}

describeEachDatabase('Prisma store snapshots and conflicts read back', (db: () => TestDatabase) => {
  let store: SyncStore;

  before(() => {
    store = createPrismaStore(db().prisma);
  });

  beforeEach(async () => {
    await db().prisma.syncSnapshot.deleteMany();
    await db().prisma.syncConflict.deleteMany();
  });

  describe('findSnapshot', () => {
    test('the snapshot saveSnapshot stored, fields parsed, times as ISO 8601; the last save wins', async () => {
      const fields = { name: 'Ada', emails: [{ value: 'a@b.c', primary: true }], org_id: null, label_ids: [1, 2] };
      await store.saveSnapshot({ recordType: 'person', localId: 'c1', pipedriveId: 501, fields: { name: 'old' }, remoteUpdateTime: null, syncedAt: at(0) });
      await store.saveSnapshot({ recordType: 'person', localId: 'c1', pipedriveId: 501, fields, remoteUpdateTime: '2030-01-01T10:00:00+02:00', syncedAt: at(MINUTE) });
      assert.deepEqual(await store.findSnapshot('person', 501), {
        recordType: 'person', localId: 'c1', pipedriveId: 501, fields, remoteUpdateTime: at(8 * HOUR), syncedAt: at(MINUTE),
      });
      await store.saveSnapshot({ recordType: 'person', localId: null, pipedriveId: 501, fields: {}, remoteUpdateTime: null, syncedAt: at(HOUR) });
      assert.deepEqual(await store.findSnapshot('person', 501), {
        recordType: 'person', localId: null, pipedriveId: 501, fields: {}, remoteUpdateTime: null, syncedAt: at(HOUR),
      });
    });

    test('null for another record type or id', async () => {
      await store.saveSnapshot({ recordType: 'person', localId: null, pipedriveId: 7, fields: { a: 1 }, remoteUpdateTime: null, syncedAt: at(0) });
      assert.equal(await store.findSnapshot('organization', 7), null);
      assert.equal(await store.findSnapshot('person', 8), null);
    });

    test('a stored fields text that is not a JSON object: a PrismaStoreError naming the record', async () => {
      await db().prisma.syncSnapshot.create({ data: { recordType: 'deal', pipedriveId: 3, fields: '[1, 2]' } });
      await assert.rejects(store.findSnapshot('deal', 3), (error: unknown) => {
        assert.ok(error instanceof PrismaStoreError);
        assert.match(error.message, /^findSnapshot failed: the snapshot of deal 3 has fields that are not a JSON object$/);
        return true;
      });
    });

    test('bad record type or id: a StoreArgumentError naming it, before any query', async () => {
      const { client, calls } = spyClient();
      const spy = createPrismaStore(client);
      await assert.rejects(spy.findSnapshot('', 1), refuses('recordType'));
      await assert.rejects(spy.findSnapshot(5 as never, 1), refuses('recordType'));
      await assert.rejects(spy.findSnapshot('person', 0), refuses('pipedriveId'));
      await assert.rejects(spy.findSnapshot('person', 2 ** 31), refuses('pipedriveId'));
      await assert.rejects(spy.findSnapshot('person', '1' as never), refuses('pipedriveId'));
      assert.deepEqual(calls, []);
    });
  });

  describe('listConflicts and findConflict', () => {
    test('newest first (createdAt, then id), every field, NO_PIPEDRIVE_ID read back as null', async () => {
      const old = await store.recordConflict(conflict(1, at(0)));
      const tieA = await store.recordConflict(conflict(2, at(MINUTE)));
      const tieB = await store.recordConflict(conflict(null, at(MINUTE), { candidates: [11, 12] }));
      const newest = await store.recordConflict(conflict(3, '2030-01-01T01:02:00+01:00'));
      const listed = await store.listConflicts();
      assert.deepEqual(listed.map((c) => c.id), [newest, tieB, tieA, old]);
      assert.deepEqual(listed[1], {
        id: tieB, recordType: 'person', localId: 'c1', pipedriveId: null, fields: { candidates: [11, 12] }, status: 'OPEN', decision: null,
        createdAt: at(MINUTE), resolvedAt: null,
      });
      assert.deepEqual(await store.findConflict(newest), {
        id: newest, recordType: 'person', localId: 'c1', pipedriveId: 3, fields: { name: { local: 'A', remote: 'B', base: null } }, status: 'OPEN',
        decision: null, createdAt: at(2 * MINUTE), resolvedAt: null,
      });
      assert.equal(await store.findConflict(newest + 1000), null);
    });

    test('filtered by status', async () => {
      const a = await store.recordConflict(conflict(1, at(0)));
      const b = await store.recordConflict(conflict(2, at(SECOND)));
      assert.equal(await store.resolveConflict(a, { decision: 'local', resolvedAt: at(MINUTE) }), true);
      assert.deepEqual((await store.listConflicts({ status: 'OPEN' })).map((c) => c.id), [b]);
      assert.deepEqual((await store.listConflicts({ status: 'RESOLVED' })).map((c) => c.id), [a]);
      assert.deepEqual((await store.listConflicts({})).map((c) => c.id), [b, a]);
    });

    test(`at most ${LIST_CONFLICTS_LIMIT}, the newest`, async () => {
      assert.equal(LIST_CONFLICTS_LIMIT, 500);
      await db().prisma.syncConflict.createMany({
        data: Array.from({ length: 502 }, (_, i) => ({ recordType: 'person', pipedriveId: i + 1, fields: '{}', createdAt: new Date(at(i * SECOND)) })),
      });
      const listed = await store.listConflicts({ status: 'OPEN' });
      assert.equal(listed.length, 500);
      assert.deepEqual([listed[0].pipedriveId, listed[499].pipedriveId], [502, 3]);
    });

    test('a decision stored by other code as a bare name is read back as that text; a bad stored status rejects', async () => {
      const prisma = db().prisma;
      const named = await prisma.syncConflict.create({
        data: { recordType: 'person', pipedriveId: 4, fields: '{}', status: 'RESOLVED', decision: 'local', resolvedAt: new Date(at(0)) },
      });
      assert.deepEqual([(await store.findConflict(named.id))?.decision, (await store.findConflict(named.id))?.resolvedAt], ['local', at(0)]);
      const odd = await prisma.syncConflict.create({ data: { recordType: 'person', pipedriveId: 5, fields: '{}', status: 'DISMISSED' } });
      await assert.rejects(store.findConflict(odd.id), (error: unknown) => {
        assert.ok(error instanceof PrismaStoreError);
        assert.match(error.message, new RegExp(`conflict ${odd.id} has an unknown status "DISMISSED"`));
        return true;
      });
    });

    test('bad filter, status or id: a StoreArgumentError naming it, before any query', async () => {
      const { client, calls } = spyClient();
      const spy = createPrismaStore(client);
      await assert.rejects(spy.listConflicts({ status: 'open' as never }), refuses('status'));
      await assert.rejects(spy.listConflicts('OPEN' as never), refuses('filter'));
      await assert.rejects(spy.findConflict(0), refuses('conflictId'));
      await assert.rejects(spy.findConflict(1.5), refuses('conflictId'));
      await assert.rejects(spy.findConflict('1' as never), refuses('conflictId'));
      assert.deepEqual(calls, []);
    });
  });

  describe('resolveConflict', () => {
    test('OPEN → RESOLVED with the decision as JSON and resolvedAt: true; again or missing: false, first decision kept', async () => {
      const prisma = db().prisma;
      const id = await store.recordConflict(conflict(501, at(0)));
      const decision = { name: 'pipedrive', email: 'local', phone: ['+49 1'] };
      assert.equal(await store.resolveConflict(id, { decision, resolvedAt: at(MINUTE) }), true);
      const row = await prisma.syncConflict.findUniqueOrThrow({ where: { id } });
      assert.deepEqual([row.status, JSON.parse(row.decision ?? 'null'), row.resolvedAt?.toISOString()], ['RESOLVED', decision, at(MINUTE)]);
      assert.equal(await store.resolveConflict(id, { decision: 'local', resolvedAt: at(HOUR) }), false);
      const found = await store.findConflict(id);
      assert.deepEqual([found?.status, found?.decision, found?.resolvedAt], ['RESOLVED', decision, at(MINUTE)]);
      assert.equal(await store.resolveConflict(id + 1000, { decision: 'local', resolvedAt: at(0) }), false);
      const other = await store.recordConflict(conflict(502, at(0)));
      assert.equal(await store.resolveConflict(other, { decision: 'pipedrive', resolvedAt: at(0) }), true);
      assert.equal((await store.findConflict(other))?.decision, 'pipedrive');
    });

    test('concurrent resolves of one conflict from two clients: exactly one true, its decision kept', async () => {
      const stores = [store, createPrismaStore(db().newClient())];
      for (let round = 0; round < 5; round++) {
        const id = await store.recordConflict(conflict(round + 1, at(0)));
        const results = await Promise.all(
          Array.from({ length: 6 }, (_, i) => stores[i % 2].resolveConflict(id, { decision: `choice-${i}`, resolvedAt: at(i * SECOND) })),
        );
        assert.equal(results.filter(Boolean).length, 1, `round ${round}: ${JSON.stringify(results)}`);
        const winner = results.indexOf(true);
        const found = await store.findConflict(id);
        assert.deepEqual([found?.decision, found?.resolvedAt], [`choice-${winner}`, at(winner * SECOND)]);
      }
    });

    test('bad id, resolution, decision or time: a StoreArgumentError naming it, before any query', async () => {
      const { client, calls } = spyClient();
      const spy = createPrismaStore(client);
      await assert.rejects(spy.resolveConflict(0, { decision: 'local', resolvedAt: at(0) }), refuses('conflictId'));
      await assert.rejects(spy.resolveConflict(1, null as never), refuses('resolution'));
      await assert.rejects(spy.resolveConflict(1, { decision: null, resolvedAt: at(0) }), refuses('decision'));
      await assert.rejects(spy.resolveConflict(1, { decision: undefined, resolvedAt: at(0) }), refuses('decision'));
      await assert.rejects(spy.resolveConflict(1, { decision: 1n, resolvedAt: at(0) }), refuses('decision'));
      await assert.rejects(spy.resolveConflict(1, { decision: 'local', resolvedAt: '2030-01-01' }), refuses('resolvedAt'));
      assert.deepEqual(calls, []);
    });
  });

  test('every method here rejects with a PrismaStoreError naming it once the database is gone', async () => {
    const doomed = await createTestDatabase(db().name);
    const doomedStore = createPrismaStore(doomed.prisma);
    await doomed.close();
    await assert.rejects(doomedStore.findSnapshot('person', 1), isStoreError('findSnapshot'));
    await assert.rejects(doomedStore.listConflicts(), isStoreError('listConflicts'));
    await assert.rejects(doomedStore.findConflict(1), isStoreError('findConflict'));
    await assert.rejects(doomedStore.resolveConflict(1, { decision: 'local', resolvedAt: at(0) }), isStoreError('resolveConflict'));
  });
});
