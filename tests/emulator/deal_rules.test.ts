/**
 * @module tests/emulator/deal_rules.test
 * Deal rules (UPDATES-FACTS §1.7), one test per rule: fields bound to the status (`lost_reason` only when lost,
 * `won_time` only when won, `close_time` only when closed) checked against the status after the write, status moves
 * stamping and clearing them; `stage_id` implying the pipeline, `pipeline_id` alone taking the first stage, a
 * mismatch refused; the stage and pipeline lists; deals with products (value derived, `value` PATCH refused,
 * `products_count`); archived deals not editable; currencies of the company only.
 */

import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { startTestEmulator, type TestEmulator } from './helpers';

let t: TestEmulator;
before(async () => {
  t = await startTestEmulator({ plan: 'premium', burstLimit: 100_000 });
});
beforeEach(() => {
  t.emu.reset();
  t.clock.t = Date.UTC(2026, 2, 10, 12, 0, 0);
  t.emu.state.seed({
    pipelines: [{ id: 2, name: 'Partners' }],
    stages: [{ id: 10, name: 'Intro', pipeline_id: 2, order_nr: 2 }, { id: 11, name: 'First', pipeline_id: 2, order_nr: 1 }],
    deals: [
      { id: 1, title: 'Open deal', stage_id: 2 },
      { id: 2, title: 'Lost deal', status: 'lost', lost_reason: 'Price', lost_time: '2026-03-01T10:00:00Z', close_time: '2026-03-01T10:00:00Z' },
      { id: 3, title: 'Product deal', currency: 'EUR', products: [{ name: 'Seat', item_price: 99.99, quantity: 2 }, { name: 'Setup', item_price: 50, discount: 10 }] },
      { id: 4, title: 'Archived deal', is_archived: true, archive_time: '2026-03-01T10:00:00Z' },
    ],
  });
});
after(() => t.emu.close());

const patchDeal = (id: number, body: unknown) => t.call('PATCH', `/api/v2/deals/${id}`, body);

describe('status rules', () => {
  test('lost_reason can only be set if the deal is (or becomes) lost', async () => {
    const refused = await patchDeal(1, { lost_reason: 'Too expensive' });
    assert.equal(refused.status, 400);
    assert.equal(refused.body.code, 'ERR_BAD_REQUEST');
    assert.match(refused.body.error, /'lost_reason' can only be set if deal status is lost/);
    assert.equal(t.emu.state.deals.get(1)!.lost_reason, null);
    const lost = await patchDeal(1, { status: 'lost', lost_reason: 'Too expensive' });
    assert.equal(lost.status, 200, lost.text);
    assert.equal(lost.body.data.lost_reason, 'Too expensive');
    assert.equal((await patchDeal(2, { lost_reason: 'Timing' })).body.data.lost_reason, 'Timing', 'already lost');
    assert.equal((await patchDeal(2, { status: 'won', lost_reason: 'x' })).status, 400, 'checked against the status after the write');
  });

  test('won_time only when won, lost_time only when lost, close_time only when won or lost', async () => {
    for (const body of [{ won_time: '2026-03-09T10:00:00Z' }, { lost_time: '2026-03-09T10:00:00Z' }, { close_time: '2026-03-09T10:00:00Z' }]) {
      assert.equal((await patchDeal(1, body)).status, 400, JSON.stringify(body));
    }
    const won = await patchDeal(1, { status: 'won', won_time: '2026-03-09T10:00:00Z' });
    assert.equal(won.body.data.won_time, '2026-03-09T10:00:00Z');
    assert.equal(won.body.data.close_time, '2026-03-10T12:00:00Z');
  });

  test('moving status stamps the new status fields and clears the old ones, lost_reason included', async () => {
    t.clock.advance(60_000);
    const won = (await patchDeal(2, { status: 'won' })).body.data;
    assert.deepEqual([won.status, won.won_time, won.lost_time, won.lost_reason, won.close_time], ['won', '2026-03-10T12:01:00Z', null, null, '2026-03-10T12:01:00Z']);
    const reopened = (await patchDeal(2, { status: 'open' })).body.data;
    assert.deepEqual([reopened.won_time, reopened.lost_time, reopened.close_time], [null, null, null]);
  });

  test('sending the current status again stamps nothing', async () => {
    t.clock.advance(60_000);
    const r = (await patchDeal(2, { status: 'lost' })).body.data;
    assert.equal(r.lost_time, '2026-03-01T10:00:00Z');
    assert.equal(r.lost_reason, 'Price');
  });
});

