/**
 * @module tests/emulator/strictness.test
 * v2-style strictness, with bad inputs tried on every route: unknown and mistyped fields, non-boolean booleans,
 * bad dates and times, labels outside the field's options, `person_id` on activities, bad ids and query
 * parameters, and 401 for a missing or wrong token. Every 400 names the field, and changes nothing.
 */

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PERSON_ID_READ_ONLY } from '../../js/emulator/routes/activities';
import { startTestEmulator, type TestEmulator } from './helpers';

let t: TestEmulator;
before(async () => {
  t = await startTestEmulator({ plan: 'ultimate', burstLimit: 100_000, searchLimit: 100_000 });
  t.emu.state.seed({
    organizations: [{ id: 1, name: 'Acme' }],
    persons: [{ id: 1, name: 'Jane Smith', org_id: 1 }],
    deals: [{ id: 1, title: 'Deal' }],
    activities: [{ id: 1, subject: 'Call', participants: [{ person_id: 1, primary: true }] }],
  });
});
after(() => t.emu.close());

/** [route, body, field the message must name]. */
type BadBody = [string, unknown, string];

const bodies: Record<string, BadBody[]> = {
  persons: [
    ['name', { name: 42 }, 'name'],
    ['unknown field', { name: 'X', nickname: 'x' }, 'nickname'],
    ['emails as strings', { name: 'X', emails: ['x@y.test'] }, 'emails[0]'],
    ['primary as 1', { name: 'X', emails: [{ value: 'x@y.test', primary: 1 }] }, 'emails[0].primary'],
    ['label as boolean', { name: 'X', phones: [{ value: '1', label: true }] }, 'phones[0].label'],
    ['unknown label', { name: 'X', phones: [{ value: '1', label: 'fax' }] }, 'phones[0].label'],
    ['two primaries', { name: 'X', emails: [{ value: 'a', primary: true }, { value: 'b', primary: true }] }, 'emails'],
    ['label id not an option', { name: 'X', label_ids: [99] }, 'label_ids'],
    ['org label on a person', { name: 'X', label_ids: [5] }, 'label_ids'],
    ['label_ids as string', { name: 'X', label_ids: '3' }, 'label_ids'],
    ['visible_to as string', { name: 'X', visible_to: '3' }, 'visible_to'],
    ['owner_id as string', { name: 'X', owner_id: '1' }, 'owner_id'],
    ['inactive owner', { name: 'X', owner_id: 3 }, 'owner_id'],
    ['missing org', { name: 'X', org_id: 999 }, 'org_id'],
    ['add_time with millis', { name: 'X', add_time: '2026-01-01T10:00:00.000Z' }, 'add_time'],
    ['unknown custom field', { name: 'X', custom_fields: { abc: 1 } }, 'custom_fields.abc'],
    ['contact-sync field', { name: 'X', job_title: 'CEO' }, 'job_title'],
  ],
  organizations: [
    ['name', { name: ['Acme'] }, 'name'],
    ['unknown field', { name: 'X', country: 'GB' }, 'country'],
    ['address without value', { name: 'X', address: { country: 'GB' } }, 'address.value'],
    ['address unknown subfield', { name: 'X', address: { value: 'x', zip: '1' } }, 'address.zip'],
    ['address as string', { name: 'X', address: '1 Main St' }, 'address'],
    ['label id not an option', { name: 'X', label_ids: [1] }, 'label_ids'],
    ['employee_count as string', { name: 'X', employee_count: '10' }, 'employee_count'],
  ],
  activities: [
    ['unknown field', { subject: 'X', user_id: 1 }, 'user_id'],
    ['done as 1', { subject: 'X', done: 1 }, 'done'],
    ['done as "true"', { subject: 'X', done: 'true' }, 'done'],
    ['busy as 0', { subject: 'X', busy: 0 }, 'busy'],
    ['due_date format', { subject: 'X', due_date: '2026-3-1' }, 'due_date'],
    ['due_date impossible', { subject: 'X', due_date: '2026-02-30' }, 'due_date'],
    ['due_date as datetime', { subject: 'X', due_date: '2026-03-01T10:00:00Z' }, 'due_date'],
    ['due_time format', { subject: 'X', due_time: '25:00' }, 'due_time'],
    ['duration format', { subject: 'X', duration: '90 minutes' }, 'duration'],
    ['unknown type', { subject: 'X', type: 'webinar' }, 'type'],
    ['participant primary as 1', { subject: 'X', participants: [{ person_id: 1, primary: 1 }] }, 'participants[0].primary'],
    ['participant missing person', { subject: 'X', participants: [{ person_id: 999, primary: true }] }, 'participants[0].person_id'],
    ['missing deal', { subject: 'X', deal_id: 999 }, 'deal_id'],
  ],
  deals: [
    ['value as string', { title: 'X', value: '100' }, 'value'],
    ['unknown field', { title: 'X', amount: 100 }, 'amount'],
    ['status deleted', { title: 'X', status: 'deleted' }, 'status'],
    ['is_deleted', { title: 'X', is_deleted: true }, 'is_deleted'],
    ['expected_close_date format', { title: 'X', expected_close_date: '30/06/2026' }, 'expected_close_date'],
    ['label id not an option', { title: 'X', label_ids: [3] }, 'label_ids'],
    ['missing person', { title: 'X', person_id: 999 }, 'person_id'],
  ],
};

