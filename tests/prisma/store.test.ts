/**
 * @module tests/prisma/store.test
 * `createPrismaStore` (`pipedrive-sync/prisma`) on a real SQLite file and on PostgreSQL: every `SyncStore` method,
 * found and not found, email matching (case, whitespace, ambiguity), and rejections when the database fails.
 */

import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import { createPrismaStore, MAX_PIPEDRIVE_ID, PrismaStoreError, type PrismaClientLike } from '../../js/prisma';
import type { LocalUser, SyncStore } from '../../js/store/types';
import {
  createTestDatabase,
  databaseTargets,
  describeEachDatabase,
  loadPostgresClientModule,
  loadSqliteClientModule,
  testPostgresUrl,
  type PostgresClientModule,
  type TestDatabase,
} from './databases';

// Compile-time: both generated clients satisfy the structural type createPrismaStore takes.
type PostgresClient = InstanceType<PostgresClientModule['PrismaClient']>;
const acceptsPostgresClient = (client: PostgresClient): PrismaClientLike => client;
void acceptsPostgresClient;

/** Asserts a rejection is a PrismaStoreError for `operation`, with the database's error as its cause. */
function isStoreError(operation: string) {
  return (error: unknown) => {
    assert.ok(error instanceof PrismaStoreError, `expected a PrismaStoreError, got ${String(error)}`);
    assert.equal(error.operation, operation);
    assert.ok(error.cause instanceof Error, 'the database error is kept as the cause');
    assert.match(error.message, new RegExp(`^${operation} failed: .+`));
    return true;
  };
}

describeEachDatabase('createPrismaStore', (db: () => TestDatabase) => {
  let store: SyncStore;
  let alice: LocalUser;
  let bob: LocalUser;

  before(async () => {
    store = createPrismaStore(db().prisma);
    const prisma = db().prisma;
    const a = await prisma.user.create({ data: { email: 'alice@example.com', name: 'Alice Archer' } });
    const b = await prisma.user.create({ data: { email: 'Bob.Smith@Example.COM', name: null, pipedriveUserId: 314 } });
    alice = { id: a.id, email: a.email, name: a.name, pipedriveUserId: a.pipedriveUserId };
    bob = { id: b.id, email: b.email, name: b.name, pipedriveUserId: b.pipedriveUserId };
  });

  describe('findUserById', () => {
    test('returns the user, as a plain LocalUser with exactly its four fields', async () => {
      const found = await store.findUserById(alice.id);
      assert.deepEqual(found, alice);
      assert.deepEqual(Object.keys(found!).sort(), ['email', 'id', 'name', 'pipedriveUserId']);
      assert.deepEqual(await store.findUserById(bob.id), bob);
    });

    test('resolves null for an unknown or empty id', async () => {
      assert.equal(await store.findUserById('no-such-user'), null);
      assert.equal(await store.findUserById(''), null);
    });
  });

  describe('findUserByEmail', () => {
    test('matches the stored address exactly', async () => {
      assert.deepEqual(await store.findUserByEmail('alice@example.com'), alice);
    });

    test('matches case-insensitively, whatever case is stored', async () => {
      assert.deepEqual(await store.findUserByEmail('ALICE@EXAMPLE.COM'), alice);
      assert.deepEqual(await store.findUserByEmail('bob.smith@example.com'), bob);
      assert.deepEqual(await store.findUserByEmail('BOB.SMITH@EXAMPLE.COM'), bob);
    });

    test('trims the argument', async () => {
      assert.deepEqual(await store.findUserByEmail('  Alice@Example.com \n'), alice);
      assert.deepEqual(await store.findUserByEmail('\tbob.smith@example.com '), bob);
    });

    test('trims the stored address too', async () => {
      const padded = await db().prisma.user.create({ data: { email: ' dora@example.com ', name: 'Dora' } });
      assert.equal((await store.findUserByEmail('DORA@example.com'))?.id, padded.id);
    });

    test('resolves null for no match, an empty or blank address, and never matches a pattern', async () => {
      assert.equal(await store.findUserByEmail('nobody@example.com'), null);
      assert.equal(await store.findUserByEmail(''), null);
      assert.equal(await store.findUserByEmail('   '), null);
      assert.equal(await store.findUserByEmail('al_ce@example.com'), null, '_ is not a wildcard');
      assert.equal(await store.findUserByEmail('%@example.com'), null, '% is not a wildcard');
      assert.equal(await store.findUserByEmail('alice@example'), null, 'no prefix match');
    });

    test('addresses that differ only in case: the exact match wins, else the oldest user', async () => {
      const prisma = db().prisma;
      const older = await prisma.user.create({ data: { email: 'carol@example.com', createdAt: new Date('2020-01-01T00:00:00Z') } });
      const newer = await prisma.user.create({ data: { email: 'CAROL@example.com', createdAt: new Date('2024-01-01T00:00:00Z') } });
      assert.equal((await store.findUserByEmail('CAROL@example.com'))?.id, newer.id);
      assert.equal((await store.findUserByEmail('carol@example.com'))?.id, older.id);
      assert.equal((await store.findUserByEmail('Carol@Example.com'))?.id, older.id);
    });

    test('keeps the stored address as given', async () => {
      assert.equal((await store.findUserByEmail('bob.smith@example.com'))?.email, 'Bob.Smith@Example.COM');
    });
  });

  describe('setUserPipedriveId', () => {
    test('stores the id on the user and resolves true', async () => {
      assert.equal(await store.setUserPipedriveId(alice.id, 4242), true);
      assert.equal((await db().prisma.user.findUniqueOrThrow({ where: { id: alice.id } })).pipedriveUserId, 4242);
      assert.equal((await store.findUserById(alice.id))?.pipedriveUserId, 4242);
      assert.equal(await store.setUserPipedriveId(alice.id, MAX_PIPEDRIVE_ID), true);
      assert.equal((await store.findUserByEmail('ALICE@example.com'))?.pipedriveUserId, MAX_PIPEDRIVE_ID);
    });

    test('changes only that user', async () => {
      await store.setUserPipedriveId(alice.id, 7);
      assert.equal((await store.findUserById(bob.id))?.pipedriveUserId, 314);
    });

    test('resolves false for a missing user and writes nothing', async () => {
      const before = await db().prisma.user.findMany({ orderBy: { id: 'asc' } });
      assert.equal(await store.setUserPipedriveId('no-such-user', 99), false);
      assert.equal(await store.setUserPipedriveId('', 99), false);
      assert.deepEqual(await db().prisma.user.findMany({ orderBy: { id: 'asc' } }), before);
    });

    test('rejects an id that is not a positive 32-bit integer, before any write', async () => {
      for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, MAX_PIPEDRIVE_ID + 1]) {
        await assert.rejects(store.setUserPipedriveId(bob.id, bad), RangeError, `rejects ${bad}`);
      }
      assert.equal((await store.findUserById(bob.id))?.pipedriveUserId, 314);
    });
  });

  test('every method rejects with a PrismaStoreError once the database is gone (not null, not false)', async () => {
    const doomed = await createTestDatabase(db().name);
    const doomedStore = createPrismaStore(doomed.prisma);
    const user = await doomed.prisma.user.create({ data: { email: 'gone@example.com' } });
    assert.equal((await doomedStore.findUserById(user.id))?.email, 'gone@example.com');
    await doomed.close(); // disconnects, then deletes the file / drops the schema
    await assert.rejects(doomedStore.findUserById(user.id), isStoreError('findUserById'));
    await assert.rejects(doomedStore.findUserByEmail('gone@example.com'), isStoreError('findUserByEmail'));
    await assert.rejects(doomedStore.setUserPipedriveId(user.id, 5), isStoreError('setUserPipedriveId'));
  });
});

