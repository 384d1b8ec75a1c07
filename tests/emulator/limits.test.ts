/**
 * @module tests/emulator/limits.test
 * Rate limits: per-token burst windows by plan, the search window, the daily budget with its midnight reset,
 * token costs from the OpenAPI table, the headers counting down, 429 bodies and the Cloudflare 403.
 */

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TOKEN_COSTS } from '../../js/emulator';
import { operation } from './openapi_schemas';
import { startTestEmulator } from './helpers';

const OVER_LIMIT = { success: false, error: 'Request over limit', error_info: 'Please check developers.pipedrive.com', data: null, additional_data: null };

describe('burst window', () => {
  for (const [plan, limit] of [['lite', 20], ['growth', 40], ['premium', 100], ['ultimate', 120]] as const) {
    test(`${plan}: ${limit} requests per rolling 2 s, then 429 with the real body`, async () => {
      const t = await startTestEmulator({ plan });
      try {
        for (let i = 0; i < limit; i++) {
          const r = await t.call('GET', '/v1/users/me');
          assert.equal(r.status, 200);
          assert.equal(r.headers.get('x-ratelimit-limit'), String(limit));
          assert.equal(r.headers.get('x-ratelimit-remaining'), String(limit - 1 - i));
        }
        const over = await t.call('GET', '/v1/users/me');
        assert.equal(over.status, 429);
        assert.deepEqual(over.body, OVER_LIMIT);
        assert.equal(over.headers.get('x-ratelimit-remaining'), '0');
        assert.equal(over.headers.get('x-ratelimit-reset'), '2');
        t.clock.advance(2_000);
        assert.equal((await t.call('GET', '/v1/users/me')).status, 200, 'the window rolls after 2 s');
      } finally {
        await t.emu.close();
      }
    });
  }

  test('the window is rolling: requests leave it 2 s after they were made, one by one', async () => {
    const t = await startTestEmulator({ plan: 'lite' });
    try {
      for (let i = 0; i < 10; i++) assert.equal((await t.call('GET', '/v1/users/me')).status, 200);
      t.clock.advance(1_000);
      for (let i = 0; i < 10; i++) assert.equal((await t.call('GET', '/v1/users/me')).status, 200);
      assert.equal((await t.call('GET', '/v1/users/me')).status, 429);
      t.clock.advance(1_000); // the first 10 are now 2 s old
      const r = await t.call('GET', '/v1/users/me');
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('x-ratelimit-remaining'), '9');
    } finally {
      await t.emu.close();
    }
  });

  test('windows are per token: a second user has a window of its own', async () => {
    const t = await startTestEmulator({ plan: 'lite' });
    try {
      t.emu.state.addUser({ id: 50, name: 'Second Token', email: 'second@example.com', apiToken: 'second-token' });
      for (let i = 0; i < 20; i++) await t.call('GET', '/v1/users/me');
      assert.equal((await t.call('GET', '/v1/users/me')).status, 429);
      const other = await t.call('GET', '/v1/users/me', undefined, { token: 'second-token' });
      assert.equal(other.status, 200);
      assert.equal(other.body.data.id, 50);
      assert.equal(other.headers.get('x-ratelimit-remaining'), '19');
    } finally {
      await t.emu.close();
    }
  });
});

describe('search window', () => {
  test('10 searches per 2 s on every plan; search responses carry the burst window headers, as Pipedrive documents', async () => {
    const t = await startTestEmulator({ plan: 'ultimate' });
    try {
      for (let i = 0; i < 10; i++) {
        const r = await t.call('GET', '/api/v2/persons/search?term=ada');
        assert.equal(r.status, 200);
        assert.equal(r.headers.get('x-ratelimit-limit'), '120', 'the burst maximum per 2 s');
        assert.equal(r.headers.get('x-ratelimit-remaining'), String(119 - i));
      }
      const over = await t.call('GET', '/api/v2/organizations/search?term=acme');
      assert.equal(over.status, 429);
      assert.deepEqual(over.body, OVER_LIMIT);
      const plain = await t.call('GET', '/api/v2/persons');
      assert.equal(plain.status, 200);
      assert.equal(plain.headers.get('x-ratelimit-limit'), '120');
      assert.equal(plain.headers.get('x-ratelimit-remaining'), String(120 - 11), 'searches count in the burst window too');
      t.clock.advance(2_000);
      assert.equal((await t.call('GET', '/api/v2/persons/search?term=ada')).status, 200);
    } finally {
      await t.emu.close();
    }
  });
});

