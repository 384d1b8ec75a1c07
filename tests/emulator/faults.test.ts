/**
 * @module tests/emulator/faults.test
 * Fault injection (fail next N, latency, apply-then-drop), the journal, and the control path that exposes both
 * (plus seed, reset, limits and clock) to a process that only has the URL.
 */

import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { startTestEmulator, type TestEmulator } from './helpers';

let t: TestEmulator;
before(async () => {
  t = await startTestEmulator({ plan: 'ultimate', burstLimit: 10_000 });
});
beforeEach(() => t.emu.reset());
after(() => t.emu.close());

async function control(method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${t.emu.url}/__emulator${path}`, {
    method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
  });
  assert.equal(res.status, 200, `${method} ${path}`);
  return res.json();
}

describe('failNext', () => {
  test('fails exactly the next N matching requests (method + path prefix) with the status, then recovers', async () => {
    t.emu.faults.failNext({ method: 'POST', path: '/api/v2/persons', status: 503, count: 2 });
    assert.equal((await t.call('GET', '/api/v2/persons')).status, 200, 'other methods unaffected');
    const first = await t.call('POST', '/api/v2/persons', { name: 'A' });
    assert.equal(first.status, 503);
    assert.equal(first.body.success, false);
    assert.equal((await t.call('POST', '/api/v2/persons', { name: 'A' })).status, 503);
    assert.equal((await t.call('POST', '/api/v2/persons', { name: 'A' })).status, 200);
    assert.equal(t.emu.state.persons.size, 1, 'failed requests changed nothing');
  });

  test('a RegExp path, a custom body and headers', async () => {
    t.emu.faults.failNext({ path: /^\/api\/v2\/persons\/\d+$/, status: 502, body: '<html>bad gateway</html>', headers: { 'retry-after': '7' } });
    assert.equal((await t.call('GET', '/api/v2/persons')).status, 200);
    const r = await t.call('GET', '/api/v2/persons/5');
    assert.equal(r.status, 502);
    assert.match(r.headers.get('content-type') ?? '', /text\/html/);
    assert.equal(r.headers.get('retry-after'), '7');
    assert.equal(r.text, '<html>bad gateway</html>');
  });

  test('a glob path: * stays inside one segment, ** crosses segments, the whole path must match', async () => {
    t.emu.faults.failNext({ glob: '/api/v2/persons/*', status: 503, count: 10 });
    t.emu.faults.failNext({ glob: '/v1/**/me', status: 502, count: 10 });
    assert.equal((await t.call('GET', '/api/v2/persons')).status, 200, 'the glob needs the trailing segment');
    assert.equal((await t.call('GET', '/api/v2/persons/5')).status, 503);
    assert.equal((await t.call('GET', '/api/v2/organizations/5')).status, 404, 'other collections unaffected');
    assert.equal((await t.call('GET', '/v1/users/me')).status, 502, '** matches across /');
    assert.equal((await t.call('GET', '/v1/users/1')).status, 200, 'a glob is anchored at the end');
    const listed = t.emu.faults.list().failNext.map((r) => (r as { glob: string | null }).glob);
    assert.deepEqual(listed, ['/api/v2/persons/*', '/v1/**/me']);
  });

  test('path and glob together must both match; a bad glob is refused when the rule is added', async () => {
    t.emu.faults.failNext({ path: '/api/v2/persons', glob: '**/5', status: 503 });
    assert.equal((await t.call('GET', '/api/v2/organizations/5')).status, 404);
    assert.equal((await t.call('GET', '/api/v2/persons/5')).status, 503);
    assert.throws(() => t.emu.faults.failNext({ glob: '', status: 503 }), /must not be empty/);
    assert.throws(() => t.emu.faults.failNext({ glob: `/${'a'.repeat(600)}`, status: 503 }), /at most 512 characters/);
  });

  test('clear() removes pending faults', async () => {
    t.emu.faults.failNext({ path: '/', status: 500, count: 5 });
    t.emu.faults.clear();
    assert.equal((await t.call('GET', '/v1/users/me')).status, 200);
  });
});

describe('latency', () => {
  test('delays matching requests only', async () => {
    t.emu.faults.latency({ path: '/v1/users', ms: 250 });
    let start = performance.now();
    await t.call('GET', '/v1/users/me');
    assert.ok(performance.now() - start >= 240, 'delayed');
    start = performance.now();
    await t.call('GET', '/v1/activityTypes');
    assert.ok(performance.now() - start < 200, 'other paths not delayed');
  });
});

describe('dropAfterApply', () => {
  test('applies the create, then destroys the connection without answering', async () => {
    t.emu.faults.dropAfterApply({ method: 'POST', path: '/api/v2/persons' });
    await assert.rejects(t.call('POST', '/api/v2/persons', { name: 'Half Created' }));
    const stored = [...t.emu.state.persons.values()];
    assert.deepEqual(stored.map((p) => p.name), ['Half Created'], 'the change happened');
    const entry = t.emu.journal.last()!;
    assert.equal(entry.dropped, true);
    assert.equal(entry.status, 0);
    const search = await t.call('GET', '/api/v2/persons/search?term=Half%20Created&fields=name&exact_match=true');
    assert.equal(search.body.data.items.length, 1, 'a client can find the record it never heard about');
    assert.equal((await t.call('POST', '/api/v2/persons', { name: 'Second' })).status, 200, 'only one drop by default');
  });
});

describe('journal', () => {
  test('records method, path, query, body, status and time of every request, never the token', async () => {
    t.clock.t = Date.UTC(2026, 2, 10, 12, 0, 0);
    await t.call('POST', '/api/v2/persons', { name: 'Logged' });
    await t.call('GET', `/api/v2/persons?limit=5&api_token=${t.emu.apiToken}`, undefined, { token: null });
    await t.call('GET', '/api/v2/persons', undefined, { token: 'wrong' });
    assert.equal(t.emu.journal.length, 3);
    const [post, viaQuery, unauth] = t.emu.journal;
    assert.deepEqual(post, { method: 'POST', path: '/api/v2/persons', query: {}, body: { name: 'Logged' }, status: 200, time: Date.UTC(2026, 2, 10, 12, 0, 0), userId: 1 });
    assert.equal(viaQuery.status, 200, 'the legacy api_token query parameter authenticates');
    assert.deepEqual(viaQuery.query, { limit: '5', api_token: '[redacted]' });
    assert.equal(unauth.status, 401);
    assert.equal(unauth.userId, null);
    assert.ok(!JSON.stringify(t.emu.journal).includes(t.emu.apiToken));
    t.emu.journal.clear();
    assert.equal(t.emu.journal.length, 0);
  });
});

describe('control path', () => {
  test('faults, journal, seed, state, limits, clock and reset over HTTP', async () => {
    assert.deepEqual(await control('GET', '/health'), { ok: true });
    await control('POST', '/seed', { persons: [{ id: 77, name: 'Seeded Over HTTP' }] });
    assert.equal((await t.call('GET', '/api/v2/persons/77')).body.data.name, 'Seeded Over HTTP');

    await control('POST', '/faults/fail-next', { method: 'GET', glob: '/api/v2/persons/*', status: 504, count: 1 });
    assert.equal((await t.call('GET', '/api/v2/persons/77')).status, 504);
    await control('POST', '/faults/drop-after-apply', { method: 'PATCH', path: '/api/v2/persons/77' });
    await assert.rejects(t.call('PATCH', '/api/v2/persons/77', { name: 'Renamed' }));
    const state = await control('GET', '/state');
    assert.equal(state.state.persons.find((p: { id: number }) => p.id === 77).name, 'Renamed');
    await control('POST', '/faults/latency', { path: '/v1', ms: 1 });
    assert.equal((await control('GET', '/faults')).faults.latency.length, 1);
    await control('DELETE', '/faults');
    assert.equal((await control('GET', '/faults')).faults.latency.length, 0);

    const journal = await control('GET', '/journal');
    assert.deepEqual(journal.entries.map((e: { status: number }) => e.status), [200, 504, 0]);
    assert.ok(!journal.entries.some((e: { path: string }) => e.path.startsWith('/__emulator')), 'control calls are not journaled');
    await control('DELETE', '/journal');
    assert.equal((await control('GET', '/journal')).entries.length, 0);

    await control('POST', '/limits', { dailyRemaining: 0 });
    assert.equal((await t.call('GET', '/v1/users/me')).status, 429);
    const before = (await control('GET', '/clock')).now;
    await control('POST', '/clock', { advanceMs: 86_400_000 });
    assert.equal((await control('GET', '/clock')).now, before + 86_400_000);
    assert.equal((await t.call('GET', '/v1/users/me')).status, 200, 'a day later the budget is back');

    const added = await control('POST', '/users', { name: 'Http User', email: 'http@example.com', apiToken: 'http-token' });
    assert.equal((await t.call('GET', '/v1/users/me', undefined, { token: 'http-token' })).body.data.id, added.user.id);

    await control('POST', '/reset');
    assert.equal((await t.call('GET', '/api/v2/persons/77')).status, 404, 'reset drops seeded data');
    assert.equal((await t.call('GET', '/v1/users/me', undefined, { token: 'http-token' })).status, 401, 'and added users');
  });

  test('unknown control routes and bad bodies answer 4xx, not 500', async () => {
    assert.equal((await fetch(`${t.emu.url}/__emulator/nope`)).status, 404);
    const bad = await fetch(`${t.emu.url}/__emulator/faults/fail-next`, { method: 'POST', body: '{"path":"/x"}', headers: { 'content-type': 'application/json' } });
    assert.equal(bad.status, 400);
  });
});

describe('many emulators in one process', () => {
  test('each has its own data, token, limits and journal', async () => {
    const a = await startTestEmulator({ plan: 'lite' });
    const b = await startTestEmulator({ plan: 'lite' });
    try {
      assert.notEqual(a.emu.url, b.emu.url);
      assert.notEqual(a.emu.apiToken, b.emu.apiToken);
      await a.call('POST', '/api/v2/persons', { name: 'Only In A' });
      assert.equal((await b.call('GET', '/api/v2/persons')).body.data.length, 0);
      assert.equal((await b.call('GET', '/v1/users/me', undefined, { token: a.emu.apiToken })).status, 401);
      for (let i = 0; i < 20; i++) await a.call('GET', '/v1/users/me');
      assert.equal((await a.call('GET', '/v1/users/me')).status, 429);
      assert.equal((await b.call('GET', '/v1/users/me')).status, 200);
      assert.equal(b.emu.journal.length, 3);
    } finally {
      await Promise.all([a.emu.close(), b.emu.close()]);
    }
  });
});