describe('createPrismaStore on an unreachable database', () => {
  test('[sqlite] a file that cannot be opened: every method rejects', async () => {
    const { PrismaClient } = loadSqliteClientModule();
    const prisma = new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: 'file:/nonexistent-dir/pipedrive-sync/x.db' }) });
    const store = createPrismaStore(prisma);
    await assert.rejects(store.findUserById('u1'), isStoreError('findUserById'));
    await assert.rejects(store.findUserByEmail('a@b.c'), isStoreError('findUserByEmail'));
    await assert.rejects(store.setUserPipedriveId('u1', 1), isStoreError('setUserPipedriveId'));
    await prisma.$disconnect().catch(() => undefined);
  });

  test('[postgresql] a server that does not answer: every method rejects', { skip: testPostgresUrl() ? false : 'TEST_POSTGRES_URL is not set' }, async () => {
    const { PrismaClient } = loadPostgresClientModule();
    const prisma = new PrismaClient({
      adapter: new PrismaPg({ connectionString: 'postgresql://postgres@127.0.0.1:1/test', connectionTimeoutMillis: 2000 }),
    });
    const store = createPrismaStore(prisma);
    await assert.rejects(store.findUserById('u1'), isStoreError('findUserById'));
    await assert.rejects(store.findUserByEmail('a@b.c'), isStoreError('findUserByEmail'));
    await assert.rejects(store.setUserPipedriveId('u1', 1), isStoreError('setUserPipedriveId'));
    await prisma.$disconnect().catch(() => undefined);
  });
});

describe('createPrismaStore arguments', () => {
  test('refuses something that is not a Prisma client of the reference schema', () => {
    assert.throws(() => createPrismaStore({} as PrismaClientLike), TypeError);
    assert.throws(() => createPrismaStore(null as unknown as PrismaClientLike), /expected a Prisma client/);
  });

  test('the fixture lists SQLite always and PostgreSQL with a skip reason when TEST_POSTGRES_URL is unset', () => {
    const targets = databaseTargets();
    assert.deepEqual(targets.map((t) => t.name), ['sqlite', 'postgresql']);
    assert.equal(targets[0].skipReason, undefined);
    assert.equal(targets[1].skipReason === undefined, testPostgresUrl() !== undefined);
  });
});
