/**
 * @module demo/crm_database
 * The demo's CRM database: SQLite at `DATABASE_URL`, or a fresh `.tmp/demo.db` in the repo (recreated every run
 * so the demo is repeatable), migrated with `applyMigrations`, opened with the generated Prisma client of the
 * reference schema (loaded at run time from `prisma/generated/sqlite`) on `@prisma/adapter-better-sqlite3`, and
 * filled with the demo's seed (users, organizations, contacts and their activities).
 */

import { existsSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { applyMigrations } from '../prisma/migrate';
import type { PrismaClientLike } from '../prisma/client_shape';
import type { DemoSeed } from './crm_seed';
import { DemoError } from './demo_error';

/** The package root (the repo in development): `js/demo` and `dist/demo` are both two levels down. */
export const PACKAGE_ROOT = path.resolve(__dirname, '..', '..');
/** The demo's default database file, relative to the package root. */
export const DEFAULT_DEMO_DB = path.join('.tmp', 'demo.db');
/** Where the set-up step writes the generated SQLite client (without the `.ts` extension). */
const CLIENT_MODULE = path.join(PACKAGE_ROOT, 'prisma', 'generated', 'sqlite', 'client');

/** A contact row as the summary reads it. */
export interface ContactRow {
  id: string;
  email: string | null;
  warmnessScore: number;
  organizationId: string | null;
  ownerId: string | null;
  pipedrivePersonId: number | null;
  pipedriveOrgId: number | null;
  updateSyncStatus: string;
}

/** An organization row as the summary reads it. */
export interface OrganizationRow {
  id: string;
  name: string;
  pipedriveOrgId: number | null;
}

/** An activity row as the summary reads it. */
export interface ActivityRow {
  id: string;
  contactId: string;
  /** The CRM user who logged it. */
  userId: string;
  type: string;
  pipedriveActivityId: number | null;
  replicatedToPipedrive: boolean;
  updateSyncStatus: string;
}

/** The columns of {@link ActivityRow}, as a Prisma `select`. */
export const ACTIVITY_SELECT = {
  id: true, contactId: true, userId: true, type: true, pipedriveActivityId: true, replicatedToPipedrive: true, updateSyncStatus: true,
} as const satisfies Record<keyof ActivityRow, true>;

/** An activity as the seed writes it. */
export interface ActivityInsert {
  id: string;
  contactId: string;
  userId: string;
  type: string;
  subject: string;
  note: string | null;
  dueDate: Date;
  allDay: boolean;
  createdAt: Date;
}

/** A job row as the summary reads it. */
export interface JobRow {
  recordId: string;
  state: string;
  lastError: string | null;
}

/** The part of the generated Prisma client the demo uses (the store needs the rest of {@link PrismaClientLike}). */
export interface DemoPrismaClient extends PrismaClientLike {
  user: PrismaClientLike['user'] & {
    create(args: { data: { email: string; name: string } }): PromiseLike<{ id: string }>;
    findMany(args: { select: { id: true; pipedriveUserId: true } }): PromiseLike<Array<{ id: string; pipedriveUserId: number | null }>>;
  };
  organization: {
    create(args: { data: { name: string; industry: string; country: string; pipedriveOrgId: number | null } }): PromiseLike<{ id: string }>;
    findMany(args: { select: Record<keyof OrganizationRow, true> }): PromiseLike<OrganizationRow[]>;
    update(args: { where: { id: string }; data: { name: string } }): PromiseLike<unknown>;
  };
  contact: {
    createMany(args: {
      data: Array<{
        id: string; name: string; email: string; phone: string; warmnessScore: number; organizationId: string | null; ownerId: string;
        pipedrivePersonId: number | null; pipedriveOrgId: number | null;
      }>;
    }): PromiseLike<{ count: number }>;
    findMany(args: { select: Record<keyof ContactRow, true>; orderBy: { id: 'asc' } }): PromiseLike<ContactRow[]>;
    count(): PromiseLike<number>;
    update(args: { where: { id: string }; data: { name: string } }): PromiseLike<unknown>;
  };
  activity: {
    createMany(args: { data: ActivityInsert[] }): PromiseLike<{ count: number }>;
    findMany(args: { select: Record<keyof ActivityRow, true>; orderBy: { id: 'asc' } }): PromiseLike<ActivityRow[]>;
  };
  syncJob: {
    findMany(args: { where: { kind: string; state?: string }; select: Record<keyof JobRow, true> }): PromiseLike<JobRow[]>;
  };
  $disconnect(): Promise<void>;
}

/** The opened database. */
export interface DemoDatabase {
  /** `file:` URL with an absolute path. */
  url: string;
  /** Whether the file is the demo's own default one (recreated every run). */
  isDefault: boolean;
  prisma: DemoPrismaClient;
}

/** The SQLite URL to use: `DATABASE_URL` (relative paths from the package root), else the default file. */
export function demoDatabaseUrl(env: NodeJS.ProcessEnv): { url: string; isDefault: boolean } {
  const configured = env.DATABASE_URL?.trim();
  if (!configured) return { url: `file:${path.join(PACKAGE_ROOT, DEFAULT_DEMO_DB)}`, isDefault: true };
  if (!configured.startsWith('file:')) {
    throw new DemoError(
      `the demo runs on SQLite, but DATABASE_URL is not a file: URL; unset it to use ${DEFAULT_DEMO_DB}, or set DATABASE_URL=file:./path/to/demo.db`,
    );
  }
  const file = configured.slice('file:'.length).split('?')[0];
  if (!file || file === ':memory:') throw new DemoError(`DATABASE_URL must name a SQLite file, got '${configured}'`);
  return { url: `file:${path.resolve(PACKAGE_ROOT, file)}`, isDefault: false };
}

/** Loads the generated Prisma client module, or says which command makes it loadable. */
function loadPrismaClientModule(): { PrismaClient: new (options: { adapter: unknown }) => unknown } {
  if (!existsSync(`${CLIENT_MODULE}.ts`)) {
    throw new DemoError(
      `the generated Prisma client is missing (${path.relative(PACKAGE_ROOT, CLIENT_MODULE)}.ts): run \`bash js/scripts/prisma_generate.sh\` ` +
        '(or `npm run setup`), then the demo again',
    );
  }
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(CLIENT_MODULE) as { PrismaClient: new (options: { adapter: unknown }) => unknown };
  } catch (error) {
    // Plain node (dist/) cannot load the generated client's TypeScript files; tsx can.
    const code = (error as { code?: unknown }).code;
    if (code === 'MODULE_NOT_FOUND' || code === 'ERR_UNKNOWN_FILE_EXTENSION') {
      throw new DemoError(
        'the generated Prisma client is TypeScript and needs tsx: run the demo with `npm run demo` or `node --import tsx js/cli/main.ts demo` from the repo',
        { cause: error },
      );
    }
    throw error;
  }
}

