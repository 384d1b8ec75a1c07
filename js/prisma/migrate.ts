/**
 * @module prisma/migrate
 * Applies the reference schema's SQL migrations through Prisma's driver adapters, and records them the way Prisma
 * Migrate does.
 *
 * Owns: reading the migration folders (Prisma's format: `<timestamp>_<name>/migration.sql` + `migration_lock.toml`),
 * the `_prisma_migrations` table (same columns, same sha256 checksum), applying each pending migration in its own
 * transaction, and refusing clearly when the history is inconsistent (a failed or edited migration). A database
 * migrated here is accepted by `prisma migrate deploy` on a machine where Prisma's schema engine is available, and
 * the other way round.
 *
 * SQLite (`file:` URLs) uses `@prisma/adapter-better-sqlite3`; PostgreSQL (`postgres://`, `postgresql://` URLs) uses
 * `@prisma/adapter-pg`. Each adapter is loaded only when its database is used.
 */

import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';

/** The databases the reference schema supports. */
export type DatabaseProvider = 'sqlite' | 'postgresql';

/** Options of {@link applyMigrations}. */
export interface ApplyMigrationsOptions {
  /**
   * PostgreSQL schema to migrate (created when missing). Overrides a `?schema=` parameter in the URL;
   * defaults to `public`. Ignored for SQLite.
   */
  schema?: string;
  /** Folder of migrations to apply; defaults to the package's folder for the URL's database (see {@link migrationsDirFor}). */
  migrationsDir?: string;
  /** Folder that a relative SQLite path (`file:./dev.db`) is resolved from; defaults to `process.cwd()`. */
  baseDir?: string;
  /** Receives one line per applied migration; silent by default. */
  log?: (line: string) => void;
}

/** What {@link applyMigrations} did. */
export interface ApplyMigrationsResult {
  /** The database the URL points at. */
  provider: DatabaseProvider;
  /** Migrations applied by this call, in order. */
  applied: string[];
  /** Migrations that were already applied before this call, in order. */
  alreadyApplied: string[];
}

/** A migration as found on disk. */
export interface MigrationFile {
  /** The folder name, e.g. `20261126080000_init`: the `migration_name` Prisma records. */
  name: string;
  /** The SQL script. */
  script: string;
  /** sha256 of the file's bytes, hex: the `checksum` Prisma records. */
  checksum: string;
}

/** Thrown by {@link applyMigrations} with a message a person can act on; the driver's error, if any, is the `cause`. */
export class MigrationError extends Error {
  /** @param message what went wrong and what to do about it. */
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MigrationError';
  }
}

/** The key of Prisma Migrate's advisory lock on PostgreSQL: holding it keeps `prisma migrate` and us from racing. */
const PRISMA_ADVISORY_LOCK_KEY = 72707369;

/** `_prisma_migrations` as Prisma's schema engine creates it on SQLite. */
const SQLITE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    TEXT PRIMARY KEY NOT NULL,
    "checksum"              TEXT NOT NULL,
    "finished_at"           DATETIME,
    "migration_name"        TEXT NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        DATETIME,
    "started_at"            DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count"   INTEGER UNSIGNED NOT NULL DEFAULT 0
)`;

/** `_prisma_migrations` as Prisma's schema engine creates it on PostgreSQL. */
const POSTGRES_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

/** The database a URL points at, from its scheme; throws {@link MigrationError} for any other scheme. */
export function providerOf(url: string): DatabaseProvider {
  if (url.startsWith('file:')) return 'sqlite';
  if (/^postgres(ql)?:\/\//.test(url)) return 'postgresql';
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1];
  throw new MigrationError(
    `unsupported database URL${scheme ? ` scheme '${scheme}:'` : ''}: use file:<path> for SQLite or postgresql://... for PostgreSQL`,
  );
}

/** The package's migration folder for a database: `prisma/migrations` (SQLite) or `prisma/postgresql/migrations`. */
export function migrationsDirFor(provider: DatabaseProvider): string {
  // This file is js/prisma/migrate.ts (or dist/prisma/migrate.js once built): the package root is two levels up.
  const root = path.resolve(__dirname, '..', '..');
  return provider === 'sqlite' ? path.join(root, 'prisma', 'migrations') : path.join(root, 'prisma', 'postgresql', 'migrations');
}

/** sha256 of a migration script, hex-encoded, as Prisma computes the `checksum` column. */
export function migrationChecksum(script: string | Buffer): string {
  return createHash('sha256').update(script).digest('hex');
}

