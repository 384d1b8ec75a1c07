/**
 * @module tests/repo/wasm_types.test
 * The generated `pkg/pipedrive_sync.d.ts` types the engine: no `any` in the `Engine` class's method signatures
 * (requests, answers and `TaskOf<T>` come from the Rust binding's `typescript_custom_section`), so the facade's
 * `EngineHandle.run` infers each answer and `tsc` checks it against the public types.
 */

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

const DTS = path.resolve(__dirname, '..', '..', 'pkg', 'pipedrive_sync.d.ts');

test('the Engine class of pkg/pipedrive_sync.d.ts has no any in its signatures', () => {
  const dts = readFileSync(DTS, 'utf8');
  const start = dts.indexOf('export class Engine {');
  assert.ok(start >= 0, 'pkg/pipedrive_sync.d.ts declares the Engine class');
  const body = dts.slice(start, dts.indexOf('\n}', start));
  const signatures = body.split('\n').filter((line) => !/^\s*(\/\*\*|\*)/.test(line));
  assert.ok(signatures.filter((line) => line.includes('(')).length >= 15, 'every engine method is declared');
  assert.deepEqual(signatures.filter((line) => /\bany\b/.test(line)), []);
  assert.match(dts, /export type TaskOf<T>/);
  assert.match(body, /checkAndCreateWarmLead\(request: WarmLeadRequest, onLate: \(\(answer: boolean\) => void\) \| undefined\): TaskOf<boolean>;/);
});
