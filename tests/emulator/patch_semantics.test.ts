/**
 * @module tests/emulator/patch_semantics.test
 * v2 PATCH with Pipedrive's semantics (UPDATES-FACTS §1), one test per rule: only the keys sent change, arrays and
 * address objects are replaced whole, `null` only where the entity allows it, read-only fields refused with the
 * recorded "not allowed" 400 in the v2 error envelope, `update_time` moving on every change (and only then) while
 * `add_time` never does, linked records stamped, and the organization `industry` option id. A few of these rules
 * were served before the record-updates work (only the keys sent change, lists and addresses replaced whole,
 * `update_time` stamped to the second); their tests pin them here next to the new ones.
 */

import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { startTestEmulator, type TestEmulator } from './helpers';

let t: TestEmulator;
before(async () => {
  t = await startTestEmulator({ plan: 'ultimate', burstLimit: 100_000 });
});
beforeEach(() => {
  t.emu.reset();
  t.clock.t = Date.UTC(2026, 2, 10, 12, 0, 0);
  t.emu.state.seed({
    organizations: [{ id: 1, name: 'Acme', address: { value: '1 Main St', country: 'GB', locality: 'London' }, label_ids: [5] }],
    persons: [{
      id: 1, name: 'Jane Smith', org_id: 1, label_ids: [1, 3],
      emails: [{ value: 'jane@acme.test', primary: true, label: 'work' }, { value: 'jane@home.test', primary: false, label: 'home' }],
      phones: [{ value: '+44 20 7946 0000', primary: true, label: 'work' }],
    }],
    deals: [{ id: 1, title: 'Renewal', person_id: 1, org_id: 1, value: 100, probability: 50 }],
    activities: [{ id: 1, subject: 'Call', participants: [{ person_id: 1, primary: true }], due_date: '2026-03-11', due_time: '10:00:00' }],
  });
  t.emu.state.seed({ persons: [{ id: 2, name: 'Ben Other' }, { id: 3, name: 'Cy Third' }] });
});
after(() => t.emu.close());

const patch = (entity: string, id: number, body: unknown) => t.call('PATCH', `/api/v2/${entity}/${id}`, body);

describe('only the keys sent change', () => {
  test('a person PATCH of name keeps emails, phones, org and labels, and re-derives first_name/last_name', async () => {
    const before = structuredClone(t.emu.state.persons.get(1)!);
    const r = await patch('persons', 1, { name: 'Janet Q Smith' });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual({ ...r.body.data, update_time: before.update_time }, { ...before, name: 'Janet Q Smith', first_name: 'Janet', last_name: 'Q Smith' });
  });
});

describe('arrays and nested objects are replaced whole', () => {
  test('person emails, phones and label_ids are replaced by the list sent; label_ids: [] clears the labels', async () => {
    const r = await patch('persons', 1, { emails: [{ value: 'new@acme.test' }], phones: [], label_ids: [4] });
    assert.deepEqual(r.body.data.emails, [{ value: 'new@acme.test', primary: true, label: 'work' }]);
    assert.deepEqual(r.body.data.phones, []);
    assert.deepEqual(r.body.data.label_ids, [4]);
    assert.deepEqual((await patch('persons', 1, { label_ids: [] })).body.data.label_ids, []);
  });

  test('an organization address is replaced whole: omitted subfields become null; a value is required', async () => {
    const r = await patch('organizations', 1, { address: { value: '2 High St', postal_code: 'N1 1AA' } });
    assert.equal(r.body.data.address.value, '2 High St');
    assert.equal(r.body.data.address.postal_code, 'N1 1AA');
    assert.equal(r.body.data.address.country, null, 'not merged with the old country');
    assert.equal(r.body.data.address.locality, null);
    const noValue = await patch('organizations', 1, { address: { country: 'US' } });
    assert.equal(noValue.status, 400);
    assert.match(noValue.body.error, /'address\.value' is required/);
  });

  test('activity participants are replaced whole and the primary one sets person_id; attendees are replaced too', async () => {
    const r = await patch('activities', 1, { participants: [{ person_id: 2 }, { person_id: 3, primary: true }] });
    assert.deepEqual(r.body.data.participants, [{ person_id: 2, primary: false }, { person_id: 3, primary: true }]);
    assert.equal(r.body.data.person_id, 3);
    await patch('activities', 1, { attendees: [{ email: 'a@x.test' }, { email: 'b@x.test' }] });
    await patch('activities', 1, { attendees: [{ email: 'c@x.test' }] });
    const got = await t.call('GET', '/api/v2/activities/1?include_fields=attendees');
    assert.deepEqual(got.body.data.attendees.map((a: { email: string }) => a.email), ['c@x.test']);
    assert.deepEqual((await patch('activities', 1, { participants: [] })).body.data.person_id, null);
  });
});

