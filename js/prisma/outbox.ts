/**
 * @module prisma/outbox
 * The outbox part of the Prisma store: the durable queue of sync jobs in table `pipedrive_sync_jobs` (model
 * `SyncJob`): enqueue with dedupe (inside the CRM's transaction), claim with a lease and strict order per record,
 * complete, fail (retry or dead), replay of dead jobs, and stats (DESIGN §6, §7.1, §7.2).
 *
 * Everything goes through raw SQL (`sql.ts`, rows read by `outbox_rows.ts`), written once for SQLite and PostgreSQL, with unqualified table
 * names (on PostgreSQL the table must be on the connection's `search_path`). Times are the engine's: every due and
 * lease decision compares with the `now` argument, never with the database's clock.
 */

import type { ClaimRequest, JobFailure, JobLease, NewSyncJob, QueueStats, SyncJob } from '../store/types';
import type { PrismaClientLike, PrismaRawClientLike } from './client_shape';
import { describe, instant, INT32_MAX, INT32_MIN, integer, isPlainObject, jsonObject, text, transactionClient } from './arguments';
import { isSyncJobState, SYNC_JOB_STATES } from './model_values';
import { jobColumns, type RawJobRow, toSyncJob } from './outbox_rows';
import { detectDialect, EMPTY_SQL, executeSql, joinSql, type OutboxDialect, queryRows, sql, type SqlFragment, toInt, toIso } from './sql';
import { storeCall } from './store_error';
import { mergePayload } from '../store/payload_merge';

/** The store's outbox methods over a Prisma client (the outbox half of `SyncStore`). */
export interface PrismaOutboxStore {
  /** See {@link createPrismaOutboxStore} for the exact behaviour of each method. */
  enqueueJob(job: NewSyncJob, options?: { tx?: unknown }): Promise<{ id: number; merged: boolean }>;
  /** Leases due jobs to a worker (see {@link createPrismaOutboxStore}). */
  claimJobs(request: ClaimRequest): Promise<SyncJob[]>;
  /** Leases one given job, due or not, to run it at once (see {@link createPrismaOutboxStore}). */
  claimJob(jobId: number, request: { workerId: string; leaseMs: number; now: string }): Promise<SyncJob | null>;
  /** Extends the lease of a job under its current claim (see {@link createPrismaOutboxStore}). */
  renewLease(jobId: number, lease: JobLease, renewal: { leaseMs: number; now: string }): Promise<boolean>;
  /** Marks a job in doubt under its current claim (see {@link createPrismaOutboxStore}). */
  markJobInDoubt(jobId: number, lease: JobLease, mark: { since: string; now: string }): Promise<boolean>;
  /** Marks a leased job DONE (see {@link createPrismaOutboxStore}). */
  completeJob(jobId: number, lease: JobLease, now: string): Promise<boolean>;
  /** Records a failed attempt (see {@link createPrismaOutboxStore}). */
  failJob(jobId: number, lease: JobLease, failure: JobFailure): Promise<boolean>;
  /** Replays DEAD jobs (see {@link createPrismaOutboxStore}). */
  retryDeadJobs(now: string, jobId?: number): Promise<number>;
  /** Counts and the latest dead jobs (see {@link createPrismaOutboxStore}). */
  queueStats(now: string): Promise<QueueStats>;
}

/** The PostgreSQL notification channel of new jobs (payload: the schema of the outbox table). */
export const JOB_CHANNEL = 'pipedrive_sync_jobs';

/** How many dead jobs `queueStats` lists. */
export const QUEUE_STATS_DEAD_LIMIT = 20;
/** How many times an enqueue re-reads the pending job when a concurrent writer changed it in between. */
const ENQUEUE_ATTEMPTS = 16;
/** How many select-then-update rounds a SQLite claim makes when concurrent claimers took some of its candidates. */
const SQLITE_CLAIM_ROUNDS = 4;

