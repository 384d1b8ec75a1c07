/**
 * @module tests/emulator/webhooks.test
 * Webhooks v2 from the emulator, against a real local receiver: the `/v1/webhooks` management API (shapes, token
 * costs, validation naming the field), delivery of API writes and UI edits (meta, trimmed data, changed-only
 * previous, Basic auth, matching with `*`), retries after 3, 30 and 150 s of the emulator clock then giving up,
 * failures of every kind, bans, merges (`PUT /v1/{persons|organizations}/{id}/merge` and in the UI: a `delete` with
 * `merged_to_id` and a `change` with `merged_from_id`), `reset()` cancelling retries, deliveries never holding up the
 * write, and the journal and control routes that expose all of it.
 */

import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import { checkResponse } from './openapi_schemas';
import { startTestEmulator, type TestEmulator } from './helpers';
import { startReceiver, type Answer, type Received, type WebhookReceiver } from './webhook_receiver';

const START = Date.UTC(2026, 2, 10, 12, 0, 0);
const TIER = 'a'.repeat(40);
const NOTE = 'b'.repeat(40);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let t: TestEmulator;
let rx: WebhookReceiver;

before(async () => {
  t = await startTestEmulator({
    plan: 'growth', burstLimit: 100_000, webhookTimeoutMs: 400,
    seed: { customFields: [{ entity: 'person', name: 'Tier', field_type: 'enum', key: TIER, options: ['Gold', 'Silver'] }, { entity: 'person', name: 'Note', field_type: 'varchar', key: NOTE }] },
  });
  rx = await startReceiver();
});
beforeEach(() => {
  t.emu.reset();
  rx.clear();
  t.clock.t = START;
  t.emu.state.seed({
    organizations: [{ id: 1, name: 'Acme' }, { id: 2, name: 'Acme Ltd', address: { value: '1 Main St', country: 'GB' } }],
    persons: [
      { id: 1, name: 'Jane Smith', org_id: 1, emails: [{ value: 'jane@acme.test', primary: true, label: 'work' }], phones: [{ value: '+44 1', primary: true, label: 'work' }] },
      { id: 2, name: 'Janet Smith', org_id: 2, emails: [{ value: 'janet@acme.test', primary: true, label: 'work' }, { value: 'JANE@acme.test', primary: false, label: 'home' }] },
    ],
    deals: [{ id: 1, title: 'Renewal', person_id: 1, org_id: 1 }],
    activities: [{ id: 1, subject: 'Call', participants: [{ person_id: 1, primary: true }], org_id: 1 }],
  });
});
// A delivery still in flight when a test ends could reach the receiver after the next test's clear().
afterEach(() => t.emu.webhooks.flush());
after(async () => {
  await t.emu.close();
  await rx.close();
});

async function subscribe(extra: Record<string, unknown> = {}): Promise<any> {
  const res = await t.call('POST', '/v1/webhooks', { subscription_url: `${rx.url}/hook`, event_action: '*', event_object: '*', name: 'sync', ...extra });
  assert.equal(res.status, 201, res.text);
  return res.body.data;
}

function control(method: string, path: string, body?: unknown): Promise<any> {
  return fetch(`${t.emu.url}/__emulator${path}`, {
    method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
  }).then(async (r) => ({ status: r.status, ...((await r.json()) as object) }));
}

