/**
 * @module tests/prisma/contacts_helpers
 * Helpers for the Prisma store's contact, activity, snapshot, conflict and linked-record tests: the tests' clock,
 * seeded contacts, organizations and activities, the stored rows read back through the generated client, and
 * assertion helpers.
 */

import assert from 'node:assert/strict';
import { PrismaStoreError, type PrismaClientLike } from '../../js/prisma';
import type { JobLease } from '../../js/store/types';
import type { TestPrismaClient } from './databases';

/** The tests' clock: every time is an offset from this instant. */
export const T0 = Date.parse('2030-01-01T00:00:00.000Z');
/** The instant `ms` after {@link T0}, as ISO 8601. */
export const at = (ms: number): string => new Date(T0 + ms).toISOString();
export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** A seeded organization's fields (all optional). */
export interface OrganizationSeed {
  name?: string;
  industry?: string | null;
  country?: string | null;
  address?: string | null;
  pipedriveOrgId?: number | null;
  updateSyncStatus?: string;
}

/** A seeded contact's fields (all optional). */
export interface ContactSeed {
  name?: string;
  email?: string | null;
  phone?: string | null;
  warmnessScore?: number;
  organizationId?: string | null;
  ownerId?: string | null;
  pipedrivePersonId?: number | null;
  pipedriveOrgId?: number | null;
  updateSyncStatus?: string;
}

/** Creates an organization through the generated client; resolves its id. */
export async function seedOrganization(prisma: TestPrismaClient, seed: OrganizationSeed = {}): Promise<string> {
  const row = await prisma.organization.create({ data: { name: 'Acme GmbH', ...seed } });
  return row.id;
}

/** Creates a contact through the generated client; resolves its id. */
export async function seedContact(prisma: TestPrismaClient, seed: ContactSeed = {}): Promise<string> {
  const row = await prisma.contact.create({ data: { name: 'Ada Lovelace', ...seed } });
  return row.id;
}

/** The stored contact row, through the generated client (independent of the store's own reads). */
export function contactRow(prisma: TestPrismaClient, id: string) {
  return prisma.contact.findUniqueOrThrow({ where: { id } });
}

/** A seeded activity's fields (all optional but the contact and the user). */
export interface ActivitySeed {
  id?: string;
  contactId: string;
  userId: string;
  type?: string;
  subject?: string;
  note?: string | null;
  dueDate?: Date | null;
  allDay?: boolean;
  done?: boolean;
  pipedriveActivityId?: number | null;
  replicatedToPipedrive?: boolean;
  pipedriveSyncAttempts?: number;
  lastPipedriveSyncAttempt?: Date | null;
  updateSyncStatus?: string;
  createdAt?: Date;
}

/** Creates an activity through the generated client; resolves its id. */
export async function seedActivity(prisma: TestPrismaClient, seed: ActivitySeed): Promise<string> {
  const row = await prisma.activity.create({ data: { type: 'CALL', subject: 'Intro call', ...seed } });
  return row.id;
}

/** The stored activity row, through the generated client (independent of the store's own reads). */
export function activityRow(prisma: TestPrismaClient, id: string) {
  return prisma.activity.findUniqueOrThrow({ where: { id } });
}

/** The stored jobs of the warm-lead dedupe key of `contactId`, oldest first. */
export function warmLeadJobs(prisma: TestPrismaClient, contactId: string) {
  return prisma.syncJob.findMany({ where: { dedupeKey: `warm_lead:${contactId}` }, orderBy: { id: 'asc' } });
}

/** Asserts a rejection is a RangeError whose message names `field`. */
export function namesField(field: string) {
  return (error: unknown) => {
    assert.ok(error instanceof RangeError, `expected a RangeError, got ${String(error)}`);
    assert.ok(error.message.includes(field), `the message names ${field}: ${error.message}`);
    return true;
  };
}

/** A client that records every call and answers nothing useful: for "rejects before any query" tests. */
export function spyClient(): { client: PrismaClientLike; calls: string[] } {
  const calls: string[] = [];
  const client = {
    user: {},
    $queryRaw: () => (calls.push('$queryRaw'), Promise.resolve([])),
    $executeRaw: () => (calls.push('$executeRaw'), Promise.resolve(0)),
    $transaction: () => (calls.push('$transaction'), Promise.resolve(undefined)),
  } as unknown as PrismaClientLike;
  return { client, calls };
}

/**
 * The claim `workerId` names when it writes about job `id`: the job's current `leaseToken`, read from the table
 * (0 for a missing job). A worker that is not the job's lease owner is still refused: the fence checks both.
 */
export async function leaseOf(prisma: TestPrismaClient, id: number, workerId: string): Promise<JobLease> {
  const rows = await prisma.$queryRaw<{ lease_token: number | bigint }[]>`SELECT "lease_token" FROM "pipedrive_sync_jobs" WHERE "id" = ${id}`;
  return { workerId, token: rows.length > 0 ? Number(rows[0].lease_token) : 0 };
}

/** Empties the package's tables and the CRM's records (not its users), children first: a case's fresh start. */
export async function emptyCrmTables(prisma: TestPrismaClient): Promise<void> {
  await prisma.syncJob.deleteMany({});
  await prisma.syncSnapshot.deleteMany({});
  await prisma.syncConflict.deleteMany({});
  await prisma.activity.deleteMany({});
  await prisma.contact.deleteMany({});
  await prisma.organization.deleteMany({});
}

/** Asserts a rejection is a `PrismaStoreError` for `operation` (the database was gone). */
export function isStoreError(operation: string) {
  return (error: unknown) => {
    assert.ok(error instanceof PrismaStoreError, `expected a PrismaStoreError, got ${String(error)}`);
    assert.equal(error.operation, operation);
    return true;
  };
}
