/**
 * @module tests/next/update_routes.test
 * The record-update handlers (spec §8.3) over the emulator and a SQLite CRM: the owner of the linked contact (or an
 * admin) may update its person, another user gets 403 and nothing is sent, a Pipedrive record linked to nothing is
 * for admins (or `authorizeRemote`), a validation failure is a 400 naming the field, and a batch answers its summary
 * (a refused item refuses the batch before anything is sent).
 */

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { createRouteHandlers, type AuthenticatedUser } from '../../js/next/index';
import { params, startHandlerFixture, type HandlerFixture } from './fixture';

let fixture: HandlerFixture;
let caller: AuthenticatedUser | null;

before(async () => {
  fixture = await startHandlerFixture(1000);
  fixture.emulator.state.seed({
    persons: [{ id: 9101, name: 'Linked Person' }, { id: 9102, name: 'Nobody’s Person' }],
    deals: [{ id: 9201, title: 'Deal' }],
  });
  await fixture.db.prisma.contact.create({ data: { name: 'Linked Person', email: 'linked@example.com', ownerId: fixture.sam.id, pipedrivePersonId: 9101 } });
});

after(() => fixture.close());

const handlers = (extra: Partial<Parameters<typeof createRouteHandlers>[1]> = {}) =>
  createRouteHandlers(fixture.sync, { authenticate: () => caller, ...extra });
const put = (url: string, body: unknown) =>
  new Request(`http://crm.test${url}`, { method: 'PUT', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
const patches = () => fixture.emulator.journal.entries().filter((entry) => entry.method === 'PATCH').length;

test('the owner of the linked contact updates its person; another user gets 403 and nothing is sent', async () => {
  caller = { userId: fixture.other.id };
  const refused = await handlers().updatePerson(put('/api/pipedrive/people/9101', { name: 'Hijacked' }), params('9101'));
  assert.equal(refused.status, 403);
  assert.equal(patches(), 0);
  caller = { userId: fixture.sam.id };
  const answer = await handlers().updatePerson(put('/api/pipedrive/people/9101', { name: 'Renamed Person' }), params('9101'));
  assert.equal(answer.status, 200);
  const result = (await answer.json()) as { success: boolean; recordId: string };
  assert.deepEqual([result.success, result.recordId], [true, '9101']);
  assert.equal(fixture.emulator.state.persons.get(9101)?.name, 'Renamed Person');
});

test('a record linked to nothing: admins, or whoever authorizeRemote allows', async () => {
  caller = { userId: fixture.sam.id };
  assert.equal((await handlers().updateDeal(put('/api/pipedrive/deals/9201', { title: 'Mine now' }), params('9201'))).status, 403);
  const allowed = handlers({ authorizeRemote: (user, type) => type === 'deal' && user.userId === fixture.sam.id });
  assert.equal((await allowed.updateDeal(put('/api/pipedrive/deals/9201', { title: 'Allowed' }), params('9201'))).status, 200);
  caller = { userId: fixture.other.id, isAdmin: true };
  assert.equal((await handlers().updatePerson(put('/api/pipedrive/people/9102', { name: 'By an admin' }), params('9102'))).status, 200);
});

test('a validation failure is a 400 naming the field; no user is a 401', async () => {
  caller = { userId: fixture.sam.id };
  const before = patches();
  const bad = await handlers().updatePerson(put('/api/pipedrive/people/9101', { email: ['nope'] }), params('9101'));
  assert.equal(bad.status, 400);
  assert.match(((await bad.json()) as { error: string }).error, /^VALIDATION: email/);
  assert.equal(patches(), before);
  caller = null;
  assert.equal((await handlers().updatePerson(put('/api/pipedrive/people/9101', { name: 'x' }), params('9101'))).status, 401);
});

test('batch-update: the summary, and one refused item refuses the batch before anything is sent', async () => {
  caller = { userId: fixture.sam.id };
  const before = patches();
  const mixed = { updates: [{ recordType: 'person', recordId: '9101', data: { name: 'Batch 1' } }, { recordType: 'person', recordId: '9102', data: { name: 'Not yours' } }] };
  const refused = await handlers().batchUpdate(put('/api/pipedrive/batch-update', mixed), params(''));
  assert.equal(refused.status, 403);
  assert.match(((await refused.json()) as { error: string }).error, /updates\[1\]/);
  assert.equal(patches(), before);
  const ok = { updates: [{ recordType: 'person', recordId: 9101, data: { name: 'Batch 2' } }] };
  const answer = await handlers().batchUpdate(put('/api/pipedrive/batch-update', ok), params(''));
  const result = (await answer.json()) as { success: boolean; summary: { total: number; successful: number } };
  assert.deepEqual([answer.status, result.success, result.summary.total, result.summary.successful], [200, true, 1, 1]);
});