describe('daily token budget', () => {
  test('budget is 30,000 × plan multiplier × seats and each call costs its x-token-cost', async () => {
    const t = await startTestEmulator({ plan: 'premium', seats: 3 });
    try {
      const first = await t.call('GET', '/api/v2/persons');
      assert.equal(first.headers.get('x-daily-ratelimit-token-limit'), String(30_000 * 5 * 3));
      assert.equal(first.headers.get('x-daily-ratelimit-token-remaining'), String(450_000 - 10));
      const created = await t.call('POST', '/api/v2/persons', { name: 'Cost Check' });
      assert.equal(created.headers.get('x-daily-ratelimit-token-remaining'), String(450_000 - 10 - 5));
      const search = await t.call('GET', '/api/v2/persons/search?term=cost');
      assert.equal(search.headers.get('x-daily-ratelimit-token-remaining'), String(450_000 - 15 - 20));
      const find = await t.call('GET', '/api/v1/users/find?term=ada');
      assert.equal(find.headers.get('x-daily-ratelimit-token-remaining'), String(450_000 - 35 - 40));
      assert.equal(t.emu.limits.remainingToday, 450_000 - 75);
    } finally {
      await t.emu.close();
    }
  });

  test('an exhausted budget gives 429 to every token until midnight, then resets', async () => {
    const t = await startTestEmulator({ plan: 'lite' });
    try {
      t.emu.state.addUser({ name: 'Other', email: 'other@example.com', apiToken: 'other-token' });
      t.emu.limits.setDailyRemaining(3);
      const last = await t.call('PATCH', '/api/v2/persons/1', { name: 'x' }); // 404, but still charged
      assert.equal(last.status, 404);
      assert.equal(last.headers.get('x-daily-ratelimit-token-remaining'), '0');
      for (const token of [t.emu.apiToken, 'other-token']) {
        const r = await t.call('GET', '/api/v2/persons/1', undefined, { token });
        assert.equal(r.status, 429);
        assert.deepEqual(r.body, OVER_LIMIT);
        assert.equal(r.headers.get('x-daily-ratelimit-token-remaining'), '0');
      }
      // Repeated 429s for the daily budget are not "ignored burst 429s": no Cloudflare block.
      for (let i = 0; i < 6; i++) assert.equal((await t.call('GET', '/v1/users/me')).status, 429);
      t.clock.t = Date.UTC(2026, 2, 10, 23, 59, 59);
      assert.equal((await t.call('GET', '/v1/users/me')).status, 429);
      t.clock.t = Date.UTC(2026, 2, 11, 0, 0, 0);
      const fresh = await t.call('GET', '/v1/users/me');
      assert.equal(fresh.status, 200);
      assert.equal(fresh.headers.get('x-daily-ratelimit-token-remaining'), String(30_000 - 2));
    } finally {
      await t.emu.close();
    }
  });

  test('the reset follows the configured timezone', async () => {
    const t = await startTestEmulator({ plan: 'lite', budgetTimezoneOffsetMinutes: 120 });
    try {
      t.emu.limits.setDailyRemaining(0);
      t.clock.t = Date.UTC(2026, 2, 10, 21, 59, 0);
      assert.equal((await t.call('GET', '/v1/users/me')).status, 429);
      t.clock.t = Date.UTC(2026, 2, 10, 22, 0, 0); // midnight at UTC+2
      assert.equal((await t.call('GET', '/v1/users/me')).status, 200);
    } finally {
      await t.emu.close();
    }
  });

  test('the cost table matches x-token-cost in the OpenAPI files for every route served', () => {
    const served: [string, 'v1' | 'v2', string, string][] = [
      ['GET /api/v2/persons', 'v2', 'get', '/persons'], ['POST /api/v2/persons', 'v2', 'post', '/persons'],
      ['GET /api/v2/persons/{id}', 'v2', 'get', '/persons/{id}'], ['PATCH /api/v2/persons/{id}', 'v2', 'patch', '/persons/{id}'],
      ['DELETE /api/v2/persons/{id}', 'v2', 'delete', '/persons/{id}'], ['GET /api/v2/persons/search', 'v2', 'get', '/persons/search'],
      ['GET /api/v2/organizations/search', 'v2', 'get', '/organizations/search'], ['PATCH /api/v2/deals/{id}', 'v2', 'patch', '/deals/{id}'],
      ['POST /api/v2/activities', 'v2', 'post', '/activities'], ['GET /v1/users', 'v1', 'get', '/users'],
      ['GET /v1/users/find', 'v1', 'get', '/users/find'], ['GET /v1/users/me', 'v1', 'get', '/users/me'],
      ['GET /v1/personFields', 'v1', 'get', '/personFields'], ['PUT /v1/personFields/{id}', 'v1', 'put', '/personFields/{id}'],
      ['GET /v1/activityTypes', 'v1', 'get', '/activityTypes'], ['GET /v1/currencies', 'v1', 'get', '/currencies'],
      ['GET /api/v2/stages', 'v2', 'get', '/stages'], ['GET /api/v2/pipelines', 'v2', 'get', '/pipelines'],
    ];
    for (const [key, version, method, template] of served) {
      assert.equal(TOKEN_COSTS[key], operation(version, method, template)['x-token-cost'], key);
    }
  });
});

