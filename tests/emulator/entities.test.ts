/**
 * @module tests/emulator/entities.test
 * Behaviour of the v2 entities and search: timestamps, soft delete, list filters, cursors, `ids`, and the search
 * semantics (`exact_match` case-insensitive, fields, result shape).
 */

import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { startTestEmulator, type TestEmulator } from './helpers';

let t: TestEmulator;
before(async () => {
  t = await startTestEmulator({ plan: 'ultimate', burstLimit: 100_000, searchLimit: 100_000 });
});
beforeEach(() => {
  t.emu.reset();
  t.clock.t = Date.UTC(2026, 2, 10, 12, 0, 0);
});
after(() => t.emu.close());

describe('timestamps', () => {
  test('add_time/update_time are RFC 3339 with one-second resolution; PATCH moves update_time only', async () => {
    t.clock.t = Date.UTC(2026, 2, 10, 12, 0, 0) + 999;
    const created = (await t.call('POST', '/api/v2/persons', { name: 'Tim Stamp' })).body.data;
    assert.equal(created.add_time, '2026-03-10T12:00:00Z');
    assert.equal(created.update_time, '2026-03-10T12:00:00Z');
    t.clock.advance(61_000);
    const patched = (await t.call('PATCH', `/api/v2/persons/${created.id}`, { name: 'Tim Stamped' })).body.data;
    assert.equal(patched.add_time, '2026-03-10T12:00:00Z');
    assert.equal(patched.update_time, '2026-03-10T12:01:01Z');
  });
});

describe('soft delete', () => {
  test('DELETE sets is_deleted and the delete time, then GET/PATCH/DELETE give 404 and lists skip it', async () => {
    const p = (await t.call('POST', '/api/v2/persons', { name: 'Gone Soon' })).body.data;
    t.clock.advance(10_000);
    const del = await t.call('DELETE', `/api/v2/persons/${p.id}`);
    assert.deepEqual(del.body, { success: true, data: { id: p.id } });
    const stored = t.emu.state.persons.get(p.id)!;
    assert.equal(stored.is_deleted, true, 'still readable through state');
    assert.equal(stored.update_time, '2026-03-10T12:00:10Z');
    for (const [m, body] of [['GET', undefined], ['PATCH', { name: 'x' }], ['DELETE', undefined]] as const) {
      const r = await t.call(m, `/api/v2/persons/${p.id}`, body);
      assert.equal(r.status, 404);
      assert.equal(r.body.error, 'Person not found');
    }
    assert.deepEqual((await t.call('GET', '/api/v2/persons')).body.data, []);
    assert.deepEqual((await t.call('GET', `/api/v2/persons?ids=${p.id}`)).body.data, []);
    assert.equal((await t.call('GET', '/api/v2/persons/search?term=gone')).body.data.items.length, 0);
  });

  test('deleted deals are listed only with status=deleted', async () => {
    const d = (await t.call('POST', '/api/v2/deals', { title: 'Lost cause' })).body.data;
    await t.call('DELETE', `/api/v2/deals/${d.id}`);
    assert.deepEqual((await t.call('GET', '/api/v2/deals')).body.data, []);
    assert.deepEqual((await t.call('GET', '/api/v2/deals?status=deleted')).body.data.map((x: { id: number }) => x.id), [d.id]);
  });

  test('linking to a deleted record is refused', async () => {
    const org = (await t.call('POST', '/api/v2/organizations', { name: 'Dead Org' })).body.data;
    await t.call('DELETE', `/api/v2/organizations/${org.id}`);
    const r = await t.call('POST', '/api/v2/persons', { name: 'X', org_id: org.id });
    assert.equal(r.status, 400);
  });
});