/**
 * Reads a migration folder: checks `migration_lock.toml` names the expected provider and returns the migrations in
 * the order Prisma applies them (folder names, sorted).
 */
export function readMigrations(dir: string, provider: DatabaseProvider): MigrationFile[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new MigrationError(`migrations folder not found: ${dir}`);
  }
  const lockFile = path.join(dir, 'migration_lock.toml');
  if (existsSync(lockFile)) {
    const locked = /^\s*provider\s*=\s*"([^"]+)"/m.exec(readFileSync(lockFile, 'utf8'))?.[1];
    if (locked !== provider) {
      throw new MigrationError(
        `${lockFile} is for provider '${locked ?? '?'}' but the URL is a ${provider} database: pick the ${provider} migrations folder`,
      );
    }
  }
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(dir, entry.name, 'migration.sql')))
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const bytes = readFileSync(path.join(dir, name, 'migration.sql'));
      return { name, script: bytes.toString('utf8'), checksum: migrationChecksum(bytes) };
    });
}

/** Whether a recorded checksum matches a script, tolerating CRLF/LF differences as Prisma does (git may convert them). */
function checksumMatches(script: string, recorded: string): boolean {
  const lf = script.replace(/\r\n/g, '\n');
  return [script, lf, lf.replace(/\n/g, '\r\n')].some((variant) => migrationChecksum(variant) === recorded);
}

/** The slice of Prisma's `SqlQueryable` this module uses (declared here so the package needs no adapter types). */
interface Queryable {
  queryRaw(query: SqlQuery): Promise<{ columnNames: string[]; rows: unknown[][] }>;
  executeRaw(query: SqlQuery): Promise<number>;
}

/** A statement with its arguments, in the driver adapters' shape. */
interface SqlQuery {
  sql: string;
  args: unknown[];
  argTypes: ArgType[];
}

/** An argument's type, in the driver adapters' shape. */
interface ArgType {
  scalarType: 'string' | 'int';
  arity: 'scalar';
}

/** An argument with its type. */
interface Arg {
  value: unknown;
  type: ArgType;
}

/** One open database, able to run work in a transaction that holds the migration lock. */
interface MigrationConnection {
  provider: DatabaseProvider;
  /** Runs `work` in a transaction (holding the migration lock), commits it, or rolls it back and rethrows. */
  transaction<T>(work: (db: Queryable) => Promise<T>): Promise<T>;
  /** Runs a whole SQL script (several statements) inside the current transaction. */
  runScript(db: Queryable, script: string): Promise<void>;
  /** Fails when the database violates a foreign key (SQLite checks them at the end; PostgreSQL enforces them). */
  checkForeignKeys(db: Queryable): Promise<void>;
  /** `_prisma_migrations` DDL. */
  migrationsTableSql: string;
  /** Records a finished migration; arguments: id, checksum, name, started at, finished at. */
  recordSql: string;
  /** A time as this database's `_prisma_migrations` stores it. */
  instant(at: Date): Arg;
  close(): Promise<void>;
}

const plain = (sql: string): SqlQuery => ({ sql, args: [], argTypes: [] });
const text = (value: string): Arg => ({ value, type: { scalarType: 'string', arity: 'scalar' } });

