/**
 * @module tests/emulator/v1.test
 * v1 where v2 has nothing: users (list, find, me), person/organization fields with label options and the
 * full-option-list PUT semantics, and activity types.
 */

import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { startTestEmulator, type TestEmulator } from './helpers';

let t: TestEmulator;
before(async () => {
  t = await startTestEmulator({ plan: 'ultimate', burstLimit: 100_000 });
});
beforeEach(() => t.emu.reset());
after(() => t.emu.close());

describe('users', () => {
  test('the default users include an active admin (the token owner), an inactive and a deleted user', async () => {
    const users = (await t.call('GET', '/v1/users')).body.data;
    const admin = users.find((u: { is_you: boolean }) => u.is_you);
    assert.equal(admin.email, 'ada.admin@example.com');
    assert.equal(admin.active_flag, true);
    assert.ok(admin.access.some((a: { app: string; admin: boolean }) => a.app === 'global' && a.admin));
    assert.match(admin.created, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    assert.ok(users.some((u: { active_flag: boolean; is_deleted: boolean }) => !u.active_flag && !u.is_deleted));
    assert.ok(users.some((u: { is_deleted: boolean }) => u.is_deleted));
  });

  test('find by email (search_by_email=1), by name, and data:null when nothing matches', async () => {
    const byEmail = (await t.call('GET', '/v1/users/find?term=SAM.SELLER@example.com&search_by_email=1')).body.data;
    assert.deepEqual(byEmail.map((u: { id: number }) => u.id), [2]);
    const byName = (await t.call('GET', '/v1/users/find?term=ivy')).body.data;
    assert.deepEqual(byName.map((u: { name: string }) => u.name), ['Ivy Inactive']);
    assert.equal((await t.call('GET', '/v1/users/find?term=sam.seller@example.com')).body.data, null, 'emails are not matched without search_by_email');
    assert.equal((await t.call('GET', '/v1/users/find?term=zzz&search_by_email=1')).body.data, null);
  });

  test('/users/me answers for the token user, with company info, under /v1 and /api/v1', async () => {
    t.emu.state.addUser({ id: 9, name: 'Token Two', email: 'two@example.com', apiToken: 'token-two' });
    for (const prefix of ['/v1', '/api/v1']) {
      const me = (await t.call('GET', `${prefix}/users/me`, undefined, { token: 'token-two' })).body.data;
      assert.equal(me.id, 9);
      assert.equal(me.is_you, true);
      assert.equal(me.company_domain, 'emulated');
      assert.deepEqual(me.language, { language_code: 'en', country_code: 'US' });
    }
  });

  test('seeded users replace defaults by id', async () => {
    t.emu.state.seed({ users: [{ id: 2, name: 'Renamed Seller', email: 'renamed@example.com' }] });
    assert.equal((await t.call('GET', '/v1/users/2')).body.data.email, 'renamed@example.com');
  });
});

describe('fields and labels', () => {
  test('personFields and organizationFields include label_ids with the four default options', async () => {
    for (const [path, ids] of [['/v1/personFields', [1, 2, 3, 4]], ['/v1/organizationFields', [5, 6, 7, 8]]] as const) {
      const fields = (await t.call('GET', path)).body;
      const labels = fields.data.find((f: { key: string }) => f.key === 'label_ids');
      assert.equal(labels.field_type, 'set');
      assert.deepEqual(labels.options, [
        { id: ids[0], label: 'Customer', color: 'green' }, { id: ids[1], label: 'Hot lead', color: 'red' },
        { id: ids[2], label: 'Warm lead', color: 'yellow' }, { id: ids[3], label: 'Cold lead', color: 'blue' },
      ]);
      assert.equal(fields.additional_data.pagination.more_items_in_collection, false);
    }
  });

  test('fields paginate with start/limit', async () => {
    const page = (await t.call('GET', '/v1/personFields?start=0&limit=5')).body;
    assert.equal(page.data.length, 5);
    assert.deepEqual(page.additional_data.pagination, { start: 0, limit: 5, more_items_in_collection: true, next_start: 5 });
    const rest = (await t.call('GET', '/v1/personFields?start=5&limit=100')).body;
    assert.deepEqual(rest.data.map((f: { key: string }) => f.key).slice(0, 2), ['org_id', 'owner_id']);
    assert.equal(rest.additional_data.pagination.more_items_in_collection, false);
  });

  test('PUT with the full option list: new options get ids, left-out options are dropped from the field and from persons', async () => {
    t.emu.state.seed({ persons: [{ id: 1, name: 'Labelled', label_ids: [1, 2] }] });
    const res = await t.call('PUT', '/v1/personFields/9005', {
      options: [{ id: 1, label: 'Customer' }, { id: 3, label: 'Warm lead' }, { id: 4, label: 'Cold lead' }, { label: 'Warm Lead (sync)', color: 'yellow' }],
    });
    assert.equal(res.status, 200);
    const options = res.body.data.options as { id: number; label: string }[];
    assert.deepEqual(options.map((o) => o.label), ['Customer', 'Warm lead', 'Cold lead', 'Warm Lead (sync)']);
    const newId = options[3].id;
    assert.ok(newId > 11, 'fresh id, never reused');
    assert.deepEqual(res.body.data.options_deleted.map((o: { id: number }) => o.id), [2]);
    assert.deepEqual(t.emu.state.persons.get(1)!.label_ids, [1], 'the dropped label left the person');

    const labelField = (await t.call('GET', '/v1/personFields/9004')).body.data;
    assert.equal(labelField.key, 'label');
    assert.deepEqual(labelField.options.map((o: { id: number }) => o.id), [1, 3, 4, newId], 'label and label_ids share options');

    assert.equal((await t.call('PATCH', '/api/v2/persons/1', { label_ids: [newId] })).status, 200);
    assert.equal((await t.call('PATCH', '/api/v2/persons/1', { label_ids: [2] })).status, 400, 'a dropped option is no longer valid');
  });

  test('organization labels are their own list', async () => {
    const res = await t.call('PUT', '/v1/organizationFields/4003', { options: [{ id: 7, label: 'Warm lead' }] });
    assert.deepEqual(res.body.data.options.map((o: { id: number }) => o.id), [7]);
    assert.equal((await t.call('POST', '/api/v2/organizations', { name: 'X', label_ids: [5] })).status, 400);
    assert.equal((await t.call('POST', '/api/v2/organizations', { name: 'X', label_ids: [7] })).status, 200);
    assert.equal((await t.call('POST', '/api/v2/persons', { name: 'X', label_ids: [2] })).status, 200, 'person labels untouched');
  });
});

describe('activity types', () => {
  test('the six defaults, and activities accept only active types', async () => {
    const types = (await t.call('GET', '/v1/activityTypes')).body.data;
    assert.deepEqual(types.map((x: { key_string: string }) => x.key_string), ['call', 'meeting', 'task', 'deadline', 'email', 'lunch']);
    assert.ok(types.every((x: { active_flag: boolean }) => x.active_flag));
    t.emu.state.activityTypes[5].active_flag = false;
    assert.equal((await t.call('POST', '/api/v2/activities', { subject: 'x', type: 'lunch' })).status, 400);
    assert.equal((await t.call('POST', '/api/v2/activities', { subject: 'x', type: 'email' })).status, 200);
  });
});
