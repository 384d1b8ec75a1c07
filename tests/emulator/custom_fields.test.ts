/**
 * @module tests/emulator/custom_fields.test
 * `custom_fields` in v2 (UPDATES-FACTS §1.3), one test per rule: seeded fields appear in the v1 field lists and in
 * every response (`null` when unset); a PATCH with a subset of keys keeps the others; `null` clears; a `set` field
 * refuses `[]`; each type takes its REST v2 shape only; keys of other entities or unknown keys are refused; an
 * option deleted through the fields API leaves the records.
 */

import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { startTestEmulator, type TestEmulator } from './helpers';

const BUDGET = 'b'.repeat(40);
const TIER = 'c'.repeat(40);
const TAGS = 'd'.repeat(40);
const NOTE = 'e'.repeat(40);
const START = 'f'.repeat(40);
const HQ = '0'.repeat(40);
const MANAGER = '1'.repeat(40);
const DEAL_SOURCE = '2'.repeat(40);

let t: TestEmulator;
let tierGold: number;
let tierSilver: number;
let tagA: number;
let tagB: number;

before(async () => {
  t = await startTestEmulator({ plan: 'ultimate', burstLimit: 100_000 });
});
beforeEach(() => {
  t.emu.reset();
  t.emu.state.seed({
    customFields: [
      { entity: 'person', name: 'Budget', field_type: 'monetary', key: BUDGET },
      { entity: 'person', name: 'Tier', field_type: 'enum', key: TIER, options: ['Gold', 'Silver'] },
      { entity: 'person', name: 'Tags', field_type: 'set', key: TAGS, options: ['A', 'B'] },
      { entity: 'person', name: 'Note', field_type: 'varchar', key: NOTE },
      { entity: 'person', name: 'Start', field_type: 'date', key: START },
      { entity: 'organization', name: 'HQ', field_type: 'address', key: HQ },
      { entity: 'organization', name: 'Account manager', field_type: 'user', key: MANAGER },
      { entity: 'deal', name: 'Source', field_type: 'varchar', key: DEAL_SOURCE },
    ],
    organizations: [{ id: 1, name: 'Acme' }],
    persons: [{ id: 1, name: 'Jane Smith' }],
    deals: [{ id: 1, title: 'Deal' }],
  });
  const person = t.emu.state.fields.person;
  [tierGold, tierSilver] = person.find((f) => f.key === TIER)!.options!.map((o) => o.id);
  [tagA, tagB] = person.find((f) => f.key === TAGS)!.options!.map((o) => o.id);
});
after(() => t.emu.close());

const patchPerson = (custom: Record<string, unknown>) => t.call('PATCH', '/api/v2/persons/1', { custom_fields: custom });