const flush = (): Promise<void> => t.emu.webhooks.flush();
const metas = (): any[] => rx.received.map((r) => r.body.meta);
const answers = (...list: Answer[]): ((r: Received) => Answer) => {
  let i = 0;
  return () => list[Math.min(i++, list.length - 1)];
};
const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('/v1/webhooks', () => {
  test('POST creates a subscription in the BaseWebhook shape (201), GET lists it, DELETE removes it (then 404)', async () => {
    const created = await t.call('POST', '/v1/webhooks', {
      subscription_url: `${rx.url}/hook`, event_action: 'change', event_object: 'person', name: 'People', http_auth_user: 'pd', http_auth_password: 'pw', version: '2.0',
    });
    assert.equal(created.status, 201);
    assert.equal(checkResponse('v1', 'POST', '/webhooks', 201, created.body), null);
    const hook = created.body.data;
    assert.deepEqual(
      { ...hook, add_time: undefined },
      {
        id: 1, company_id: 7_100_001, owner_id: 1, user_id: 1, event_action: 'change', event_object: 'person', subscription_url: `${rx.url}/hook`,
        version: '2.0', is_active: 1, add_time: undefined, remove_time: null, type: 'general', http_auth_user: 'pd', http_auth_password: 'pw',
        remove_reason: null, last_delivery_time: null, last_http_status: null, admin_id: 1, name: 'People',
      },
    );
    assert.equal(hook.add_time, '2026-03-10T12:00:00.000Z');
    const listed = await t.call('GET', '/v1/webhooks');
    assert.equal(checkResponse('v1', 'GET', '/webhooks', 200, listed.body), null);
    assert.deepEqual(listed.body.data, [hook]);
    const removed = await t.call('DELETE', '/v1/webhooks/1');
    assert.deepEqual([removed.status, removed.body.success], [200, true]);
    assert.equal(checkResponse('v1', 'DELETE', '/webhooks/{id}', 200, removed.body), null);
    assert.deepEqual((await t.call('GET', '/v1/webhooks')).body.data, []);
    assert.equal((await t.call('DELETE', '/v1/webhooks/1')).status, 404);
  });

  test('version defaults to 2.0; a 1.0 subscription (v1 actions) is stored and listed', async () => {
    assert.equal((await subscribe()).version, '2.0');
    assert.equal((await subscribe({ version: '1.0', event_action: 'updated' })).version, '1.0');
    assert.equal((await t.call('GET', '/v1/webhooks')).body.data.length, 2);
  });

  test('costs the tokens of the spec: 10 to create, 10 to list, 6 to delete', async () => {
    const remaining = (): number => t.emu.limits.snapshot().dailyRemaining;
    let before = remaining();
    await subscribe();
    assert.equal(before - remaining(), 10);
    before = remaining();
    await t.call('GET', '/v1/webhooks');
    assert.equal(before - remaining(), 10);
    before = remaining();
    await t.call('DELETE', '/v1/webhooks/1');
    assert.equal(before - remaining(), 6);
  });

  test('refuses a bad body with 400 naming the field, and nothing is stored', async () => {
    const good = { subscription_url: `${rx.url}/hook`, event_action: '*', event_object: 'person', name: 'n' };
    const { name: _n, ...noName } = good;
    const cases: [Record<string, unknown>, string][] = [
      [{ ...good, subscription_url: undefined }, 'subscription_url'],
      [{ ...good, subscription_url: 'not a url' }, 'subscription_url'],
      [{ ...good, subscription_url: 'ftp://127.0.0.1/x' }, 'subscription_url'],
      [{ ...good, subscription_url: 'file:///etc/passwd' }, 'subscription_url'],
      [{ ...good, subscription_url: `${rx.url}/__emulator/reset` }, 'subscription_url'],
      [{ ...good, subscription_url: `${t.emu.url}/hook` }, 'subscription_url'],
      [{ ...good, subscription_url: `http://localhost:${t.emu.port}/x` }, 'subscription_url'],
      [{ ...good, subscription_url: `http://u:p@127.0.0.1:1/x` }, 'subscription_url'],
      [{ ...good, event_action: 'added' }, 'event_action'],
      [{ ...good, event_action: undefined }, 'event_action'],
      [{ ...good, event_object: 'persons' }, 'event_object'],
      [noName, 'name'],
      [{ ...good, name: 'x'.repeat(256) }, 'name'],
      [{ ...good, version: '3.0' }, 'version'],
      [{ ...good, version: 2 }, 'version'],
      [{ ...good, user_id: 99 }, 'user_id'],
      [{ ...good, user_id: '1' }, 'user_id'],
      [{ ...good, http_auth_user: 5 }, 'http_auth_user'],
      [{ ...good, secret: 'x' }, 'secret'],
    ];
    for (const [body, field] of cases) {
      const res = await t.call('POST', '/v1/webhooks', body);
      assert.equal(res.status, 400, `${JSON.stringify(body)}: ${res.text}`);
      assert.deepEqual(Object.keys(res.body.errors), [field], JSON.stringify(body));
      assert.match(res.body.error, new RegExp(field));
      assert.equal(checkResponse('v1', 'POST', '/webhooks', 400, res.body), null);
    }
    assert.equal((await t.call('POST', '/v1/webhooks', 'x', { raw: 'not json' })).status, 400);
    assert.deepEqual(t.emu.state.webhooks.list(), []);
  });

  test('a user may own 40 subscriptions; the 41st is a 422', async () => {
    for (let i = 0; i < 40; i++) await subscribe();
    const res = await t.call('POST', '/v1/webhooks', { subscription_url: `${rx.url}/hook`, event_action: '*', event_object: '*', name: 'x' });
    assert.equal(res.status, 422);
    assert.equal(t.emu.state.webhooks.list().length, 40);
  });
});