async function openSqlite(url: string, baseDir: string): Promise<MigrationConnection> {
  const filePath = url.slice('file:'.length).split('?')[0];
  if (!filePath) throw new MigrationError(`SQLite URL '${url}' has no file path`);
  const absolute = filePath === ':memory:' ? filePath : path.resolve(baseDir, filePath);
  if (absolute !== ':memory:') mkdirSync(path.dirname(absolute), { recursive: true });
  const { PrismaBetterSqlite3 } = await import('@prisma/adapter-better-sqlite3');
  const adapter = await new PrismaBetterSqlite3({ url: `file:${absolute}` }).connect();
  return {
    provider: 'sqlite',
    async transaction(work) {
      // Foreign keys are switched off around the transaction (a no-op inside one) so that Prisma's "redefine table"
      // migrations (copy, drop, rename) cannot cascade; checkForeignKeys runs before the commit instead.
      await adapter.executeScript('PRAGMA foreign_keys = OFF');
      try {
        // IMMEDIATE takes the write lock up front: a second migrator waits (busy timeout) instead of failing midway.
        await adapter.executeScript('BEGIN IMMEDIATE');
        try {
          const result = await work(adapter);
          await adapter.executeScript('COMMIT');
          return result;
        } catch (error) {
          await adapter.executeScript('ROLLBACK').catch(() => undefined);
          throw error;
        }
      } finally {
        await adapter.executeScript('PRAGMA foreign_keys = ON');
      }
    },
    async runScript(_db, script) {
      await adapter.executeScript(script);
    },
    async checkForeignKeys(db) {
      const violations = await db.queryRaw(plain('PRAGMA foreign_key_check'));
      if (violations.rows.length > 0) {
        const first = violations.rows[0];
        throw new MigrationError(
          `the migration leaves ${violations.rows.length} row(s) violating a foreign key (first: table ${String(first[0])}, row ${String(first[1])}, referencing ${String(first[2])})`,
        );
      }
    },
    migrationsTableSql: SQLITE_MIGRATIONS_TABLE,
    // Prisma's engine writes SQLite DateTimes as Unix milliseconds; so do we.
    recordSql: `INSERT INTO "_prisma_migrations" ("id", "checksum", "migration_name", "started_at", "finished_at", "logs", "rolled_back_at", "applied_steps_count")
      VALUES (?, ?, ?, ?, ?, NULL, NULL, 1)`,
    instant: (at) => ({ value: at.getTime(), type: { scalarType: 'int', arity: 'scalar' } }),
    close: () => adapter.dispose(),
  };
}

/** Splits `?schema=` off a PostgreSQL URL (Prisma's convention; node-postgres does not know it). */
export function splitPostgresSchema(url: string): { connectionString: string; schema: string | undefined } {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get('schema') ?? undefined;
  parsed.searchParams.delete('schema');
  return { connectionString: parsed.toString(), schema };
}

/** Quotes a PostgreSQL identifier. */
function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

