/**
 * @module tests/prisma/databases
 * Test fixture: fresh, migrated databases with a real generated Prisma client on a driver adapter.
 *
 * SQLite: a temp file, migrated with the package's migrations. PostgreSQL (only when `TEST_POSTGRES_URL` is set):
 * a uniquely named schema in that database, migrated, with the client's connection pinned to it (`search_path`
 * and the adapter's `schema` option); dropped on `close()`. Parallel test files and repeated runs never collide.
 *
 *     import { describeEachDatabase } from './databases';
 *     describeEachDatabase('my store', (db) => {
 *       test('works', async () => { await db().prisma.user.create({ data: { email: 'a@b.c' } }); });
 *     });
 *
 * The clients must be generated first: `bash js/scripts/prisma_generate.sh`.
 */

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe } from 'node:test';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { applyMigrations, splitPostgresSchema } from '../../js/prisma/migrate';

/** The generated SQLite client module (`prisma/generated/sqlite/client.ts`). */
export type SqliteClientModule = typeof import('../../prisma/generated/sqlite/client');
/** The generated PostgreSQL client module (`prisma/generated/postgresql/client/client.ts`). */
export type PostgresClientModule = typeof import('../../prisma/generated/postgresql/client/client');

/**
 * The generated Prisma client type the fixture hands out. Both generated clients have the same model API (they come
 * from the same models), so the PostgreSQL one is typed as the SQLite one.
 */
export type TestPrismaClient = InstanceType<SqliteClientModule['PrismaClient']>;

/** The databases the fixture can create. */
export type DatabaseName = 'sqlite' | 'postgresql';

/** A fresh, migrated database. */
export interface TestDatabase {
  /** Which database this is. */
  name: DatabaseName;
  /** Its URL in Prisma's form (`file:/tmp/...` or `postgresql://...?schema=...`), e.g. for `applyMigrations`. */
  url: string;
  /** The PostgreSQL schema holding the tables; `undefined` for SQLite. */
  schema?: string;
  /** A generated Prisma client connected to it. */
  prisma: TestPrismaClient;
  /** Another client on the same database, e.g. a second worker; closed by {@link TestDatabase.close}. */
  newClient(): TestPrismaClient;
  /** Disconnects every client, then deletes the database (the SQLite file, or the PostgreSQL schema). Idempotent. */
  close(): Promise<void>;
}

/** One kind of database the tests run on. */
export interface DatabaseTarget {
  /** Which database. */
  name: DatabaseName;
  /** Why this database's tests are skipped, or `undefined` when it is available. */
  skipReason?: string;
  /** Creates a fresh, migrated database of this kind. */
  create(): Promise<TestDatabase>;
}

const ROOT = path.resolve(__dirname, '..', '..');

/** The URL of the PostgreSQL server for tests (`TEST_POSTGRES_URL`), or `undefined`. */
export function testPostgresUrl(): string | undefined {
  const url = process.env.TEST_POSTGRES_URL?.trim();
  return url ? url : undefined;
}

/** Why PostgreSQL tests are skipped when `TEST_POSTGRES_URL` is unset. */
export const POSTGRES_SKIP_REASON =
  'TEST_POSTGRES_URL is not set: PostgreSQL tests skipped (e.g. TEST_POSTGRES_URL=postgresql://postgres@127.0.0.1:5432/test)';

