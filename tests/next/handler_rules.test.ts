/**
 * @module tests/next/handler_rules.test
 * The route handlers fail closed (issue 11, finding 14), over the engine, the Prisma store (SQLite) and the
 * emulator: setup-user without the caller's email is for admins only; a contact with no owner is for admins
 * unless `unownedContacts: 'anyone'`; work on a contact acts as its owner, not the admin asking; failures of our
 * own answer a generic 500 with a correlation id (details to `onError`); bodies are JSON only (415) and at most
 * 64 KB (413); the route id is trimmed once, so the ownership check and the action name the same record.
 */

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { createPipedriveSync, type PipedriveSync } from '../../js/index';
import { createRouteHandlers, type AuthenticatedUser, type HandlerFailure } from '../../js/next/index';
import { createPrismaStore } from '../../js/prisma/index';
import { createTestDatabase, type TestDatabase } from '../prisma/databases';
import { params, post, startHandlerFixture, type HandlerFixture } from './fixture';

let fixture: HandlerFixture;
let db: TestDatabase;
let sync: PipedriveSync;
let sam: { id: string };
let other: { id: string };
let caller: AuthenticatedUser | null;

before(async () => {
  fixture = await startHandlerFixture(1000);
  ({ db, sync, sam, other } = fixture);
});

after(() => fixture.close());

const handlers = (extra: Partial<Parameters<typeof createRouteHandlers>[1]> = {}) =>
  createRouteHandlers(sync, { authenticate: () => caller, ...extra });

test('setup-user: a caller whose email is unknown may set up nobody, unless an admin', async () => {
  caller = { userId: sam.id };
  const refused = await handlers().setupUser(post('/api/pipedrive/setup-user', '{"email":"other@example.com"}'), params(''));
  assert.equal(refused.status, 403);
  caller = { userId: sam.id, isAdmin: true };
  const admin = await handlers().setupUser(post('/api/pipedrive/setup-user', '{"email":"sam.seller@example.com"}'), params(''));
  assert.equal(admin.status, 200);
});

test('a contact with no owner is for admins only, unless unownedContacts is anyone', async () => {
  const unowned = await db.prisma.contact.create({ data: { name: 'Nobody', warmnessScore: 1 } });
  caller = { userId: sam.id };
  const refused = await handlers().checkWarmLead(post(`/api/contacts/${unowned.id}/check-warm-lead`), params(unowned.id));
  assert.equal(refused.status, 403);
  assert.match(((await refused.json()) as { error: string }).error, /no owner/);
  assert.equal((await handlers({ unownedContacts: 'anyone' }).checkWarmLead(post('/x'), params(unowned.id))).status, 200);
  caller = { userId: sam.id, isAdmin: true };
  assert.equal((await handlers().checkWarmLead(post('/x'), params(unowned.id))).status, 200);
});

test("an admin checking another user's contact acts as the contact's owner", async () => {
  caller = { userId: sam.id, isAdmin: true };
  const theirs = await db.prisma.contact.create({ data: { name: 'Their Lead', email: 'their.lead@example.com', warmnessScore: 5, ownerId: other.id } });
  const response = await handlers().checkWarmLead(post('/x'), params(theirs.id));
  assert.equal(response.status, 200);
  const job = await db.prisma.syncJob.findFirst({ where: { recordId: theirs.id, kind: 'warm_lead' } });
  assert.ok(job, 'a warm_lead job was recorded');
  assert.equal((JSON.parse(job.payload) as { userId: string }).userId, other.id);
});

test('a failure of our own is a generic 500 with a correlation id; the details go to onError', async () => {
  const broken = await createTestDatabase('sqlite');
  const brokenSync = await createPipedriveSync({ pipedrive: { apiToken: fixture.emulator.apiToken, baseUrl: fixture.emulator.url }, store: createPrismaStore(broken.prisma) });
  await broken.prisma.$executeRawUnsafe('DROP TABLE contacts');
  const failures: HandlerFailure[] = [];
  caller = { userId: sam.id };
  const response = await createRouteHandlers(brokenSync, { authenticate: () => caller, onError: (f) => failures.push(f) }).checkWarmLead(post('/x'), params('c1'));
  await broken.close();
  assert.equal(response.status, 500);
  const body = (await response.json()) as { error: string; code: string; correlationId: string };
  assert.equal(body.code, 'INTERNAL');
  assert.match(body.error, /^INTERNAL: the request failed on our side; quote [0-9a-f-]{36} when reporting it$/);
  assert.equal(failures.length, 1);
  assert.equal(failures[0].correlationId, body.correlationId);
  assert.match(failures[0].message, /contacts/i, 'the driver message is logged, not answered');
});

test('bodies: JSON only (415), at most 64 KB (413), by declared length or as they stream', async () => {
  caller = { userId: sam.id, email: 'sam.seller@example.com' };
  const plain = await handlers().setupUser(post('/s', '{"email":"sam.seller@example.com"}', 'text/plain'), params(''));
  assert.equal(plain.status, 415);
  const big = JSON.stringify({ email: 'sam.seller@example.com', pad: 'x'.repeat(70 * 1024) });
  assert.equal((await handlers().setupUser(post('/s', big), params(''))).status, 413);
  const chunks = [new TextEncoder().encode('{"email":"sam.seller@example.com","pad":"'), new Uint8Array(70 * 1024).fill(120), new TextEncoder().encode('"}')];
  const stream = new ReadableStream<Uint8Array>({ start(controller) { for (const c of chunks) controller.enqueue(c); controller.close(); } });
  const streamed = new Request('http://crm.test/s', { method: 'POST', body: stream, headers: { 'content-type': 'application/json' }, duplex: 'half' } as RequestInit);
  assert.equal((await handlers().setupUser(streamed, params(''))).status, 413);
});

test('the route id is trimmed once: the check and the action name the same record', async () => {
  caller = { userId: sam.id };
  const theirs = await db.prisma.contact.create({ data: { name: 'Padded', warmnessScore: 1, ownerId: other.id } });
  assert.equal((await handlers().checkWarmLead(post('/x'), params(`  ${theirs.id} `))).status, 403);
  const mine = await db.prisma.contact.create({ data: { name: 'Mine Padded', warmnessScore: 1, ownerId: sam.id } });
  assert.equal((await handlers().checkWarmLead(post('/x'), params(` ${mine.id}`))).status, 200);
});