/**
 * SQLite enqueues of one dedupe key in this process, one after the other: without them, many concurrent merges into
 * one pending job would keep invalidating each other's optimistic update. Other processes are handled by the
 * conditional statements (and a short jittered wait before reading again).
 */
const sqliteKeyQueues = new Map<string, Promise<unknown>>();

/** Runs `work` after every earlier SQLite enqueue of `key` in this process has settled. */
async function serialisedByKey<T>(key: string, work: () => Promise<T>): Promise<T> {
  const previous = sqliteKeyQueues.get(key) ?? Promise.resolve();
  const run = previous.then(work, work);
  const settled = run.then(() => undefined, () => undefined);
  sqliteKeyQueues.set(key, settled);
  try {
    return await run;
  } finally {
    if (sqliteKeyQueues.get(key) === settled) sqliteKeyQueues.delete(key);
  }
}

/** A short random wait before retrying after a concurrent writer won (grows with the attempt). */
function backoff(attempt: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.random() * 2 * (attempt + 1)));
}

/** A `NewSyncJob` checked field by field, with its payload as JSON text. */
interface ValidJob {
  kind: string;
  recordType: string;
  recordId: string;
  dedupeKey: string;
  payload: Record<string, unknown>;
  payloadJson: string;
  priority: number;
  nextAttemptAt: Date | undefined;
}

/** Checks a new job; throws a `RangeError` naming the first bad field. */
function validateJob(job: unknown): ValidJob {
  const op = 'enqueueJob';
  if (!isPlainObject(job)) throw new RangeError(`${op}: job must be an object, got ${describe(job)}`);
  const kind = text(op, 'kind', job.kind);
  const recordType = text(op, 'recordType', job.recordType);
  const recordId = text(op, 'recordId', job.recordId);
  const dedupeKey = text(op, 'dedupeKey', job.dedupeKey);
  const { json: payloadJson, value: payload } = jsonObject(op, 'payload', job.payload);
  const priority = job.priority === undefined ? 0 : integer(op, 'priority', job.priority, INT32_MIN, INT32_MAX);
  const nextAttemptAt = job.nextAttemptAt === undefined ? undefined : instant(op, 'nextAttemptAt', job.nextAttemptAt);
  return { kind, recordType, recordId, dedupeKey, payload, payloadJson, priority, nextAttemptAt };
}

/** The stored payload of a pending job, as an object (a malformed one counts as empty, so a merge repairs it). */
function parsePayload(json: string): Record<string, unknown> {
  try {
    const value = JSON.parse(json) as unknown;
    return isPlainObject(value) ? value : {};
  } catch {
    return {};
  }
}

/**
 * Which jobs a claim at `now` may take (the table aliased `j`): PENDING and due (or, with `anySchedule`, PENDING
 * whatever its schedule), or RUNNING with an expired lease; at least `minPriority`; and no older job (smaller id) of
 * the same record PENDING or RUNNING, whatever its schedule, so that each record's jobs run one at a time, in id
 * order, and at most one job per record is ever claimable. `claimJobs` and `claimJob` share this one rule.
 */
function claimableSql(now: Date, options: { minPriority?: number; anySchedule?: boolean } = {}): SqlFragment {
  const pending = options.anySchedule ? sql`j."state" = 'PENDING'` : sql`(j."state" = 'PENDING' AND j."next_attempt_at" <= ${now})`;
  const priority = options.minPriority === undefined ? EMPTY_SQL : sql` AND j."priority" >= ${options.minPriority}`;
  return sql`(${pending} OR (j."state" = 'RUNNING' AND j."lease_until" < ${now}))${priority}
    AND NOT EXISTS (SELECT 1 FROM "pipedrive_sync_jobs" o WHERE o."record_type" = j."record_type" AND o."record_id" = j."record_id"
      AND o."id" < j."id" AND o."state" IN ('PENDING', 'RUNNING'))`;
}

/** Claimed jobs in claim order: highest priority first, then oldest (smallest id) first. */
function inClaimOrder(jobs: SyncJob[]): SyncJob[] {
  return jobs.sort((a, b) => b.priority - a.priority || a.id - b.id);
}

