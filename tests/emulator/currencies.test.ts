/**
 * @module tests/emulator/currencies.test
 * `GET /v1/currencies`: the company's currencies in the v1 shape, custom ones seeded in, `term` filtering by code or
 * name, and its 20-token cost from the OpenAPI table.
 */

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestEmulator, type TestEmulator } from './helpers';

let t: TestEmulator;
before(async () => {
  t = await startTestEmulator({ plan: 'lite' });
  t.emu.state.seed({ currencies: [{ code: 'PTS', name: 'Loyalty points', decimal_points: 0, symbol: 'pts' }] });
});
after(() => t.emu.close());

describe('GET /v1/currencies', () => {
  test('lists the company\'s currencies with decimal points, custom ones flagged', async () => {
    const r = await t.call('GET', '/v1/currencies');
    assert.equal(r.status, 200);
    assert.deepEqual(Object.keys(r.body), ['success', 'data']);
    const byCode = new Map(r.body.data.map((c: { code: string }) => [c.code, c]));
    assert.deepEqual(byCode.get('EUR'), { id: 15, code: 'EUR', name: 'Euro', decimal_points: 2, symbol: '€', active_flag: true, is_custom_flag: false });
    assert.equal((byCode.get('JPY') as { decimal_points: number }).decimal_points, 0);
    assert.deepEqual(byCode.get('PTS'), { id: 44, code: 'PTS', name: 'Loyalty points', decimal_points: 0, symbol: 'pts', active_flag: true, is_custom_flag: true });
  });

  test('term filters by code or name, case-insensitively', async () => {
    const codes = async (term: string) => (await t.call('GET', `/v1/currencies?term=${encodeURIComponent(term)}`)).body.data.map((c: { code: string }) => c.code);
    assert.deepEqual(await codes('eur'), ['EUR']);
    assert.deepEqual(await codes('krona'), ['ISK', 'SEK']);
    assert.deepEqual(await codes('zzz'), []);
    assert.equal((await t.call('GET', '/v1/currencies?code=EUR')).status, 400);
  });

  test('costs 20 tokens (x-token-cost), answered under /v1 and /api/v1', async () => {
    const before = Number((await t.call('GET', '/v1/users/me')).headers.get('x-daily-ratelimit-token-remaining'));
    const r = await t.call('GET', '/api/v1/currencies');
    assert.equal(Number(r.headers.get('x-daily-ratelimit-token-remaining')), before - 20);
  });
});
