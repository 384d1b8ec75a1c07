/**
 * @module next-crm/lib/database
 * The CRM's database: SQLite in `prisma/crm.db` by default, PostgreSQL when `DATABASE_URL` is a `postgresql://`
 * URL (a `file:` URL picks another SQLite file). On first use it is migrated with the package's `applyMigrations`
 * (the package's reference tables, its own included) and, when it holds no users yet, seeded
 * (`lib/seed/seed_database.ts`). One Prisma client per process, generated from the package's shipped schema
 * (`scripts/prisma_generate.sh`), on a driver adapter.
 */

import path from 'node:path';

import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import { applyMigrations } from 'pipedrive-sync/prisma';

import { PrismaClient as PostgresClient } from '@/prisma/generated/postgresql/client';
import { PrismaClient } from '@/prisma/generated/sqlite/client';
import { seedDatabase } from './seed/seed_database';

/** The Prisma client of the reference schema (both generated clients have the same model API). */
export type CrmPrisma = PrismaClient;

/** The database URL: `DATABASE_URL`, else the app's own SQLite file (relative `file:` paths from the app folder). */
export function databaseUrl(): string {
  const configured = process.env.DATABASE_URL?.trim();
  if (!configured) return `file:${path.join(/*turbopackIgnore: true*/ process.cwd(), 'prisma', 'crm.db')}`;
  if (configured.startsWith('file:')) return `file:${path.resolve(/*turbopackIgnore: true*/ process.cwd(), configured.slice('file:'.length))}`;
  return configured;
}

/** A client for `url`: better-sqlite3 for `file:` URLs, node-postgres (with its `?schema=`) otherwise. */
function openClient(url: string): CrmPrisma {
  if (url.startsWith('file:')) return new PrismaClient({ adapter: new PrismaBetterSqlite3({ url }) });
  const parsed = new URL(url);
  const schema = parsed.searchParams.get('schema') ?? undefined;
  parsed.searchParams.delete('schema');
  const options = schema ? { options: `-c search_path=${schema}` } : {};
  const client = new PostgresClient({ adapter: new PrismaPg({ connectionString: parsed.toString(), ...options }, { schema }) });
  return client as unknown as CrmPrisma;
}

/** The process's database, kept across Next.js module reloads. */
const shared = globalThis as typeof globalThis & { crmDatabase?: Promise<CrmPrisma> };

/** The migrated (and, when empty, seeded) database; the first call does the work, later ones share it. */
export function getPrisma(): Promise<CrmPrisma> {
  shared.crmDatabase ??= (async () => {
    const url = databaseUrl();
    await applyMigrations(url);
    const prisma = openClient(url);
    await seedDatabase(prisma);
    return prisma;
  })().catch((error: unknown) => {
    shared.crmDatabase = undefined; // a database that was down must be retried, not remembered as broken
    throw error;
  });
  return shared.crmDatabase;
}