/**
 * The outbox methods of the Prisma store, over the reference model `SyncJob` (table `pipedrive_sync_jobs`).
 *
 * Common rules: times are ISO 8601 strings with an offset, stored as DateTime columns (UTC) and compared with the
 * engine's `now`, never the database clock; `payload` is stored as JSON text and returned parsed; invalid arguments
 * reject with a `RangeError` naming the field before any query; database failures reject with a
 * `PrismaStoreError` naming the method. Which database the client talks to is read from the client
 * (`_activeProvider`, or one probe query), once.
 *
 * - `enqueueJob(job, { tx })`: runs every query on `tx` when given (so the job commits or rolls back with the CRM's
 *   change), else on its own. When a PENDING job with the same `dedupeKey` exists (the newest, should a replay have
 *   left two), the job merges into it: payload as `mergePayload` (`store/payload_merge.ts`) makes it (keys
 *   overwritten by the new ones, a `null` never replacing a known value, `data` merged field by field, the later
 *   `changedAt` kept), priority the higher of the two, schedule (`nextAttemptAt`), kind and record kept; resolves
 *   `{ id, merged: true }`. Otherwise inserts a PENDING job
 *   (attempts 0, due at `nextAttemptAt` or now) and resolves `{ id, merged: false }`. RUNNING, DONE and DEAD jobs are
 *   never merged into. Race-free: PostgreSQL first takes a transaction-scoped advisory lock on the key
 *   (`pg_advisory_xact_lock(<outbox class>, hashtext(key))`, in the caller's transaction or in a transaction of its
 *   own), so concurrent enqueues of one key run one after the other (the caller's transaction should be READ
 *   COMMITTED, Prisma's default, so that it sees what the previous holder committed). On both databases the merge is
 *   a conditional update (still PENDING, payload unchanged since read) and the insert is `INSERT ... SELECT ... WHERE
 *   NOT EXISTS` a pending job with the key, so that a job claimed meanwhile is never merged into (the change becomes
 *   a new job instead) and a concurrent writer makes the loop read again instead of adding a second pending job. On
 *   SQLite without `tx` no transaction is opened: each statement is atomic on its own, and not holding a write lock
 *   across awaits lets several clients of one file (even in one process) enqueue at once; SQLite enqueues of one key
 *   in one process also wait for each other (an in-process queue per key), so that concurrent merges do not keep
 *   invalidating each other.
 * - `claimJobs`: leases up to `limit` claimable jobs (see the conditions above: due PENDING, or RUNNING with
 *   `leaseUntil < now`; `priority >= minPriority`; the oldest active job of its record) to `workerId`: state
 *   RUNNING, `leaseOwner = workerId`, `leaseUntil = now + leaseMs`, attempts + 1. Ordered priority DESC, id ASC; at
 *   most one job per record; a job whose previous lease expired comes back with `recovered: true`. PostgreSQL: one
 *   statement, candidates selected `FOR UPDATE SKIP LOCKED` and updated, so concurrent claimers never block on, nor
 *   share, a job. SQLite: candidates are read, then updated in one statement that re-checks each one's version
 *   (id, state, attempts) and claimability; a candidate another claimer took in between is dropped and the claim
 *   reads again (a few rounds) to fill `limit`. Each job is claimed by exactly one worker on both databases.
 * - `claimJob(jobId, { workerId, leaseMs, now })`: the same claim for one given job (e.g. the job just enqueued, run
 *   at once), with the same lease (RUNNING, `leaseOwner`, `leaseUntil = now + leaseMs`, attempts + 1, `recovered:
 *   true` when its previous lease had expired) and the same per-record order, but whatever its schedule: a PENDING
 *   job not yet due is taken too. Resolves `null` when the job is RUNNING under a lease still valid at `now`, DONE,
 *   DEAD, missing, or waiting behind an older PENDING or RUNNING job of its record. Same statements as `claimJobs`
 *   (limit 1, the job's id as an extra condition): on PostgreSQL the row is taken `FOR UPDATE SKIP LOCKED`, so a job
 *   a concurrent claimer is leasing at that moment resolves `null` at once rather than waiting; on SQLite the
 *   conditional update re-checks the job's version, so of two concurrent claims exactly one gets it.
 * - Fencing: every claim raises `leaseToken` by one. A write about a claimed job names its claim, `lease =
 *   { workerId, token }`, and is applied only while the job is RUNNING with that `leaseOwner` and `leaseToken`
 *   (even if the lease has run out, as long as nobody has claimed the job since); otherwise `false` and no change.
 * - `renewLease(jobId, lease, { leaseMs, now })`: `leaseUntil = now + leaseMs` under the fence.
 * - `markJobInDoubt(jobId, lease, { since, now })`: `inDoubtSince = since` unless already set, under the fence.
 * - `completeJob(jobId, lease, now)`: under the fence → DONE, `doneAt = now`, lease and `lastError` cleared; `true`.
 * - `failJob(jobId, lease, { error, retryAt, now })`: under the fence. `retryAt: null` → DEAD with `lastError`;
 *   else PENDING at `retryAt` with `lastError`; lease cleared either way; attempts unchanged (a claim counts them).
 * - `retryDeadJobs(now, jobId?)`: DEAD jobs (all, or that one) → PENDING due `now`, attempts 0, lease and `doneAt`
 *   cleared; `lastError` is kept (it says why the job died) until the replay's next result. A replayed job keeps its
 *   id, so it runs before newer jobs of its record. It is not merged with a pending job of the same key. Resolves
 *   the number of jobs replayed.
 * - `queueStats(now)`: counts per state (all four, 0 when none), PENDING jobs due at `now`, the oldest PENDING job's
 *   `createdAt`, and the 20 DEAD jobs updated last (newest first).
 */