async function openPostgres(url: string, schemaOption: string | undefined): Promise<MigrationConnection> {
  const { connectionString, schema: urlSchema } = splitPostgresSchema(url);
  const schema = schemaOption ?? urlSchema ?? 'public';
  const { PrismaPg } = await import('@prisma/adapter-pg');
  const adapter = await new PrismaPg({ connectionString, max: 1 }).connect();
  return {
    provider: 'postgresql',
    async transaction(work) {
      const tx = await adapter.startTransaction();
      try {
        // Transaction-scoped lock and search path: released and reset by COMMIT or ROLLBACK.
        await tx.executeRaw(plain(`SELECT pg_advisory_xact_lock(${PRISMA_ADVISORY_LOCK_KEY})`));
        await tx.executeRaw(plain(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`));
        await tx.executeRaw(plain(`SET LOCAL search_path TO ${quoteIdent(schema)}`));
        const result = await work(tx);
        await tx.executeRaw(plain('COMMIT'));
        await tx.commit();
        return result;
      } catch (error) {
        await tx.executeRaw(plain('ROLLBACK')).catch(() => undefined);
        await tx.rollback().catch(() => undefined);
        throw error;
      }
    },
    async runScript(db, script) {
      // No arguments: node-postgres sends it with the simple query protocol, which runs several statements.
      await db.executeRaw(plain(script));
    },
    async checkForeignKeys() {
      // PostgreSQL checks foreign keys as each statement runs.
    },
    migrationsTableSql: POSTGRES_MIGRATIONS_TABLE,
    recordSql: `INSERT INTO "_prisma_migrations" ("id", "checksum", "migration_name", "started_at", "finished_at", "logs", "rolled_back_at", "applied_steps_count")
      VALUES ($1, $2, $3, $4::timestamptz, $5::timestamptz, NULL, NULL, 1)`,
    instant: (at) => text(at.toISOString()),
    close: () => adapter.dispose(),
  };
}

/** A row of `_prisma_migrations`, as far as this module reads it. */
interface MigrationRecord {
  name: string;
  checksum: string;
  finished: boolean;
  rolledBack: boolean;
}

async function readRecords(db: Queryable): Promise<MigrationRecord[]> {
  const result = await db.queryRaw(
    plain(`SELECT "migration_name", "checksum", "finished_at" IS NOT NULL, "rolled_back_at" IS NOT NULL FROM "_prisma_migrations" ORDER BY "started_at", "migration_name"`),
  );
  return result.rows.map((row) => ({
    name: String(row[0]),
    checksum: String(row[1]),
    finished: row[2] === true || Number(row[2]) === 1,
    rolledBack: row[3] === true || Number(row[3]) === 1,
  }));
}

/** Refuses to go on when Prisma would: a failed migration awaits a decision, or an applied one was edited. */
function checkHistory(records: MigrationRecord[], files: MigrationFile[]): void {
  const failed = records.find((record) => !record.finished && !record.rolledBack);
  if (failed) {
    throw new MigrationError(
      `migration ${failed.name} failed earlier and was not marked as rolled back: fix the database, then run ` +
        `'prisma migrate resolve --rolled-back ${failed.name}' (or --applied) before migrating again`,
    );
  }
  for (const file of files) {
    const record = records.find((r) => r.name === file.name && r.finished && !r.rolledBack);
    if (record && !checksumMatches(file.script, record.checksum)) {
      throw new MigrationError(
        `migration ${file.name} was modified after it was applied (recorded checksum ${record.checksum}, file ${file.checksum}): ` +
          'restore the original file and put the change in a new migration',
      );
    }
  }
}

/**
 * Applies the pending migrations to the database at `url` (`file:...` for SQLite, `postgresql://...` for
 * PostgreSQL) and records each one in `_prisma_migrations` as Prisma Migrate does. Each migration runs in its own
 * transaction together with its record, so a failure leaves the database as it was before that migration (and the
 * migrations before it applied). Idempotent: applied migrations are skipped.
 *
 * Rejects with a {@link MigrationError} saying what to do when the URL, the folder or the history is wrong, or when a
 * migration fails (its driver error is the `cause`).
 */
export async function applyMigrations(url: string, options: ApplyMigrationsOptions = {}): Promise<ApplyMigrationsResult> {
  const provider = providerOf(url);
  const files = readMigrations(options.migrationsDir ?? migrationsDirFor(provider), provider);
  const log = options.log ?? (() => undefined);
  let connection: MigrationConnection;
  try {
    connection =
      provider === 'sqlite'
        ? await openSqlite(url, options.baseDir ?? process.cwd())
        : await openPostgres(url, options.schema);
  } catch (error) {
    if (error instanceof MigrationError) throw error;
    throw new MigrationError(`cannot open the ${provider} database: ${describe(error)}`, { cause: error });
  }

  const result: ApplyMigrationsResult = { provider, applied: [], alreadyApplied: [] };
  try {
    await wrap('creating _prisma_migrations', () =>
      connection.transaction(async (db) => {
        await db.executeRaw(plain(connection.migrationsTableSql));
        checkHistory(await readRecords(db), files);
      }),
    );
    for (const file of files) {
      const applied = await wrap(`applying migration ${file.name}`, () =>
        connection.transaction(async (db) => {
          // Read again under the lock: another migrator may have applied it meanwhile.
          const records = await readRecords(db);
          checkHistory(records, files);
          if (records.some((r) => r.name === file.name && r.finished && !r.rolledBack)) return false;
          const startedAt = new Date();
          await connection.runScript(db, file.script);
          await connection.checkForeignKeys(db);
          const args = [
            text(randomUUID()),
            text(file.checksum),
            text(file.name),
            connection.instant(startedAt),
            connection.instant(new Date()),
          ];
          await db.executeRaw({ sql: connection.recordSql, args: args.map((a) => a.value), argTypes: args.map((a) => a.type) });
          return true;
        }),
      );
      if (applied) {
        result.applied.push(file.name);
        log(`Applied migration ${file.name}`);
      } else {
        result.alreadyApplied.push(file.name);
      }
    }
  } finally {
    await connection.close().catch(() => undefined);
  }
  return result;
}

/** Runs a step, turning a driver error into a {@link MigrationError} that says which step failed. */
async function wrap<T>(step: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof MigrationError) throw error;
    throw new MigrationError(`${step} failed: ${describe(error)}`, { cause: error });
  }
}

/** A driver error in words: the adapters put the database's details in `cause` (`kind`, `originalMessage`, ...). */
export function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  if (!cause || typeof cause !== 'object' || cause instanceof Error) return error.message;
  const { kind, originalMessage, originalCode, ...rest } = cause as Record<string, unknown>;
  const details = Object.entries(rest)
    .filter(([, value]) => value !== undefined && value !== null && typeof value !== 'object')
    .map(([key, value]) => `${key} ${String(value)}`);
  const head = typeof originalMessage === 'string' ? originalMessage : error.message;
  const label = typeof kind === 'string' && kind !== head ? `${kind}: ` : '';
  const code = typeof originalCode === 'string' ? ` [${originalCode}]` : '';
  return `${label}${head}${code}${details.length && typeof originalMessage !== 'string' ? ` (${details.join(', ')})` : ''}`;
}
