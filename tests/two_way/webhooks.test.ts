/**
 * @module tests/two_way/webhooks.test
 * Webhooks v2 end to end on SQLite and PostgreSQL: the emulator delivers real HTTP POSTs, with Basic auth, to the
 * package's `handlers.webhook` served by a local HTTP server; the Prisma store keeps the inbox and the jobs; the
 * queue does the work. A rename made in the emulator's UI reaches the local contact (`pullFields`); the same
 * delivery twice is handled once; wrong auth is refused and stores nothing; our own update coming back changes
 * nothing; a delete marks `REMOTE_DELETED` and later updates fail `NOT_FOUND`; a merge repoints the link whichever
 * of its two events comes first.
 */

import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, test } from 'node:test';

import { createPipedriveSync, type PipedriveSync } from '../../js/index';
import { startPipedriveEmulator, type PipedriveEmulator } from '../../js/emulator/index';
import { createRouteHandlers } from '../../js/next/index';
import { createPrismaStore } from '../../js/prisma/index';
import { emptyCrmTables } from '../prisma/contacts_helpers';
import { describeEachDatabase, type TestPrismaClient } from '../prisma/databases';

const AUTH = { username: 'pipedrive-hooks', password: 'a-long-random-webhook-secret' };
const basic = (username: string, password: string) => `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;

/** Serves `handlers.webhook` on a loopback port; resolves its URL. */
async function serveWebhook(sync: PipedriveSync): Promise<{ url: string; server: Server }> {
  const handlers = createRouteHandlers(sync, { authenticate: () => null });
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers = new Headers();
    for (const [key, value] of Object.entries(req.headers)) if (typeof value === 'string') headers.set(key, value);
    const response = await handlers.webhook(new Request(`http://127.0.0.1${req.url}`, { method: req.method, headers, body: Buffer.concat(chunks) }));
    const answerHeaders: Record<string, string> = {};
    response.headers.forEach((value, key) => {
      answerHeaders[key] = value;
    });
    res.writeHead(response.status, answerHeaders);
    res.end(await response.text());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/pipedrive/webhook`, server };
}

describeEachDatabase('webhooks v2', (db) => {
  let prisma: TestPrismaClient;
  let emulator: PipedriveEmulator;
  let server: Server | undefined;

  const inboxCount = async () => Number((await prisma.$queryRawUnsafe<Array<{ n: unknown }>>('SELECT COUNT(*) AS n FROM pipedrive_sync_webhook_events'))[0].n);
  const webhookJobs = () => prisma.syncJob.count({ where: { kind: 'webhook_event' } });

  function makeSync(): Promise<PipedriveSync> {
    return createPipedriveSync({
      pipedrive: { apiToken: emulator.apiToken, baseUrl: emulator.url },
      store: createPrismaStore(prisma),
      webhooks: AUTH,
      options: { baseDelayMs: 5, maxDelayMs: 50, plan: 'premium', pullFields: { person: ['name'] } },
    });
  }

  beforeEach(async () => {
    prisma = db().prisma;
    emulator = await startPipedriveEmulator({ plan: 'premium' });
    await emptyCrmTables(prisma);
    await prisma.$executeRawUnsafe('DELETE FROM pipedrive_sync_webhook_events');
    emulator.state.seed({
      persons: [
        { id: 501, name: 'Ann Old', emails: [{ value: 'ann@acme.com', primary: true, label: 'work' }] },
        { id: 502, name: 'Bob Keep', emails: [{ value: 'bob@acme.com', primary: true, label: 'work' }] },
        { id: 503, name: 'Bob Dup', emails: [{ value: 'bob@acme.com', primary: true, label: 'work' }] },
      ],
    });
  });

  afterEach(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
    await emulator.close();
  });

  test('a UI rename reaches the contact once; a re-delivery and wrong auth store nothing; our own update is no change', async () => {
    const contact = await prisma.contact.create({ data: { name: 'Ann Old', email: 'ann@acme.com', pipedrivePersonId: 501 } });
    const sync = await makeSync();
    const served = await serveWebhook(sync);
    server = served.server;
    const baseline = await sync.reconcile.run({ entities: ['person'] });
    assert.equal(baseline.entities[0]?.baselined, 1, 'the first reconcile gives the linked person its base');

    const ensured = await sync.webhooks.ensure({ url: served.url, ...AUTH });
    assert.equal(ensured.created.length, 4);
    assert.ok(ensured.created.every((hook) => !('http_auth_password' in hook)), 'no password in the answer');
    assert.equal((await sync.webhooks.ensure({ url: served.url, ...AUTH })).created.length, 0, 'ensure creates once');

    emulator.editInUi({ entity: 'person', id: 501, fields: { name: 'Ann Remote' } });
    await emulator.webhooks.flush();
    const delivered = emulator.journal.deliveries().filter((d) => d.entityId === 501);
    assert.deepEqual(delivered.map((d) => [d.action, d.status, d.basicAuth]), [['change', 200, true]]);
    assert.equal(await inboxCount(), 1);
    assert.equal((await sync.queue.drain()).succeeded, 1);
    assert.equal((await prisma.contact.findUniqueOrThrow({ where: { id: contact.id } })).name, 'Ann Remote', 'pulled into the CRM');

    // Pipedrive re-delivers (a retry): answered 200, nothing new stored or done.
    const again = await fetch(served.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: basic(AUTH.username, AUTH.password) }, body: JSON.stringify(delivered[0]?.payload) });
    assert.equal(again.status, 200);
    assert.equal(((await again.json()) as { duplicate: boolean }).duplicate, true);
    assert.equal(await inboxCount(), 1);
    assert.equal(await webhookJobs(), 1);

    // Wrong credentials: 401 with a challenge, nothing stored.
    const forged = await fetch(served.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: basic(AUTH.username, 'guess') }, body: JSON.stringify({ meta: { id: 'forged', action: 'delete', entity: 'person', entity_id: '501' } }) });
    assert.equal(forged.status, 401);
    assert.match(forged.headers.get('www-authenticate') ?? '', /^Basic/);
    assert.doesNotMatch(await forged.text(), /a-long-random-webhook-secret/);
    assert.equal(await inboxCount(), 1, 'a forged event is not stored');

    // Our own write comes back as a change: it equals the snapshot we wrote, so the contact keeps its name.
    const pushed = await sync.updates.updatePerson(501, { name: 'Ann Pushed' });
    assert.equal(pushed.success, true, pushed.error);
    await emulator.webhooks.flush();
    assert.equal(await inboxCount(), 2);
    assert.equal((await sync.queue.drain()).succeeded, 1);
    assert.equal((await prisma.contact.findUniqueOrThrow({ where: { id: contact.id } })).name, 'Ann Remote', 'our own write is not pulled back');
  });

  test('a delete marks REMOTE_DELETED and stops later updates; a merge repoints the link in either event order', async () => {
    const ann = await prisma.contact.create({ data: { name: 'Ann Old', email: 'ann@acme.com', pipedrivePersonId: 501 } });
    const bob = await prisma.contact.create({ data: { name: 'Bob Dup', email: 'bob@acme.com', pipedrivePersonId: 503 } });
    const sync = await makeSync();
    const served = await serveWebhook(sync);
    server = served.server;
    await sync.webhooks.ensure({ url: served.url, ...AUTH });

    const deleted = await fetch(`${emulator.url}/api/v2/persons/501`, { method: 'DELETE', headers: { 'x-api-token': emulator.apiToken } });
    assert.equal(deleted.status, 200);
    emulator.mergeInUi({ entity: 'person', id: 503, mergeWithId: 502 });
    await emulator.webhooks.flush();
    const report = await sync.queue.drain();
    assert.equal(report.dead, 0);
    assert.equal((await prisma.contact.findUniqueOrThrow({ where: { id: ann.id } })).updateSyncStatus, 'REMOTE_DELETED');
    const later = await sync.updates.updatePerson(501, { name: 'Anyone' });
    assert.match(later.error ?? '', /^NOT_FOUND/);
    const merged = await prisma.contact.findUniqueOrThrow({ where: { id: bob.id } });
    assert.equal(merged.pipedrivePersonId, 502, 'the link moved to the survivor');
    assert.notEqual(merged.updateSyncStatus, 'REMOTE_DELETED', 'a merged-away record is not a deleted one');

    // The other order: the survivor's change first, then the delete of the merged-away record.
    const cid = await prisma.contact.create({ data: { name: 'Cid', email: 'cid@acme.com', pipedrivePersonId: 505 } });
    emulator.state.seed({ persons: [{ id: 504, name: 'Cid Keep', emails: [{ value: 'cid@acme.com', primary: true, label: 'work' }] }, { id: 505, name: 'Cid Dup' }] });
    // The emulator's own deliveries are stopped (the subscriptions removed), and the two events sent by hand.
    for (const hook of await sync.webhooks.list()) await sync.webhooks.remove(Number(hook.id));
    assert.deepEqual(await sync.webhooks.list(), []);
    emulator.mergeInUi({ entity: 'person', id: 505, mergeWithId: 504 });
    const authorization = basic(AUTH.username, AUTH.password);
    const change = { meta: { id: 'merge-change', action: 'change', entity: 'person', entity_id: '504', merged_from_id: '505', change_source: 'app' }, data: { id: 504 }, previous: { emails: [] } };
    const remove = { meta: { id: 'merge-delete', action: 'delete', entity: 'person', entity_id: '505', merged_to_id: '504', change_source: 'app' }, data: null, previous: { id: 505 } };
    assert.deepEqual(await sync.webhooks.receive(change, { authorization }), { accepted: true, duplicate: false });
    await sync.queue.drain();
    assert.deepEqual(await sync.webhooks.receive(remove, { authorization }), { accepted: true, duplicate: false });
    await sync.queue.drain();
    const cidAfter = await prisma.contact.findUniqueOrThrow({ where: { id: cid.id } });
    assert.equal(cidAfter.pipedrivePersonId, 504);
    assert.notEqual(cidAfter.updateSyncStatus, 'REMOTE_DELETED');
    await assert.rejects(sync.webhooks.receive({ meta: { id: 'x', action: 'updated', entity: 'person', entity_id: '1' } }, { authorization }), /meta\.action/);
  });
});
