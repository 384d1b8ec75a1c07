/**
 * @module tests/facade/memory_store.test
 * The in-memory store's contact, warmness, activity, snapshot, conflict, linked-record, edit-hook and single-job
 * claim methods: the same rules as the Prisma store (`tests/prisma/contacts.test.ts`, `activities.test.ts`,
 * `snapshots_conflicts.test.ts`, `linked_records.test.ts`), shorter.
 */

import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { createMemoryStore, type MemoryActivity, type MemoryContact, type MemoryStore } from '../../js/store/memory';
import { REQUIRED_STORE_METHODS } from '../../js/store/types';

const T0 = Date.parse('2030-01-01T00:00:00.000Z');
const at = (ms: number): string => new Date(T0 + ms).toISOString();
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

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

/** Seeds an activity of `contactId` (a CALL by user u1, unreplicated, SYNCED, created at T0 unless told). */
function activity(id: string, contactId: string, overrides: Partial<MemoryActivity> = {}): MemoryActivity {
  const seeded: MemoryActivity = {
    id, contactId, userId: 'u1', type: 'CALL', subject: `Activity ${id}`, note: null, dueDate: null, allDay: false, done: false,
    pipedriveActivityId: null, replicatedToPipedrive: false, pipedriveSyncAttempts: 0, lastPipedriveSyncAttempt: null,
    updateSyncStatus: 'SYNCED', createdAt: at(0), ...overrides,
  };
  store.activities.push(seeded);
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

test('findLinkedRecord: the linked contact with its owner, the activity with its user; deals and unlinked: null', async () => {
  contact('c30', { pipedrivePersonId: 30, ownerId: 'u3' });
  store.activities.push({
    id: 'a30', contactId: 'c30', userId: 'u4', type: 'CALL', subject: 'S', note: null, dueDate: null, allDay: false, done: false,
    pipedriveActivityId: 31, pipedriveSyncAttempts: 0, lastPipedriveSyncAttempt: null, updateSyncStatus: 'SYNCED',
  } as never);
  const person = await store.findLinkedRecord('person', 30);
  assert.deepEqual([person?.localId, person?.ownerId, person?.status], ['c30', 'u3', 'SYNCED']);
  const activity = await store.findLinkedRecord('activity', 31);
  assert.deepEqual([activity?.localId, activity?.ownerId, activity?.fields], ['a30', 'u4', { subject: 'S', done: false }]);
  assert.equal(await store.findLinkedRecord('person', 99), null);
  assert.equal(await store.findLinkedRecord('deal', 30), null);
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

  test('a hook without a user keeps the known user; queueJob: false stores the score only', async () => {
    const c = contact('c9');
    const { jobId } = await store.updateWarmness('c9', 4, { userId: 'u1' });
    assert.deepEqual(await store.updateWarmness('c9', 5, { threshold: 4 }), { updated: true, jobId });
    assert.deepEqual(store.jobs[0].payload, { contactId: 'c9', userId: 'u1' }, 'null never replaces a known user');
    contact('c10');
    assert.deepEqual(await store.updateWarmness('c10', 9, { userId: 'u1', queueJob: false }), { updated: true, jobId: null });
    assert.equal(store.jobs.length, 1);
    assert.equal(c.warmnessScore, 5);
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

describe('activities', () => {
  test("findActivity joins the contact's Pipedrive ids and returns a copy; null when missing", async () => {
    contact('c1', { pipedrivePersonId: 501, pipedriveOrgId: 77 });
    const a = activity('a1', 'c1', { type: 'MEETING', note: 'Slides', dueDate: at(MINUTE), lastPipedriveUpdate: at(1) });
    const found = await store.findActivity('a1');
    assert.deepEqual(found, {
      id: 'a1', contactId: 'c1', userId: 'u1', type: 'MEETING', subject: 'Activity a1', note: 'Slides', dueDate: at(MINUTE),
      allDay: false, done: false, pipedriveActivityId: null, replicatedToPipedrive: false, pipedriveSyncAttempts: 0,
      lastPipedriveSyncAttempt: null, updateSyncStatus: 'SYNCED', createdAt: at(0), contact: { pipedrivePersonId: 501, pipedriveOrgId: 77 },
    });
    found!.subject = 'changed';
    assert.equal(a.subject, 'Activity a1', 'a copy, not the stored object');
    activity('a2', 'gone');
    assert.deepEqual((await store.findActivity('a2'))?.contact, { pipedrivePersonId: null, pipedriveOrgId: null });
    assert.equal(await store.findActivity('nope'), null);
  });

  test('a stored unknown type rejects, naming the activity', async () => {
    contact('c1');
    activity('a1', 'c1', { type: 'VISIT' as never });
    await assert.rejects(store.findActivity('a1'), /activity 'a1' has an unknown type "VISIT"/);
    await assert.rejects(store.listUnreplicatedActivities('c1'), /activity 'a1'/);
  });

  test("listUnreplicatedActivities: the contact's unreplicated ones, oldest first (createdAt, then id)", async () => {
    contact('c1');
    activity('late', 'c1', { createdAt: at(2 * MINUTE) });
    activity('tie-b', 'c1', { createdAt: at(MINUTE) });
    activity('tie-a', 'c1', { createdAt: at(MINUTE) });
    activity('early', 'c1', { createdAt: '2029-12-31T23:00:00.000-01:00' }); // T0 as an offset: compared as an instant
    activity('done', 'c1', { createdAt: at(-MINUTE), replicatedToPipedrive: true, pipedriveActivityId: 1 });
    activity('other', 'c2', { createdAt: at(-MINUTE) });
    assert.deepEqual((await store.listUnreplicatedActivities('c1')).map((a) => a.id), ['early', 'tie-a', 'tie-b', 'late']);
    assert.deepEqual(await store.listUnreplicatedActivities('nope'), []);
  });

  test('recordActivityAttempt counts each attempt with its time and status; bad status rejected; false when missing', async () => {
    const a = activity('a1', 'c1');
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.recordActivityAttempt('a1', { at: at(i), status: 'FAILED' })));
    assert.deepEqual([a.pipedriveSyncAttempts, a.lastPipedriveSyncAttempt, a.updateSyncStatus], [20, at(19), 'FAILED']);
    await assert.rejects(store.recordActivityAttempt('a1', { at: at(99), status: 'DONE' as never }), /status must be one of.*DONE/);
    assert.equal(a.pipedriveSyncAttempts, 20, 'a rejected attempt is not counted');
    assert.equal(await store.recordActivityAttempt('nope', { at: at(0), status: 'FAILED' }), false);
  });

  test('markActivityReplicated links it once: a Pipedrive id another activity holds is refused', async () => {
    contact('c1');
    const first = activity('a1', 'c1', { updateSyncStatus: 'PENDING', pipedriveSyncAttempts: 1 });
    const second = activity('a2', 'c1', { updateSyncStatus: 'PENDING' });
    assert.equal(await store.markActivityReplicated('a1', { pipedriveActivityId: 777, syncedAt: at(5) }), true);
    assert.deepEqual(
      [first.pipedriveActivityId, first.replicatedToPipedrive, first.lastPipedriveUpdate, first.updateSyncStatus, first.pipedriveSyncAttempts],
      [777, true, at(5), 'SYNCED', 1],
    );
    assert.equal(await store.markActivityReplicated('a1', { pipedriveActivityId: 777, syncedAt: at(6) }), true, 'the same link again');
    await assert.rejects(store.markActivityReplicated('a2', { pipedriveActivityId: 777, syncedAt: at(7) }), /Pipedrive activity 777 is already linked to activity 'a1'.*'a2'/);
    assert.deepEqual([second.pipedriveActivityId, second.replicatedToPipedrive, second.updateSyncStatus], [null, false, 'PENDING']);
    await assert.rejects(store.markActivityReplicated('a2', { pipedriveActivityId: 0, syncedAt: at(7) }), /pipedriveActivityId/);
    assert.deepEqual((await store.listUnreplicatedActivities('c1')).map((a) => a.id), ['a2']);
    assert.equal(await store.markActivityReplicated('nope', { pipedriveActivityId: 5, syncedAt: at(0) }), false);
  });

  test('activityLogged: a replicate_activity job and PENDING for a linked contact, merged when repeated', async () => {
    contact('c1', { pipedrivePersonId: 501 });
    const a = activity('a1', 'c1', { userId: 'logger' });
    const first = await store.activityLogged('a1');
    assert.ok(first);
    assert.equal(a.updateSyncStatus, 'PENDING');
    assert.deepEqual(
      store.jobs.map(({ kind, recordType, recordId, dedupeKey, payload, priority, state }) => ({ kind, recordType, recordId, dedupeKey, payload, priority, state })),
      [{ kind: 'replicate_activity', recordType: 'activity', recordId: 'a1', dedupeKey: 'replicate_activity:a1', payload: { activityId: 'a1', userId: 'logger' }, priority: 10, state: 'PENDING' }],
    );
    assert.equal(await store.activityLogged('a1', { userId: 'acting' }), first);
    assert.equal(store.jobs.length, 1);
    assert.deepEqual(store.jobs[0].payload, { activityId: 'a1', userId: 'acting' });
  });

  test('activityLogged: null and nothing changed for a contact without a person or a missing activity', async () => {
    contact('c1');
    const a = activity('a1', 'c1', { updateSyncStatus: 'FAILED' });
    activity('a2', 'gone');
    assert.equal(await store.activityLogged('a1', { userId: 'u' }), null);
    assert.equal(await store.activityLogged('a2'), null);
    assert.equal(await store.activityLogged('nope'), null);
    assert.equal(a.updateSyncStatus, 'FAILED');
    assert.equal(store.jobs.length, 0);
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
    assert.equal(await store.completeJob(id, { workerId: 'api', token: 1 }, at(MINUTE + 2)), false);
  });

  test('fenced leases: a new token per claim; stale claims refused for renewal, in-doubt mark, links and verdicts', async () => {
    const c = contact('c20');
    const { id } = await enqueue('r20');
    const first = await store.claimJob(id, { workerId: 'w', leaseMs: MINUTE, now: at(0) });
    const second = await store.claimJob(id, { workerId: 'w', leaseMs: MINUTE, now: at(MINUTE + 1) });
    assert.deepEqual([first?.leaseToken, second?.leaseToken], [1, 2]);
    const stale = { workerId: 'w', token: 1 };
    const current = { workerId: 'w', token: 2 };
    assert.equal(await store.renewLease(id, stale, { leaseMs: MINUTE, now: at(MINUTE + 2) }), false);
    assert.equal(await store.markJobInDoubt(id, stale, { since: at(1), now: at(1) }), false);
    assert.equal(await store.linkContact('c20', { pipedrivePersonId: 5, pipedriveOrgId: null, syncedAt: at(1), fence: { jobId: id, ...stale } }), false);
    assert.equal(c.pipedrivePersonId, null);
    assert.equal(await store.completeJob(id, stale, at(1)), false);
    assert.equal(await store.renewLease(id, current, { leaseMs: MINUTE, now: at(2 * MINUTE) }), true);
    assert.equal(store.jobs[0].leaseUntil, at(3 * MINUTE));
    assert.equal(await store.markJobInDoubt(id, current, { since: at(5), now: at(5) }), true);
    assert.equal(await store.markJobInDoubt(id, current, { since: at(9), now: at(9) }), true);
    assert.equal(store.jobs[0].inDoubtSince, at(5));
    assert.equal(await store.linkContact('c20', { pipedrivePersonId: 5, pipedriveOrgId: null, syncedAt: at(1), fence: { jobId: id, ...current } }), true);
    assert.equal(c.pipedrivePersonId, 5);
    assert.equal(await store.completeJob(id, current, at(1)), true);
  });

  test('blocked by an older open job of its record; done and missing jobs → null', async () => {
    const older = await enqueue('r1', 'a');
    const newer = await enqueue('r1', 'b');
    assert.equal(await store.claimJob(newer.id, { workerId: 'w', leaseMs: MINUTE, now: at(0) }), null);
    assert.equal((await store.claimJob(older.id, { workerId: 'w', leaseMs: MINUTE, now: at(0) }))?.id, older.id);
    assert.equal(await store.completeJob(older.id, { workerId: 'w', token: 1 }, at(1)), true);
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
      id: first, recordType: 'person', localId: 'c1', pipedriveId: null, fields: { candidates: [1, 2] }, status: 'OPEN', decision: null,
      createdAt: at(0), resolvedAt: null,
    });
  });

  test('failWith makes the new methods reject too', async () => {
    store.failWith = new Error('down');
    await assert.rejects(store.findContact('c1'), /down/);
    await assert.rejects(store.updateWarmness('c1', 5), /down/);
    await assert.rejects(store.claimJob(1, { workerId: 'w', leaseMs: 1, now: at(0) }), /down/);
    await assert.rejects(store.findActivity('a1'), /down/);
    await assert.rejects(store.listUnreplicatedActivities('c1'), /down/);
    await assert.rejects(store.recordActivityAttempt('a1', { at: at(0), status: 'FAILED' }), /down/);
    await assert.rejects(store.markActivityReplicated('a1', { pipedriveActivityId: 1, syncedAt: at(0) }), /down/);
    await assert.rejects(store.activityLogged('a1'), /down/);
  });
});

describe('findSnapshot', () => {
  test('the snapshot saveSnapshot stored (the last one), a copy; null for another record; bad key rejected', async () => {
    await store.saveSnapshot({ recordType: 'person', localId: 'c1', pipedriveId: 5, fields: { name: 'A' }, remoteUpdateTime: null, syncedAt: at(0) });
    await store.saveSnapshot({ recordType: 'person', localId: 'c1', pipedriveId: 5, fields: { name: 'B', emails: [{ value: 'b@x.y' }] }, remoteUpdateTime: at(1), syncedAt: at(2) });
    const found = await store.findSnapshot('person', 5);
    assert.deepEqual(found, {
      recordType: 'person', localId: 'c1', pipedriveId: 5, fields: { name: 'B', emails: [{ value: 'b@x.y' }] }, remoteUpdateTime: at(1), syncedAt: at(2),
    });
    (found!.fields.emails as Array<{ value: string }>)[0].value = 'mutated';
    assert.deepEqual((await store.findSnapshot('person', 5))?.fields.emails, [{ value: 'b@x.y' }], 'a copy, not the stored object');
    assert.equal(await store.findSnapshot('organization', 5), null);
    assert.equal(await store.findSnapshot('person', 6), null);
    await assert.rejects(store.findSnapshot('', 5), { name: 'StoreArgumentError', field: 'recordType' });
    await assert.rejects(store.findSnapshot('person', 0), { name: 'StoreArgumentError', field: 'pipedriveId' });
  });
});

describe('listConflicts, findConflict, resolveConflict', () => {
  const record = (pipedriveId: number | null, now: string) =>
    store.recordConflict({ recordType: 'person', localId: 'c1', pipedriveId, fields: { name: { local: 'A', remote: 'B', base: null } }, now });

  test('newest first (createdAt, then id), filtered by status, copies', async () => {
    const old = await record(1, at(0));
    const tieA = await record(2, at(MINUTE));
    const tieB = await record(null, at(MINUTE));
    const newest = await record(3, '2030-01-01T01:02:00.000+01:00'); // T0 + 2 min as an offset: compared as an instant
    assert.deepEqual((await store.listConflicts()).map((c) => c.id), [newest, tieB, tieA, old]);
    assert.equal(await store.resolveConflict(tieA, { decision: 'local', resolvedAt: at(HOUR) }), true);
    assert.deepEqual((await store.listConflicts({ status: 'OPEN' })).map((c) => c.id), [newest, tieB, old]);
    assert.deepEqual((await store.listConflicts({ status: 'RESOLVED' })).map((c) => c.id), [tieA]);
    assert.deepEqual((await store.listConflicts({})).length, 4);
    const [listed] = await store.listConflicts({ status: 'RESOLVED' });
    assert.deepEqual(listed, {
      id: tieA, recordType: 'person', localId: 'c1', pipedriveId: 2, fields: { name: { local: 'A', remote: 'B', base: null } }, status: 'RESOLVED',
      decision: 'local', createdAt: at(MINUTE), resolvedAt: at(HOUR),
    });
    (listed.fields.name as { local: string }).local = 'mutated';
    assert.equal(((await store.findConflict(tieA))?.fields.name as { local: string }).local, 'A', 'a copy, not the stored object');
    await assert.rejects(store.listConflicts({ status: 'DISMISSED' as never }), { name: 'StoreArgumentError', field: 'status' });
  });

  test('at most 500, the newest', async () => {
    for (let i = 0; i < 502; i++) await record(i + 1, at(i));
    const listed = await store.listConflicts();
    assert.equal(listed.length, 500);
    assert.deepEqual([listed[0].createdAt, listed[499].createdAt], [at(501), at(2)]);
  });

  test('resolveConflict: true once (decision stored as JSON), false when resolved or missing; findConflict', async () => {
    const id = await record(7, at(0));
    const decision = { name: 'pipedrive', email: 'local' };
    assert.deepEqual(await store.findConflict(id), {
      id, recordType: 'person', localId: 'c1', pipedriveId: 7, fields: { name: { local: 'A', remote: 'B', base: null } }, status: 'OPEN',
      decision: null, createdAt: at(0), resolvedAt: null,
    });
    const results = await Promise.all([
      store.resolveConflict(id, { decision, resolvedAt: at(MINUTE) }),
      store.resolveConflict(id, { decision: 'local', resolvedAt: at(HOUR) }),
    ]);
    assert.deepEqual(results, [true, false], 'exactly one resolve wins');
    decision.name = 'mutated';
    const resolved = await store.findConflict(id);
    assert.deepEqual([resolved?.status, resolved?.decision, resolved?.resolvedAt], ['RESOLVED', { name: 'pipedrive', email: 'local' }, at(MINUTE)]);
    assert.equal(await store.resolveConflict(999, { decision: 'local', resolvedAt: at(0) }), false);
    assert.equal(await store.findConflict(999), null);
    const open = await record(8, at(0));
    await assert.rejects(store.resolveConflict(open, { decision: null, resolvedAt: at(0) }), { name: 'StoreArgumentError', field: 'decision' });
    await assert.rejects(store.resolveConflict(open, { decision: undefined, resolvedAt: at(0) }), { name: 'StoreArgumentError', field: 'decision' });
    await assert.rejects(store.resolveConflict(open, { decision: 'local', resolvedAt: 'now' }), { name: 'StoreArgumentError', field: 'resolvedAt' });
    await assert.rejects(store.resolveConflict(0, { decision: 'local', resolvedAt: at(0) }), { name: 'StoreArgumentError', field: 'conflictId' });
    await assert.rejects(store.findConflict(1.5), { name: 'StoreArgumentError', field: 'conflictId' });
    assert.equal((await store.findConflict(open))?.status, 'OPEN', 'a refused resolve changes nothing');
  });
});

describe('markLinkedRecord', () => {
  test('person: every contact with that Pipedrive person; syncedAt stored, null keeps it; others untouched', async () => {
    const a = contact('c1', { pipedrivePersonId: 501, updateSyncStatus: 'PENDING' });
    const b = contact('c2', { pipedrivePersonId: 501, updateSyncStatus: 'FAILED' });
    const other = contact('c3', { pipedrivePersonId: 502, updateSyncStatus: 'PENDING' });
    assert.equal(await store.markLinkedRecord('person', 501, { status: 'SYNCED', syncedAt: at(MINUTE) }), true);
    assert.deepEqual([a.updateSyncStatus, a.lastPipedriveUpdate, b.updateSyncStatus, b.lastPipedriveUpdate], ['SYNCED', at(MINUTE), 'SYNCED', at(MINUTE)]);
    assert.deepEqual([other.updateSyncStatus, other.lastPipedriveUpdate], ['PENDING', undefined]);
    assert.equal(await store.markLinkedRecord('person', 501, { status: 'REMOTE_DELETED', syncedAt: null }), true);
    assert.deepEqual([a.updateSyncStatus, a.lastPipedriveUpdate], ['REMOTE_DELETED', at(MINUTE)]);
    assert.equal(await store.markLinkedRecord('person', 999, { status: 'SYNCED', syncedAt: at(0) }), false);
  });

  test('organization and activity by their Pipedrive ids; deal: false', async () => {
    store.organizations.push({ id: 'o1', name: 'Acme', industry: null, country: null, address: null, pipedriveOrgId: 33, updateSyncStatus: 'PENDING' });
    contact('c1', { pipedriveOrgId: 33, pipedrivePersonId: 33, updateSyncStatus: 'PENDING' });
    const act = activity('a1', 'c1', { pipedriveActivityId: 33, replicatedToPipedrive: true, updateSyncStatus: 'PENDING' });
    assert.equal(await store.markLinkedRecord('organization', 33, { status: 'CONFLICT', syncedAt: at(1) }), true);
    assert.deepEqual([store.organizations[0].updateSyncStatus, store.organizations[0].lastPipedriveUpdate], ['CONFLICT', at(1)]);
    assert.equal(store.contacts[0].updateSyncStatus, 'PENDING', 'a contact of the organization is another record');
    assert.equal(act.updateSyncStatus, 'PENDING');
    assert.equal(await store.markLinkedRecord('activity', 33, { status: 'SYNCED', syncedAt: at(2) }), true);
    assert.deepEqual([act.updateSyncStatus, act.lastPipedriveUpdate], ['SYNCED', at(2)]);
    assert.equal(await store.markLinkedRecord('deal', 33, { status: 'SYNCED', syncedAt: at(2) }), false);
    assert.equal(await store.markLinkedRecord('activity', 34, { status: 'SYNCED', syncedAt: at(2) }), false);
  });

  test('bad record type, id, status or time: a StoreArgumentError naming it, nothing changed', async () => {
    const c = contact('c1', { pipedrivePersonId: 5 });
    const cases: Array<[string, unknown[]]> = [
      ['recordType', ['contact', 5, { status: 'SYNCED', syncedAt: null }]],
      ['pipedriveId', ['person', 0, { status: 'SYNCED', syncedAt: null }]],
      ['status', ['person', 5, { status: 'DONE', syncedAt: null }]],
      ['syncedAt', ['person', 5, { status: 'FAILED', syncedAt: 'yesterday' }]],
      ['mark', ['person', 5, null]],
    ];
    for (const [field, args] of cases) {
      await assert.rejects((store.markLinkedRecord as (...a: unknown[]) => Promise<boolean>)(...args), { name: 'StoreArgumentError', field });
    }
    assert.equal(c.updateSyncStatus, 'SYNCED');
  });

  test('REMOTE_DELETED is an update sync status for the other status writers too', async () => {
    const c = contact('c1');
    assert.equal(await store.setContactSyncStatus('c1', 'REMOTE_DELETED'), true);
    assert.equal(c.updateSyncStatus, 'REMOTE_DELETED');
    const a = activity('a1', 'c1');
    assert.equal(await store.recordActivityAttempt('a1', { at: at(0), status: 'REMOTE_DELETED' }), true);
    assert.equal(a.updateSyncStatus, 'REMOTE_DELETED');
  });
});

describe('edit hooks: contactEdited, organizationEdited, activityEdited', () => {
  const jobView = (job: { kind: string; recordType: string; recordId: string; dedupeKey: string; payload: unknown; priority: number; state: string }) =>
    ({ kind: job.kind, recordType: job.recordType, recordId: job.recordId, dedupeKey: job.dedupeKey, payload: job.payload, priority: job.priority, state: job.state });

  test('a linked contact: one update_record job for its person, PENDING, the job id', async () => {
    const c = contact('c1', { pipedrivePersonId: 501 });
    const changes = { name: 'Ada L.', email: ['ada@example.com'] };
    const jobId = await store.contactEdited('c1', changes, { userId: 'u1', changedAt: '2030-01-01T01:00:00+01:00' });
    assert.ok(jobId);
    assert.equal(c.updateSyncStatus, 'PENDING');
    assert.deepEqual(store.jobs.map(jobView), [{
      kind: 'update_record', recordType: 'person', recordId: '501', dedupeKey: 'update_record:person:501',
      payload: { entity: 'person', id: 501, data: { name: 'Ada L.', email: ['ada@example.com'] }, changedAt: at(0), localId: 'c1', userId: 'u1' },
      priority: 0, state: 'PENDING',
    }]);
    assert.equal(store.jobs[0].id, jobId);
    changes.email.push('mutated@example.com');
    assert.deepEqual((store.jobs[0].payload.data as { email: string[] }).email, ['ada@example.com'], 'the changes are copied');
  });

  test('newer edits merge into the waiting job: data key by key (null clears), the later changedAt, a known user kept', async () => {
    contact('c1', { pipedrivePersonId: 501 });
    const first = await store.contactEdited('c1', { name: 'A', phone: ['+49 1'] }, { userId: 'u1', changedAt: at(2 * MINUTE) });
    const second = await store.contactEdited('c1', { phone: null, org_name: 'Acme' }, { changedAt: at(MINUTE) });
    assert.equal(second, first);
    assert.equal(store.jobs.length, 1);
    assert.deepEqual(store.jobs[0].payload, {
      entity: 'person', id: 501, data: { name: 'A', phone: null, org_name: 'Acme' }, changedAt: at(2 * MINUTE), localId: 'c1', userId: 'u1',
    });
    await store.contactEdited('c1', { name: 'B' }, { userId: 'u2', changedAt: at(3 * MINUTE) });
    assert.deepEqual(store.jobs[0].payload.data, { name: 'B', phone: null, org_name: 'Acme' });
    assert.deepEqual([store.jobs[0].payload.changedAt, store.jobs[0].payload.userId], [at(3 * MINUTE), 'u2']);
    assert.ok(await store.claimJob(first!, { workerId: 'w', leaseMs: MINUTE, now: at(0) }));
    const successor = await store.contactEdited('c1', { name: 'C' });
    assert.ok(successor && successor !== first, 'a RUNNING job is never merged into');
    assert.deepEqual(store.jobs[1].payload.data, { name: 'C' });
  });

  test('organizations and activities: their own record types, keys and ids', async () => {
    store.organizations.push({ id: 'o1', name: 'Acme', industry: null, country: null, address: null, pipedriveOrgId: 33, updateSyncStatus: 'SYNCED' });
    contact('c1');
    const act = activity('a1', 'c1', { pipedriveActivityId: 9001, replicatedToPipedrive: true });
    const orgJob = await store.organizationEdited('o1', { industry: 'Software', address: null }, { changedAt: at(0) });
    const actJob = await store.activityEdited('a1', { done: true, due_date: '2030-01-02' }, { userId: 'u9', changedAt: at(0) });
    assert.ok(orgJob && actJob && orgJob !== actJob);
    assert.equal(store.organizations[0].updateSyncStatus, 'PENDING');
    assert.equal(act.updateSyncStatus, 'PENDING');
    assert.deepEqual(store.jobs.map(jobView), [
      {
        kind: 'update_record', recordType: 'organization', recordId: '33', dedupeKey: 'update_record:organization:33',
        payload: { entity: 'organization', id: 33, data: { industry: 'Software', address: null }, changedAt: at(0), localId: 'o1', userId: null },
        priority: 0, state: 'PENDING',
      },
      {
        kind: 'update_record', recordType: 'activity', recordId: '9001', dedupeKey: 'update_record:activity:9001',
        payload: { entity: 'activity', id: 9001, data: { done: true, due_date: '2030-01-02' }, changedAt: at(0), localId: 'a1', userId: 'u9' },
        priority: 0, state: 'PENDING',
      },
    ]);
  });

  test('unlinked or missing records, and edits that change no field: null, no job, nothing changed', async () => {
    const c = contact('c1', { updateSyncStatus: 'FAILED' });
    store.organizations.push({ id: 'o1', name: 'Acme', industry: null, country: null, address: null, pipedriveOrgId: null, updateSyncStatus: 'SYNCED' });
    const act = activity('a1', 'c1');
    contact('c2', { pipedrivePersonId: 7 });
    assert.equal(await store.contactEdited('c1', { name: 'X' }), null);
    assert.equal(await store.organizationEdited('o1', { name: 'X' }), null);
    assert.equal(await store.activityEdited('a1', { subject: 'X' }), null);
    assert.equal(await store.contactEdited('nope', { name: 'X' }), null);
    assert.equal(await store.contactEdited('c2', {}), null);
    assert.equal(await store.contactEdited('c2', { name: undefined }), null);
    assert.equal(store.jobs.length, 0);
    assert.deepEqual([c.updateSyncStatus, store.organizations[0].updateSyncStatus, act.updateSyncStatus, store.contacts[1].updateSyncStatus], ['FAILED', 'SYNCED', 'SYNCED', 'SYNCED']);
  });

  test('changes with a key the Update*Data shape does not have, or not a plain object: refused, naming it', async () => {
    const c = contact('c1', { pipedrivePersonId: 501 });
    await assert.rejects(store.contactEdited('c1', { name: 'A', title: 'Dr', nickname: 'x' } as never), (error: unknown) => {
      assert.ok(error instanceof RangeError);
      assert.deepEqual([error.name, (error as { field?: string }).field], ['StoreArgumentError', 'changes.title']);
      assert.match(error.message, /contactEdited: changes\.title is not a field a person edit may carry \(allowed: name, email, phone, org_name, label_ids, owner_id, visible_to\)/);
      return true;
    });
    await assert.rejects(store.contactEdited('c1', { industry: 'x' } as never), { field: 'changes.industry' }, 'an organization field');
    await assert.rejects(store.organizationEdited('o1', { email: [] } as never), { field: 'changes.email' });
    await assert.rejects(store.activityEdited('a1', { name: 'x' } as never), { field: 'changes.name' });
    await assert.rejects(store.contactEdited('c1', [] as never), { field: 'changes' });
    await assert.rejects(store.contactEdited('c1', null as never), { field: 'changes' });
    await assert.rejects(store.contactEdited('c1', new Date() as never), { field: 'changes' });
    await assert.rejects(store.contactEdited('c1', { name: 'A' }, { changedAt: '2030-01-01' }), { field: 'changedAt' });
    await assert.rejects(store.contactEdited('c1', { name: 'A' }, { userId: 5 as never }), { field: 'userId' });
    assert.equal(store.jobs.length, 0);
    assert.equal(c.updateSyncStatus, 'SYNCED');
  });

  test('failWith makes these reject too', async () => {
    store.failWith = new Error('down');
    await assert.rejects(store.findSnapshot('person', 1), /down/);
    await assert.rejects(store.listConflicts(), /down/);
    await assert.rejects(store.findConflict(1), /down/);
    await assert.rejects(store.resolveConflict(1, { decision: 'local', resolvedAt: at(0) }), /down/);
    await assert.rejects(store.markLinkedRecord('person', 1, { status: 'SYNCED', syncedAt: null }), /down/);
    await assert.rejects(store.contactEdited('c1', { name: 'A' }), /down/);
    await assert.rejects(store.organizationEdited('o1', { name: 'A' }), /down/);
    await assert.rejects(store.activityEdited('a1', { subject: 'A' }), /down/);
  });
});