/** Loads a generated client module, saying how to generate it when it is missing. */
function loadClient<T>(relative: string): T {
  const file = path.join(ROOT, relative);
  if (!existsSync(`${file}.ts`)) {
    throw new Error(`generated Prisma client not found at ${relative}.ts: run 'bash js/scripts/prisma_generate.sh' first`);
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(file) as T;
}

/** The generated SQLite client module; throws with the command to run when it has not been generated. */
export function loadSqliteClientModule(): SqliteClientModule {
  return loadClient<SqliteClientModule>('prisma/generated/sqlite/client');
}

/** The generated PostgreSQL client module; throws with the command to run when it has not been generated. */
export function loadPostgresClientModule(): PostgresClientModule {
  return loadClient<PostgresClientModule>('prisma/generated/postgresql/client/client');
}

/** A name that no other test process or run uses. */
function uniqueSuffix(): string {
  return `${process.pid.toString(36)}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
}

/** A fresh SQLite database in a temp directory. */
export async function createSqliteDatabase(): Promise<TestDatabase> {
  const { PrismaClient } = loadSqliteClientModule();
  const dir = mkdtempSync(path.join(tmpdir(), 'pipedrive-sync-test-'));
  const url = `file:${path.join(dir, 'test.db')}`;
  await applyMigrations(url);
  const clients: TestPrismaClient[] = [];
  const newClient = (): TestPrismaClient => {
    const client = new PrismaClient({ adapter: new PrismaBetterSqlite3({ url }) });
    clients.push(client);
    return client;
  };
  let closed = false;
  return {
    name: 'sqlite',
    url,
    prisma: newClient(),
    newClient,
    async close() {
      if (closed) return;
      closed = true;
      await Promise.allSettled(clients.map((client) => client.$disconnect()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A PostgreSQL adapter whose connections live in `schema`. */
function postgresAdapter(connectionString: string, schema: string): PrismaPg {
  // The adapter's `schema` qualifies Prisma's own queries; search_path covers raw SQL ($queryRaw) too.
  return new PrismaPg({ connectionString, options: `-c search_path=${schema}` }, { schema });
}

/** A fresh PostgreSQL schema in the `TEST_POSTGRES_URL` database; rejects when the variable is unset. */
export async function createPostgresDatabase(): Promise<TestDatabase> {
  const base = testPostgresUrl();
  if (!base) throw new Error(POSTGRES_SKIP_REASON);
  const { PrismaClient } = loadPostgresClientModule();
  const { connectionString } = splitPostgresSchema(base);
  const schema = `pds_test_${uniqueSuffix()}`;
  const url = new URL(connectionString);
  url.searchParams.set('schema', schema);
  await applyMigrations(url.toString());
  const clients: TestPrismaClient[] = [];
  const newClient = (): TestPrismaClient => {
    const client = new PrismaClient({ adapter: postgresAdapter(connectionString, schema) });
    clients.push(client as unknown as TestPrismaClient);
    return client as unknown as TestPrismaClient;
  };
  let closed = false;
  return {
    name: 'postgresql',
    url: url.toString(),
    schema,
    prisma: newClient(),
    newClient,
    async close() {
      if (closed) return;
      closed = true;
      await Promise.allSettled(clients.map((client) => client.$disconnect()));
      const admin = new pg.Client({ connectionString });
      await admin.connect();
      try {
        await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await admin.end();
      }
    },
  };
}

/** The databases to test on: SQLite always, PostgreSQL with a `skipReason` when `TEST_POSTGRES_URL` is unset. */
export function databaseTargets(): DatabaseTarget[] {
  return [
    { name: 'sqlite', create: createSqliteDatabase },
    { name: 'postgresql', skipReason: testPostgresUrl() ? undefined : POSTGRES_SKIP_REASON, create: createPostgresDatabase },
  ];
}

/** Creates a fresh database of one kind. */
export function createTestDatabase(name: DatabaseName): Promise<TestDatabase> {
  return name === 'sqlite' ? createSqliteDatabase() : createPostgresDatabase();
}

/**
 * Declares the suite `body` once per database, as `describe('<title> [sqlite]')` and `describe('<title> [postgresql]')`.
 * One fresh database per suite: created before its first test, closed after its last. `db()` returns it (call it
 * inside tests and hooks, not while declaring). Without `TEST_POSTGRES_URL` the PostgreSQL suite is reported as
 * skipped, with the reason.
 */
export function describeEachDatabase(title: string, body: (db: () => TestDatabase, name: DatabaseName) => void): void {
  for (const target of databaseTargets()) {
    describe(`${title} [${target.name}]`, { skip: target.skipReason }, () => {
      let current: TestDatabase | undefined;
      before(async () => {
        current = await target.create();
      });
      after(async () => {
        await current?.close();
      });
      body(() => {
        if (!current) throw new Error(`the ${target.name} test database is not ready: call db() inside a test or hook`);
        return current;
      }, target.name);
    });
  }
}
