/**
 * @module tests/store/ranges.test
 * One range for warmness scores and Pipedrive ids: the Rust core's constants (`src/json_args.rs`) are the numbers
 * of `js/store/ranges.ts`, and both stores refuse a score outside it with a coded error, so that a value the
 * engine takes is never refused by a store (or the other way round).
 */

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

import { createMemoryStore } from '../../js/index';
import { MAX_PIPEDRIVE_ID, WARMNESS_MAX, WARMNESS_MIN } from '../../js/store/ranges';
import { createPrismaStore, type PrismaClientLike } from '../../js/prisma/index';
import { createTestDatabase } from '../prisma/databases';
import { seedContact } from '../prisma/contacts_helpers';

/** The value of `pub const NAME: i64 = ...;` in the Rust source. */
function rustConst(source: string, name: string): number {
  const match = source.match(new RegExp(`pub const ${name}: i64 = (-?[\\d_]+);`));
  assert.ok(match, `src/json_args.rs declares ${name}`);
  return Number(match[1].replace(/_/g, ''));
}

test('the engine and the stores share one range for warmness and ids', () => {
  const source = readFileSync(path.resolve(__dirname, '..', '..', 'src', 'json_args.rs'), 'utf8');
  assert.equal(rustConst(source, 'WARMNESS_MIN'), WARMNESS_MIN);
  assert.equal(rustConst(source, 'WARMNESS_MAX'), WARMNESS_MAX);
  assert.equal(rustConst(source, 'MAX_PIPEDRIVE_ID'), MAX_PIPEDRIVE_ID);
});

test('both stores refuse a score outside the range, naming the field, and store nothing', async () => {
  const db = await createTestDatabase('sqlite');
  try {
    const prismaStore = createPrismaStore(db.prisma as unknown as PrismaClientLike);
    const prismaContact = await seedContact(db.prisma, { name: 'Ann', warmnessScore: 1 });
    const memory = createMemoryStore();
    memory.contacts.push({
      id: 'c1', name: 'Ann', email: null, phone: null, warmnessScore: 1, ownerId: null, pipedrivePersonId: null,
      pipedriveOrgId: null, updateSyncStatus: 'PENDING', organizationId: null,
    });
    for (const [name, store, contactId] of [['memory', memory, 'c1'], ['prisma', prismaStore, prismaContact]] as const) {
      for (const score of [WARMNESS_MAX + 1, WARMNESS_MIN - 1]) {
        await assert.rejects(store.updateWarmness(contactId, score, { threshold: 4 }), /score/, `${name} refuses ${score}`);
      }
      assert.deepEqual(await store.updateWarmness(contactId, WARMNESS_MAX, { threshold: 4, queueJob: false }), { updated: true, jobId: null }, name);
    }
    await assert.rejects(prismaStore.updateWarmness(prismaContact, WARMNESS_MAX + 1), (error: Error & { code?: string; field?: string }) =>
      error instanceof RangeError && error.code === 'VALIDATION' && error.field === 'score');
  } finally {
    await db.close();
  }
});
