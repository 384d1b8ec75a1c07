/**
 * @module tests/emulator/token_costs.test
 * The emulator's token-cost table is exactly what its generator makes of the OpenAPI files in
 * `tests/fixtures/pipedrive/`: no hand edit, no stale row after a new snapshot.
 */

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { generateTokenCostsModule, TABLE_FILE } from './token_costs_table';

test('js/emulator/limits/token_costs.ts is the generated table of every x-token-cost in the OpenAPI files', () => {
  const generated = generateTokenCostsModule();
  assert.ok((generated.match(/^ {2}'/gm) ?? []).length > 300, 'the files price more than 300 operations');
  assert.equal(readFileSync(TABLE_FILE, 'utf8'), generated, 'regenerate: node --import tsx tests/emulator/token_costs_table.ts --write');
});