describe('headers and the Cloudflare block', () => {
  test('every authenticated response carries the five rate-limit headers', async () => {
    const t = await startTestEmulator({ plan: 'growth' });
    try {
      for (const [method, path] of [['GET', '/api/v2/persons'], ['GET', '/api/v2/persons/99'], ['GET', '/v1/activityTypes'], ['GET', '/api/v2/nope']]) {
        const r = await t.call(method, path);
        for (const h of ['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset', 'x-daily-ratelimit-token-limit', 'x-daily-ratelimit-token-remaining']) {
          assert.ok(r.headers.get(h) !== null, `${h} on ${path} (${r.status})`);
        }
      }
    } finally {
      await t.emu.close();
    }
  });

  test('after 3 ignored 429s the token gets an HTML 403; a client that waits is never blocked', async () => {
    const t = await startTestEmulator({ plan: 'lite', blockMs: 60_000 });
    try {
      for (let i = 0; i < 20; i++) await t.call('GET', '/v1/users/me');
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await t.call('GET', '/v1/users/me')).status);
      assert.deepEqual(statuses, [429, 429, 429, 429, 403]);
      t.clock.advance(2_000); // window clear, but the block holds
      const blocked = await t.call('GET', '/v1/users/me');
      assert.equal(blocked.status, 403);
      assert.match(blocked.headers.get('content-type') ?? '', /text\/html/);
      assert.match(blocked.text, /Cloudflare/);
      assert.equal(blocked.body, undefined, 'not JSON');
      t.clock.advance(60_000);
      assert.equal((await t.call('GET', '/v1/users/me')).status, 200, 'block lifts after blockMs');

      // Polite client: on 429 it waits x-ratelimit-reset seconds before the next request.
      t.emu.limits.reset();
      let blocks = 0;
      for (let i = 0; i < 100; i++) {
        const r = await t.call('GET', '/v1/users/me');
        if (r.status === 403) blocks++;
        if (r.status === 429) t.clock.advance(Number(r.headers.get('x-ratelimit-reset')) * 1000);
      }
      assert.equal(blocks, 0);
    } finally {
      await t.emu.close();
    }
  });

  test('401s, control-path calls and injected faults do not consume the window', async () => {
    const t = await startTestEmulator({ plan: 'lite' });
    try {
      for (let i = 0; i < 30; i++) assert.equal((await t.call('GET', '/v1/users/me', undefined, { token: 'bad' })).status, 401);
      for (let i = 0; i < 30; i++) await fetch(`${t.emu.url}/__emulator/health`);
      t.emu.faults.failNext({ path: '/v1/users/me', status: 503, count: 30 });
      for (let i = 0; i < 30; i++) assert.equal((await t.call('GET', '/v1/users/me')).status, 503);
      const r = await t.call('GET', '/v1/users/me');
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('x-ratelimit-remaining'), '19');
    } finally {
      await t.emu.close();
    }
  });
});