export function createPrismaOutboxStore(prisma: PrismaClientLike): PrismaOutboxStore {
  let dialect: Promise<OutboxDialect> | undefined;
  const dialectOf = (): Promise<OutboxDialect> => {
    if (!dialect) {
      dialect = detectDialect(prisma);
      // A failed detection (e.g. the database was down) is retried by the next call.
      dialect.catch(() => {
        dialect = undefined;
      });
    }
    return dialect;
  };

  /** One enqueue on `client` (the caller's transaction, ours, or the plain client on SQLite). */
  const enqueueOn = async (client: PrismaRawClientLike, db: OutboxDialect, job: ValidJob): Promise<{ id: number; merged: boolean }> => {
    if (db === 'postgresql') {
      // Class id 'PDSY' keeps the outbox's key locks apart from the application's own single-key advisory locks.
      await queryRows(client, sql`SELECT pg_advisory_xact_lock(1346655065, hashtext(${job.dedupeKey}))::text AS "locked"`);
    }
    const now = new Date();
    for (let attempt = 0; attempt < ENQUEUE_ATTEMPTS; attempt++) {
      if (attempt > 0) await backoff(attempt);
      const [pending] = await queryRows<{ id: unknown; payload: string }>(
        client,
        sql`SELECT "id", "payload" FROM "pipedrive_sync_jobs" WHERE "dedupe_key" = ${job.dedupeKey} AND "state" = 'PENDING'
          ORDER BY "id" DESC LIMIT 1`,
      );
      if (pending) {
        const id = toInt(pending.id);
        const merged = JSON.stringify(mergePayload(parsePayload(pending.payload), job.payload));
        const changed = await executeSql(
          client,
          sql`UPDATE "pipedrive_sync_jobs" SET "payload" = ${merged},
            "priority" = CASE WHEN "priority" < ${job.priority} THEN ${job.priority} ELSE "priority" END, "updated_at" = ${now}
            WHERE "id" = ${id} AND "state" = 'PENDING' AND "payload" = ${pending.payload}`,
        );
        if (changed === 1) return { id, merged: true };
        continue; // claimed or merged into meanwhile: read again
      }
      const inserted = await queryRows<{ id: unknown }>(
        client,
        sql`INSERT INTO "pipedrive_sync_jobs" ("kind", "dedupe_key", "record_type", "record_id", "payload", "state", "priority",
            "attempts", "next_attempt_at", "created_at", "updated_at")
          SELECT ${job.kind}, ${job.dedupeKey}, ${job.recordType}, ${job.recordId}, ${job.payloadJson}, 'PENDING', ${job.priority},
            0, ${job.nextAttemptAt ?? now}, ${now}, ${now}
          WHERE NOT EXISTS (SELECT 1 FROM "pipedrive_sync_jobs" WHERE "dedupe_key" = ${job.dedupeKey} AND "state" = 'PENDING')
          RETURNING "id"`,
      );
      if (inserted.length === 1) {
        // Wakes idle workers (`listenForJobs`) when this transaction commits; the schema tells databases apart.
        if (db === 'postgresql') await queryRows(client, sql`SELECT pg_notify(${JOB_CHANNEL}, current_schema())::text AS "notified"`);
        return { id: toInt(inserted[0].id), merged: false };
      }
      // A concurrent enqueue inserted the pending job first: merge into it.
    }
    throw new Error(`the pending job of dedupe key '${job.dedupeKey}' kept changing during ${ENQUEUE_ATTEMPTS} attempts to merge into it`);
  };

  /**
   * PostgreSQL: select (the jobs matching `claimable`, table aliased `j`) and lease in one statement; locked rows
   * (another claimer's) are skipped, never waited for.
   */
  const claimPostgres = async (request: ValidClaim, claimable: SqlFragment): Promise<SyncJob[]> => {
    const rows = await queryRows<RawJobRow & { recovered: unknown }>(
      prisma,
      sql`WITH candidates AS (
          SELECT j."id", j."state" FROM "pipedrive_sync_jobs" j
          WHERE ${claimable}
          ORDER BY j."priority" DESC, j."id" ASC
          LIMIT ${request.limit}
          FOR UPDATE OF j SKIP LOCKED
        )
        UPDATE "pipedrive_sync_jobs" AS t SET "state" = 'RUNNING', "lease_owner" = ${request.workerId},
          "lease_until" = ${request.leaseUntil}, "attempts" = t."attempts" + 1, "lease_token" = t."lease_token" + 1,
          "updated_at" = ${request.now}
        FROM candidates c WHERE t."id" = c."id"
        RETURNING ${jobColumns('t.')}, (c."state" = 'RUNNING') AS "recovered"`,
    );
    return inClaimOrder(rows.map((row) => ({ ...toSyncJob(row), recovered: row.recovered === true || row.recovered === 1 })));
  };

  /**
   * SQLite: read candidates (the jobs matching `claimable`, table aliased `j`), then lease those still unchanged and
   * still claimable in one (atomic) update; repeat to fill `limit`.
   */
  const claimSqlite = async (request: ValidClaim, claimable: SqlFragment): Promise<SyncJob[]> => {
    const claimed: SyncJob[] = [];
    for (let round = 0; round < SQLITE_CLAIM_ROUNDS && claimed.length < request.limit; round++) {
      const candidates = await queryRows<{ id: unknown; state: string; attempts: unknown }>(
        prisma,
        sql`SELECT j."id", j."state", j."attempts" FROM "pipedrive_sync_jobs" j
          WHERE ${claimable}
          ORDER BY j."priority" DESC, j."id" ASC LIMIT ${request.limit - claimed.length}`,
      );
      if (candidates.length === 0) break;
      const wasRunning = new Map(candidates.map((c) => [toInt(c.id), c.state === 'RUNNING']));
      const versions = joinSql(candidates.map((c) => sql`(${toInt(c.id)}, ${c.state}, ${toInt(c.attempts)})`), ', ');
      const rows = await queryRows<RawJobRow>(
        prisma,
        sql`UPDATE "pipedrive_sync_jobs" AS j SET "state" = 'RUNNING', "lease_owner" = ${request.workerId},
            "lease_until" = ${request.leaseUntil}, "attempts" = "attempts" + 1, "lease_token" = "lease_token" + 1,
            "updated_at" = ${request.now}
          WHERE ("id", "state", "attempts") IN (VALUES ${versions}) AND ${claimable}
          RETURNING ${jobColumns()}`,
      );
      for (const row of rows) claimed.push({ ...toSyncJob(row), recovered: wasRunning.get(toInt(row.id)) === true });
      if (rows.length === candidates.length) break; // nobody interfered: these were the best candidates
    }
    return inClaimOrder(claimed);
  };

  /** Leases the jobs matching `claimable` on whichever database the client talks to. */
  const claim = async (request: ValidClaim, claimable: SqlFragment): Promise<SyncJob[]> =>
    ((await dialectOf()) === 'postgresql' ? claimPostgres(request, claimable) : claimSqlite(request, claimable));

  /** `UPDATE ... WHERE` the job is RUNNING under the claim `lease` (its worker and token); whether it changed. */
  const updateLeased = async (operation: string, jobId: number, lease: ValidLease, set: SqlFragment): Promise<boolean> => {
    const changed = await storeCall(operation, () =>
      executeSql(prisma, sql`UPDATE "pipedrive_sync_jobs" SET ${set}
        WHERE ${heldBy(jobId, lease)}`),
    );
    return changed > 0;
  };

  return {
    async enqueueJob(job, options) {
      const valid = validateJob(job);
      const tx = transactionClient('enqueueJob', options?.tx);
      return storeCall('enqueueJob', async () => {
        const db = await dialectOf();
        if (db === 'postgresql') {
          return tx ? enqueueOn(tx, db, valid) : prisma.$transaction((own) => enqueueOn(own, db, valid));
        }
        return serialisedByKey(valid.dedupeKey, () => enqueueOn(tx ?? prisma, db, valid));
      });
    },

    async claimJobs(request) {
      const valid = validateClaim(request);
      if (valid.limit === 0) return [];
      return storeCall('claimJobs', () => claim(valid, claimableSql(valid.now, { minPriority: valid.minPriority })));
    },

    async claimJob(jobId, request) {
      const op = 'claimJob';
      const id = integer(op, 'jobId', jobId, 1, Number.MAX_SAFE_INTEGER);
      const valid: ValidClaim = { ...validateLease(op, request), limit: 1, minPriority: undefined };
      const claimable = sql`j."id" = ${id} AND ${claimableSql(valid.now, { anySchedule: true })}`;
      const [job] = await storeCall(op, () => claim(valid, claimable));
      return job ?? null;
    },

    async renewLease(jobId, lease, renewal) {
      const op = 'renewLease';
      const id = integer(op, 'jobId', jobId, 1, Number.MAX_SAFE_INTEGER);
      const held = validateJobLease(op, lease);
      if (!isPlainObject(renewal)) throw new RangeError(`${op}: renewal must be an object, got ${describe(renewal)}`);
      const { leaseUntil, now } = validateLease(op, { workerId: held.workerId, leaseMs: renewal.leaseMs, now: renewal.now });
      return updateLeased(op, id, held, sql`"lease_until" = ${leaseUntil}, "updated_at" = ${now}`);
    },

    async markJobInDoubt(jobId, lease, mark) {
      const op = 'markJobInDoubt';
      const id = integer(op, 'jobId', jobId, 1, Number.MAX_SAFE_INTEGER);
      const held = validateJobLease(op, lease);
      if (!isPlainObject(mark)) throw new RangeError(`${op}: mark must be an object, got ${describe(mark)}`);
      const since = instant(op, 'mark.since', mark.since);
      const at = instant(op, 'mark.now', mark.now);
      return updateLeased(op, id, held, sql`"in_doubt_since" = COALESCE("in_doubt_since", ${since}), "updated_at" = ${at}`);
    },

    async completeJob(jobId, lease, now) {
      const op = 'completeJob';
      const id = integer(op, 'jobId', jobId, 1, Number.MAX_SAFE_INTEGER);
      const held = validateJobLease(op, lease);
      const at = instant(op, 'now', now);
      return updateLeased(op, id, held, sql`"state" = 'DONE', "done_at" = ${at}, "updated_at" = ${at},
        "lease_owner" = NULL, "lease_until" = NULL, "last_error" = NULL`);
    },

    async failJob(jobId, lease, failure) {
      const op = 'failJob';
      const id = integer(op, 'jobId', jobId, 1, Number.MAX_SAFE_INTEGER);
      const held = validateJobLease(op, lease);
      if (!isPlainObject(failure)) throw new RangeError(`${op}: failure must be an object, got ${describe(failure)}`);
      if (typeof failure.error !== 'string') throw new RangeError(`${op}: failure.error must be a string, got ${describe(failure.error)}`);
      const at = instant(op, 'failure.now', failure.now);
      if (failure.retryAt === null) {
        return updateLeased(op, id, held, sql`"state" = 'DEAD', "last_error" = ${failure.error}, "updated_at" = ${at},
          "lease_owner" = NULL, "lease_until" = NULL`);
      }
      const retryAt = instant(op, 'failure.retryAt', failure.retryAt);
      return updateLeased(op, id, held, sql`"state" = 'PENDING', "next_attempt_at" = ${retryAt}, "last_error" = ${failure.error},
        "updated_at" = ${at}, "lease_owner" = NULL, "lease_until" = NULL`);
    },

    async retryDeadJobs(now, jobId) {
      const op = 'retryDeadJobs';
      const at = instant(op, 'now', now);
      const only = jobId === undefined ? EMPTY_SQL : sql` AND "id" = ${integer(op, 'jobId', jobId, 1, Number.MAX_SAFE_INTEGER)}`;
      return storeCall(op, () =>
        executeSql(prisma, sql`UPDATE "pipedrive_sync_jobs" SET "state" = 'PENDING', "next_attempt_at" = ${at}, "attempts" = 0,
          "lease_owner" = NULL, "lease_until" = NULL, "done_at" = NULL, "updated_at" = ${at}
          WHERE "state" = 'DEAD'${only}`),
      );
    },

    async queueStats(now) {
      const op = 'queueStats';
      const at = instant(op, 'now', now);
      return storeCall(op, async () => {
        const [perState, due, oldest, dead] = await Promise.all([
          queryRows<{ state: string; n: unknown }>(prisma, sql`SELECT "state", COUNT(*) AS "n" FROM "pipedrive_sync_jobs" GROUP BY "state"`),
          queryRows<{ n: unknown }>(
            prisma,
            sql`SELECT COUNT(*) AS "n" FROM "pipedrive_sync_jobs" WHERE "state" = 'PENDING' AND "next_attempt_at" <= ${at}`,
          ),
          queryRows<{ created_at: unknown }>(
            prisma,
            sql`SELECT "created_at" FROM "pipedrive_sync_jobs" WHERE "state" = 'PENDING' ORDER BY "created_at" ASC, "id" ASC LIMIT 1`,
          ),
          queryRows<Pick<RawJobRow, 'id' | 'kind' | 'record_type' | 'record_id' | 'attempts' | 'last_error' | 'updated_at'>>(
            prisma,
            sql`SELECT "id", "kind", "record_type", "record_id", "attempts", "last_error", "updated_at" FROM "pipedrive_sync_jobs"
              WHERE "state" = 'DEAD' ORDER BY "updated_at" DESC, "id" DESC LIMIT ${QUEUE_STATS_DEAD_LIMIT}`,
          ),
        ]);
        const counts = Object.fromEntries(SYNC_JOB_STATES.map((state) => [state, 0])) as QueueStats['counts'];
        for (const row of perState) if (isSyncJobState(row.state)) counts[row.state] = toInt(row.n);
        return {
          counts,
          due: toInt(due[0]?.n ?? 0),
          oldestPendingAt: oldest.length > 0 ? toIso(oldest[0].created_at) : null,
          dead: dead.map((row) => ({
            id: toInt(row.id),
            kind: row.kind,
            recordType: row.record_type,
            recordId: row.record_id,
            attempts: toInt(row.attempts),
            lastError: row.last_error,
            updatedAt: toIso(row.updated_at) as string,
          })),
        };
      });
    },
  };
}

