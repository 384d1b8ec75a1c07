/**
 * @module tests/next/drain_route.test
 * `handlers.drain`, the scheduler's route (DESIGN §13): refused (401, nothing drained) without the shared secret,
 * with a wrong one, or when no secret is configured; with the secret it drains the due jobs and answers the report.
 * Bad options are refused when the handlers are built, naming the option.
 */

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { createRouteHandlers, type RouteHandlers } from '../../js/next/index';
import { createPrismaStore } from '../../js/prisma/index';
import { enqueueRenames, idRange, newName, seedPersons } from '../queue/helpers';
import { startHandlerFixture, type HandlerFixture } from './fixture';

const SECRET = 'cron-secret-0123456789abcdef';
let fixture: HandlerFixture;
let handlers: RouteHandlers;

before(async () => {
  fixture = await startHandlerFixture(10);
  handlers = createRouteHandlers(fixture.sync, { authenticate: () => null, drain: { secret: SECRET, budgetMs: 5_000 } });
});

after(() => fixture.close());

const cron = (authorization?: string) =>
  new Request('http://localhost/api/pipedrive/drain', { headers: authorization ? { authorization } : {} });

test('without the secret, with a wrong one, or with none configured: 401 and nothing drained', async () => {
  const ids = idRange(7_000, 3);
  seedPersons(fixture.emulator, ids);
  await enqueueRenames(createPrismaStore(fixture.db.prisma), ids);
  const unconfigured = createRouteHandlers(fixture.sync, { authenticate: () => null });
  for (const response of [
    await handlers.drain(cron()),
    await handlers.drain(cron(`Bearer ${SECRET}x`)),
    await handlers.drain(cron(SECRET)),
    await unconfigured.drain(cron(`Bearer ${SECRET}`)),
  ]) {
    assert.equal(response.status, 401);
    const body = await response.json() as { error: string };
    assert.ok(!body.error.includes(SECRET), 'the secret is never echoed');
  }
  assert.equal(await fixture.db.prisma.syncJob.count({ where: { state: 'DONE' } }), 0);
});

test('with the secret: drains the due jobs and answers the report', async () => {
  const response = await handlers.drain(cron(`Bearer ${SECRET}`));
  assert.equal(response.status, 200);
  const body = await response.json() as { success: boolean; report: { processed: number; succeeded: number } };
  assert.equal(body.success, true);
  assert.equal(body.report.succeeded, 3);
  for (const id of idRange(7_000, 3)) assert.equal(fixture.emulator.state.persons.get(id)?.name, newName(id));
});

test('bad options are refused naming the option', () => {
  assert.throws(() => createRouteHandlers(fixture.sync, { authenticate: () => null, drain: { secret: 'short' } }), /drain\.secret/);
  assert.throws(() => createRouteHandlers(fixture.sync, { authenticate: () => null, drain: { budgetMs: 10 } }), /drain\.budgetMs/);
});
