/**
 * @module tests/store/store_methods.test
 * The store method list lives in one place, `REQUIRED_STORE_METHODS`: it is exactly the set of methods the Rust
 * core calls (`call(host, "name", ...)` in `src/store/*.rs`), and both stores the package ships (memory, Prisma on
 * SQLite) implement every one. A method added on one side only fails here. The contract's methods the engine does
 * not call yet (the CRM's edit hooks, snapshot and conflict reads, `markLinkedRecord`) are implemented by both too.
 */

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { createMemoryStore } from '../../js/index';
import { createPrismaStore } from '../../js/prisma/index';
import { OPTIONAL_STORE_METHODS, REQUIRED_STORE_METHODS, type SyncStore } from '../../js/store/types';
import { createTestDatabase, type TestDatabase } from '../prisma/databases';

const STORE_SRC = path.resolve(__dirname, '..', '..', 'src', 'store');

/** Every method name the Rust store calls pass to the host, from `call(host, "name", ...)` (spread over lines too). */
function rustStoreCalls(): string[] {
  const names = new Set<string>();
  for (const file of readdirSync(STORE_SRC).filter((name) => name.endsWith('.rs'))) {
    const code = readFileSync(path.join(STORE_SRC, file), 'utf8');
    for (const m of code.matchAll(/\bcall\(\s*host,\s*"([A-Za-z]+)"/g)) names.add(m[1]);
  }
  return [...names].sort();
}

let db: TestDatabase;
before(async () => {
  db = await createTestDatabase('sqlite');
});
after(async () => {
  await db.close();
});

/** Optional methods the Rust core calls when the store has them (`swapPacing` with `options.sharedPacing`). */
const RUST_OPTIONAL_CALLS = ['swapPacing'] as const satisfies readonly (typeof OPTIONAL_STORE_METHODS)[number][];

test('REQUIRED_STORE_METHODS and the optional methods the engine may call are exactly what the Rust core calls', () => {
  const calls = rustStoreCalls();
  assert.ok(calls.length >= 15, `found ${calls.length} store calls in src/store`);
  assert.deepEqual([...REQUIRED_STORE_METHODS, ...RUST_OPTIONAL_CALLS].sort(), calls);
});

test('the Prisma store implements every optional method; the memory store none of the pacing ones', () => {
  const prisma = createPrismaStore(db.prisma) as unknown as Record<string, unknown>;
  for (const method of OPTIONAL_STORE_METHODS) assert.equal(typeof prisma[method], 'function', `prisma.${method}`);
  assert.equal((createMemoryStore() as unknown as Record<string, unknown>).swapPacing, undefined, 'the memory store paces per process');
});

test('both stores implement every required method', () => {
  for (const [name, store] of [['memory', createMemoryStore()], ['prisma', createPrismaStore(db.prisma)]] as const) {
    for (const method of REQUIRED_STORE_METHODS) {
      assert.equal(typeof (store as unknown as Record<string, unknown>)[method], 'function', `${name}.${method}`);
    }
  }
});

/** `SyncStore` methods outside `REQUIRED_STORE_METHODS` (the CRM calls them, or the engine does not yet). */
const OTHER_STORE_METHODS = [
  'findSnapshot',
  'listConflicts',
  'findConflict',
  'resolveConflict',
  'markLinkedRecord',
  'contactEdited',
  'organizationEdited',
  'activityEdited',
] as const satisfies readonly (keyof SyncStore)[];

test('both stores implement the contract methods the engine does not require yet', () => {
  for (const [name, store] of [['memory', createMemoryStore()], ['prisma', createPrismaStore(db.prisma)]] as const) {
    for (const method of OTHER_STORE_METHODS) {
      assert.equal(typeof (store as unknown as Record<string, unknown>)[method], 'function', `${name}.${method}`);
    }
  }
});
