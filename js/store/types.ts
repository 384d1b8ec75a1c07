//! The `SyncStore` contract: what the engine asks of the CRM's database.
//!
//! The Prisma store (`pipedrive-sync/prisma`) is the reference implementation; a CRM with other models implements
//! this interface itself. Every method may reject: the engine turns a rejection into a `STORE` error and keeps the
//! original error as its `cause`.

/** A local CRM user as the sync engine sees it. */
export interface LocalUser {
  /** The CRM's own id for the user. */
  id: string;
  /** The user's email address, as stored. Matching against Pipedrive is case-insensitive. */
  email: string;
  /** The user's display name, if the CRM has one. */
  name: string | null;
  /** The Pipedrive user id this user maps to, once known (spec §4.1). */
  pipedriveUserId: number | null;
}

/** The life of an outbox job: waiting, being worked on by a leased worker, finished, or given up. */
export type SyncJobState = 'PENDING' | 'RUNNING' | 'DONE' | 'DEAD';

/** A unit of sync work to record in the outbox. */
export interface NewSyncJob {
  /** What to do, e.g. `update_record`, `warm_lead`, `replicate_activity`. */
  kind: string;
  /** What the job is about, e.g. `person`, `contact`, `activity`: with `recordId`, the unit of strict ordering. */
  recordType: string;
  /** The id of that record (local or Pipedrive, as the kind defines). */
  recordId: string;
  /** At most one PENDING job per key: a newer change to the same record merges into the waiting job. */
  dedupeKey: string;
  /** JSON data of the job (never a secret). On a merge, the new payload's keys overwrite the waiting job's. */
  payload: Record<string, unknown>;
  /** Higher runs first: interactive work (10) before background work (0). Default 0; a merge keeps the higher. */
  priority?: number;
  /** Not before this instant (ISO 8601); default now. A merge keeps the waiting job's schedule. */
  nextAttemptAt?: string;
}

/** A job as stored in the outbox. Times are ISO 8601 strings. */
export interface SyncJob {
  id: number;
  kind: string;
  recordType: string;
  recordId: string;
  dedupeKey: string;
  payload: Record<string, unknown>;
  state: SyncJobState;
  priority: number;
  /** Attempts started (incremented by each claim). */
  attempts: number;
  nextAttemptAt: string;
  leaseOwner: string | null;
  leaseUntil: string | null;
  /** The last failure, in words, with its code (`UNAVAILABLE: ...`). */
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
  doneAt: string | null;
  /**
   * Set on claim: the previous attempt's worker lost its lease (it crashed or stalled) without completing or
   * failing the job, so that attempt's outcome is unknown and must be looked up before acting again.
   */
  recovered?: boolean;
}

/** What a worker asks for when it claims jobs. */
export interface ClaimRequest {
  /** The claiming worker; only it may complete or fail the jobs it gets. */
  workerId: string;
  /** At most this many jobs. */
  limit: number;
  /** The lease: the jobs come back to the queue when the worker has not finished them by `now + leaseMs`. */
  leaseMs: number;
  /** The engine's clock (ISO 8601), so tests can move time. */
  now: string;
  /** Only jobs with at least this priority (e.g. to let interactive work through while background work waits). */
  minPriority?: number;
}

/** How a failed attempt ends. */
export interface JobFailure {
  /** The error, in words, with its code. */
  error: string;
  /** When to try again (ISO 8601), or `null` to give up: the job becomes DEAD and stays replayable. */
  retryAt: string | null;
  /** The engine's clock (ISO 8601). */
  now: string;
}

/** The outbox at a glance. */
export interface QueueStats {
  /** Jobs per state. */
  counts: Record<SyncJobState, number>;
  /** Jobs PENDING whose time has come (nextAttemptAt <= now). */
  due: number;
  /** The oldest PENDING job's creation time, or null. */
  oldestPendingAt: string | null;
  /** The most recent DEAD jobs (at most 20), newest first. */
  dead: Array<Pick<SyncJob, 'id' | 'kind' | 'recordType' | 'recordId' | 'attempts' | 'lastError' | 'updatedAt'>>;
}

/**
 * The CRM's data, as the sync engine reads and writes it.
 *
 * Methods resolve `null` (or `false`) for "no such record" and reject only for real failures
 * (connection lost, constraint violated): the engine treats a rejection as an error, never as "not found".
 */
export interface SyncStore {
  /** The local user with this id, or `null`. */
  findUserById(userId: string): Promise<LocalUser | null>;
  /** The local user whose email matches, compared case-insensitively after trimming, or `null`. */
  findUserByEmail(email: string): Promise<LocalUser | null>;
  /** Stores `pipedriveUserId` on the local user; resolves `false` when there is no user with that id. */
  setUserPipedriveId(userId: string, pipedriveUserId: number): Promise<boolean>;

  /**
   * Records a job in the outbox. With `options.tx` (the CRM's transaction client) the job commits or rolls back
   * with the change that caused it. When a PENDING job with the same `dedupeKey` exists, the new payload merges
   * into it (`merged: true`) instead of adding a job; RUNNING, DONE and DEAD jobs are never merged into.
   */
  enqueueJob(job: NewSyncJob, options?: { tx?: unknown }): Promise<{ id: number; merged: boolean }>;
  /**
   * Leases up to `limit` due jobs to `workerId`, highest priority first, then oldest first: PENDING jobs with
   * `nextAttemptAt <= now`, and RUNNING jobs whose lease expired before `now` (returned with `recovered: true`).
   * Strict order per record: a job is not claimed while an older job of the same `recordType`/`recordId` is
   * PENDING or RUNNING, and one claim never returns two jobs of one record. Two workers never get the same job.
   */
  claimJobs(request: ClaimRequest): Promise<SyncJob[]>;
  /** Marks a job DONE; `false` (and no change) when `workerId` no longer holds its lease. */
  completeJob(jobId: number, workerId: string, now: string): Promise<boolean>;
  /** Records a failed attempt: back to PENDING at `retryAt`, or DEAD; `false` when the lease was lost. */
  failJob(jobId: number, workerId: string, failure: JobFailure): Promise<boolean>;
  /** Puts DEAD jobs (all, or the one with `jobId`) back to PENDING, due `now`, attempts reset; returns how many. */
  retryDeadJobs(now: string, jobId?: number): Promise<number>;
  /** Counts and the latest dead jobs. */
  queueStats(now: string): Promise<QueueStats>;
}

/** The store methods the engine calls; `createPipedriveSync` checks that each is a function. */
export const REQUIRED_STORE_METHODS = [
  'findUserById',
  'findUserByEmail',
  'setUserPipedriveId',
  'enqueueJob',
  'claimJobs',
  'completeJob',
  'failJob',
  'retryDeadJobs',
  'queueStats',
] as const satisfies readonly (keyof SyncStore)[];
