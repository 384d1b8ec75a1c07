/**
 * @module tests/next/handlers.test
 * The Next.js route handlers (`pipedrive-sync/next`) called as the App Router calls them: every status of the
 * spec's endpoints, with bad bodies tried, over the engine, the Prisma store (SQLite) and the emulator.
 */

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { createRouteHandlers, type AuthenticatedUser, type RouteHandlers } from '../../js/next/index';
import type { TestDatabase } from '../prisma/databases';
import { params, post, startHandlerFixture, type HandlerFixture } from './fixture';

let fixture: HandlerFixture;
let db: TestDatabase;
let handlers: RouteHandlers;
let sam: { id: string };
let other: { id: string };
let caller: AuthenticatedUser | null;

before(async () => {
  fixture = await startHandlerFixture(10);
  ({ db, sam, other } = fixture);
  handlers = createRouteHandlers(fixture.sync, { authenticate: () => caller });
});

after(() => fixture.close());

test('check-warm-lead: 401 without a user', async () => {
  caller = null;
  const response = await handlers.checkWarmLead(post('/api/contacts/x/check-warm-lead'), params('x'));
  assert.equal(response.status, 401);
  assert.deepEqual(await response.json(), { success: false, error: 'AUTH: sign in to use this endpoint', code: 'AUTH' });
});

test('check-warm-lead: 404 for an unknown contact, 403 for another user\'s contact, 200 with the spec shape', async () => {
  caller = { userId: sam.id };
  assert.equal((await handlers.checkWarmLead(post('/api/contacts/nope/check-warm-lead'), params('nope'))).status, 404);
  const theirs = await db.prisma.contact.create({ data: { name: 'Theirs', email: 'theirs@example.com', warmnessScore: 5, ownerId: other.id } });
  assert.equal((await handlers.checkWarmLead(post(`/api/contacts/${theirs.id}/check-warm-lead`), params(theirs.id))).status, 403);
  const mine = await db.prisma.contact.create({ data: { name: 'Mine', email: 'mine@example.com', warmnessScore: 5, ownerId: sam.id } });
  const response = await handlers.checkWarmLead(post(`/api/contacts/${mine.id}/check-warm-lead`), params(mine.id));
  assert.equal(response.status, 200);
  const body = (await response.json()) as Record<string, unknown>;
  const stored = await db.prisma.contact.findUnique({ where: { id: mine.id } });
  assert.deepEqual(body, { success: true, isWarmLead: true, pipedrivePersonId: String(stored?.pipedrivePersonId) });
});

test('check-warm-lead: an admin may check another user\'s contact', async () => {
  caller = { userId: sam.id, isAdmin: true };
  const theirs = await db.prisma.contact.create({ data: { name: 'Cold', warmnessScore: 1, ownerId: other.id } });
  const response = await handlers.checkWarmLead(post(`/api/contacts/${theirs.id}/check-warm-lead`), params(theirs.id));
  assert.equal(response.status, 200);
  assert.equal(((await response.json()) as { isWarmLead: boolean }).isWarmLead, false);
});

test('setup-user: 400 naming the field for bad bodies, 403 for someone else\'s email, 404 unknown, 200 linked', async () => {
  caller = { userId: other.id, email: 'other@example.com' };
  for (const body of [undefined, 'not json', '[]', '{}', '{"email": 5}', '{"email": "  "}']) {
    const response = await handlers.setupUser(post('/api/pipedrive/setup-user', body), params(''));
    assert.equal(response.status, 400, String(body));
    assert.match(((await response.json()) as { error: string }).error, /^VALIDATION: (body|email) /);
  }
  assert.equal((await handlers.setupUser(post('/api/pipedrive/setup-user', '{"email":"sam.seller@example.com"}'), params(''))).status, 403);
  const unknown = await handlers.setupUser(post('/api/pipedrive/setup-user', '{"email":"other@example.com"}'), params(''));
  assert.equal(unknown.status, 404, 'no active Pipedrive user has that email');
  caller = { userId: sam.id, email: 'sam.seller@example.com' };
  const linked = await handlers.setupUser(post('/api/pipedrive/setup-user', '{"email":"Sam.Seller@example.com"}'), params(''));
  assert.equal(linked.status, 200);
  assert.deepEqual(await linked.json(), { success: true, pipedriveUserId: 2 });
});

test('429 with Retry-After over the per-user throttle', async () => {
  const busy = await db.prisma.user.create({ data: { email: 'busy@example.com' } });
  caller = { userId: busy.id, email: 'busy@example.com' };
  const statuses: number[] = [];
  let last: Response | null = null;
  for (let i = 0; i < 11; i++) {
    last = await handlers.setupUser(post('/api/pipedrive/setup-user', '{"email":"busy@example.com"}'), params(''));
    statuses.push(last.status);
  }
  assert.deepEqual(statuses.slice(0, 10).every((status) => status !== 429), true);
  assert.equal(statuses[10], 429);
  const retryAfter = Number(last?.headers.get('retry-after'));
  assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
  assert.equal(((await last?.json()) as { code: string }).code, 'RATE_LIMITED');
});

test('activity sync-status: 401, 404, 403 for another user\'s activity, 200 with the spec shape', async () => {
  caller = null;
  assert.equal((await handlers.activitySyncStatus(new Request('http://crm.test/api/activities/x/sync-status'), params('x'))).status, 401);
  caller = { userId: sam.id };
  assert.equal((await handlers.activitySyncStatus(new Request('http://crm.test/api/activities/nope/sync-status'), params('nope'))).status, 404);
  const contact = await db.prisma.contact.create({ data: { name: 'Status Contact', ownerId: other.id } });
  const theirs = await db.prisma.activity.create({ data: { contactId: contact.id, userId: other.id, type: 'CALL', subject: 'Theirs' } });
  assert.equal((await handlers.activitySyncStatus(new Request('http://crm.test/'), params(theirs.id))).status, 403);
  const mine = await db.prisma.activity.create({ data: { contactId: contact.id, userId: sam.id, type: 'CALL', subject: 'Mine' } });
  const response = await handlers.activitySyncStatus(new Request('http://crm.test/'), params(mine.id));
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), { success: true, synced: false, syncAttempts: 0, updateSyncStatus: 'SYNCED' });
});
