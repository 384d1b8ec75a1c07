//! An in-memory `SyncStore`: users and an outbox that follow the contract in `types.ts`, kept in arrays. For
//! prototypes, demos and a CRM's own unit tests; it is not durable (a restart loses the queue), so production
//! uses the Prisma store or a store over the CRM's own database.

import type { ClaimRequest, JobFailure, LocalUser, NewSyncJob, QueueStats, SyncJob, SyncStore } from './types';

/** The in-memory store, with its data exposed for inspection; setting `failWith` makes every call reject with it. */
export interface MemoryStore extends SyncStore {
  users: LocalUser[];
  jobs: SyncJob[];
  failWith?: Error;
}

/** A store over arrays, starting with `users`. */
export function createMemoryStore(users: LocalUser[] = []): MemoryStore {
  const jobs: SyncJob[] = [];
  let nextId = 1;
  const check = () => {
    if (store.failWith) throw store.failWith;
  };
  const held = (job: SyncJob, workerId: string) => job.state === 'RUNNING' && job.leaseOwner === workerId;
  const store: MemoryStore = {
    users,
    jobs,
    async findUserById(userId) {
      check();
      return users.find((user) => user.id === userId) ?? null;
    },
    async findUserByEmail(email) {
      check();
      const wanted = email.trim().toLowerCase();
      return users.find((user) => user.email.trim().toLowerCase() === wanted) ?? null;
    },
    async setUserPipedriveId(userId, pipedriveUserId) {
      check();
      const user = users.find((candidate) => candidate.id === userId);
      if (!user) return false;
      user.pipedriveUserId = pipedriveUserId;
      return true;
    },
    async enqueueJob(job: NewSyncJob) {
      check();
      const now = new Date().toISOString();
      const pending = jobs.find((existing) => existing.dedupeKey === job.dedupeKey && existing.state === 'PENDING');
      if (pending) {
        pending.payload = { ...pending.payload, ...job.payload };
        pending.priority = Math.max(pending.priority, job.priority ?? 0);
        pending.updatedAt = now;
        return { id: pending.id, merged: true };
      }
      const stored: SyncJob = {
        id: nextId++, kind: job.kind, recordType: job.recordType, recordId: job.recordId, dedupeKey: job.dedupeKey,
        payload: { ...job.payload }, state: 'PENDING', priority: job.priority ?? 0, attempts: 0,
        nextAttemptAt: job.nextAttemptAt ?? now, leaseOwner: null, leaseUntil: null, lastError: null,
        createdAt: now, updatedAt: now, doneAt: null,
      };
      jobs.push(stored);
      return { id: stored.id, merged: false };
    },
    async claimJobs(request: ClaimRequest) {
      check();
      const now = Date.parse(request.now);
      const open = (job: SyncJob) => job.state === 'PENDING' || job.state === 'RUNNING';
      const claimable = (job: SyncJob) =>
        (job.state === 'PENDING' && Date.parse(job.nextAttemptAt) <= now) ||
        (job.state === 'RUNNING' && job.leaseUntil !== null && Date.parse(job.leaseUntil) < now);
      const record = (job: SyncJob) => `${job.recordType}\u0000${job.recordId}`;
      const candidates = jobs
        .filter((job) => claimable(job) && job.priority >= (request.minPriority ?? Number.MIN_SAFE_INTEGER))
        .filter((job) => !jobs.some((older) => older.id < job.id && record(older) === record(job) && open(older)))
        .sort((a, b) => b.priority - a.priority || a.id - b.id);
      const seen = new Set<string>();
      const claimed: SyncJob[] = [];
      for (const job of candidates) {
        if (claimed.length >= request.limit || seen.has(record(job))) continue;
        seen.add(record(job));
        const recovered = job.state === 'RUNNING';
        Object.assign(job, { state: 'RUNNING', leaseOwner: request.workerId, leaseUntil: new Date(now + request.leaseMs).toISOString(), attempts: job.attempts + 1, updatedAt: request.now });
        claimed.push({ ...job, payload: { ...job.payload }, ...(recovered ? { recovered: true } : {}) });
      }
      return claimed;
    },
    async completeJob(jobId, workerId, now) {
      check();
      const job = jobs.find((candidate) => candidate.id === jobId);
      if (!job || !held(job, workerId)) return false;
      Object.assign(job, { state: 'DONE', doneAt: now, updatedAt: now, leaseOwner: null, leaseUntil: null });
      return true;
    },
    async failJob(jobId, workerId, failure: JobFailure) {
      check();
      const job = jobs.find((candidate) => candidate.id === jobId);
      if (!job || !held(job, workerId)) return false;
      Object.assign(job, {
        state: failure.retryAt === null ? 'DEAD' : 'PENDING',
        nextAttemptAt: failure.retryAt ?? job.nextAttemptAt,
        lastError: failure.error, updatedAt: failure.now, leaseOwner: null, leaseUntil: null,
      });
      return true;
    },
    async retryDeadJobs(now, jobId) {
      check();
      const dead = jobs.filter((job) => job.state === 'DEAD' && (jobId === undefined || job.id === jobId));
      for (const job of dead) Object.assign(job, { state: 'PENDING', nextAttemptAt: now, attempts: 0, updatedAt: now });
      return dead.length;
    },
    async queueStats(now): Promise<QueueStats> {
      check();
      const counts = { PENDING: 0, RUNNING: 0, DONE: 0, DEAD: 0 };
      for (const job of jobs) counts[job.state]++;
      const pending = jobs.filter((job) => job.state === 'PENDING');
      return {
        counts,
        due: pending.filter((job) => Date.parse(job.nextAttemptAt) <= Date.parse(now)).length,
        oldestPendingAt: pending.map((job) => job.createdAt).sort()[0] ?? null,
        dead: jobs.filter((job) => job.state === 'DEAD').sort((a, b) => b.updatedAt.localeCompare(a.updatedAt)).slice(0, 20)
          .map(({ id, kind, recordType, recordId, attempts, lastError, updatedAt }) => ({ id, kind, recordType, recordId, attempts, lastError, updatedAt })),
      };
    },
  };
  return store;
}
