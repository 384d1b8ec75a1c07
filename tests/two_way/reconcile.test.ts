/**
 * @module tests/two_way/reconcile.test
 * Reconcile end to end on SQLite and PostgreSQL, with no webhook endpoint at all: the first run gives every
 * linked record its base and stores the cursor; then every class occurs once and the second run reports each:
 * in step, changed in Pipedrive (pulled into the contact with `pullFields`), changed locally without the hook (an
 * update job queued and drained), changed on both sides (the strategy decides when the job runs), deleted
 * (`REMOTE_DELETED`), merged (the link moves to the survivor with the contact's email), no longer visible (403:
 * flagged, left alone), and a job already waiting.
 */

import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';

import { createPipedriveSync, type PipedriveSync } from '../../js/index';
import { startPipedriveEmulator, type PipedriveEmulator } from '../../js/emulator/index';
import { createPrismaStore } from '../../js/prisma/index';
import { emptyCrmTables } from '../prisma/contacts_helpers';
import { describeEachDatabase, type TestPrismaClient } from '../prisma/databases';

describeEachDatabase('reconcile', (db) => {
  let prisma: TestPrismaClient;
  let emulator: PipedriveEmulator;

  function makeSync(): Promise<PipedriveSync> {
    return createPipedriveSync({
      pipedrive: { apiToken: emulator.apiToken, baseUrl: emulator.url },
      store: createPrismaStore(prisma),
      options: { baseDelayMs: 5, maxDelayMs: 50, plan: 'premium', pullFields: { person: ['name'] } },
    });
  }

  beforeEach(async () => {
    prisma = db().prisma;
    emulator = await startPipedriveEmulator({ plan: 'premium' });
    await emptyCrmTables(prisma);
    await prisma.$executeRawUnsafe('DELETE FROM pipedrive_sync_cursors');
  });

  afterEach(() => emulator.close());

  test('every class is found and reported; the cursor moves; nothing is deleted locally', async () => {
    const names: Record<number, string> = { 1: 'Same', 2: 'Remote Old', 3: 'Local Old', 4: 'Both Old', 5: 'Gone', 6: 'Merged Away', 7: 'Hidden', 8: 'Waiting' };
    emulator.state.seed({
      persons: [
        ...Object.entries(names).map(([id, name]) => ({ id: 900 + Number(id), name, emails: [{ value: `p${id}@acme.com`, primary: true, label: 'work' }] })),
        { id: 999, name: 'Survivor', emails: [{ value: 'p6@acme.com', primary: true, label: 'work' }] },
      ],
    });
    const contacts: Record<number, string> = {};
    for (const [id, name] of Object.entries(names)) {
      contacts[Number(id)] = (await prisma.contact.create({ data: { name, email: `p${id}@acme.com`, pipedrivePersonId: 900 + Number(id) } })).id;
    }
    const sync = await makeSync();
    const progress: string[] = [];
    const first = await sync.reconcile.run({ entities: ['person'], onProgress: (p) => progress.push(`${p.entity}:${p.phase}`) });
    assert.deepEqual(progress, ['person:listing', 'person:checking', 'person:done']);
    assert.equal(first.entities[0]?.baselined, 8);
    assert.ok(first.entities[0]?.cursor, 'a cursor is stored');

    emulator.editInUi({ entity: 'person', id: 902, fields: { name: 'Remote New' } });
    await prisma.contact.update({ where: { id: contacts[3] }, data: { name: 'Local New' } });
    emulator.editInUi({ entity: 'person', id: 904, fields: { name: 'Both Remote' } });
    await prisma.contact.update({ where: { id: contacts[4] }, data: { name: 'Both Local' } });
    await fetch(`${emulator.url}/api/v2/persons/905`, { method: 'DELETE', headers: { 'x-api-token': emulator.apiToken } });
    emulator.mergeInUi({ entity: 'person', id: 906, mergeWithId: 999 });
    await fetch(`${emulator.url}/api/v2/persons/907`, { method: 'DELETE', headers: { 'x-api-token': emulator.apiToken } });
    emulator.faults.failNext({ method: 'GET', glob: '/api/v2/persons/907', status: 403 });
    await prisma.contact.update({ where: { id: contacts[8] }, data: { updateSyncStatus: 'PENDING' } });
    const before = emulator.journal.entries().length;

    const second = await sync.reconcile.run({ entities: ['person'] });
    const person = second.entities[0];
    assert.ok(person);
    assert.deepEqual(
      { inStep: person.inStep, changedRemotely: person.changedRemotely, changedLocally: person.changedLocally, changedBoth: person.changedBoth, gone: person.gone, merged: person.merged, hidden: person.hidden, pending: person.pending, baselined: person.baselined },
      { inStep: 1, changedRemotely: 1, changedLocally: 1, changedBoth: 1, gone: 1, merged: 1, hidden: 1, pending: 1, baselined: 0 },
    );
    assert.equal(person.pulledFields, 1);
    assert.equal(second.requests, emulator.journal.entries().length - before, 'the report counts every request');
    assert.ok(second.tokens >= second.requests, 'lists and searches cost more than one token');

    const contact = (n: number) => prisma.contact.findUniqueOrThrow({ where: { id: contacts[n] } });
    assert.equal((await contact(2)).name, 'Remote New', 'the remote rename is pulled');
    assert.equal((await contact(5)).updateSyncStatus, 'REMOTE_DELETED');
    assert.equal((await prisma.contact.count({ where: { id: contacts[5] } })), 1, 'never deleted locally');
    assert.equal((await contact(6)).pipedrivePersonId, 999, 'the link moved to the survivor');
    assert.notEqual((await contact(7)).updateSyncStatus, 'REMOTE_DELETED', 'a hidden record is not a deleted one');

    const queued = await prisma.syncJob.findMany({ where: { kind: 'update_record' }, orderBy: { recordId: 'asc' } });
    assert.deepEqual(queued.map((job) => job.recordId), ['903', '904'], 'the local changes are queued, once each');
    const drained = await sync.queue.drain();
    assert.equal(drained.succeeded, 2);
    assert.equal(emulator.state.persons.get(903)?.name, 'Local New', 'the local change reaches Pipedrive');
    assert.equal(emulator.state.persons.get(904)?.name, 'Both Local', 'last write wins: the local edit is newer');

    const third = await sync.reconcile.run({ entities: ['person'] });
    assert.equal(third.entities[0]?.changedLocally, 0, 'pushed changes are in step now');
    assert.equal(third.entities[0]?.changedRemotely, 0);
    assert.equal(third.entities[0]?.tombstones, 1, 'the deleted record is not looked for again');
    assert.equal(third.entities[0]?.gone, 1, 'the hidden record, now answering 404, is gone');
  });
});