describe('delivery', () => {
  test('create, change and delete through the API: v2 meta, trimmed data, changed-only previous, Basic auth', async () => {
    const hook = await subscribe({ event_object: 'person', http_auth_user: 'pd', http_auth_password: 's3cret' });
    const created = (await t.call('POST', '/api/v2/persons', { name: 'Ann Lee', emails: [{ value: 'ann@x.test', primary: true, label: 'work' }] })).body.data;
    t.clock.advance(5_000);
    await t.call('PATCH', `/api/v2/persons/${created.id}`, { name: 'Ann Smith' });
    t.clock.advance(5_000);
    await t.call('DELETE', `/api/v2/persons/${created.id}`);
    await flush();

    assert.equal(rx.received.length, 3);
    for (const r of rx.received) {
      assert.equal(r.method, 'POST');
      assert.equal(r.path, '/hook');
      assert.equal(r.headers.authorization, basic('pd', 's3cret'));
      assert.match(String(r.headers['content-type']), /^application\/json/);
    }
    const [c, ch, d] = rx.received.map((r) => r.body);
    assert.deepEqual(
      { ...c.meta, id: undefined, correlation_id: undefined },
      {
        id: undefined, correlation_id: undefined, action: 'create', entity: 'person', entity_id: String(created.id), company_id: '7100001', user_id: '1',
        webhook_id: String(hook.id), webhook_owner_id: '1', change_source: 'api', timestamp: new Date(START).toISOString(), attempt: 1, version: '2.0',
        type: 'general', is_bulk_edit: false, host: 'emulated.pipedrive.com', permitted_user_ids: c.meta.permitted_user_ids,
      },
    );
    assert.ok(c.meta.permitted_user_ids.includes('1'));
    assert.match(c.meta.id, UUID);
    assert.equal(new Set(metas().map((m) => m.id)).size, 3, 'one event id per event');
    assert.deepEqual(metas().map((m) => [m.action, m.timestamp]), [
      ['create', '2026-03-10T12:00:00.000Z'], ['change', '2026-03-10T12:00:05.000Z'], ['delete', '2026-03-10T12:00:10.000Z'],
    ]);

    assert.equal(c.previous, null);
    assert.equal(c.data.name, 'Ann Lee');
    assert.deepEqual(c.data.emails, [{ value: 'ann@x.test', primary: true, label: 'work' }]);
    assert.ok(!('picture_id' in c.data) && !('is_deleted' in c.data), 'data is the trimmed webhook object, not the REST record');
    assert.notDeepEqual(Object.keys(c.data).sort(), Object.keys(created).sort());

    assert.equal(ch.data.name, 'Ann Smith');
    assert.deepEqual(ch.previous, { name: 'Ann Lee', last_name: 'Lee', update_time: created.update_time });

    assert.equal(d.data, null);
    assert.equal(d.previous.id, created.id);
    assert.equal(d.previous.name, 'Ann Smith');
  });

  test('custom fields: typed in data, only the changed keys in previous', async () => {
    await subscribe({ event_action: 'change' });
    const tier = t.emu.state.fields.person.find((f) => f.key === TIER)!.options![0].id;
    await t.call('PATCH', '/api/v2/persons/1', { custom_fields: { [NOTE]: 'first' } });
    await t.call('PATCH', '/api/v2/persons/1', { custom_fields: { [TIER]: tier } });
    await flush();
    const [first, second] = rx.received.map((r) => r.body);
    assert.deepEqual(first.data.custom_fields, { [TIER]: null, [NOTE]: { type: 'varchar', value: 'first' } });
    assert.deepEqual(first.previous.custom_fields, { [NOTE]: null });
    assert.deepEqual(second.data.custom_fields, { [TIER]: { type: 'enum', id: tier }, [NOTE]: { type: 'varchar', value: 'first' } });
    assert.deepEqual(second.previous.custom_fields, { [TIER]: null });
  });

  test('an edit in the UI is delivered with change_source app and the editor as user_id', async () => {
    await subscribe({ event_action: 'change', event_object: 'deal' });
    t.emu.editInUi({ entity: 'deal', id: 1, fields: { title: 'Edited in the app' }, userId: 2 });
    assert.equal(rx.received.length, 0, 'sent later, not inside the edit');
    await control('POST', '/edit', { entity: 'deal', id: 1, fields: { title: 'Again' } });
    await t.call('PATCH', '/api/v2/deals/1', { title: 'By the API' });
    await flush();
    assert.deepEqual(metas().map((m) => [m.change_source, m.user_id, m.entity, m.entity_id]), [
      ['app', '2', 'deal', '1'], ['app', '1', 'deal', '1'], ['api', '1', 'deal', '1'],
    ]);
    assert.deepEqual(rx.received.map((r) => r.body.previous.title), ['Renewal', 'Edited in the app', 'Again']);
  });

  test('matching: exact action and object, * for either; 1.0 subscriptions get nothing; no auth header without credentials', async () => {
    await subscribe({ subscription_url: `${rx.url}/create-person`, event_action: 'create', event_object: 'person' });
    await subscribe({ subscription_url: `${rx.url}/any-deal`, event_action: '*', event_object: 'deal' });
    await subscribe({ subscription_url: `${rx.url}/change-any`, event_action: 'change', event_object: '*' });
    await subscribe({ subscription_url: `${rx.url}/v1`, event_action: '*', event_object: '*', version: '1.0' });
    await t.call('POST', '/api/v2/persons', { name: 'New' });
    await t.call('PATCH', '/api/v2/persons/1', { name: 'Jane Doe' });
    await t.call('POST', '/api/v2/deals', { title: 'New deal' });
    await t.call('DELETE', '/api/v2/activities/1');
    await flush();
    const got = rx.received.map((r) => `${r.path} ${r.body.meta.action}.${r.body.meta.entity}`).sort();
    assert.deepEqual(got, ['/any-deal create.deal', '/change-any change.person', '/create-person create.person']);
    assert.ok(rx.received.every((r) => r.headers.authorization === undefined));
  });

  test('a write is answered without waiting for its delivery, and a failing receiver does not change the answer', async () => {
    await subscribe();
    rx.answer = () => 'hang';
    const res = await t.call('PATCH', '/api/v2/persons/1', { name: 'Quick' });
    assert.equal(res.status, 200);
    assert.deepEqual(t.emu.journal.deliveries(), [], 'the delivery is still in flight');
    await rx.waitFor(1);
    rx.release();
    await flush();
    assert.deepEqual(t.emu.journal.deliveries().map((d) => d.status), [200]);
    rx.answer = () => 'destroy';
    assert.equal((await t.call('PATCH', '/api/v2/persons/1', { name: 'Still fine' })).status, 200);
  });
});

