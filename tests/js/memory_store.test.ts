//! The in-memory store's contact, warmness, snapshot, conflict and single-job claim methods: the same rules as the
//! Prisma store (`tests/prisma/contacts.test.ts`), shorter.

import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { createMemoryStore, type MemoryContact, type MemoryStore } from '../../js/store/memory';
import { REQUIRED_STORE_METHODS } from '../../js/store/types';

const T0 = Date.parse('2030-01-01T00:00:00.000Z');
const at = (ms: number): string => new Date(T0 + ms).toISOString();
const MINUTE = 60_000;

let store: MemoryStore;

/** Seeds a contact (no organization, score 0, unlinked, SYNCED unless told). */
function contact(id: string, overrides: Partial<MemoryContact> = {}): MemoryContact {
  const seeded: MemoryContact = {
    id, name: `Contact ${id}`, email: null, phone: null, warmnessScore: 0, ownerId: null, pipedrivePersonId: null,
    pipedriveOrgId: null, updateSyncStatus: 'SYNCED', organizationId: null, ...overrides,
  };
  store.contacts.push(seeded);
  return seeded;
}

beforeEach(() => {
  store = createMemoryStore();
});

test('the memory store has every required method', () => {
  for (const method of REQUIRED_STORE_METHODS) assert.equal(typeof store[method], 'function', method);
});

describe('contacts', () => {
  test('findContact joins the organization by organizationId and returns copies; null when missing', async () => {
    store.organizations.push({ id: 'o1', name: 'Acme', industry: 'Software', country: 'DE', address: null, pipedriveOrgId: 7 });
    contact('c1', { email: 'ada@example.com', organizationId: 'o1', ownerId: 'u1', warmnessScore: 2 });
    contact('c2');
    const found = await store.findContact('c1');
    assert.deepEqual(found, {
      id: 'c1', name: 'Contact c1', email: 'ada@example.com', phone: null, warmnessScore: 2, ownerId: 'u1',
      pipedrivePersonId: null, pipedriveOrgId: null, updateSyncStatus: 'SYNCED',
      organization: { id: 'o1', name: 'Acme', industry: 'Software', country: 'DE', address: null, pipedriveOrgId: 7 },
    });
    found!.name = 'changed';
    assert.equal(store.contacts[0].name, 'Contact c1', 'a copy, not the stored object');
    assert.equal((await store.findContact('c2'))?.organization, null);
    assert.equal(await store.findContact('nope'), null);
  });

  test('linkContact: ids, lastPipedriveUpdate, SYNCED; a null organization id keeps the stored one', async () => {
    const c = contact('c1', { pipedriveOrgId: 12, updateSyncStatus: 'PENDING' });
    assert.equal(await store.linkContact('c1', { pipedrivePersonId: 900, pipedriveOrgId: null, syncedAt: at(0) }), true);
    assert.deepEqual([c.pipedrivePersonId, c.pipedriveOrgId, c.lastPipedriveUpdate, c.updateSyncStatus], [900, 12, at(0), 'SYNCED']);
    assert.equal(await store.linkContact('c1', { pipedrivePersonId: 901, pipedriveOrgId: 13, syncedAt: at(1) }), true);
    assert.equal(c.pipedriveOrgId, 13);
    assert.equal(await store.linkContact('nope', { pipedrivePersonId: 1, pipedriveOrgId: null, syncedAt: at(0) }), false);
  });

  test('linkOrganization and setContactSyncStatus', async () => {
    store.organizations.push({ id: 'o1', name: 'Acme', industry: null, country: null, address: null, pipedriveOrgId: null, updateSyncStatus: 'PENDING' });
    assert.equal(await store.linkOrganization('o1', { pipedriveOrgId: 33, syncedAt: at(5) }), true);
    assert.deepEqual(store.organizations[0], {
      id: 'o1', name: 'Acme', industry: null, country: null, address: null, pipedriveOrgId: 33, lastPipedriveUpdate: at(5), updateSyncStatus: 'SYNCED',
    });
    assert.equal(await store.linkOrganization('nope', { pipedriveOrgId: 1, syncedAt: at(0) }), false);
    const c = contact('c1');
    assert.equal(await store.setContactSyncStatus('c1', 'CONFLICT'), true);
    assert.equal(c.updateSyncStatus, 'CONFLICT');
    await assert.rejects(store.setContactSyncStatus('c1', 'DONE' as never), /status must be one of.*DONE/);
    assert.equal(c.updateSyncStatus, 'CONFLICT');
    assert.equal(await store.setContactSyncStatus('nope', 'FAILED'), false);
  });
});

