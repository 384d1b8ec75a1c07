/**
 * @module tests/prisma/migrate.test
 * The migration runner (`js/prisma/migrate.ts`, CLI `js/scripts/db_migrate.ts`): applies pending migrations once,
 * records them in `_prisma_migrations` as Prisma Migrate does, refuses an inconsistent history, rolls a failing
 * migration back, and serializes concurrent migrators on PostgreSQL.
 */

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { after, describe, test } from 'node:test';
import pg from 'pg';
import {
  applyMigrations,
  migrationChecksum,
  migrationsDirFor,
  MigrationError,
  providerOf,
  splitPostgresSchema,
} from '../../js/prisma/migrate';
import { testPostgresUrl } from './databases';

const ROOT = path.resolve(__dirname, '..', '..');
const SQLITE_MIGRATIONS = path.join(ROOT, 'prisma', 'migrations');
const POSTGRES_MIGRATIONS = path.join(ROOT, 'prisma', 'postgresql', 'migrations');
const run = promisify(execFile);

/** The migration folder names on disk, in order. */
function migrationNames(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

/** The columns of `_prisma_migrations`, as Prisma Migrate creates them. */
const PRISMA_MIGRATIONS_COLUMNS = [
  'id',
  'checksum',
  'finished_at',
  'migration_name',
  'logs',
  'rolled_back_at',
  'started_at',
  'applied_steps_count',
];

/** The slice of better-sqlite3 used here (the package ships no types of its own). */
interface SqliteDatabase {
  prepare(sql: string): { all(...params: unknown[]): unknown[]; run(...params: unknown[]): unknown };
  close(): void;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Database = require('better-sqlite3') as new (file: string) => SqliteDatabase;

/** Runs `fn` on a SQLite file, closing it afterwards. */
function withSqlite<T>(file: string, fn: (db: SqliteDatabase) => T): T {
  const db = new Database(file);
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

/** A temp directory removed after the current test file. */
function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'pipedrive-sync-migrate-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A copy of the SQLite migrations that a test may change. */
function copyOfSqliteMigrations(): string {
  const dir = path.join(tempDir(), 'migrations');
  cpSync(SQLITE_MIGRATIONS, dir, { recursive: true });
  return dir;
}

interface MigrationRow {
  id: string;
  checksum: string;
  finished_at: unknown;
  migration_name: string;
  logs: string | null;
  rolled_back_at: unknown;
  started_at: unknown;
  applied_steps_count: number;
}

describe('migration files', () => {
  test('each folder has migration.sql and a lock file for its provider; both databases have the same migrations', () => {
    assert.match(readFileSync(path.join(SQLITE_MIGRATIONS, 'migration_lock.toml'), 'utf8'), /^provider = "sqlite"$/m);
    assert.match(readFileSync(path.join(POSTGRES_MIGRATIONS, 'migration_lock.toml'), 'utf8'), /^provider = "postgresql"$/m);
    const names = migrationNames(SQLITE_MIGRATIONS);
    assert.ok(names.length > 0);
    assert.deepEqual(migrationNames(POSTGRES_MIGRATIONS), names);
    for (const name of names) assert.match(name, /^\d{14}_[a-z0-9_]+$/, `${name} follows Prisma's <timestamp>_<name>`);
    assert.equal(migrationsDirFor('sqlite'), SQLITE_MIGRATIONS);
    assert.equal(migrationsDirFor('postgresql'), POSTGRES_MIGRATIONS);
  });

  test('providerOf picks the database from the URL scheme and rejects the others clearly', () => {
    assert.equal(providerOf('file:./prisma/dev.db'), 'sqlite');
    assert.equal(providerOf('postgresql://u@h:5432/d'), 'postgresql');
    assert.equal(providerOf('postgres://u@h/d'), 'postgresql');
    assert.throws(() => providerOf('mysql://u@h/d'), (e: Error) => e instanceof MigrationError && /scheme 'mysql:'/.test(e.message));
    assert.throws(() => providerOf('./dev.db'), MigrationError);
  });

  test('splitPostgresSchema takes ?schema= off the URL', () => {
    assert.deepEqual(splitPostgresSchema('postgresql://u@h:5432/d?schema=s1&sslmode=disable'), {
      connectionString: 'postgresql://u@h:5432/d?sslmode=disable',
      schema: 's1',
    });
    assert.equal(splitPostgresSchema('postgresql://u@h/d').schema, undefined);
  });
});

describe('applyMigrations on SQLite', () => {
  test('applies every migration once, then nothing: idempotent', async () => {
    const file = path.join(tempDir(), 'nested', 'dir', 'app.db');
    const names = migrationNames(SQLITE_MIGRATIONS);
    const lines: string[] = [];
    const first = await applyMigrations(`file:${file}`, { log: (line) => lines.push(line) });
    assert.deepEqual(first, { provider: 'sqlite', applied: names, alreadyApplied: [] });
    assert.deepEqual(lines, names.map((n) => `Applied migration ${n}`));
    const second = await applyMigrations(`file:${file}`);
    assert.deepEqual(second, { provider: 'sqlite', applied: [], alreadyApplied: names });
    withSqlite(file, (db) => {
      const count = db.prepare(`SELECT count(*) AS n FROM "_prisma_migrations"`).all() as { n: number }[];
      assert.equal(count[0].n, names.length, 'one row per migration, not one per run');
    });
  });

  test("records each migration in _prisma_migrations with Prisma's columns and the file's sha256", async () => {
    const file = path.join(tempDir(), 'app.db');
    const before = Date.now();
    await applyMigrations(`file:${file}`);
    withSqlite(file, (db) => {
      const columns = (db.prepare(`PRAGMA table_info("_prisma_migrations")`).all() as { name: string }[]).map((c) => c.name);
      assert.deepEqual(columns, PRISMA_MIGRATIONS_COLUMNS);
      const rows = db.prepare(`SELECT * FROM "_prisma_migrations" ORDER BY "migration_name"`).all() as MigrationRow[];
      assert.deepEqual(
        rows.map((r) => r.migration_name),
        migrationNames(SQLITE_MIGRATIONS),
      );
      for (const row of rows) {
        const bytes = readFileSync(path.join(SQLITE_MIGRATIONS, row.migration_name, 'migration.sql'));
        assert.equal(row.checksum, migrationChecksum(bytes));
        assert.match(row.checksum, /^[0-9a-f]{64}$/);
        assert.match(row.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        assert.equal(row.applied_steps_count, 1);
        assert.equal(row.logs, null);
        assert.equal(row.rolled_back_at, null);
        // Unix milliseconds, as Prisma's engine writes SQLite DateTimes.
        assert.ok(Number(row.started_at) >= before - 1000 && Number(row.started_at) <= Date.now());
        assert.ok(Number(row.finished_at) >= Number(row.started_at));
      }
    });
  });

  test('an edited migration is refused, but a CRLF/LF difference is not', async () => {
    const dir = copyOfSqliteMigrations();
    const file = path.join(tempDir(), 'app.db');
    await applyMigrations(`file:${file}`, { migrationsDir: dir });
    const first = path.join(dir, migrationNames(dir)[0], 'migration.sql');
    const original = readFileSync(first, 'utf8');
    writeFileSync(first, original.replace(/\n/g, '\r\n'));
    assert.equal((await applyMigrations(`file:${file}`, { migrationsDir: dir })).applied.length, 0);
    writeFileSync(first, `${original}\n-- an afterthought\n`);
    await assert.rejects(
      applyMigrations(`file:${file}`, { migrationsDir: dir }),
      (e: Error) => e instanceof MigrationError && /was modified after it was applied/.test(e.message),
    );
  });

  test('a failing migration is rolled back whole and not recorded; fixing it lets the next run apply it', async () => {
    const dir = copyOfSqliteMigrations();
    const file = path.join(tempDir(), 'app.db');
    await applyMigrations(`file:${file}`, { migrationsDir: dir });
    const broken = path.join(dir, '29991231000000_broken');
    mkdirSync(broken);
    writeFileSync(
      path.join(broken, 'migration.sql'),
      'CREATE TABLE "half_done" ("id" TEXT NOT NULL PRIMARY KEY);\nINSERT INTO "no_such_table" VALUES (1);\n',
    );
    await assert.rejects(
      applyMigrations(`file:${file}`, { migrationsDir: dir }),
      (e: Error) => e instanceof MigrationError && /applying migration 29991231000000_broken failed: .*no_such_table/.test(e.message),
    );
    withSqlite(file, (db) => {
      assert.deepEqual(db.prepare(`SELECT name FROM sqlite_master WHERE name = 'half_done'`).all(), [], 'rolled back');
      const names = (db.prepare(`SELECT migration_name FROM "_prisma_migrations"`).all() as MigrationRow[]).map((r) => r.migration_name);
      assert.ok(!names.includes('29991231000000_broken'));
    });
    writeFileSync(path.join(broken, 'migration.sql'), 'CREATE TABLE "half_done" ("id" TEXT NOT NULL PRIMARY KEY);\n');
    assert.deepEqual((await applyMigrations(`file:${file}`, { migrationsDir: dir })).applied, ['29991231000000_broken']);
  });

  test('a migration Prisma recorded as failed blocks migrating, as in prisma migrate deploy', async () => {
    const file = path.join(tempDir(), 'app.db');
    await applyMigrations(`file:${file}`);
    withSqlite(file, (db) => {
      db.prepare(
        `INSERT INTO "_prisma_migrations" ("id", "checksum", "migration_name", "started_at", "applied_steps_count") VALUES ('x', 'y', '29990101000000_failed', 0, 0)`,
      ).run();
    });
    await assert.rejects(
      applyMigrations(`file:${file}`),
      (e: Error) => e instanceof MigrationError && /29990101000000_failed failed earlier.*migrate resolve/.test(e.message),
    );
  });

  test('the wrong provider folder is refused by its lock file', async () => {
    const file = path.join(tempDir(), 'app.db');
    await assert.rejects(
      applyMigrations(`file:${file}`, { migrationsDir: POSTGRES_MIGRATIONS }),
      (e: Error) => e instanceof MigrationError && /provider 'postgresql'/.test(e.message),
    );
  });

  test('a relative SQLite path is resolved from baseDir', async () => {
    const base = tempDir();
    await applyMigrations('file:./sub/rel.db', { baseDir: base });
    withSqlite(path.join(base, 'sub', 'rel.db'), (db) => {
      assert.ok((db.prepare(`SELECT count(*) AS n FROM "users"`).all() as { n: number }[])[0].n === 0);
    });
  });
});

describe('db_migrate CLI', () => {
  const cli = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    run(process.execPath, ['--import', 'tsx', path.join(ROOT, 'js/scripts/db_migrate.ts'), ...args], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: undefined, ...env },
    }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
    );

  test('--url: prints what it applied, then that the database is up to date', async () => {
    const file = path.join(tempDir(), 'cli.db');
    const first = await cli(['--url', `file:${file}`]);
    assert.equal(first.code, 0, first.stderr);
    for (const name of migrationNames(SQLITE_MIGRATIONS)) assert.match(first.stdout, new RegExp(`Applied migration ${name}`));
    const second = await cli([`--url=file:${file}`]);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /is up to date/);
    assert.doesNotMatch(second.stdout, /Applied migration/);
  });

  test('reads DATABASE_URL when --url is absent', async () => {
    const file = path.join(tempDir(), 'env.db');
    const result = await cli([], { DATABASE_URL: `file:${file}` });
    assert.equal(result.code, 0, result.stderr);
    withSqlite(file, (db) => assert.ok(db.prepare(`SELECT * FROM "_prisma_migrations"`).all().length > 0));
  });

  test('fails with exit code 1 and the reason; 2 for bad arguments', async () => {
    const bad = await cli(['--url', 'mysql://root@localhost/x']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /db_migrate: migrating mysql:\/\/root@localhost\/x failed: unsupported database URL scheme 'mysql:'/);
    const usage = await cli(['--frobnicate']);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /unknown argument '--frobnicate'/);
  });

  test('hides the password of a PostgreSQL URL in its messages', async () => {
    const result = await cli(['--url', 'postgresql://user:s3cr3t-pw@127.0.0.1:1/nowhere']);
    assert.equal(result.code, 1);
    assert.doesNotMatch(result.stderr, /s3cr3t-pw/);
    assert.match(result.stderr, /postgresql:\/\/user:\*\*\*@127\.0\.0\.1:1\/nowhere/);
  });
});