/** A claim (`JobLease`) checked field by field. */
export interface ValidLease {
  workerId: string;
  token: number;
}

/** Checks a `JobLease` argument; throws a `RangeError` naming the first bad field. */
export function validateJobLease(op: string, lease: unknown): ValidLease {
  if (!isPlainObject(lease)) throw new RangeError(`${op}: lease must be an object {workerId, token}, got ${describe(lease)}`);
  return { workerId: text(op, 'lease.workerId', lease.workerId), token: integer(op, 'lease.token', lease.token, 0, INT32_MAX) };
}

/**
 * The condition "job `jobId` is RUNNING under the claim `lease`": the one fence of every write about a claimed job
 * (the outbox's own, and the link writes of the contact and activity stores, which run it as a sub-query so that
 * the check and the write are one statement).
 */
export function heldBy(jobId: number, lease: ValidLease): SqlFragment {
  return sql`"id" = ${jobId} AND "state" = 'RUNNING' AND "lease_owner" = ${lease.workerId} AND "lease_token" = ${lease.token}`;
}

/**
 * ` AND EXISTS (the fencing claim holds its job)`, for a link write's `WHERE`, or nothing without a fence; throws a
 * `RangeError` naming the first bad field of `fence` (`{jobId, workerId, token}`).
 */