describe('lists', () => {
  beforeEach(() => {
    t.emu.state.seed({
      organizations: [{ id: 1, name: 'A Org' }, { id: 2, name: 'B Org' }],
      users: [{ id: 2, name: 'Sam Seller', email: 'sam.seller@example.com' }],
    });
  });

  test('filters: ids (up to 100), owner_id, org_id, updated_since (inclusive) / updated_until (exclusive)', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 6; i++) {
      const body = { name: `P${i}`, org_id: i % 2 === 0 ? 1 : 2, owner_id: i < 3 ? 1 : 2 };
      ids.push((await t.call('POST', '/api/v2/persons', body)).body.data.id);
      t.clock.advance(1_000);
    }
    const names = async (q: string) => (await t.call('GET', `/api/v2/persons?${q}`)).body.data.map((p: { name: string }) => p.name);
    assert.deepEqual(await names(`ids=${ids[4]},${ids[1]},9999`), ['P1', 'P4']);
    assert.deepEqual(await names('owner_id=2'), ['P3', 'P4', 'P5']);
    assert.deepEqual(await names('org_id=1&owner_id=1'), ['P0', 'P2']);
    assert.deepEqual(await names('updated_since=2026-03-10T12:00:02Z'), ['P2', 'P3', 'P4', 'P5']);
    assert.deepEqual(await names('updated_since=2026-03-10T12:00:02Z&updated_until=2026-03-10T12:00:04Z'), ['P2', 'P3']);
    assert.deepEqual(await names('updated_since=2026-03-10T14:00:02%2B02:00'), ['P2', 'P3', 'P4', 'P5'], 'offsets are honoured');
    assert.deepEqual(await names('sort_by=update_time&sort_direction=desc&limit=2'), ['P5', 'P4']);
  });

  test('cursor pagination walks every record exactly once, next_cursor null at the end', async () => {
    for (let i = 0; i < 7; i++) await t.call('POST', '/api/v2/organizations', { name: `Org ${i}` });
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: any = (await t.call('GET', `/api/v2/organizations?limit=3${cursor ? `&cursor=${cursor}` : ''}`)).body;
      seen.push(...page.data.map((o: { id: number }) => o.id));
      cursor = page.additional_data.next_cursor;
      pages++;
    } while (cursor);
    assert.equal(pages, 3);
    assert.deepEqual(seen, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const withOtherSort = await t.call('GET', `/api/v2/organizations?limit=3&sort_by=add_time&cursor=${(await t.call('GET', '/api/v2/organizations?limit=3')).body.additional_data.next_cursor}`);
    assert.equal(withOtherSort.status, 400, 'a cursor is bound to its sort');
  });

  test('activities filter by primary participant, deal, done; deals by person, stage, status', async () => {
    const person = (await t.call('POST', '/api/v2/persons', { name: 'Pat' })).body.data.id;
    const other = (await t.call('POST', '/api/v2/persons', { name: 'Oli' })).body.data.id;
    const deal = (await t.call('POST', '/api/v2/deals', { title: 'D', person_id: person, stage_id: 2 })).body.data.id;
    await t.call('POST', '/api/v2/deals', { title: 'E', status: 'won' });
    await t.call('POST', '/api/v2/activities', { subject: 'a1', participants: [{ person_id: person, primary: true }, { person_id: other }], deal_id: deal });
    await t.call('POST', '/api/v2/activities', { subject: 'a2', participants: [{ person_id: other, primary: true }], done: true });
    const subjects = async (q: string) => (await t.call('GET', `/api/v2/activities?${q}`)).body.data.map((a: { subject: string }) => a.subject);
    assert.deepEqual(await subjects(`person_id=${person}`), ['a1']);
    assert.deepEqual(await subjects(`person_id=${other}`), ['a2'], 'only the primary participant counts');
    assert.deepEqual(await subjects(`deal_id=${deal}`), ['a1']);
    assert.deepEqual(await subjects('done=true'), ['a2']);
    const titles = async (q: string) => (await t.call('GET', `/api/v2/deals?${q}`)).body.data.map((d: { title: string }) => d.title);
    assert.deepEqual(await titles(`person_id=${person}`), ['D']);
    assert.deepEqual(await titles('stage_id=2'), ['D']);
    assert.deepEqual(await titles('status=won'), ['E']);
  });
});