describe('retries', () => {
  test('a failed delivery is retried after 3, 30 and 150 s of the emulator clock, then given up', async () => {
    await subscribe();
    rx.answer = () => 500;
    await t.call('PATCH', '/api/v2/persons/1', { name: 'Retry me' });
    await flush();
    assert.equal(rx.received.length, 1);
    assert.deepEqual(t.emu.webhooks.pending().map((p) => [p.attempt, p.dueAt]), [[2, START + 3_000]]);
    const steps: [number, number][] = [[2_999, 1], [1, 2], [29_999, 2], [1, 3], [149_999, 3], [1, 4], [86_400_000, 4]];
    for (const [ms, expected] of steps) {
      t.emu.clock.advance(ms);
      await flush();
      assert.equal(rx.received.length, expected, `after +${ms} ms`);
    }
    assert.deepEqual(metas().map((m) => m.attempt), [1, 2, 3, 4]);
    assert.equal(new Set(metas().map((m) => m.id)).size, 1, 'every attempt carries the same event id');
    assert.deepEqual(t.emu.webhooks.pending(), []);
    const log = t.emu.journal.deliveries();
    assert.deepEqual(log.map((d) => [d.attempt, d.status, d.ok, d.error, d.time - START]), [
      [1, 500, false, 'HTTP 500', 0], [2, 500, false, 'HTTP 500', 3_000], [3, 500, false, 'HTTP 500', 33_000], [4, 500, false, 'HTTP 500', 183_000],
    ]);
    const hook = (await t.call('GET', '/v1/webhooks')).body.data[0];
    assert.equal(hook.last_http_status, 500);
  });

  test('retries also fall due on an injected clock moving, with no flush or advance call', async () => {
    await subscribe();
    rx.answer = answers(503, 200);
    await t.call('PATCH', '/api/v2/persons/1', { name: 'Later' });
    await flush();
    assert.equal(rx.received.length, 1);
    t.clock.advance(3_000);
    await rx.waitFor(2);
    assert.deepEqual(metas().map((m) => m.attempt), [1, 2]);
  });

  test('a success ends the retries', async () => {
    await subscribe();
    rx.answer = answers(500, 204);
    await t.call('PATCH', '/api/v2/persons/1', { name: 'Twice' });
    await flush();
    t.emu.clock.advance(3_000);
    await flush();
    t.emu.clock.advance(600_000);
    await flush();
    assert.deepEqual(t.emu.journal.deliveries().map((d) => [d.attempt, d.status, d.ok]), [[1, 500, false], [2, 204, true]]);
    assert.deepEqual(t.emu.webhooks.pending(), []);
  });

  test('redirects, dropped connections, refused connections and timeouts are failures too', async () => {
    const closed = await startReceiver();
    const deadUrl = closed.url;
    await closed.close();
    await subscribe({ subscription_url: `${rx.url}/redirect`, event_object: 'deal' });
    await subscribe({ subscription_url: `${rx.url}/drop`, event_object: 'deal' });
    await subscribe({ subscription_url: `${deadUrl}/dead`, event_object: 'deal' });
    await subscribe({ subscription_url: `${rx.url}/slow`, event_object: 'deal' });
    rx.answer = (r) => (r.path === '/redirect' ? 302 : r.path === '/drop' ? 'destroy' : 'hang');
    await t.call('PATCH', '/api/v2/deals/1', { title: 'Failures' });
    await flush();
    const log = t.emu.journal.deliveries().sort((a, b) => a.webhookId - b.webhookId);
    assert.deepEqual(log.map((d) => [d.webhookId, d.status, d.ok]), [[1, 302, false], [2, null, false], [3, null, false], [4, null, false]]);
    assert.equal(log[3].error, 'timeout after 400 ms');
    assert.ok(log[1].error && log[2].error, 'connection errors are named');
    assert.deepEqual(t.emu.webhooks.pending().map((p) => p.attempt), [2, 2, 2, 2]);
  });

  test('the schedule is configurable (webhookRetryDelaysMs) and checked at start', async () => {
    const own = await startTestEmulator({ webhookRetryDelaysMs: [1_000] });
    try {
      await own.call('POST', '/v1/webhooks', { subscription_url: `${rx.url}/own`, event_action: '*', event_object: '*', name: 'x' });
      rx.answer = () => 500;
      assert.equal((await own.call('POST', '/api/v2/persons', { name: 'Own schedule' })).status, 200);
      await own.emu.webhooks.flush();
      own.emu.clock.advance(1_000);
      await own.emu.webhooks.flush();
      own.emu.clock.advance(86_400_000);
      await own.emu.webhooks.flush();
      assert.deepEqual(own.emu.journal.deliveries().map((d) => [d.attempt, d.time - START]), [[1, 0], [2, 1_000]]);
    } finally {
      await own.emu.close();
    }
    await assert.rejects(startTestEmulator({ webhookRetryDelaysMs: [-1] }), /webhookRetryDelaysMs/);
    await assert.rejects(startTestEmulator({ webhookTimeoutMs: 0 }), /webhookTimeoutMs/);
  });

  test('deleting a subscription drops its pending retries', async () => {
    await subscribe();
    rx.answer = () => 500;
    await t.call('PATCH', '/api/v2/persons/1', { name: 'Gone' });
    await flush();
    await t.call('DELETE', '/v1/webhooks/1');
    t.emu.clock.advance(3_600_000);
    await flush();
    assert.equal(rx.received.length, 1);
  });

  test('ten first-attempt failures ban a subscription for 30 minutes: its events are lost, then it delivers again', async () => {
    await subscribe({ event_action: 'change', event_object: 'person' });
    rx.answer = () => 500;
    for (let i = 0; i < 10; i++) {
      await t.call('PATCH', '/api/v2/persons/1', { name: `Name ${i}` });
      await flush();
    }
    await t.emu.webhooks.flush();
    t.emu.webhooks.reset(); // Drop the retries of those ten, to look only at new events.
    rx.answer = () => 200;
    await t.call('PATCH', '/api/v2/persons/1', { name: 'Lost' });
    await flush();
    assert.equal(rx.received.length, 10);
    assert.deepEqual(t.emu.journal.deliveries().at(-1)!.error, 'banned: event lost');
    t.emu.clock.advance(30 * 60_000);
    await t.call('PATCH', '/api/v2/persons/1', { name: 'Back' });
    await flush();
    assert.equal(rx.received.at(-1)!.body.data.name, 'Back');
  });
});