export function fencedBy(op: string, fence: unknown): SqlFragment {
  if (fence === undefined) return EMPTY_SQL;
  if (!isPlainObject(fence)) throw new RangeError(`${op}: link.fence must be an object {jobId, workerId, token}, got ${describe(fence)}`);
  const jobId = integer(op, 'fence.jobId', fence.jobId, 1, Number.MAX_SAFE_INTEGER);
  const lease = validateJobLease(op, { workerId: fence.workerId, token: fence.token });
  return sql` AND EXISTS (SELECT 1 FROM "pipedrive_sync_jobs" WHERE ${heldBy(jobId, lease)})`;
}

/** A `ClaimRequest` checked field by field, with its times as `Date`s. */
interface ValidClaim {
  workerId: string;
  limit: number;
  now: Date;
  leaseUntil: Date;
  minPriority: number | undefined;
}

/** Checks the lease part of a claim (worker, lease, clock); throws a `RangeError` naming the first bad field. */
function validateLease(op: string, request: unknown): Omit<ValidClaim, 'limit' | 'minPriority'> {
  if (!isPlainObject(request)) throw new RangeError(`${op}: request must be an object, got ${describe(request)}`);
  const workerId = text(op, 'workerId', request.workerId);
  const leaseMs = integer(op, 'leaseMs', request.leaseMs, 1, 365 * 24 * 3600 * 1000);
  const now = instant(op, 'now', request.now);
  return { workerId, now, leaseUntil: new Date(now.getTime() + leaseMs) };
}

/** Checks a `claimJobs` request; throws a `RangeError` naming the first bad field. */
function validateClaim(request: unknown): ValidClaim {
  const op = 'claimJobs';
  const lease = validateLease(op, request);
  const { limit, minPriority } = request as ClaimRequest;
  return {
    ...lease,
    limit: integer(op, 'limit', limit, 0, 10_000),
    minPriority: minPriority === undefined ? undefined : integer(op, 'minPriority', minPriority, INT32_MIN, INT32_MAX),
  };
}
