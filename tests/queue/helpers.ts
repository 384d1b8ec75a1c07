/**
 * @module tests/queue/helpers
 * Shared helpers of the queue scenario tests: records seeded in the emulator, `update_record` jobs enqueued in the
 * outbox, the emulator journal read as evidence (successful PATCHes per record, statuses), Prisma clients opened
 * from a database URL (for child processes), and drainer child processes (`drain_child.ts`) with their progress.
 */

import { spawn, type ChildProcessByStdio } from 'node:child_process';
import * as path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';

import type { DrainReport, NewSyncJob, SyncStore } from '../../js/index';
import type { JournalEntry, PipedriveEmulator } from '../../js/emulator/index';
import { splitPostgresSchema } from '../../js/prisma/migrate';
import { loadPostgresClientModule, loadSqliteClientModule, type DatabaseName, type TestPrismaClient } from '../prisma/databases';

/** The repository root. */
export const ROOT = path.resolve(__dirname, '..', '..');

/** `count` consecutive Pipedrive ids starting at `first`. */
export function idRange(first: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => first + i);
}

/** The name a record has before the jobs run. */
export function originalName(id: number): string {
  return `Original ${id}`;
}

/** The name the `update_record` job of a record sets. */
export function newName(id: number): string {
  return `Renamed ${id}`;
}

/** Seeds one person per id in the emulator, named {@link originalName}. */
export function seedPersons(emulator: PipedriveEmulator, ids: number[]): void {
  emulator.state.seed({ persons: ids.map((id) => ({ id, name: originalName(id) })) });
}

/** An `update_record` job for one Pipedrive record (the payload the engine's job kind reads). */
export function updateJob(entity: 'person' | 'organization' | 'activity' | 'deal', id: number, fields: Record<string, unknown>): NewSyncJob {
  return { kind: 'update_record', recordType: entity, recordId: String(id), dedupeKey: `update_record:${entity}:${id}`, payload: { entity, id, fields } };
}

/** Enqueues one job per id renaming the person to {@link newName}; resolves the job ids. */
export async function enqueueRenames(store: SyncStore, ids: number[]): Promise<number[]> {
  const jobIds: number[] = [];
  for (const id of ids) jobIds.push((await store.enqueueJob(updateJob('person', id, { name: newName(id) }))).id);
  return jobIds;
}

/** The path of a person in API v2. */
export function personPath(id: number): string {
  return `/api/v2/persons/${id}`;
}

/** Journal entries of one method (and path, when given). */
export function requests(emulator: PipedriveEmulator, method: string, pathName?: string): JournalEntry[] {
  return emulator.journal.filter((e) => e.method === method && (pathName === undefined || e.path === pathName));
}

/** How many successful (2xx) PATCHes each path received. */
export function successfulPatchesByPath(emulator: PipedriveEmulator): Map<string, number> {
  const counts = new Map<string, number>();
  for (const e of emulator.journal) {
    if (e.method === 'PATCH' && e.status >= 200 && e.status < 300) counts.set(e.path, (counts.get(e.path) ?? 0) + 1);
  }
  return counts;
}

/** The journal's responses counted by status. */
export function statusCounts(emulator: PipedriveEmulator): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const e of emulator.journal) counts[e.status] = (counts[e.status] ?? 0) + 1;
  return counts;
}

/** Polls `condition` every 20 ms until it holds; rejects with `what` after `timeoutMs`. */
export async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Where a drainer child finds its database: what `TestDatabase` has, minus the client. */
export interface DatabaseLocation {
  name: DatabaseName;
  /** Prisma-style URL (`file:...` or `postgresql://...?schema=...`). */
  url: string;
  /** The PostgreSQL schema (also in the URL). */
  schema?: string;
}

/** Opens a generated Prisma client on a test database, e.g. in a child process that only has its URL. */
export function openPrismaClient(db: DatabaseLocation): TestPrismaClient {
  if (db.name === 'sqlite') {
    const { PrismaClient } = loadSqliteClientModule();
    return new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: db.url }) });
  }
  const { PrismaClient } = loadPostgresClientModule();
  const { connectionString, schema: urlSchema } = splitPostgresSchema(db.url);
  const schema = db.schema ?? urlSchema ?? 'public';
  const adapter = new PrismaPg({ connectionString, options: `-c search_path=${schema}` }, { schema });
  return new PrismaClient({ adapter }) as unknown as TestPrismaClient;
}

/** What `drain_child.ts` is told (as one JSON argument). */
export interface DrainerSpec {
  db: DatabaseLocation;
  baseUrl: string;
  apiToken: string;
  plan: 'lite' | 'growth' | 'premium' | 'ultimate';
  leaseMs: number;
  concurrency: number;
  /** Wait for a `go` line on stdin before draining (to start several drainers at once). */
  waitForGo?: boolean;
  /** The engine's `options.conflictStrategy` (default last-write-wins). */
  conflictStrategy?: 'last-write-wins' | 'manual' | 'auto-merge';
}

/** A drainer child process and what it printed. */
export interface Drainer {
  child: ChildProcessByStdio<Writable, Readable, Readable>;
  /** The last progress report printed (after each job). */
  progress(): DrainReport | undefined;
  /** Resolves once the child printed `ready` (engine built, database open). */
  ready: Promise<void>;
  /** Tells a `waitForGo` drainer to start. */
  go(): void;
  /** Resolves with the exit code or signal and the final report (when it printed one). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; report?: DrainReport; stderr: string }>;
  /** Kills the child (SIGKILL by default) unless it has exited. */
  kill(signal?: NodeJS.Signals): void;
}

/** Starts `tests/queue/drain_child.ts` under tsx. Kill it in `after` (the helper never leaves it behind on its own). */
export function spawnDrainer(spec: DrainerSpec): Drainer {
  const script = path.join(__dirname, 'drain_child.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', script, JSON.stringify(spec)], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  let last: DrainReport | undefined;
  let report: DrainReport | undefined;
  let stderr = '';
  let buffered = '';
  let markReady!: () => void;
  let failReady!: (error: Error) => void;
  const ready = new Promise<void>((resolve, reject) => {
    markReady = resolve;
    failReady = reject;
  });
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      if (line === 'ready') markReady();
      else if (line.startsWith('progress ')) last = JSON.parse(line.slice('progress '.length)) as DrainReport;
      else if (line.startsWith('report ')) report = JSON.parse(line.slice('report '.length)) as DrainReport;
    }
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; report?: DrainReport; stderr: string }>((resolve) => {
    child.on('close', (code, signal) => {
      failReady(new Error(`drainer exited (code ${code}, signal ${signal}) before it was ready: ${stderr}`));
      resolve({ code, signal, report, stderr });
    });
  });
  // An unobserved rejection must not crash the test process when the child is killed on purpose.
  ready.catch(() => undefined);
  return {
    child,
    progress: () => last,
    ready,
    go: () => child.stdin.write('go\n'),
    exited,
    kill: (signal = 'SIGKILL') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
}