describe('merges', () => {
  test('PUT /v1/persons/{id}/merge: merge_with_id survives with the emails combined; the other reads as deleted; a delete and a change are sent', async () => {
    await subscribe({ event_object: 'person' });
    const before = t.emu.limits.snapshot().dailyRemaining;
    const res = await t.call('PUT', '/v1/persons/1/merge', { merge_with_id: 2 });
    assert.equal(res.status, 200, res.text);
    assert.equal(t.emu.limits.snapshot().dailyRemaining, before - 40);
    assert.equal(checkResponse('v1', 'PUT', '/persons/{id}/merge', 200, res.body), null);
    assert.deepEqual([res.body.data.id, res.body.data.merge_what_id], [2, 1]);
    assert.equal((await t.call('GET', '/api/v2/persons/1')).status, 404);
    const survivor = (await t.call('GET', '/api/v2/persons/2')).body.data;
    assert.deepEqual(survivor.emails.map((e: { value: string; primary: boolean }) => [e.value, e.primary]), [
      ['janet@acme.test', true], ['JANE@acme.test', false],
    ], 'jane@acme.test is already there (case-insensitively)');
    assert.deepEqual(survivor.phones, [{ value: '+44 1', primary: true, label: 'work' }], 'an empty list is filled');
    assert.equal(survivor.name, 'Janet Smith', "the survivor's fields stay");
    assert.equal(survivor.org_id, 2);

    await flush();
    const [del, change] = rx.received.map((r) => r.body);
    assert.deepEqual([del.meta.action, del.meta.entity_id, del.meta.merged_to_id, del.meta.merged_from_id], ['delete', '1', '2', undefined]);
    assert.equal(del.data, null);
    assert.equal(del.previous.name, 'Jane Smith');
    assert.deepEqual([change.meta.action, change.meta.entity_id, change.meta.merged_from_id, change.meta.merged_to_id], ['change', '2', '1', undefined]);
    assert.deepEqual(change.data.phones, survivor.phones);
    assert.deepEqual(change.previous.phones, []);
    assert.equal(del.meta.correlation_id, change.meta.correlation_id);
    assert.notEqual(del.meta.id, change.meta.id);
  });

  test('related records move to the survivor and are announced as changes', async () => {
    await subscribe({ event_object: 'deal' });
    await subscribe({ subscription_url: `${rx.url}/activity`, event_object: 'activity' });
    await t.call('PUT', '/v1/persons/1/merge', { merge_with_id: 2 });
    assert.equal((await t.call('GET', '/api/v2/deals/1')).body.data.person_id, 2);
    assert.deepEqual((await t.call('GET', '/api/v2/activities/1')).body.data.participants, [{ person_id: 2, primary: true }]);
    await flush();
    assert.deepEqual(rx.received.map((r) => [r.body.meta.entity, r.body.meta.action]).sort(), [['activity', 'change'], ['deal', 'change']]);
    assert.equal(rx.received.find((r) => r.body.meta.entity === 'deal')!.body.previous.person_id, 1);
  });

  test('PUT /v1/organizations/{id}/merge and a merge in the UI (change_source app) do the same for organizations', async () => {
    await subscribe({ event_object: 'organization' });
    const res = await t.call('PUT', '/v1/organizations/2/merge', { merge_with_id: '1' });
    assert.equal(res.status, 200, res.text);
    assert.equal(checkResponse('v1', 'PUT', '/organizations/{id}/merge', 200, res.body), null);
    assert.deepEqual(res.body.data, { id: 1 });
    const org = (await t.call('GET', '/api/v2/organizations/1')).body.data;
    assert.equal(org.address.value, '1 Main St', 'the empty address is filled from the merged organization');
    assert.equal((await t.call('GET', '/api/v2/persons/2')).body.data.org_id, 1);
    t.emu.state.seed({ organizations: [{ id: 3, name: 'Acme Inc' }] });
    const ui = await control('POST', '/merge', { entity: 'organization', id: 3, mergeWithId: 1, userId: 2 });
    assert.equal(ui.status, 200);
    assert.equal(ui.record.id, 1);
    await flush();
    assert.deepEqual(metas().map((m) => [m.action, m.entity_id, m.merged_to_id ?? m.merged_from_id, m.change_source, m.user_id]), [
      ['delete', '2', '1', 'api', '1'], ['change', '1', '2', 'api', '1'], ['delete', '3', '1', 'app', '2'], ['change', '1', '3', 'app', '2'],
    ]);
    assert.deepEqual(t.emu.journal.filter((e) => e.method === 'UI').map((e) => [e.path, e.body, e.source]), [['/v1/organizations/3/merge', { merge_with_id: 1 }, 'app']]);
  });

  test('refuses bad merges without changing anything: 404 for the path id, 400 naming merge_with_id', async () => {
    await subscribe();
    const before = JSON.stringify(t.emu.state.snapshot());
    const cases: [string, unknown, number][] = [
      ['/v1/persons/99/merge', { merge_with_id: 2 }, 404],
      ['/v1/persons/1/merge', { merge_with_id: 1 }, 400],
      ['/v1/persons/1/merge', { merge_with_id: 99 }, 400],
      ['/v1/persons/1/merge', {}, 400],
      ['/v1/persons/1/merge', { merge_with_id: 'two' }, 400],
      ['/v1/persons/1/merge', { merge_with_id: 2, keep: 1 }, 400],
      ['/v1/organizations/1/merge', { merge_with_id: 7 }, 400],
    ];
    for (const [path, body, status] of cases) {
      const res = await t.call('PUT', path, body);
      assert.equal(res.status, status, `${path} ${JSON.stringify(body)}`);
      if (status === 400) assert.match(res.body.error, /merge_with_id|keep/);
    }
    assert.equal((await control('POST', '/merge', { entity: 'deal', id: 1, mergeWithId: 2 })).status, 400);
    assert.equal((await control('POST', '/merge', { entity: 'person', id: 1, mergeWithId: 1 })).status, 400);
    assert.equal(JSON.stringify(t.emu.state.snapshot()), before);
    await flush();
    assert.equal(rx.received.length, 0);
  });
});