describe('custom fields', () => {
  test('seeded fields are listed in the v1 field lists with their hash keys, types and options', async () => {
    const fields = (await t.call('GET', '/v1/personFields')).body.data as { key: string; field_type: string; options?: { label: string }[]; edit_flag: boolean }[];
    const tier = fields.find((f) => f.key === TIER)!;
    assert.equal(tier.field_type, 'enum');
    assert.deepEqual(tier.options!.map((o) => o.label), ['Gold', 'Silver']);
    assert.equal(tier.edit_flag, true);
    assert.ok((await t.call('GET', '/v1/dealFields')).body.data.some((f: { key: string }) => f.key === DEAL_SOURCE));
  });

  test('responses carry every custom field of the entity, null when unset', async () => {
    const got = (await t.call('GET', '/api/v2/persons/1')).body.data;
    assert.deepEqual(got.custom_fields, { [BUDGET]: null, [TIER]: null, [TAGS]: null, [NOTE]: null, [START]: null });
    assert.deepEqual((await t.call('GET', '/api/v2/deals/1')).body.data.custom_fields, { [DEAL_SOURCE]: null });
  });

  test('a PATCH with a subset of keys changes those and keeps the others', async () => {
    await patchPerson({ [NOTE]: 'first', [TIER]: tierGold });
    const r = await patchPerson({ [TIER]: tierSilver });
    assert.equal(r.body.data.custom_fields[TIER], tierSilver);
    assert.equal(r.body.data.custom_fields[NOTE], 'first');
  });

  test('null clears a value', async () => {
    await patchPerson({ [NOTE]: 'x', [TAGS]: [tagA] });
    const r = await patchPerson({ [NOTE]: null, [TAGS]: null });
    assert.equal(r.body.data.custom_fields[NOTE], null);
    assert.equal(r.body.data.custom_fields[TAGS], null);
  });

  test('a multi-option field refuses [] (null clears it) and takes an array of its option ids', async () => {
    const empty = await patchPerson({ [TAGS]: [] });
    assert.equal(empty.status, 400);
    assert.match(empty.body.error, /use null to clear/);
    assert.deepEqual((await patchPerson({ [TAGS]: [tagB, tagA, tagB] })).body.data.custom_fields[TAGS], [tagB, tagA]);
    assert.equal((await patchPerson({ [TAGS]: [tierGold] })).status, 400, 'an option of another field');
  });

  test('each type takes its REST v2 shape only, without coercion', async () => {
    const good: [string, unknown, unknown][] = [
      [BUDGET, { value: 1200.5, currency: 'EUR' }, { value: 1200.5, currency: 'EUR' }],
      [BUDGET, { value: 3 }, { value: 3, currency: 'USD' }],
      [TIER, tierGold, tierGold],
      [START, '2026-04-01', '2026-04-01'],
      [NOTE, 'text', 'text'],
    ];
    for (const [key, value, stored] of good) {
      const r = await patchPerson({ [key]: value });
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.body.data.custom_fields[key], stored);
    }
    const bad: [string, unknown][] = [
      [BUDGET, 1200], [BUDGET, { value: '1200', currency: 'EUR' }], [BUDGET, { value: 1, currency: 'XXX' }], [BUDGET, { value: 1, cur: 'EUR' }],
      [TIER, 'Gold'], [TIER, 99_999], [START, '01/04/2026'], [NOTE, 5],
    ];
    for (const [key, value] of bad) {
      const r = await patchPerson({ [key]: value });
      assert.equal(r.status, 400, `${key} = ${JSON.stringify(value)}: ${r.text}`);
      assert.ok(r.body.error.includes(`custom_fields.${key}`), r.body.error);
    }
  });

  test('an address custom field is replaced whole; a user field takes an active user', async () => {
    const path = '/api/v2/organizations/1';
    await t.call('PATCH', path, { custom_fields: { [HQ]: { value: '1 Main St', country: 'GB' } } });
    const r = await t.call('PATCH', path, { custom_fields: { [HQ]: { value: '2 High St' } } });
    assert.equal(r.body.data.custom_fields[HQ].value, '2 High St');
    assert.equal(r.body.data.custom_fields[HQ].country, null);
    assert.equal((await t.call('PATCH', path, { custom_fields: { [HQ]: { country: 'GB' } } })).status, 400);
    assert.equal((await t.call('PATCH', path, { custom_fields: { [MANAGER]: 2 } })).status, 200);
    assert.equal((await t.call('PATCH', path, { custom_fields: { [MANAGER]: 3 } })).status, 400, 'user 3 is inactive');
  });

  test('unknown keys and keys of another entity are refused', async () => {
    for (const key of ['9'.repeat(40), DEAL_SOURCE]) {
      const r = await patchPerson({ [key]: 'x' });
      assert.equal(r.status, 400);
      assert.match(r.body.error, new RegExp(`'custom_fields\\.${key}' is not a custom field`));
    }
    assert.equal((await t.call('PATCH', '/api/v2/persons/1', { custom_fields: null })).status, 400, 'the object itself is not nullable on PATCH');
  });

  test('an option dropped through PUT /v1/personFields leaves the records that had it', async () => {
    await patchPerson({ [TIER]: tierGold, [TAGS]: [tagA, tagB] });
    const tier = t.emu.state.fields.person.find((f) => f.key === TIER)!;
    const tags = t.emu.state.fields.person.find((f) => f.key === TAGS)!;
    assert.equal((await t.call('PUT', `/v1/personFields/${tier.id}`, { options: [{ id: tierSilver, label: 'Silver' }] })).status, 200);
    assert.equal((await t.call('PUT', `/v1/personFields/${tags.id}`, { options: [{ id: tagB, label: 'B' }] })).status, 200);
    const got = (await t.call('GET', '/api/v2/persons/1')).body.data.custom_fields;
    assert.equal(got[TIER], null);
    assert.deepEqual(got[TAGS], [tagB]);
  });

  test('custom fields are written on create too', async () => {
    const r = await t.call('POST', '/api/v2/persons', { name: 'New', custom_fields: { [NOTE]: 'hello' } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.data.custom_fields[NOTE], 'hello');
  });
});