describe('bad bodies are rejected with a 400 naming the field, on POST and PATCH', () => {
  for (const [entity, list] of Object.entries(bodies)) {
    for (const [name, body, field] of list) {
      for (const [method, path] of [['POST', `/api/v2/${entity}`], ['PATCH', `/api/v2/${entity}/1`]]) {
        test(`${method} ${entity}: ${name}`, async () => {
          const before = JSON.stringify(t.emu.state.snapshot());
          const r = await t.call(method, path, body);
          assert.equal(r.status, 400, r.text);
          assert.equal(r.body.success, false);
          assert.ok(r.body.error.includes(`'${field}'`), `message names '${field}': ${r.body.error}`);
          assert.equal(JSON.stringify(t.emu.state.snapshot()), before, 'no side effect');
        });
      }
    }
  }
});

describe('specific rules', () => {
  test('person_id on an activity gives the real read-only 400, on create and update', async () => {
    for (const [method, path] of [['POST', '/api/v2/activities'], ['PATCH', '/api/v2/activities/1']]) {
      const r = await t.call(method, path, { subject: 'X', person_id: 1 });
      assert.equal(r.status, 400);
      assert.equal(r.body.error, PERSON_ID_READ_ONLY);
      assert.match(r.body.error, /Add a primary participant/);
    }
  });

  test('create requires name (or first and last name) for persons and orgs, title for deals', async () => {
    assert.match((await t.call('POST', '/api/v2/persons', { emails: [{ value: 'a@b.test' }] })).body.error, /'name' is required/);
    assert.equal((await t.call('POST', '/api/v2/persons', { first_name: 'Ann', last_name: 'Lee' })).body.data.name, 'Ann Lee');
    assert.match((await t.call('POST', '/api/v2/organizations', {})).body.error, /'name' is required/);
    assert.match((await t.call('POST', '/api/v2/deals', {})).body.error, /'title' is required/);
    assert.equal((await t.call('POST', '/api/v2/persons', { name: '   ' })).status, 400);
  });

  test('bodies must be JSON objects sent as application/json', async () => {
    assert.match((await t.call('POST', '/api/v2/persons', undefined, { raw: '{"name":' })).body.error, /not valid JSON/);
    assert.match((await t.call('POST', '/api/v2/persons', [{ name: 'x' }])).body.error, /JSON object/);
    const form = await t.call('POST', '/api/v2/persons', undefined, { raw: 'name=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(form.status, 400);
    assert.match(form.body.error, /only JSON/);
  });
});

/** [route, reason]: bad query strings and ids for every GET/DELETE route. */
const badQueries: [string, string, string][] = [
  ['GET', '/api/v2/persons?ids=1,abc', 'ids'],
  ['GET', `/api/v2/persons?ids=${Array.from({ length: 101 }, (_, i) => i + 1).join(',')}`, 'ids'],
  ['GET', '/api/v2/persons?updated_since=2026-01-01T10:00:00.123Z', 'updated_since'],
  ['GET', '/api/v2/persons?updated_since=2026-01-01%2010:00:00', 'updated_since'],
  ['GET', '/api/v2/persons?limit=501', 'limit'],
  ['GET', '/api/v2/persons?cursor=garbage', 'cursor'],
  ['GET', '/api/v2/persons?owner_id=me', 'owner_id'],
  ['GET', '/api/v2/persons?filter_id=1', 'filter_id'],
  ['GET', '/api/v2/persons?include_fields=open_deals_count', 'include_fields'],
  ['GET', '/api/v2/persons/1?foo=bar', 'foo'],
  ['GET', '/api/v2/organizations?sort_direction=up', 'sort_direction'],
  ['GET', '/api/v2/organizations/1?include_fields=nope', 'include_fields'],
  ['GET', '/api/v2/activities?done=1', 'done'],
  ['GET', '/api/v2/activities?updated_until=yesterday', 'updated_until'],
  ['GET', '/api/v2/activities?sort_by=subject', 'sort_by'],
  ['GET', '/api/v2/deals?status=closed', 'status'],
  ['GET', '/api/v2/deals?person_id=1.5', 'person_id'],
  ['GET', '/api/v2/persons/search', 'term'],
  ['GET', '/api/v2/persons/search?term=a', 'term'],
  ['GET', '/api/v2/persons/search?term=ab&fields=title', 'fields'],
  ['GET', '/api/v2/persons/search?term=ab&exact_match=yes', 'exact_match'],
  ['GET', '/api/v2/organizations/search?term=ab&fields=email', 'fields'],
  ['GET', '/api/v2/organizations/search?term=ab&cursor=zzz', 'cursor'],
  ['GET', '/v1/users/find?term=a&search_by_email=true', 'search_by_email'],
  ['GET', '/v1/users?limit=5', 'limit'],
  ['GET', '/v1/personFields?start=-1', 'start'],
  ['GET', '/v1/activityTypes?x=1', 'x'],
  ['GET', '/api/v2/persons/1x', 'id'],
  ['DELETE', '/api/v2/deals/abc', 'id'],
  ['PATCH', '/api/v2/organizations/-1', 'id'],
];

describe('bad query parameters and ids are rejected with a 400 naming them', () => {
  for (const [method, path, field] of badQueries) {
    test(`${method} ${path.slice(0, 70)}`, async () => {
      const r = await t.call(method, path, method === 'PATCH' ? {} : undefined);
      assert.equal(r.status, 400, r.text);
      assert.ok(r.body.error.includes(`'${field}'`), `message names '${field}': ${r.body.error}`);
    });
  }
});

describe('v1 field updates', () => {
  test('bad PUT /v1/personFields bodies', async () => {
    for (const [body, field] of [
      [{ options: 'Warm' }, 'options'],
      [{ options: [{ id: 1 }] }, 'options[0].label'],
      [{ options: [{ label: 'x', colour: 'red' }] }, 'options[0].colour'],
      [{ options: [{ id: 1234, label: 'x' }] }, 'options'],
      [{ add_visible_flag: 'yes' }, 'add_visible_flag'],
    ] as [unknown, string][]) {
      const r = await t.call('PUT', '/v1/personFields/9005', body);
      assert.equal(r.status, 400, r.text);
      assert.ok(r.body.error.includes(`'${field}'`), r.body.error);
    }
    assert.equal((await t.call('PUT', '/v1/personFields/9001', { name: 'Full name' })).status, 403, 'system fields are not editable');
    assert.equal((await t.call('PUT', '/v1/personFields/123', { name: 'x' })).status, 404);
  });
});

describe('authentication', () => {
  const routes = [
    ['GET', '/api/v2/persons'], ['POST', '/api/v2/persons'], ['GET', '/api/v2/persons/1'], ['PATCH', '/api/v2/persons/1'], ['DELETE', '/api/v2/persons/1'],
    ['GET', '/api/v2/persons/search?term=jane'], ['GET', '/api/v2/organizations'], ['GET', '/api/v2/organizations/search?term=acme'],
    ['GET', '/api/v2/activities'], ['GET', '/api/v2/deals'], ['GET', '/v1/users'], ['GET', '/v1/users/find?term=a'], ['GET', '/api/v1/users/me'],
    ['GET', '/v1/personFields'], ['PUT', '/v1/personFields/9005'], ['GET', '/v1/organizationFields'], ['GET', '/v1/activityTypes'],
  ];
  for (const [method, path] of routes) {
    test(`${method} ${path}: missing or wrong x-api-token gives the 401 envelope`, async () => {
      for (const token of [null, 'wrong-token', '']) {
        const r = await t.call(method, path, method === 'GET' || method === 'DELETE' ? undefined : { name: 'x' }, { token });
        assert.equal(r.status, 401);
        assert.deepEqual(r.body, { success: false, error: 'unauthorized access', errorCode: 401, error_info: 'Please check developers.pipedrive.com', data: null, additional_data: null });
      }
    });
  }

  test('tokens of inactive or deleted users are refused', async () => {
    t.emu.state.addUser({ id: 3, name: 'Ivy Inactive', email: 'ivy.inactive@example.com', active_flag: false, apiToken: 'ivy-token' });
    assert.equal((await t.call('GET', '/v1/users/me', undefined, { token: 'ivy-token' })).status, 401);
  });

  test('unknown paths give 404 and wrong methods 405, after auth', async () => {
    assert.equal((await t.call('GET', '/api/v2/widgets')).status, 404);
    assert.equal((await t.call('PUT', '/api/v2/persons/1', { name: 'x' })).status, 405);
    assert.equal((await t.call('GET', '/api/v2/widgets', undefined, { token: null })).status, 401);
  });
});