describe('reset', () => {
  test('cancels pending retries: a new subscription with the same id gets none of them', async () => {
    await subscribe();
    rx.answer = () => 500;
    await t.call('PATCH', '/api/v2/persons/1', { name: 'Before reset' });
    await flush();
    assert.equal(t.emu.webhooks.pending().length, 1);
    t.emu.reset();
    assert.deepEqual(t.emu.webhooks.pending(), []);
    assert.deepEqual(t.emu.state.webhooks.list(), [], 'subscriptions are data and go too');
    assert.equal((await subscribe()).id, 1);
    t.emu.clock.advance(3_600_000);
    await flush();
    assert.equal(rx.received.length, 1);
  });

  test('aborts deliveries in flight and discards their outcome (nothing journaled, nothing retried)', async () => {
    await subscribe();
    rx.answer = () => 'hang';
    await t.call('PATCH', '/api/v2/persons/1', { name: 'In flight' });
    await rx.waitFor(1);
    t.emu.reset();
    await flush();
    assert.deepEqual(t.emu.journal.deliveries(), []);
    assert.deepEqual(t.emu.webhooks.pending(), []);
  });

  test('POST /__emulator/reset does the same', async () => {
    await subscribe();
    rx.answer = () => 500;
    await t.call('PATCH', '/api/v2/persons/1', { name: 'x' });
    await flush();
    assert.equal((await control('POST', '/reset', {})).status, 200);
    assert.deepEqual((await control('GET', '/webhooks')).pending, []);
  });
});

