/**
 * @module scripts/db_migrate
 * `db_migrate`: applies the reference schema's pending migrations to a database, from the command line.
 *
 *     node --import tsx js/scripts/db_migrate.ts [--url URL] [--schema NAME]
 *
 * The URL defaults to `DATABASE_URL`, then to `file:./prisma/dev.db`; relative SQLite paths are resolved from the
 * repo root. `file:` URLs are SQLite, `postgresql://` URLs PostgreSQL (`?schema=NAME` or `--schema NAME` picks a
 * schema other than `public`). Prints what it applied; exits 1 with the reason when migrating fails, 2 on bad
 * arguments. The work is done by `applyMigrations` in `js/prisma/migrate.ts` (shipped with the package).
 */

import * as path from 'node:path';
import { applyMigrations, MigrationError } from '../prisma/migrate';

/** The default database: the SQLite file the demo and the tests use. */
const DEFAULT_DATABASE_URL = 'file:./prisma/dev.db';

const USAGE = 'usage: node --import tsx js/scripts/db_migrate.ts [--url URL] [--schema NAME]';

/** Parsed command line. */
interface Arguments {
  url: string;
  schema?: string;
}

/** Reads `--url`, `--schema` (also as `--flag=value`) and `--help`; exits 2 on anything else. */
function parseArguments(argv: string[]): Arguments {
  const values: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      process.exit(0);
    }
    const match = /^--(url|schema)(?:=(.*))?$/.exec(arg);
    if (!match) fail(`unknown argument '${arg}'\n${USAGE}`, 2);
    const value = match[2] ?? argv[++i];
    if (value === undefined || value === '') fail(`--${match[1]} needs a value\n${USAGE}`, 2);
    values[match[1]] = value;
  }
  return { url: values.url ?? process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL, schema: values.schema };
}

function fail(message: string, code: number): never {
  console.error(`db_migrate: ${message}`);
  process.exit(code);
}

/** The URL without its password, for messages. */
function redact(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:/@]*):[^@]*@/i, '$1:***@');
}

async function main(): Promise<void> {
  const args = parseArguments(process.argv.slice(2));
  const repoRoot = path.resolve(__dirname, '..', '..');
  try {
    const result = await applyMigrations(args.url, {
      schema: args.schema,
      baseDir: repoRoot,
      log: (line) => console.log(line),
    });
    const total = result.applied.length + result.alreadyApplied.length;
    console.log(
      result.applied.length === 0
        ? `Database ${redact(args.url)} is up to date (${total} migration${total === 1 ? '' : 's'} applied).`
        : `Applied ${result.applied.length} migration(s) to ${redact(args.url)}; ${total} in all.`,
    );
  } catch (error) {
    const message = error instanceof MigrationError || error instanceof Error ? error.message : String(error);
    fail(`migrating ${redact(args.url)} failed: ${message}`, 1);
  }
}

void main();