describe('stages and pipelines', () => {
  test('stage_id implies the pipeline and moves stage_change_time', async () => {
    t.clock.advance(2_000);
    const r = (await patchDeal(1, { stage_id: 10 })).body.data;
    assert.deepEqual([r.stage_id, r.pipeline_id, r.stage_change_time], [10, 2, '2026-03-10T12:00:02Z']);
  });

  test('pipeline_id alone puts the deal in that pipeline\'s first stage; a pipeline_id that is not the stage\'s is refused', async () => {
    const moved = (await patchDeal(1, { pipeline_id: 2 })).body.data;
    assert.deepEqual([moved.stage_id, moved.pipeline_id], [11, 2]);
    const mismatch = await patchDeal(1, { stage_id: 3, pipeline_id: 2 });
    assert.equal(mismatch.status, 400);
    assert.match(mismatch.body.error, /send 'stage_id' alone/);
    assert.equal((await patchDeal(1, { stage_id: 3, pipeline_id: 1 })).body.data.stage_id, 3, 'agreeing ids are fine');
  });

  test('unknown stages and pipelines are refused; a create without either takes the default pipeline\'s first stage', async () => {
    assert.match((await patchDeal(1, { stage_id: 99 })).body.error, /'stage_id' refers to stage 99/);
    assert.match((await patchDeal(1, { pipeline_id: 99 })).body.error, /'pipeline_id' refers to pipeline 99/);
    const created = (await t.call('POST', '/api/v2/deals', { title: 'New' })).body.data;
    assert.deepEqual([created.stage_id, created.pipeline_id], [1, 1]);
    const inPartners = (await t.call('POST', '/api/v2/deals', { title: 'New', pipeline_id: 2 })).body.data;
    assert.deepEqual([inPartners.stage_id, inPartners.pipeline_id], [11, 2]);
  });

  test('GET /api/v2/stages (by pipeline_id) and /api/v2/pipelines list them', async () => {
    const stages = (await t.call('GET', '/api/v2/stages?pipeline_id=2&sort_by=order_nr')).body;
    assert.deepEqual(stages.data.map((s: { id: number }) => s.id), [11, 10]);
    assert.equal(stages.additional_data.next_cursor, null);
    assert.equal((await t.call('GET', '/api/v2/stages')).body.data.length, 7);
    assert.deepEqual((await t.call('GET', '/api/v2/pipelines')).body.data.map((p: { name: string }) => p.name), ['Pipeline', 'Partners']);
  });
});

describe('deals with products', () => {
  test('the value is derived from the products (price × quantity − discount, to the currency\'s decimals)', async () => {
    const got = (await t.call('GET', '/api/v2/deals/3?include_fields=products_count')).body.data;
    assert.equal(got.value, 239.98);
    assert.equal(got.products_count, 2);
    assert.equal((await t.call('GET', '/api/v2/deals/1?include_fields=products_count')).body.data.products_count, 0);
    assert.equal('products_count' in (await t.call('GET', '/api/v2/deals/3')).body.data, false, 'only when asked for');
  });

  test('a PATCH of value is refused on a deal with products; other fields still change', async () => {
    const r = await patchDeal(3, { value: 10 });
    assert.equal(r.status, 400);
    assert.match(r.body.error, /derived from them/);
    assert.equal(t.emu.state.deals.get(3)!.value, 239.98);
    assert.equal((await patchDeal(3, { title: 'Renamed' })).body.data.value, 239.98);
    assert.equal((await patchDeal(1, { value: 10 })).body.data.value, 10, 'a deal without products takes a value');
  });
});

describe('archived deals and currencies', () => {
  test('an archived deal is not editable through the API', async () => {
    for (const body of [{ title: 'x' }, { is_archived: false }]) {
      const r = await patchDeal(4, body);
      assert.equal(r.status, 400);
      assert.match(r.body.error, /archived deals cannot be edited through the API/);
    }
    assert.equal((await patchDeal(1, { is_archived: true })).body.data.archive_time, '2026-03-10T12:00:00Z', 'archiving an open deal is an edit');
  });

  test('currency must be one of the company\'s active currencies, custom ones included', async () => {
    const r = await patchDeal(1, { currency: 'XYZ' });
    assert.equal(r.status, 400);
    assert.match(r.body.error, /'currency' must be the code of one of the company's currencies/);
    t.emu.state.seed({ currencies: [{ code: 'XYZ', name: 'Loyalty points', decimal_points: 0 }, { code: 'SEK', name: 'Swedish Krona', active_flag: false, is_custom_flag: false }] });
    assert.equal((await patchDeal(1, { currency: 'XYZ' })).body.data.currency, 'XYZ');
    assert.equal((await patchDeal(1, { currency: 'SEK' })).status, 400, 'an inactive currency');
  });
});