describe('applyMigrations on PostgreSQL', { skip: testPostgresUrl() ? false : 'TEST_POSTGRES_URL is not set' }, () => {
  const base = splitPostgresSchema(testPostgresUrl() ?? 'postgresql://unset/unset').connectionString;
  const schemas: string[] = [];
  const freshSchema = () => {
    const name = `pds_migrate_${process.pid}_${Date.now().toString(36)}_${schemas.length}`;
    schemas.push(name);
    return name;
  };
  const query = async <T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> => {
    const client = new pg.Client({ connectionString: base });
    await client.connect();
    try {
      return (await client.query<T>(sql, params)).rows;
    } finally {
      await client.end();
    }
  };
  after(async () => {
    for (const schema of schemas) await query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  });

  test('creates the schema, applies every migration once, records it as Prisma does: idempotent', async () => {
    const schema = freshSchema();
    const names = migrationNames(POSTGRES_MIGRATIONS);
    assert.deepEqual(await applyMigrations(base, { schema }), { provider: 'postgresql', applied: names, alreadyApplied: [] });
    const url = new URL(base);
    url.searchParams.set('schema', schema);
    assert.deepEqual(await applyMigrations(url.toString()), { provider: 'postgresql', applied: [], alreadyApplied: names });
    const columns = await query<{ column_name: string; data_type: string }>(
      `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = '_prisma_migrations' ORDER BY ordinal_position`,
      [schema],
    );
    assert.deepEqual(columns.map((c) => c.column_name), PRISMA_MIGRATIONS_COLUMNS);
    assert.equal(columns.find((c) => c.column_name === 'finished_at')?.data_type, 'timestamp with time zone');
    const rows = await query<MigrationRow & { finished_at: Date; started_at: Date }>(
      `SELECT * FROM "${schema}"."_prisma_migrations" ORDER BY migration_name`,
    );
    assert.deepEqual(rows.map((r) => r.migration_name), names);
    for (const row of rows) {
      assert.equal(row.checksum, migrationChecksum(readFileSync(path.join(POSTGRES_MIGRATIONS, row.migration_name, 'migration.sql'))));
      assert.equal(row.applied_steps_count, 1);
      assert.equal(row.rolled_back_at, null);
      assert.ok(row.finished_at instanceof Date && row.finished_at.getTime() >= row.started_at.getTime());
      assert.ok(Math.abs(row.started_at.getTime() - Date.now()) < 60_000, 'started_at is now, in UTC');
    }
    const tables = await query<{ table_name: string }>(`SELECT table_name FROM information_schema.tables WHERE table_schema = $1`, [schema]);
    assert.ok(tables.some((t) => t.table_name === 'users'));
    const inPublic = await query(`SELECT 1 FROM "${schema}"."users" LIMIT 0`);
    assert.deepEqual(inPublic, []);
  });

  test('two migrators at once on one fresh schema: each migration is applied exactly once', async () => {
    const schema = freshSchema();
    const [a, b] = await Promise.all([applyMigrations(base, { schema }), applyMigrations(base, { schema })]);
    const names = migrationNames(POSTGRES_MIGRATIONS);
    assert.deepEqual([...a.applied, ...b.applied].sort(), names);
    assert.deepEqual([...a.alreadyApplied, ...b.alreadyApplied].sort(), names);
    const rows = await query(`SELECT migration_name FROM "${schema}"."_prisma_migrations"`);
    assert.equal(rows.length, names.length);
  });

  test('an unreachable server is a MigrationError that names the problem', async () => {
    await assert.rejects(
      applyMigrations('postgresql://postgres@127.0.0.1:1/test'),
      (e: Error) => e instanceof MigrationError && /DatabaseNotReachable/.test(e.message),
    );
  });
});
