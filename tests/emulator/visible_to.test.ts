/**
 * @module tests/emulator/visible_to.test
 * `visible_to` per plan (UPDATES-FACTS §1.7): Lite and Growth allow 1 and 3, Premium and Ultimate 1, 3, 5 and 7;
 * any other value answers 403 on persons, organizations and deals, on create and update, changing nothing; a
 * mistyped value is still a 400.
 */

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { VISIBLE_TO_BY_PLAN } from '../../js/emulator';
import { startTestEmulator, type TestEmulator } from './helpers';

const emulators: Record<string, TestEmulator> = {};
before(async () => {
  for (const plan of ['lite', 'growth', 'premium', 'ultimate']) {
    emulators[plan] = await startTestEmulator({ plan, burstLimit: 100_000 });
    emulators[plan].emu.state.seed({ persons: [{ id: 1, name: 'P' }], organizations: [{ id: 1, name: 'O' }], deals: [{ id: 1, title: 'D' }] });
  }
});
after(async () => {
  for (const t of Object.values(emulators)) await t.emu.close();
});

const ENTITIES = ['persons', 'organizations', 'deals'];
const create = (entity: string, visible_to: unknown) => ({ ...(entity === 'deals' ? { title: 'X' } : { name: 'X' }), visible_to });

describe('visible_to per plan', () => {
  test('Lite and Growth accept 1 and 3 and answer 403 for 5 and 7', async () => {
    for (const plan of ['lite', 'growth']) {
      const t = emulators[plan];
      for (const entity of ENTITIES) {
        for (const v of [1, 3]) assert.equal((await t.call('PATCH', `/api/v2/${entity}/1`, { visible_to: v })).status, 200, `${plan} ${entity} ${v}`);
        for (const v of [5, 7]) {
          for (const [method, path, body] of [['PATCH', `/api/v2/${entity}/1`, { visible_to: v }], ['POST', `/api/v2/${entity}`, create(entity, v)]] as const) {
            const before = JSON.stringify(t.emu.state.snapshot());
            const r = await t.call(method, path, body);
            assert.equal(r.status, 403, `${plan} ${method} ${entity} ${v}: ${r.text}`);
            assert.equal(r.body.success, false);
            assert.match(r.body.error, new RegExp(`not available on the ${plan} plan`));
            assert.equal(JSON.stringify(t.emu.state.snapshot()), before, 'nothing changed');
          }
        }
      }
    }
  });

  test('Premium and Ultimate accept 1, 3, 5 and 7', async () => {
    for (const plan of ['premium', 'ultimate']) {
      for (const entity of ENTITIES) {
        for (const v of [1, 3, 5, 7]) {
          const r = await emulators[plan].call('PATCH', `/api/v2/${entity}/1`, { visible_to: v });
          assert.equal(r.status, 200, `${plan} ${entity} ${v}: ${r.text}`);
          assert.equal(r.body.data.visible_to, v);
        }
      }
    }
    assert.deepEqual(VISIBLE_TO_BY_PLAN, { lite: [1, 3], growth: [1, 3], premium: [1, 3, 5, 7], ultimate: [1, 3, 5, 7] });
  });

  test('a value no plan has is a 403 too; a mistyped one is a 400', async () => {
    const t = emulators.ultimate;
    assert.equal((await t.call('PATCH', '/api/v2/persons/1', { visible_to: 2 })).status, 403);
    const typed = await t.call('PATCH', '/api/v2/persons/1', { visible_to: '3' });
    assert.equal(typed.status, 400);
    assert.equal(typed.body.code, 'ERR_SCHEMA_VALIDATION_FAILED');
  });
});