describe('journal and control path', () => {
  test('GET /__emulator/journal lists deliveries (url, event id, attempt, status or error, body); DELETE clears them', async () => {
    await subscribe({ http_auth_user: 'pd', http_auth_password: 'secret-pw' });
    await t.call('PATCH', '/api/v2/persons/1', { name: 'Journaled' });
    await flush();
    const { deliveries } = await control('GET', '/journal');
    assert.equal(deliveries.length, 1);
    const [d] = deliveries;
    assert.deepEqual(
      { ...d, payload: undefined },
      {
        webhookId: 1, url: `${rx.url}/hook`, eventId: rx.received[0].body.meta.id, action: 'change', entity: 'person', entityId: 1, attempt: 1,
        time: START, status: 200, error: null, ok: true, basicAuth: true, payload: undefined,
      },
    );
    assert.deepEqual(d.payload, rx.received[0].body);
    assert.ok(!JSON.stringify(deliveries).includes('secret-pw'), 'the journal keeps no password');
    await control('DELETE', '/journal');
    assert.deepEqual((await control('GET', '/journal')).deliveries, []);
  });

  test('over HTTP only: POST /clock sends due retries, POST /webhooks/flush waits for them, GET /webhooks shows what is pending', async () => {
    await subscribe();
    rx.answer = answers(500, 200);
    await control('POST', '/edit', { entity: 'person', id: 1, fields: { name: 'Remote' } });
    let flushed = await control('POST', '/webhooks/flush');
    assert.deepEqual(flushed.deliveries.map((d: { status: number }) => d.status), [500]);
    const state = await control('GET', '/webhooks');
    assert.equal(state.subscriptions[0].last_http_status, 500);
    assert.deepEqual(state.pending.map((p: { attempt: number; dueAt: number }) => [p.attempt, p.dueAt]), [[2, START + 3_000]]);
    await control('POST', '/clock', { advanceMs: 3_000 });
    flushed = await control('POST', '/webhooks/flush');
    assert.deepEqual(flushed.deliveries.map((d: { attempt: number; status: number }) => [d.attempt, d.status]), [[1, 500], [2, 200]]);
    assert.deepEqual(flushed.pending, []);
    assert.equal((await control('POST', '/webhooks/flush', { wait: 1 })).status, 400);
  });
});
