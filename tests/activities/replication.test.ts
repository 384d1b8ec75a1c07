/**
 * @module tests/activities/replication.test
 * Activity replication end to end (spec Feature 2, §9.2.2, §9.3): the wasm engine, the real Prisma store
 * (SQLite and PostgreSQL) and the emulator over HTTP. Every request the engine sends is checked against the
 * official OpenAPI v2 request schema.
 */

import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';

import { createPipedriveSync, type PipedriveSync, type PipedriveSyncConfig } from '../../js/index';
import { startPipedriveEmulator, type PipedriveEmulator } from '../../js/emulator/index';
import { createPrismaStore } from '../../js/prisma/index';
import { describeEachDatabase, type TestPrismaClient } from '../prisma/databases';
import { assertValidV2Requests } from './request_schemas';

let emulator: PipedriveEmulator;
before(async () => {
  emulator = await startPipedriveEmulator({ plan: 'premium' });
});
after(() => emulator.close());

function posts(path: string) {
  return emulator.journal.entries().filter((entry) => entry.method === 'POST' && entry.path === path);
}

describeEachDatabase('activity replication', (db) => {
  let prisma: TestPrismaClient;
  let sync: PipedriveSync;
  let logs: Array<[string, string, Record<string, unknown>]>;
  let user: { id: string };

  async function makeSync(extra: Partial<PipedriveSyncConfig> = {}): Promise<PipedriveSync> {
    return createPipedriveSync({
      pipedrive: { apiToken: emulator.apiToken, baseUrl: emulator.url },
      store: createPrismaStore(prisma),
      logger: (level, event, fields) => logs.push([level, event, fields]),
      options: { baseDelayMs: 5, maxDelayMs: 50, ...(extra.options ?? {}) },
      ...extra,
    });
  }

  /**
   * A contact linked to a seeded Pipedrive person (or not, with `personId: null`). The two database suites share
   * one emulator, so each gets persons of its own: identical activities of one person created a second apart
   * would rightly look like one when an attempt with an unknown outcome is looked up.
   */
  async function linkedContact(basePersonId: number | null = 7201) {
    const personId = basePersonId === null ? null : basePersonId + (db().name === 'postgresql' ? 100_000 : 0);
    if (personId !== null && !emulator.state.persons.get(personId)) emulator.state.seed({ persons: [{ id: personId, name: `Person ${personId}` }] });
    return prisma.contact.create({ data: { name: 'Jane Roe', email: `jane.${Math.random().toString(36).slice(2, 8)}@example.com`, ownerId: user.id, pipedrivePersonId: personId } });
  }

  async function activity(contactId: string, data: Partial<{ type: string; subject: string; note: string | null; dueDate: Date | null; allDay: boolean }> = {}) {
    return prisma.activity.create({
      data: {
        contactId, userId: user.id, type: data.type ?? 'EMAIL', subject: data.subject ?? 'Follow up email',
        note: data.note === undefined ? 'Important follow up' : data.note, dueDate: data.dueDate === undefined ? new Date('2025-12-25T10:00:00Z') : data.dueDate,
        allDay: data.allDay ?? false,
      },
    });
  }

  before(() => {
    prisma = db().prisma;
  });

  beforeEach(async () => {
    // Not reset(): a reset emulator is a new account whose ids start again, which the local unique ids would
    // rightly refuse.
    emulator.journal.clear();
    emulator.faults.clear();
    logs = [];
    user = await prisma.user.upsert({ where: { email: 'sam.seller@example.com' }, update: {}, create: { email: 'sam.seller@example.com' } });
    sync = await makeSync();
  });

  after(() => assertValidV2Requests(emulator.journal.entries()));

  test('replicated with the expected fields; the local activity records id, attempts and status', async () => {
    const contact = await linkedContact(7201);
    const a = await activity(contact.id);
    assert.equal(await sync.activities.replicateActivity({ activityId: a.id, contactId: contact.id, userId: user.id }), true);
    const [create] = posts('/api/v2/activities');
    assert.deepEqual(create.body, {
      subject: 'Follow up email', type: 'email', due_date: '2025-12-25', due_time: '10:00:00', note: 'Important follow up',
      done: false, participants: [{ person_id: contact.pipedrivePersonId, primary: true }], owner_id: 2,
    });
    const stored = await prisma.activity.findUnique({ where: { id: a.id } });
    assert.equal(stored?.replicatedToPipedrive, true);
    assert.ok(stored?.pipedriveActivityId);
    assert.equal(stored?.pipedriveSyncAttempts, 1);
    assert.ok(stored?.lastPipedriveSyncAttempt);
    assert.equal(stored?.updateSyncStatus, 'SYNCED');
    const remote = emulator.state.activities.get(stored.pipedriveActivityId);
    assert.equal(remote?.participants?.[0]?.person_id, contact.pipedrivePersonId);
    assert.deepEqual(await sync.activities.syncStatus(a.id), {
      success: true, synced: true, pipedriveActivityId: String(stored.pipedriveActivityId), syncAttempts: 1,
      lastAttempt: stored.lastPipedriveSyncAttempt?.toISOString(), updateSyncStatus: 'SYNCED',
    });
  });

  test('not replicated without a Pipedrive person: false, nothing sent', async () => {
    const contact = await linkedContact(null);
    const a = await activity(contact.id);
    assert.equal(await sync.activities.replicateActivity({ activityId: a.id, userId: user.id }), false);
    assert.equal(emulator.journal.length, 0);
    assert.equal((await sync.activities.syncStatus(a.id)).synced, false);
  });

  test('an activity already replicated is not created again', async () => {
    const contact = await linkedContact(7202);
    const a = await activity(contact.id);
    assert.equal(await sync.activities.replicateActivity({ activityId: a.id, userId: user.id }), true);
    assert.equal(await sync.activities.replicateActivity({ activityId: a.id, userId: user.id }), true);
    assert.equal(posts('/api/v2/activities').length, 1);
  });

  for (const [crm, pipedrive] of [['CALL', 'call'], ['EMAIL', 'email'], ['MEETING', 'meeting'], ['LINKEDIN', 'task'], ['REFERRAL', 'task'], ['CONFERENCE', 'meeting']]) {
    test(`type ${crm} is sent as '${pipedrive}'`, async () => {
      const contact = await linkedContact(7203);
      const a = await activity(contact.id, { type: crm });
      assert.equal(await sync.activities.replicateActivity({ activityId: a.id, userId: user.id }), true);
      assert.equal((posts('/api/v2/activities')[0].body as { type: string }).type, pipedrive);
    });
  }

  test('a type the account does not have falls back to task, and it is logged', async () => {
    const custom = await makeSync({ options: { activityTypeMap: { LINKEDIN: 'linkedin_message' } } });
    const contact = await linkedContact(7204);
    const a = await activity(contact.id, { type: 'LINKEDIN' });
    assert.equal(await custom.activities.replicateActivity({ activityId: a.id, userId: user.id }), true);
    assert.equal((posts('/api/v2/activities')[0].body as { type: string }).type, 'task');
    assert.ok(logs.some(([level, event]) => level === 'warn' && event === 'activity.type_fallback'));
  });

  // Local wall-clock times in a zone → the UTC due fields Pipedrive must get.
  const times: Array<[string, string, string, string]> = [
    ['2025-12-25T23:30:00+02:00', 'Europe/Tallinn', '2025-12-25', '21:30:00'],
    ['2025-12-26T00:30:00+02:00', 'Europe/Tallinn', '2025-12-25', '22:30:00'],
    ['2025-12-25T20:00:00-05:00', 'America/New_York', '2025-12-26', '01:00:00'],
    ['2026-03-29T04:30:00+03:00', 'Europe/Tallinn', '2026-03-29', '01:30:00'],
    ['2026-10-25T03:30:00+02:00', 'Europe/Tallinn', '2026-10-25', '01:30:00'],
  ];
  for (const [local, zone, date, time] of times) {
    test(`${local} in ${zone} is due ${date} ${time} UTC`, async () => {
      const zoned = await makeSync({ options: { timeZone: zone } });
      const contact = await linkedContact(7205);
      const a = await activity(contact.id, { dueDate: new Date(local) });
      assert.equal(await zoned.activities.replicateActivity({ activityId: a.id, userId: user.id }), true);
      const body = posts('/api/v2/activities')[0].body as { due_date: string; due_time: string };
      assert.deepEqual([body.due_date, body.due_time], [date, time]);
    });
  }

  test('an all-day activity sends its local date and no time', async () => {
    const zoned = await makeSync({ options: { timeZone: 'Europe/Tallinn' } });
    const contact = await linkedContact(7206);
    // Midnight of 25 December in Tallinn.
    const a = await activity(contact.id, { dueDate: new Date('2025-12-24T22:00:00Z'), allDay: true });
    assert.equal(await zoned.activities.replicateActivity({ activityId: a.id, userId: user.id }), true);
    const body = posts('/api/v2/activities')[0].body as Record<string, unknown>;
    assert.equal(body.due_date, '2025-12-25');
    assert.equal('due_time' in body, false);
  });

  test('apply, then drop the connection on the create: exactly one activity', async () => {
    emulator.faults.dropAfterApply({ method: 'POST', path: '/api/v2/activities', count: 1 });
    const contact = await linkedContact(7207);
    const subject = `Dropped call ${db().name}`;
    const a = await activity(contact.id, { subject });
    assert.equal(await sync.activities.replicateActivity({ activityId: a.id, userId: user.id }), true);
    const remote = [...emulator.state.activities.values()].filter((x) => x.subject === subject && !x.is_deleted);
    assert.equal(remote.length, 1);
    assert.equal((await prisma.activity.findUnique({ where: { id: a.id } }))?.pipedriveActivityId, remote[0].id);
  });

  test('a 5xx storm: the job waits on its schedule, then completes; attempts and status are kept', async () => {
    emulator.faults.failNext({ method: 'POST', path: '/api/v2/activities', status: 503, count: 50 });
    const contact = await linkedContact(7208);
    const a = await activity(contact.id);
    assert.equal(await sync.activities.replicateActivity({ activityId: a.id, userId: user.id }), false);
    let stored = await prisma.activity.findUnique({ where: { id: a.id } });
    assert.equal(stored?.updateSyncStatus, 'FAILED');
    assert.equal(stored?.pipedriveSyncAttempts, 1);
    const job = await prisma.syncJob.findFirst({ where: { recordId: a.id } });
    assert.equal(job?.state, 'PENDING');
    assert.ok(job && job.nextAttemptAt.getTime() > Date.now() + 50_000, 'the next attempt is on the long schedule');
    emulator.faults.clear();
    await prisma.syncJob.update({ where: { id: job.id }, data: { nextAttemptAt: new Date(Date.now() - 1) } });
    assert.equal((await sync.queue.drain()).succeeded, 1);
    stored = await prisma.activity.findUnique({ where: { id: a.id } });
    assert.equal(stored?.replicatedToPipedrive, true);
    assert.equal(stored?.pipedriveSyncAttempts, 2);
    assert.equal(stored?.updateSyncStatus, 'SYNCED');
  });

  test('when a contact becomes a warm lead its earlier activities are replicated, oldest first', async () => {
    const contact = await prisma.contact.create({ data: { name: 'Late Bloomer', email: `late.${Date.now()}@example.com`, ownerId: user.id, warmnessScore: 1 } });
    const first = await activity(contact.id, { subject: 'First touch' });
    const second = await activity(contact.id, { subject: 'Second touch' });
    assert.equal(await sync.activities.replicateActivity({ activityId: first.id, userId: user.id }), false, 'no person yet');
    assert.equal(await sync.warmLeads.checkAndCreateWarmLead({ contactId: contact.id, userId: user.id, warmnessScore: 5 }), true);
    // One worker: the order asserted is the queue's (the backfill's oldest first), not a race between workers.
    await sync.queue.drain({ concurrency: 1 });
    const subjects = posts('/api/v2/activities').map((entry) => (entry.body as { subject: string }).subject);
    assert.deepEqual(subjects, ['First touch', 'Second touch']);
    for (const id of [first.id, second.id]) assert.equal((await prisma.activity.findUnique({ where: { id } }))?.replicatedToPipedrive, true);
  });
});