describe('null at top level (UPDATES-FACTS §1.4)', () => {
  test('deal probability, lost_reason and close_time take null; other deal fields refuse it', async () => {
    const r = await patch('deals', 1, { probability: null, lost_reason: null, close_time: null });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.data.probability, null);
    for (const field of ['expected_close_date', 'person_id', 'org_id', 'archive_time']) {
      const refused = await patch('deals', 1, { [field]: null });
      assert.equal(refused.status, 400, field);
      assert.match(refused.body.error, new RegExp(`'${field}' must not be null`));
    }
  });

  test('persons, organizations and activities refuse null for every top-level field (clearing that way is unverified)', async () => {
    for (const [entity, field] of [['persons', 'org_id'], ['persons', 'label_ids'], ['organizations', 'address'], ['organizations', 'website'], ['activities', 'due_time'], ['activities', 'deal_id'], ['activities', 'note']]) {
      const r = await patch(entity, 1, { [field]: null });
      assert.equal(r.status, 400, `${entity}.${field}: ${r.text}`);
      assert.equal(r.body.code, 'ERR_SCHEMA_VALIDATION_FAILED');
    }
    assert.equal(t.emu.state.persons.get(1)!.org_id, 1);
  });
});

describe('strict validation', () => {
  test('read-only and server fields get the recorded "not allowed" 400 on every entity', async () => {
    const cases: [string, string, unknown][] = [
      ['persons', 'add_time', '2020-01-01T00:00:00Z'], ['persons', 'update_time', '2020-01-01T00:00:00Z'], ['persons', 'id', 9],
      ['persons', 'picture_id', 1], ['persons', 'first_name', 'J'], ['persons', 'last_name', 'S'],
      ['organizations', 'add_time', '2020-01-01T00:00:00Z'], ['organizations', 'picture_id', 1], ['organizations', 'update_time', '2020-01-01T00:00:00Z'],
      ['deals', 'add_time', '2020-01-01T00:00:00Z'], ['deals', 'stage_change_time', '2020-01-01T00:00:00Z'], ['deals', 'creator_user_id', 1],
      ['deals', 'acv', 1], ['deals', 'origin', 'API'], ['deals', 'local_won_date', '2026-01-01'],
      ['activities', 'creator_user_id', 1], ['activities', 'marked_as_done_time', '2026-01-01T00:00:00Z'], ['activities', 'conference_meeting_url', 'x'],
      ['activities', 'custom_fields', {}],
    ];
    for (const [entity, field, value] of cases) {
      const r = await patch(entity, 1, { [field]: value });
      assert.equal(r.status, 400, `${entity}.${field}`);
      assert.equal(r.body.error, `Validation failed: ${field}: Parameter '${field}' is not allowed for this request`);
      assert.equal(r.body.code, 'ERR_SCHEMA_VALIDATION_FAILED');
    }
  });

  test('v2 errors use the v2 envelope: success, error and code only (no error_info, data or additional_data)', async () => {
    const wrongType = await patch('persons', 1, { name: 7 });
    assert.deepEqual(wrongType.body, { success: false, error: `Validation failed: 'name' must be a string, got number`, code: 'ERR_SCHEMA_VALIDATION_FAILED' });
    const missing = await t.call('GET', '/api/v2/persons/999');
    assert.deepEqual(missing.body, { success: false, error: 'Person not found', code: 'ERR_NOT_FOUND' });
    const v1 = await t.call('PUT', '/v1/personFields/9005', { options: 'x' });
    assert.equal(v1.body.error_info, 'Please check developers.pipedrive.com', 'v1 keeps its envelope');
  });

  test('wrong types are refused without coercion: a numeric string, a string boolean, a scalar for a list', async () => {
    const cases = [
      ['deals', { value: '100' }], ['activities', { done: 'true' }], ['persons', { label_ids: 3 }], ['organizations', { employee_count: 1.5 }],
      ['organizations', { annual_revenue: 1.5 }], // an integer per S-PHP's UpdateOrganizationRequestBody
    ] as const;
    for (const [entity, body] of cases) {
      const r = await patch(entity, 1, body);
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal(r.body.code, 'ERR_SCHEMA_VALIDATION_FAILED');
    }
  });
});

