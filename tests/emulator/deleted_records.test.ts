/**
 * @module tests/emulator/deleted_records.test
 * Missing and deleted records (UPDATES-FACTS §1.11, §3): `ids=` (up to 100) leaves missing, deleted and archived ids
 * out without an error; a single GET of a deleted record is 404 (`not-found`, the default) or, with
 * `deletedReads: 'is-deleted'`, 200 with `is_deleted: true` until the 30-day purge and 404 after; PATCH and DELETE
 * of a deleted record are 404 either way; the mode is switchable over the control path and restored by `reset()`.
 * The `ids=` behaviour was already served by `routes/listing.ts` (checked, unchanged); its tests pin it.
 */

import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { startTestEmulator, type TestEmulator } from './helpers';

let t: TestEmulator;
before(async () => {
  t = await startTestEmulator({ plan: 'ultimate', burstLimit: 100_000 });
});
beforeEach(async () => {
  t.emu.reset();
  t.clock.t = Date.UTC(2026, 2, 10, 12, 0, 0);
  t.emu.state.seed({
    persons: [1, 2, 3, 4].map((id) => ({ id, name: `P${id}` })),
    organizations: [{ id: 1, name: 'O1' }, { id: 2, name: 'O2' }],
    deals: [{ id: 1, title: 'D1' }, { id: 2, title: 'D2', is_archived: true }, { id: 3, title: 'D3' }],
    activities: [{ id: 1, subject: 'A1' }, { id: 2, subject: 'A2' }],
  });
  for (const path of ['/api/v2/persons/2', '/api/v2/organizations/2', '/api/v2/deals/3', '/api/v2/activities/2']) await t.call('DELETE', path);
});
after(() => t.emu.close());

const ids = async (path: string): Promise<number[]> => (await t.call('GET', path)).body.data.map((r: { id: number }) => r.id);

describe('ids= lists', () => {
  test('missing and deleted ids are left out silently, on every entity', async () => {
    assert.deepEqual(await ids('/api/v2/persons?ids=4,2,99,1'), [1, 4]);
    assert.deepEqual(await ids('/api/v2/organizations?ids=2,1,50'), [1]);
    assert.deepEqual(await ids('/api/v2/activities?ids=1,2,3'), [1]);
    assert.deepEqual(await ids('/api/v2/deals?ids=1,2,3,4'), [1], 'archived and deleted deals are not in the list');
  });

  test('up to 100 ids; 101 is a 400', async () => {
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1).join(',');
    assert.deepEqual(await ids(`/api/v2/persons?ids=${hundred}`), [1, 3, 4]);
    assert.equal((await t.call('GET', `/api/v2/persons?ids=${hundred},101`)).status, 400);
  });
});

describe('single reads of deleted records', () => {
  test('by default a GET of a deleted record is 404, like a missing one', async () => {
    for (const [path, noun] of [['/api/v2/persons/2', 'Person'], ['/api/v2/organizations/2', 'Organization'], ['/api/v2/deals/3', 'Deal'], ['/api/v2/activities/2', 'Activity']]) {
      const r = await t.call('GET', path);
      assert.equal(r.status, 404, path);
      assert.deepEqual(r.body, { success: false, error: `${noun} not found`, code: 'ERR_NOT_FOUND' });
    }
  });

  test('with deletedReads is-deleted, GET answers 200 with is_deleted: true until 30 days after the delete, then 404', async () => {
    t.emu.state.deletedReads = 'is-deleted';
    const r = await t.call('GET', '/api/v2/persons/2');
    assert.equal(r.status, 200);
    assert.equal(r.body.data.is_deleted, true);
    assert.equal(r.body.data.update_time, '2026-03-10T12:00:00Z', 'the delete time');
    assert.equal((await t.call('PATCH', '/api/v2/persons/2', { name: 'x' })).status, 404, 'still not editable');
    assert.equal((await t.call('DELETE', '/api/v2/persons/2')).status, 404);
    t.clock.advance(30 * 86_400_000);
    assert.equal((await t.call('GET', '/api/v2/persons/2')).status, 404, 'purged');
  });

  test('the mode is set over the control path, and reset() restores the start-up value', async () => {
    const set = await fetch(`${t.emu.url}/__emulator/deleted-reads`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ mode: 'is-deleted' }) });
    assert.deepEqual(await set.json(), { ok: true, deletedReads: 'is-deleted' });
    assert.equal((await t.call('GET', '/api/v2/deals/3')).status, 200);
    const bad = await fetch(`${t.emu.url}/__emulator/deleted-reads`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ mode: 'gone' }) });
    assert.equal(bad.status, 400);
    t.emu.reset();
    assert.equal(t.emu.state.deletedReads, 'not-found');
    assert.deepEqual(await (await fetch(`${t.emu.url}/__emulator/deleted-reads`)).json(), { ok: true, deletedReads: 'not-found' });
  });
});
