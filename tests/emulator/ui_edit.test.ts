/**
 * @module tests/emulator/ui_edit.test
 * Edits "made in the Pipedrive UI" (`emulator.editInUi`, `POST /__emulator/edit`) and the change feed, one test per
 * rule: the edit moves `update_time`, costs no tokens, is journaled as `UI`/`app`; it follows the PATCH field rules
 * but may clear fields and edit archived deals; refusals carry the API's status; the control route keeps the
 * control path's access rules; every API and UI write reaches `emulator.changes` with its `change_source` and only
 * the changed fields in `previous`.
 */

import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { UiEditError, type RecordChange } from '../../js/emulator';
import { startTestEmulator, type TestEmulator } from './helpers';

let t: TestEmulator;
let changes: RecordChange[] = [];
before(async () => {
  t = await startTestEmulator({ plan: 'growth', burstLimit: 100_000 });
  t.emu.changes.subscribe((c) => changes.push(c));
});
beforeEach(() => {
  t.emu.reset();
  changes = [];
  t.clock.t = Date.UTC(2026, 2, 10, 12, 0, 0);
  t.emu.state.seed({
    organizations: [{ id: 1, name: 'Acme' }],
    persons: [{ id: 1, name: 'Jane Smith', org_id: 1, emails: [{ value: 'jane@acme.test', primary: true, label: 'work' }] }],
    deals: [{ id: 1, title: 'Archived', is_archived: true }, { id: 2, title: 'Open' }],
    activities: [{ id: 1, subject: 'Call', due_time: '10:00:00' }],
  });
});
after(() => t.emu.close());