describe('entity details', () => {
  test('person emails/phones: label defaults to work, first becomes primary; PATCH replaces the list', async () => {
    const p = (await t.call('POST', '/api/v2/persons', { name: 'Multi Mail', emails: [{ value: 'a@x.test' }, { value: 'b@x.test', label: 'home' }] })).body.data;
    assert.deepEqual(p.emails, [{ value: 'a@x.test', primary: true, label: 'work' }, { value: 'b@x.test', primary: false, label: 'home' }]);
    const patched = (await t.call('PATCH', `/api/v2/persons/${p.id}`, { emails: [{ value: 'c@x.test', primary: true }] })).body.data;
    assert.deepEqual(patched.emails, [{ value: 'c@x.test', primary: true, label: 'work' }]);
  });

  test('organization address: omitted subfields become null on POST and PATCH; 2026 fields only on request', async () => {
    const o = (await t.call('POST', '/api/v2/organizations', { name: 'Addr', address: { value: 'x', country: 'GB', subpremise: 'Flat 2' }, industry: 12 })).body.data;
    assert.equal(o.address.subpremise, 'Flat 2');
    assert.equal(o.address.postal_code, null);
    assert.equal('industry' in o, false);
    const patched = (await t.call('PATCH', `/api/v2/organizations/${o.id}`, { address: { value: 'y' } })).body.data;
    assert.equal(patched.address.country, null, 'the address is replaced, not merged');
    const got = (await t.call('GET', `/api/v2/organizations/${o.id}?include_fields=industry`)).body.data;
    assert.equal(got.industry, 12);
    assert.equal('website' in got, false);
  });

  test('activity: participants set person_id, due_time normalised, done stamps marked_as_done_time', async () => {
    const p = (await t.call('POST', '/api/v2/persons', { name: 'Part' })).body.data.id;
    const a = (await t.call('POST', '/api/v2/activities', { type: 'task', due_date: '2026-03-11', due_time: '09:05', participants: [{ person_id: p }] })).body.data;
    assert.equal(a.subject, 'Task', 'untitled activities are named after their type');
    assert.equal(a.person_id, p);
    assert.deepEqual(a.participants, [{ person_id: p, primary: true }], 'with no primary given, the first participant is primary');
    assert.equal(a.due_time, '09:05:00');
    assert.equal(a.owner_id, 1);
    t.clock.advance(3_000);
    const done = (await t.call('PATCH', `/api/v2/activities/${a.id}`, { done: true })).body.data;
    assert.equal(done.marked_as_done_time, '2026-03-10T12:00:03Z');
    const undone = (await t.call('PATCH', `/api/v2/activities/${a.id}`, { done: false })).body.data;
    assert.equal(undone.marked_as_done_time, null);
  });

  test('deal status moves set and clear won/lost/close times; PATCH cannot change add_time', async () => {
    const d = (await t.call('POST', '/api/v2/deals', { title: 'Flow' })).body.data;
    assert.equal(d.currency, 'USD');
    const won = (await t.call('PATCH', `/api/v2/deals/${d.id}`, { status: 'won' })).body.data;
    assert.equal(won.won_time, '2026-03-10T12:00:00Z');
    assert.equal(won.close_time, '2026-03-10T12:00:00Z');
    const reopened = (await t.call('PATCH', `/api/v2/deals/${d.id}`, { status: 'open' })).body.data;
    assert.equal(reopened.won_time, null);
    assert.equal((await t.call('PATCH', `/api/v2/deals/${d.id}`, { add_time: '2020-01-01T00:00:00Z' })).status, 400);
  });
});

describe('search', () => {
  beforeEach(async () => {
    t.emu.state.seed({
      organizations: [{ id: 1, name: 'Warm Widgets Ltd', address: { value: '10 Downing St, London' } }],
      persons: [
        { id: 1, name: 'Alice Archer', org_id: 1, emails: [{ value: 'Alice@Example.com', primary: true, label: 'work' }], phones: [{ value: '+44 20 7946 0001', primary: true, label: 'work' }] },
        { id: 2, name: 'Alicia Keys', emails: [{ value: 'alicia@example.com', primary: true, label: 'work' }] },
      ],
    });
  });

  test('exact_match is case-insensitive and whole-value; fields restrict where to look', async () => {
    const ids = async (q: string) => (await t.call('GET', `/api/v2/persons/search?${q}`)).body.data.items.map((i: { item: { id: number } }) => i.item.id);
    assert.deepEqual(await ids('term=alice@example.COM&fields=email&exact_match=true'), [1]);
    assert.deepEqual(await ids('term=alice&fields=email&exact_match=true'), []);
    assert.deepEqual(await ids('term=ali'), [1, 2]);
    assert.deepEqual(await ids('term=alice%20archer&fields=email'), [], 'name not searched when fields=email');
    assert.deepEqual(await ids('term=2079460001&fields=phone'), [1], 'phone matches on digits');
    assert.deepEqual(await ids('term=ali&organization_id=1'), [1]);
  });

  test('result shape: data.items[].item with no update_time; organization search by address', async () => {
    const r = await t.call('GET', '/api/v2/persons/search?term=Alice%20Archer&exact_match=true&fields=name');
    assert.deepEqual(r.body.data.items, [{
      result_score: 1,
      item: {
        id: 1, type: 'person', name: 'Alice Archer', phones: ['+44 20 7946 0001'], emails: ['Alice@Example.com'], visible_to: 3,
        owner: { id: 1 }, organization: { id: 1, name: 'Warm Widgets Ltd' }, custom_fields: [], notes: [],
      },
    }]);
    const orgs = await t.call('GET', '/api/v2/organizations/search?term=downing&fields=address');
    assert.deepEqual(orgs.body.data.items.map((i: { item: { name: string; address: string } }) => [i.item.name, i.item.address]), [['Warm Widgets Ltd', '10 Downing St, London']]);
  });

  test('search pages with cursor and limit', async () => {
    const first = (await t.call('GET', '/api/v2/persons/search?term=ali&limit=1')).body;
    assert.equal(first.data.items.length, 1);
    const second = (await t.call('GET', `/api/v2/persons/search?term=ali&limit=1&cursor=${first.additional_data.next_cursor}`)).body;
    assert.equal(second.data.items.length, 1);
    assert.notEqual(second.data.items[0].item.id, first.data.items[0].item.id);
    assert.equal(second.additional_data.next_cursor, null);
  });
});