describe('updateWarmness', () => {
  test('below the threshold: score only; at it: one warm_lead job and PENDING; repeated: merged', async () => {
    const c = contact('c1');
    assert.deepEqual(await store.updateWarmness('c1', 3), { updated: true, jobId: null });
    assert.equal(c.warmnessScore, 3);
    assert.equal(store.jobs.length, 0);
    const first = await store.updateWarmness('c1', 4, { userId: 'u1' });
    assert.ok(first.jobId);
    assert.equal(c.updateSyncStatus, 'PENDING');
    assert.deepEqual(
      store.jobs.map(({ kind, recordType, recordId, dedupeKey, payload, priority, state }) => ({ kind, recordType, recordId, dedupeKey, payload, priority, state })),
      [{ kind: 'warm_lead', recordType: 'contact', recordId: 'c1', dedupeKey: 'warm_lead:c1', payload: { contactId: 'c1', userId: 'u1' }, priority: 10, state: 'PENDING' }],
    );
    assert.deepEqual(await store.updateWarmness('c1', 5, { userId: 'u2' }), { updated: true, jobId: first.jobId });
    assert.equal(store.jobs.length, 1);
    assert.deepEqual(store.jobs[0].payload, { contactId: 'c1', userId: 'u2' });
  });

  test('linked contact: no job; custom threshold; missing contact; bad score or threshold rejected', async () => {
    const linked = contact('c1', { pipedrivePersonId: 5 });
    assert.deepEqual(await store.updateWarmness('c1', 9), { updated: true, jobId: null });
    assert.equal(linked.warmnessScore, 9);
    assert.equal(linked.updateSyncStatus, 'SYNCED');
    contact('c2');
    assert.deepEqual(await store.updateWarmness('c2', 5, { threshold: 6 }), { updated: true, jobId: null });
    assert.ok((await store.updateWarmness('c2', 6, { threshold: 6 })).jobId);
    assert.deepEqual(store.jobs[0].payload, { contactId: 'c2', userId: null });
    assert.deepEqual(await store.updateWarmness('nope', 10), { updated: false, jobId: null });
    await assert.rejects(store.updateWarmness('c2', 4.5), /score/);
    await assert.rejects(store.updateWarmness('c2', 4, { threshold: Number.NaN }), /threshold/);
    assert.equal(store.contacts[1].warmnessScore, 6, 'a rejected change changes nothing');
  });
});

describe('claimJob', () => {
  const enqueue = (record: string, key = `k:${record}`, nextAttemptAt = at(0)) =>
    store.enqueueJob({ kind: 'update_person', recordType: 'person', recordId: record, dedupeKey: key, payload: {}, nextAttemptAt });

  test('pending (even not due) → leased; held → null; expired → recovered', async () => {
    const { id } = await enqueue('r1', 'k1', at(60 * MINUTE));
    const claimed = await store.claimJob(id, { workerId: 'api', leaseMs: MINUTE, now: at(0) });
    assert.deepEqual([claimed?.state, claimed?.leaseOwner, claimed?.leaseUntil, claimed?.attempts, claimed?.recovered], ['RUNNING', 'api', at(MINUTE), 1, undefined]);
    assert.equal(await store.claimJob(id, { workerId: 'other', leaseMs: MINUTE, now: at(MINUTE) }), null);
    const recovered = await store.claimJob(id, { workerId: 'other', leaseMs: MINUTE, now: at(MINUTE + 1) });
    assert.deepEqual([recovered?.leaseOwner, recovered?.attempts, recovered?.recovered], ['other', 2, true]);
    assert.equal(await store.completeJob(id, 'api', at(MINUTE + 2)), false);
  });

  test('blocked by an older open job of its record; done and missing jobs → null', async () => {
    const older = await enqueue('r1', 'a');
    const newer = await enqueue('r1', 'b');
    assert.equal(await store.claimJob(newer.id, { workerId: 'w', leaseMs: MINUTE, now: at(0) }), null);
    assert.equal((await store.claimJob(older.id, { workerId: 'w', leaseMs: MINUTE, now: at(0) }))?.id, older.id);
    assert.equal(await store.completeJob(older.id, 'w', at(1)), true);
    assert.equal(await store.claimJob(older.id, { workerId: 'w', leaseMs: MINUTE, now: at(2) }), null, 'DONE');
    assert.equal((await store.claimJob(newer.id, { workerId: 'w', leaseMs: MINUTE, now: at(2) }))?.id, newer.id);
    assert.equal(await store.claimJob(999, { workerId: 'w', leaseMs: MINUTE, now: at(2) }), null);
  });
});

describe('snapshots and conflicts', () => {
  test('saveSnapshot replaces the snapshot of the same recordType and pipedriveId', async () => {
    await store.saveSnapshot({ recordType: 'person', localId: 'c1', pipedriveId: 5, fields: { name: 'A' }, remoteUpdateTime: null, syncedAt: at(0) });
    await store.saveSnapshot({ recordType: 'organization', localId: 'o1', pipedriveId: 5, fields: {}, remoteUpdateTime: null, syncedAt: at(0) });
    const fields = { name: 'B' };
    await store.saveSnapshot({ recordType: 'person', localId: 'c1', pipedriveId: 5, fields, remoteUpdateTime: at(1), syncedAt: at(2) });
    fields.name = 'mutated later';
    assert.equal(store.snapshots.length, 2);
    assert.deepEqual(store.snapshots.find((s) => s.recordType === 'person'), {
      recordType: 'person', localId: 'c1', pipedriveId: 5, fields: { name: 'B' }, remoteUpdateTime: at(1), syncedAt: at(2),
    });
  });

  test('recordConflict stores an OPEN conflict and resolves a new id each time', async () => {
    const first = await store.recordConflict({ recordType: 'person', localId: 'c1', pipedriveId: null, fields: { candidates: [1, 2] }, now: at(0) });
    const second = await store.recordConflict({ recordType: 'person', localId: 'c1', pipedriveId: 1, fields: {}, now: at(1) });
    assert.notEqual(first, second);
    assert.deepEqual(store.conflicts[0], {
      id: first, recordType: 'person', localId: 'c1', pipedriveId: null, fields: { candidates: [1, 2] }, status: 'OPEN', createdAt: at(0),
    });
  });

  test('failWith makes the new methods reject too', async () => {
    store.failWith = new Error('down');
    await assert.rejects(store.findContact('c1'), /down/);
    await assert.rejects(store.updateWarmness('c1', 5), /down/);
    await assert.rejects(store.claimJob(1, { workerId: 'w', leaseMs: 1, now: at(0) }), /down/);
  });
});