function control(path: string, body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }): Promise<Response> {
  return fetch(`${t.emu.url}/__emulator${path}`, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
}

describe('editInUi', () => {
  test('applies the change, moves update_time (not add_time) and returns the record as the API serves it', async () => {
    t.clock.advance(4_000);
    const record = t.emu.editInUi({ entity: 'person', id: 1, fields: { name: 'Janet Smith' } }) as Record<string, unknown>;
    assert.equal(record.name, 'Janet Smith');
    assert.equal(record.first_name, 'Janet');
    assert.equal(record.update_time, '2026-03-10T12:00:04Z');
    assert.equal(record.add_time, '2026-03-10T12:00:00Z');
    assert.deepEqual((await t.call('GET', '/api/v2/persons/1')).body.data, record);
  });

  test('is journaled as method UI, source app, with the record path and fields; no tokens are spent', () => {
    const before = t.emu.limits.snapshot();
    t.emu.editInUi({ entity: 'deal', id: 2, fields: { title: 'Renamed' }, userId: 2 });
    const entries = t.emu.journal.entries();
    assert.deepEqual(entries, [{ method: 'UI', path: '/api/v2/deals/2', query: {}, body: { title: 'Renamed' }, status: 200, time: t.clock.t, userId: 2, source: 'app' }]);
    assert.deepEqual(t.emu.limits.snapshot(), before);
  });

  test('a user may clear a field the API refuses to null, and may edit an archived deal', async () => {
    assert.equal((await t.call('PATCH', '/api/v2/persons/1', { org_id: null })).status, 400);
    assert.equal((t.emu.editInUi({ entity: 'person', id: 1, fields: { org_id: null } }) as { org_id: unknown }).org_id, null);
    assert.equal((t.emu.editInUi({ entity: 'activity', id: 1, fields: { due_time: null } }) as { due_time: unknown }).due_time, null);
    assert.equal((await t.call('PATCH', '/api/v2/deals/1', { title: 'x' })).status, 400);
    assert.equal((t.emu.editInUi({ entity: 'deal', id: 1, fields: { title: 'Edited in the app' } }) as { title: string }).title, 'Edited in the app');
  });

  test('follows the field rules otherwise: refusals throw UiEditError with the API status, are journaled and change nothing', () => {
    const before = JSON.stringify(t.emu.state.snapshot());
    const cases: [Parameters<typeof t.emu.editInUi>[0], number][] = [
      [{ entity: 'person', id: 1, fields: { nickname: 'J' } }, 400],
      [{ entity: 'person', id: 1, fields: { update_time: '2020-01-01T00:00:00Z' } }, 400],
      [{ entity: 'person', id: 1, fields: { visible_to: 7 } }, 403],
      [{ entity: 'deal', id: 2, fields: { lost_reason: 'x' } }, 400],
      [{ entity: 'person', id: 99, fields: { name: 'x' } }, 404],
      [{ entity: 'person', id: 1, fields: { name: 'x' }, userId: 3 }, 404],
    ];
    for (const [edit, status] of cases) {
      assert.throws(() => t.emu.editInUi(edit), (e: unknown) => e instanceof UiEditError && e.status === status, JSON.stringify(edit));
    }
    assert.equal(JSON.stringify(t.emu.state.snapshot()), before);
    assert.deepEqual(t.emu.journal.map((e) => [e.method, e.status]), cases.map(([, s]) => ['UI', s]));
  });

  test('POST /__emulator/edit does the same over HTTP and answers the refusal status', async () => {
    t.clock.advance(2_000);
    const r = await control('/edit', { entity: 'organization', id: 1, fields: { name: 'Acme Ltd', address: { value: '1 Main St' } } });
    assert.equal(r.status, 200);
    const body = await r.json();
    assert.equal(body.ok, true);
    assert.equal(body.record.name, 'Acme Ltd');
    assert.equal(body.record.update_time, '2026-03-10T12:00:02Z');
    assert.equal(t.emu.journal.last()!.source, 'app');
    const missing = await control('/edit', { entity: 'deal', id: 77, fields: { title: 'x' } });
    assert.equal(missing.status, 404);
    assert.deepEqual(await missing.json(), { ok: false, error: 'Deal not found' });
    assert.equal((await control('/edit', { entity: 'person', id: 1, fields: { visible_to: 5 } })).status, 403);
  });

  test('POST /__emulator/edit keeps the control path rules: JSON only, no foreign Origin, strict body', async () => {
    const edit = { entity: 'person', id: 1, fields: { name: 'X' } };
    assert.equal((await control('/edit', JSON.stringify(edit), { 'content-type': 'text/plain' })).status, 415);
    assert.equal((await control('/edit', edit, { 'content-type': 'application/json', origin: 'http://evil.example' })).status, 403);
    for (const body of [{ ...edit, extra: 1 }, { ...edit, entity: 'lead' }, { ...edit, id: 0 }, { ...edit, fields: [] }, { entity: 'person', id: 1 }]) {
      const r = await control('/edit', body);
      assert.equal(r.status, 400, JSON.stringify(body));
    }
    assert.equal(t.emu.state.persons.get(1)!.name, 'Jane Smith');
  });

  test('an edit that changes nothing moves nothing and announces nothing', () => {
    t.clock.advance(9_000);
    t.emu.editInUi({ entity: 'person', id: 1, fields: { name: 'Jane Smith' } });
    assert.equal(t.emu.state.persons.get(1)!.update_time, '2026-03-10T12:00:00Z');
    assert.deepEqual(changes, []);
  });
});

describe('the change feed (the hook point for webhooks)', () => {
  test('a UI edit is a change with change_source app; an API PATCH one with change_source api; previous holds only the changed fields', async () => {
    t.clock.advance(1_000);
    t.emu.editInUi({ entity: 'person', id: 1, fields: { name: 'Janet Smith' } });
    await t.call('PATCH', '/api/v2/persons/1', { emails: [{ value: 'janet@acme.test' }] });
    assert.deepEqual(changes.map((c) => [c.action, c.entity, c.entity_id, c.change_source, c.user_id]), [['change', 'person', 1, 'app', 1], ['change', 'person', 1, 'api', 1]]);
    assert.deepEqual(changes[0].previous, { name: 'Jane Smith', first_name: 'Jane', update_time: '2026-03-10T12:00:00Z' });
    assert.deepEqual(Object.keys(changes[1].previous!), ['emails']);
    assert.equal(changes[0].data!.name, 'Janet Smith');
    assert.equal(changes[0].timestamp, t.clock.t);
  });

  test('API creates and deletes are announced too; a refused write is not', async () => {
    const id = (await t.call('POST', '/api/v2/deals', { title: 'New' })).body.data.id;
    await t.call('PATCH', `/api/v2/deals/${id}`, { value: 'ten' });
    await t.call('DELETE', `/api/v2/deals/${id}`);
    assert.deepEqual(changes.map((c) => [c.action, c.change_source, c.previous === null, c.data === null]), [['create', 'api', true, false], ['delete', 'api', false, true]]);
    assert.equal(changes[1].previous!.title, 'New');
  });
});
