/**
 * @module tests/updates/updates.test
 * Record updates end to end (spec Feature 3): the wasm engine, the real Prisma store (SQLite and PostgreSQL) and
 * the emulator over HTTP with Pipedrive's PATCH semantics. Each entity type updated; a validation failure sends
 * nothing; every validation rule refused with nothing written; a deal's currency checked against the account's
 * cached currencies; a remote edit ("in the Pipedrive UI") between two local edits under each strategy; labels
 * added on both sides kept; a remote edit landing between the read and the PATCH; a deleted record;
 * `sync.organizations` creating an organization once by exact name.
 */

import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';

import { createPipedriveSync, type PipedriveSync } from '../../js/index';
import { createFetchHttp } from '../../js/host/fetch_http';
import { startPipedriveEmulator, type PipedriveEmulator } from '../../js/emulator/index';
import { createPrismaStore } from '../../js/prisma/index';
import { emptyCrmTables } from '../prisma/contacts_helpers';
import { describeEachDatabase, type TestPrismaClient } from '../prisma/databases';

describeEachDatabase('record updates', (db) => {
  let prisma: TestPrismaClient;
  let emulator: PipedriveEmulator;

  const patches = () => emulator.journal.entries().filter((entry) => entry.method === 'PATCH');
  const sent = () => emulator.journal.entries().filter((entry) => (entry as { source?: string }).source === undefined);

  function makeSync(options: Record<string, unknown> = {}): Promise<PipedriveSync> {
    return createPipedriveSync({
      pipedrive: { apiToken: emulator.apiToken, baseUrl: emulator.url },
      store: createPrismaStore(prisma),
      options: { baseDelayMs: 5, maxDelayMs: 50, plan: 'premium', ...options },
    });
  }

  beforeEach(async () => {
    prisma = db().prisma;
    emulator = await startPipedriveEmulator({ plan: 'premium' });
    await emptyCrmTables(prisma);
    emulator.state.seed({
      persons: [{ id: 501, name: 'Ann Old', emails: [{ value: 'ann@acme.com', primary: true, label: 'work' }], label_ids: [1] }],
      organizations: [{ id: 601, name: 'Acme', address: { value: 'Main St 1, Tallinn', country: 'Estonia' } }],
      activities: [{ id: 701, subject: 'Call', type: 'call', done: false, participants: [{ person_id: 501, primary: true }] }],
      deals: [{ id: 801, title: 'Big deal', value: 100, currency: 'EUR' }],
    });
  });

  afterEach(() => emulator.close());

  test('each entity type is updated, only what changes is sent, and the linked contact is SYNCED', async () => {
    const owner = await prisma.user.upsert({ where: { email: 'sam.seller@example.com' }, update: {}, create: { email: 'sam.seller@example.com' } });
    const contact = await prisma.contact.create({ data: { name: 'Ann Old', email: 'ann@acme.com', ownerId: owner.id, pipedrivePersonId: 501, updateSyncStatus: 'PENDING' } });
    const sync = await makeSync();
    const person = await sync.updates.updatePerson('501', { name: 'Ann New', email: ['ann@acme.com', 'ann.new@acme.com'] });
    assert.equal(person.success, true, person.error);
    assert.equal(emulator.state.persons.get(501)?.name, 'Ann New');
    assert.deepEqual(emulator.state.persons.get(501)?.emails.map((e) => e.value).sort(), ['ann.new@acme.com', 'ann@acme.com']);
    const stored = await prisma.contact.findUniqueOrThrow({ where: { id: contact.id } });
    assert.equal(stored.updateSyncStatus, 'SYNCED');
    assert.ok(stored.lastPipedriveUpdate);

    const org = await sync.updates.updateOrganization(601, { name: 'Acme Ltd', country: 'Latvia' });
    assert.equal(org.success, true, org.error);
    assert.equal(emulator.state.organizations.get(601)?.name, 'Acme Ltd');
    assert.equal(emulator.state.organizations.get(601)?.address?.country, 'Latvia');

    const activity = await sync.updates.updateActivity(701, { subject: 'Call back', done: true });
    assert.equal(activity.success, true, activity.error);
    assert.equal(emulator.state.activities.get(701)?.done, true);

    const deal = await sync.updates.updateDeal(801, { title: 'Bigger deal', value: 250 });
    assert.equal(deal.success, true, deal.error);
    assert.equal(emulator.state.deals.get(801)?.value, 250);

    const again = await sync.updates.updateDeal(801, { title: 'Bigger deal' });
    assert.equal(again.success, true);
    assert.equal(again.fields.title, 'unchanged');
    assert.equal(patches().length, 4, 'the repeated update sent nothing');
  });

  test('a validation failure names the field and sends nothing', async () => {
    const sync = await makeSync();
    const result = await sync.updates.updatePerson(501, { email: ['not an email'], visible_to: 9 });
    assert.equal(result.success, false);
    assert.match(result.error ?? '', /^VALIDATION: email/);
    assert.equal(sent().length, 0);
    assert.equal(sync.validation.validateUpdateData({ due_date: '2026-13-01' }, 'activity').valid, false);
  });

  test('a remote edit between two local edits: each strategy decides, labels added on both sides are kept', async () => {
    const lww = await makeSync();
    assert.equal((await lww.updates.updatePerson(501, { name: 'Local 1', label_ids: [1, 2] })).success, true);
    emulator.editInUi({ entity: 'person', id: 501, fields: { name: 'Remote', label_ids: [1, 2, 3] } });
    const second = await lww.updates.updatePerson(501, { name: 'Local 2', label_ids: [1, 2, 4] });
    assert.equal(second.success, true, second.error);
    assert.equal(emulator.state.persons.get(501)?.name, 'Local 2', 'last write wins: the local change is newer');
    assert.deepEqual([...(emulator.state.persons.get(501)?.label_ids ?? [])].sort(), [1, 2, 3, 4], 'labels of both sides kept');

    const manual = await makeSync({ conflictStrategy: 'manual' });
    emulator.editInUi({ entity: 'person', id: 501, fields: { name: 'Remote again' } });
    const held = await manual.updates.updatePerson(501, { name: 'Local 3' });
    assert.equal(held.success, false);
    assert.match(held.error ?? '', /Conflict/);
    assert.ok(held.conflictId);
    assert.equal(emulator.state.persons.get(501)?.name, 'Remote again', 'nothing overwritten');
    assert.equal(await prisma.syncConflict.count({ where: { status: 'OPEN' } }), 1);
    const open = await manual.conflicts.list({ status: 'OPEN' });
    assert.deepEqual(open.map((c) => [c.id, c.pipedriveId, Object.keys(c.fields)]), [[held.conflictId, 501, ['name']]]);
    const resolved = await manual.conflicts.resolve(held.conflictId as number, 'local');
    assert.equal(resolved.success, true, resolved.error);
    assert.equal(emulator.state.persons.get(501)?.name, 'Local 3', 'the decision is applied');
    assert.equal(await prisma.syncConflict.count({ where: { status: 'RESOLVED' } }), 1);
    await assert.rejects(manual.conflicts.resolve(held.conflictId as number, 'pipedrive'), (error: Error & { code?: string }) => error.code === 'CONFLICT');

    const auto = await makeSync({ conflictStrategy: 'auto-merge' });
    emulator.editInUi({ entity: 'person', id: 501, fields: { name: 'Remote name' } });
    const merged = await auto.updates.updatePerson(501, { phone: ['+372 5555 1234'] });
    assert.equal(merged.success, true, merged.error);
    assert.equal(emulator.state.persons.get(501)?.name, 'Remote name', 'the remote change is kept');
    assert.equal(emulator.state.persons.get(501)?.phones[0]?.value, '+372 5555 1234', 'the local change is sent');
  });

  test('a local edit through the hook is queued in the CRM transaction and drained once; a newer edit merges', async () => {
    const contact = await prisma.contact.create({ data: { name: 'Ann Old', email: 'ann@acme.com', pipedrivePersonId: 501 } });
    const store = createPrismaStore(prisma);
    await prisma.$transaction(async (tx) => {
      await tx.contact.update({ where: { id: contact.id }, data: { name: 'Ann Hook' } });
      await store.contactEdited(contact.id, { name: 'Ann Hook' }, { tx });
    });
    await store.contactEdited(contact.id, { phone: ['+372 5000 0000'] });
    const jobs = await prisma.syncJob.findMany({ where: { kind: 'update_record', state: 'PENDING' } });
    assert.equal(jobs.length, 1, 'the newer edit merged into the waiting job');
    const sync = await makeSync();
    const report = await sync.queue.drain();
    assert.equal(report.succeeded, 1);
    assert.equal(emulator.state.persons.get(501)?.name, 'Ann Hook');
    assert.equal(emulator.state.persons.get(501)?.phones[0]?.value, '+372 5000 0000');
    assert.equal(patches().length, 1, 'one PATCH for both edits');
    assert.equal((await prisma.contact.findUniqueOrThrow({ where: { id: contact.id } })).updateSyncStatus, 'SYNCED');
    assert.equal((await sync.queue.drain()).processed, 0, 'nothing left');
  });

  test('a deleted record: NOT_FOUND, not retried, the local link marked REMOTE_DELETED', async () => {
    const contact = await prisma.contact.create({ data: { name: 'Gone', email: 'gone@acme.com', pipedrivePersonId: 501 } });
    emulator.state.persons.delete(501);
    const sync = await makeSync();
    const result = await sync.updates.updatePerson(501, { name: 'Anyone' });
    assert.equal(result.success, false);
    assert.match(result.error ?? '', /^NOT_FOUND/);
    assert.equal(result.retryCount, 0);
    assert.equal((await prisma.contact.findUniqueOrThrow({ where: { id: contact.id } })).updateSyncStatus, 'REMOTE_DELETED');
  });

  test('every validation rule is refused naming the field and the rule, and nothing is written', async () => {
    const sync = await makeSync({ plan: 'lite' });
    const cases: Array<[string, Record<string, unknown>, string, string]> = [
      ['person', { nickname: 'Al' }, 'nickname', 'unknown-field'],
      ['person', { email: ['a@x.com', 'nope'] }, 'email[1]', 'format'],
      ['person', { label_ids: [1, 0] }, 'label_ids[1]', 'id'],
      ['person', { visible_to: 7 }, 'visible_to', 'plan'],
      ['activity', { due_date: '2027-02-29' }, 'due_date', 'format'],
      ['activity', { due_time: '24:00' }, 'due_time', 'format'],
      ['activity', { done: 'yes' }, 'done', 'type'],
      ['deal', { value: -1 }, 'value', 'range'],
      ['deal', { currency: 'EURO' }, 'currency', 'format'],
      ['deal', { currency: 'XBT' }, 'currency', 'currency'],
      ['deal', { lost_reason: 'Price' }, 'lost_reason', 'status'],
      ['deal', { status: 'deleted' }, 'status', 'one-of'],
      ['organization', { name: '' }, 'name', 'required'],
    ];
    const ids: Record<string, number> = { person: 501, activity: 701, deal: 801, organization: 601 };
    for (const [recordType, data, field, rule] of cases) {
      const result = await sync.updates.batchUpdate([{ recordType: recordType as 'person', recordId: ids[recordType] as number, data }]);
      const error = result.results[0]?.error ?? '';
      assert.equal(result.results[0]?.success, false, `${recordType} ${JSON.stringify(data)}`);
      assert.match(error, new RegExp(`^VALIDATION: ${field.replace(/[[\]]/g, '\\$&')}`), `${recordType} ${JSON.stringify(data)}: ${error}`);
      const checked = sync.validation.validateUpdateData(data, recordType);
      if (rule !== 'currency' && rule !== 'status') assert.deepEqual(checked.errors.map((e) => [e.field, e.rule]), [[field, rule]]);
    }
    assert.deepEqual(emulator.journal.entries().filter((e) => e.method !== 'GET').map((e) => `${e.method} ${e.path}`), [], 'nothing written');
    const currencyReads = emulator.journal.entries().filter((e) => e.path === '/v1/currencies');
    assert.equal(currencyReads.length, 1, "the account's currencies are read once and cached");
    const known = await sync.updates.updateDeal(801, { currency: 'USD' });
    assert.equal(known.success, true, known.error);
    assert.equal(emulator.state.deals.get(801)?.currency, 'USD');
  });

  test('a remote edit landing between the read and the PATCH: its other fields survive', async () => {
    const fetchHttp = createFetchHttp();
    let raced = false;
    const sync = await createPipedriveSync({
      pipedrive: { apiToken: emulator.apiToken, baseUrl: emulator.url },
      store: createPrismaStore(prisma),
      http: async (request) => {
        if (request.method === 'PATCH' && !raced) {
          raced = true;
          emulator.editInUi({ entity: 'person', id: 501, fields: { label_ids: [1, 3] } });
        }
        return fetchHttp(request);
      },
      options: { baseDelayMs: 5, maxDelayMs: 50, plan: 'premium', conflictStrategy: 'manual' },
    });
    const first = await sync.updates.updatePerson(501, { name: 'Ann Local' });
    assert.equal(first.success, true, first.error);
    assert.ok(raced, 'the remote edit happened between the read and the PATCH');
    assert.equal(emulator.state.persons.get(501)?.name, 'Ann Local');
    assert.deepEqual(emulator.state.persons.get(501)?.label_ids, [1, 3], 'only the changed key was sent: the remote labels survive');
    // The next update adds its label to the ones Pipedrive now holds: labels are added, never wiped.
    const second = await sync.updates.updatePerson(501, { label_ids: [1, 2] });
    assert.equal(second.success, true, second.error);
    assert.deepEqual([...(emulator.state.persons.get(501)?.label_ids ?? [])].sort((a, b) => a - b), [1, 2, 3]);
  });

  test('sync.organizations: created once by exact name, found by name, updated', async () => {
    const sync = await makeSync();
    const id = await sync.organizations.createOrganization({ name: 'Globex', country: 'Latvia' });
    assert.equal(emulator.state.organizations.get(id)?.address?.country, 'Latvia');
    assert.equal(await sync.organizations.createOrganization({ name: ' globex ' }), id, 'the same name is the same organization');
    assert.equal(await sync.organizations.createOrganization({ name: 'Acme' }), 601, 'an existing one is answered');
    const posts = emulator.journal.entries().filter((e) => e.method === 'POST' && e.path === '/api/v2/organizations');
    assert.equal(posts.length, 1, 'one create');
    const found = await sync.organizations.findOrganizationByName('ACME');
    assert.equal(found?.id, 601);
    assert.equal(await sync.organizations.findOrganizationByName('Nobody Inc'), null);
    await assert.rejects(sync.organizations.createOrganization({ name: ' ' }), (error: Error & { code?: string }) => error.code === 'VALIDATION' && /name/.test(error.message));
    const before = emulator.journal.entries().length;
    await assert.rejects(sync.organizations.createOrganization({ name: 'Initech', visible_to: 2 }), /visible_to/);
    assert.equal(emulator.journal.entries().length, before, 'bad data sends nothing');
    const updated = await sync.organizations.updateOrganization(String(id), { name: 'Globex Corp' });
    assert.equal(updated.success, true, updated.error);
    assert.equal(emulator.state.organizations.get(id)?.name, 'Globex Corp');
  });
});
