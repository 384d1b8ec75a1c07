/**
 * @module tests/facade/labels.test
 * The labels service against the emulator: options matched trimmed and case-insensitively, a missing option
 * added without dropping the others, once even for concurrent callers, and the field list cached.
 */

import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';

import { createPipedriveSync, type PipedriveSync } from '../../js/index';
import { startPipedriveEmulator, type PipedriveEmulator } from '../../js/emulator/index';
import { createMemoryStore } from '../../js/store/memory';

let emulator: PipedriveEmulator;
let sync: PipedriveSync;

before(async () => {
  emulator = await startPipedriveEmulator({ plan: 'premium' });
});
after(() => emulator.close());
beforeEach(async () => {
  emulator.reset();
  sync = await createPipedriveSync({ pipedrive: { apiToken: emulator.apiToken, baseUrl: emulator.url }, store: createMemoryStore() });
});

function labelOptions() {
  const field = emulator.state.fields.person.find((candidate) => candidate.key === 'label_ids');
  return (field?.options ?? []).map((option) => option.label);
}

function fieldWrites(): number {
  return emulator.journal.entries().filter((entry) => entry.method === 'PUT' && entry.path.startsWith('/v1/personFields/')).length;
}

test("the warm-lead label is Pipedrive's default 'Warm lead', found without creating anything", async () => {
  assert.equal(await sync.labels.getWarmLeadLabelId(), 3);
  assert.equal(await sync.labels.findOrCreateLabel('  WARM LEAD '), 3);
  assert.equal(fieldWrites(), 0);
});

test('a missing label is added once, keeping every other option, even for concurrent callers', async () => {
  const before = labelOptions();
  const ids = await Promise.all([sync.labels.findOrCreateLabel('VIP'), sync.labels.findOrCreateLabel('vip '), sync.labels.findOrCreateLabel('VIP')]);
  assert.equal(new Set(ids).size, 1, `one id: ${ids.join(', ')}`);
  assert.equal(fieldWrites(), 1, 'one write of the option list');
  assert.deepEqual(labelOptions(), [...before, 'VIP']);
});

test('the field list is cached between lookups', async () => {
  await sync.labels.findOrCreateLabel('Customer');
  await sync.labels.findOrCreateLabel('Hot lead');
  const reads = emulator.journal.entries().filter((entry) => entry.method === 'GET' && entry.path === '/v1/personFields').length;
  assert.equal(reads, 1);
});

test('a blank name is a ValidationError and sends nothing', async () => {
  await assert.rejects(sync.labels.findOrCreateLabel('  '), (error: unknown) => (error as { code?: string }).code === 'VALIDATION');
  assert.equal(emulator.journal.length, 0);
});