/** Deletes a SQLite file and its journal files. */
function removeSqliteFile(file: string): void {
  for (const suffix of ['', '-journal', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
}

/**
 * Opens the demo's database: the default file is recreated; a `DATABASE_URL` database is migrated and must hold
 * no contacts yet (the demo never deletes a database it did not create).
 */
export async function openDemoDatabase(env: NodeJS.ProcessEnv): Promise<DemoDatabase> {
  const { url, isDefault } = demoDatabaseUrl(env);
  const { PrismaClient } = loadPrismaClientModule();
  const { PrismaBetterSqlite3 } = await import('@prisma/adapter-better-sqlite3');
  if (isDefault) removeSqliteFile(url.slice('file:'.length));
  await applyMigrations(url, { baseDir: PACKAGE_ROOT });
  const prisma = new PrismaClient({ adapter: new PrismaBetterSqlite3({ url }) }) as DemoPrismaClient;
  if (!isDefault && (await prisma.contact.count()) > 0) {
    await prisma.$disconnect();
    throw new DemoError(
      `${url} already holds contacts: the demo seeds its own CRM, so point DATABASE_URL at a new or empty database, or unset it to use ${DEFAULT_DEMO_DB}`,
    );
  }
  return { url, isDefault, prisma };
}

/** CRM ids of what {@link seedCrm} created, by the seed's list positions. */
export interface SeededIds {
  users: string[];
  organizations: string[];
}

/** The CRM id of the seed's contact at position `i`: readable, and sorted like the seed. */
export function demoContactId(i: number): string {
  return `demo-contact-${String(i + 1).padStart(4, '0')}`;
}

/** The CRM id of the seed's activity at position `i`: readable, and sorted like the seed. */
export function demoActivityId(i: number): string {
  return `demo-activity-${String(i + 1).padStart(4, '0')}`;
}

/** Milliseconds in a day. */
const DAY_MS = 86_400_000;

/**
 * The seed's activities as rows, their offsets made absolute from `now`: due at midnight UTC of `now`'s day plus
 * `dueInDays`, plus `dueMinute` (all-day ones at that midnight: the engine's default CRM time zone is UTC), logged
 * `loggedMinutesAgo` before `now`, by the contact's owner.
 */
export function activityRows(seed: DemoSeed, users: string[], now: Date): ActivityInsert[] {
  const today = Math.floor(now.getTime() / DAY_MS) * DAY_MS;
  return seed.activities.map((activity, i) => ({
    id: demoActivityId(i),
    contactId: demoContactId(activity.contact),
    userId: users[seed.contacts[activity.contact].owner],
    type: activity.type,
    subject: activity.subject,
    note: activity.note,
    dueDate: new Date(today + activity.dueInDays * DAY_MS + (activity.dueMinute ?? 0) * 60_000),
    allDay: activity.dueMinute === null,
    createdAt: new Date(now.getTime() - activity.loggedMinutesAgo * 60_000),
  }));
}

/**
 * Writes the seed's users, organizations, contacts and activities (activity dates relative to `now`). The activities
 * are inserted as history, without the store's `activityLogged` hook: the demo replicates them itself.
 */
export async function seedCrm(prisma: DemoPrismaClient, seed: DemoSeed, now: Date = new Date()): Promise<SeededIds> {
  const users: string[] = [];
  for (const user of seed.users) users.push((await prisma.user.create({ data: { email: user.email, name: user.name } })).id);
  const organizations: string[] = [];
  for (const org of seed.organizations) {
    const data = { name: org.name, industry: org.industry, country: org.country, pipedriveOrgId: org.pipedriveOrgId };
    organizations.push((await prisma.organization.create({ data })).id);
  }
  await prisma.contact.createMany({
    data: seed.contacts.map((contact, i) => ({
      id: demoContactId(i),
      name: contact.name,
      email: contact.email,
      phone: contact.phone,
      warmnessScore: contact.warmnessScore,
      organizationId: contact.organization === null ? null : organizations[contact.organization],
      ownerId: users[contact.owner],
      pipedrivePersonId: contact.pipedrivePersonId,
      // A linked contact of a linked organization carries the organization's Pipedrive id too.
      pipedriveOrgId:
        contact.pipedrivePersonId !== null && contact.organization !== null ? seed.organizations[contact.organization].pipedriveOrgId : null,
    })),
  });
  if (seed.activities.length > 0) await prisma.activity.createMany({ data: activityRows(seed, users, now) });
  return { users, organizations };
}