describe('timestamps', () => {
  test('update_time moves on every change, to the second, in RFC 3339; add_time never moves', async () => {
    const addTime = t.emu.state.deals.get(1)!.add_time;
    t.clock.advance(1_500);
    const first = (await patch('deals', 1, { title: 'Renewal 2026' })).body.data;
    assert.equal(first.update_time, '2026-03-10T12:00:01Z');
    t.clock.advance(800);
    const second = (await patch('deals', 1, { title: 'Renewal 2027' })).body.data;
    assert.equal(second.update_time, '2026-03-10T12:00:02Z');
    assert.equal(second.add_time, addTime);
    t.clock.advance(100);
    assert.equal((await patch('deals', 1, { title: 'Renewal 2028' })).body.data.update_time, '2026-03-10T12:00:02Z', 'same second, same stamp');
  });

  test('a PATCH that changes nothing leaves update_time where it was', async () => {
    t.clock.advance(5_000);
    const r = await patch('persons', 1, { name: 'Jane Smith', label_ids: [1, 3] });
    assert.equal(r.status, 200);
    assert.equal(r.body.data.update_time, '2026-03-10T12:00:00Z');
  });

  test('linking a deal or an activity to a person or an organization moves their update_time (not their fields)', async () => {
    t.clock.advance(7_000);
    const before = structuredClone(t.emu.state.persons.get(2)!);
    await t.call('POST', '/api/v2/deals', { title: 'Ben deal', person_id: 2, org_id: 1 });
    assert.equal(t.emu.state.persons.get(2)!.update_time, '2026-03-10T12:00:07Z');
    assert.equal(t.emu.state.organizations.get(1)!.update_time, '2026-03-10T12:00:07Z');
    assert.deepEqual({ ...t.emu.state.persons.get(2)!, update_time: before.update_time }, before);
    t.clock.advance(3_000);
    await patch('activities', 1, { participants: [{ person_id: 1, primary: true }, { person_id: 3 }] });
    assert.equal(t.emu.state.persons.get(3)!.update_time, '2026-03-10T12:00:10Z');
    assert.equal(t.emu.state.persons.get(1)!.update_time, '2026-03-10T12:00:00Z', 'an existing link is not a new one');
  });
});

describe('organization industry', () => {
  test('the industry field and its options are listed in /v1/organizationFields', async () => {
    const fields = (await t.call('GET', '/v1/organizationFields')).body.data;
    const industry = fields.find((f: { key: string }) => f.key === 'industry');
    assert.equal(industry.field_type, 'enum');
    assert.ok(industry.options.some((o: { label: string }) => o.label === 'Software'));
  });

  test('industry takes an option id of that field, on POST and PATCH, and refuses anything else', async () => {
    const software = t.emu.state.industryField()!.options!.find((o) => o.label === 'Software')!.id;
    const ok = await patch('organizations', 1, { industry: software });
    assert.equal(ok.status, 200, ok.text);
    assert.equal((await t.call('GET', '/api/v2/organizations/1?include_fields=industry')).body.data.industry, software);
    for (const [method, path, body] of [['PATCH', '/api/v2/organizations/1', { industry: 5 }], ['POST', '/api/v2/organizations', { name: 'X', industry: 9999 }]] as const) {
      const r = await t.call(method, path, body);
      assert.equal(r.status, 400, r.text);
      assert.match(r.body.error, /'industry' must be an option id of the organization field 'industry'/);
    }
    assert.equal((await patch('organizations', 1, { industry: 'Software' })).status, 400, 'a name is not an id');
  });

  test('an account without the built-in field refuses industry, and may have a custom Industry field instead', async () => {
    t.emu.state.seed({ industryOptions: null, customFields: [{ entity: 'organization', name: 'Industry', field_type: 'enum', options: ['Retail'] }] });
    const fields = (await t.call('GET', '/v1/organizationFields')).body.data as { key: string; name: string; options?: { id: number }[] }[];
    assert.equal(fields.some((f) => f.key === 'industry'), false);
    const custom = fields.find((f) => f.name === 'Industry')!;
    assert.equal((await patch('organizations', 1, { industry: 12 })).status, 400);
    const r = await patch('organizations', 1, { custom_fields: { [custom.key]: custom.options![0].id } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.data.custom_fields[custom.key], custom.options![0].id);
  });
});
