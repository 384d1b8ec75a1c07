/**
 * @module index
 * `pipedrive-sync`: keep Pipedrive in step with a Node CRM. `createPipedriveSync(config)` validates the
 * configuration, builds the host (HTTP, store, clock, logger) and returns the services, each backed by the Rust
 * engine compiled to WebAssembly.
 */

import { ValidationError } from './errors';
import { splitConfig } from './config';
import { EngineHandle } from './engine/engine_handle';
import { createTwoWayServices, type ReconcileService, type WebhooksService } from './two_way';
import { createUpdateServices, type ConflictsService, type OrganizationsService, type UpdatesService, type ValidationService } from './updates';
import { bindHost } from './host/bind_host';
import { JsErrorRegistry } from './host/error_registry';
import { runQueueWorker, type QueueRunOptions, type WorkerReport } from './worker/queue_worker';
import { hostname } from 'node:os';

import type { ActivitySyncStatusResponse, CheckWarmLeadResponse, DrainOptions, DrainReport, EngineDescription, PipedriveSyncConfig, PipedriveUser, RateLimitSnapshot, SetupUserResponse } from './types';
import type { QueueStats, SyncStore } from './store/types';

export * from './errors';
export type * from './types';
export type { HttpRequest, HttpResponse, HttpSend, Logger, LogLevel, TransportFailure } from './host/types';
export type { ClaimRequest, JobFailure, LocalUser, NewSyncJob, QueueStats, SyncJob, SyncJobState, SyncStore } from './store/types';
export { createFetchHttp } from './host/fetch_http';
export { createMemoryStore, type MemoryStore } from './store/memory';
export type { QueueRunOptions, WorkerReport } from './worker/queue_worker';
export type { JobListener, PacingSwap, PacingSwapRequest } from './store/types';
export type * from './updates';
export type * from './two_way';

/** The users service (spec §4.5.1, §8.4). */
export interface UsersService {
  /** The active Pipedrive user with this email (case-insensitive), or `null`. Throws `ValidationError` for a malformed email. */
  findUserByEmail(email: string): Promise<PipedriveUser | null>;
  /** Stores the Pipedrive user id on the CRM user; throws `NotFoundError` when the CRM user does not exist. */
  storeUserPipedriveId(userId: string, pipedriveUserId: number): Promise<void>;
  /** Finds the Pipedrive user with the CRM user's email and stores the link; failures are answered, not thrown. */
  setupUser(email: string): Promise<SetupUserResponse>;
}

/** The warm-lead service (spec Feature 1, §8.1). */
export interface WarmLeadsService {
  /**
   * Stores the new score (when given) with its outbox job, then tries at once (within 5 s): `true` when this
   * call put the contact in Pipedrive as a warm lead; `false` when the contact is below the threshold, already
   * linked, its user has no token, or Pipedrive could not be reached in time (the queue then finishes the work).
   */
  checkAndCreateWarmLead(request: { contactId: string; userId: string; warmnessScore?: number }): Promise<boolean>;
  /** The same check, answered as `POST /api/contacts/[id]/check-warm-lead` (spec §8.1), with the reason. */
  checkWarmLead(contactId: string, userId: string): Promise<CheckWarmLeadResponse>;
}

/** The activity replication service (spec Feature 2, §8.2). */
export interface ActivitiesService {
  /**
   * Records the replication job (when the contact has a Pipedrive person) and tries it at once (within 3 s):
   * `true` when the activity is (now) in Pipedrive; `false` when its contact has no Pipedrive person, the user
   * has no token, or Pipedrive could not be reached in time (the queue then finishes it).
   */
  replicateActivity(request: { activityId: string; contactId?: string; userId: string }): Promise<boolean>;
  /** The activity's sync state, as `GET /api/activities/[id]/sync-status` answers it (spec §8.2). */
  syncStatus(activityId: string): Promise<ActivitySyncStatusResponse>;
}

/** The labels service (spec §4.5.2): person labels are options of Pipedrive's `label_ids` field. */
export interface LabelsService {
  /** The id of the person label called `name` (matched trimmed and case-insensitively), created when missing. */
  findOrCreateLabel(name: string): Promise<number>;
  /** The id of the warm-lead label (`options.warmLeadLabel`, default "Warm Lead"; Pipedrive's "Warm lead" matches). */
  getWarmLeadLabelId(): Promise<number>;
}

/** The outbox: durable sync work in the CRM's own database. */
export interface QueueService {
  /** Carries out due jobs (all, or `limit`) and reports what happened; stops early when Pipedrive's budget is spent. */
  drain(options?: DrainOptions): Promise<DrainReport>;
  /** Counts per state, due jobs, the oldest pending job, the latest dead jobs with their errors, and the rate limits. */
  stats(): Promise<QueueStats & { rateLimits: RateLimitSnapshot }>;
  /** Puts dead jobs (all, or one) back in the queue; resolves how many. */
  retryDead(jobId?: number): Promise<number>;
  /**
   * A long-running worker (DESIGN §13): drains continuously, sleeps until the next due job or an enqueue wakes it
   * (PostgreSQL `LISTEN/NOTIFY`), and when `signal` aborts stops claiming, finishes the jobs in hand and resolves its
   * report.
   */
  run(options: QueueRunOptions): Promise<WorkerReport>;
}

/** The object `createPipedriveSync` returns: the services, grouped under the spec's names. */
export interface PipedriveSync {
  users: UsersService;
  /** Record updates (spec Feature 3). */
  updates: UpdatesService;
  /** Update checks, conflict detection and merge (spec §3.5). */
  validation: ValidationService;
  /** Conflict resolution (spec §5.4). */
  conflicts: ConflictsService;
  /** Organizations by exact name (spec §4.5.3). */
  organizations: OrganizationsService;
  /** Drift between the CRM and Pipedrive, found cheaply (DESIGN §12). */
  reconcile: ReconcileService;
  /** Pipedrive webhooks v2: intake and subscriptions (DESIGN §12). */
  webhooks: WebhooksService;
  warmLeads: WarmLeadsService;
  activities: ActivitiesService;
  labels: LabelsService;
  queue: QueueService;
  rateLimit: {
    /** Burst window, search window and daily budget as last seen. */
    snapshot(): RateLimitSnapshot;
    /**
     * Counts one user-initiated request against the per-user allowance (`options.userThrottle`, spec §6.2);
     * throws a `RateLimitedError` with `details.retryAfterMs` when the user is over it.
     */
    allowUser(userId: string): void;
  };
  /** The store this engine was configured with (route handlers read contacts through it). */
  store: SyncStore;
  /** What the engine runs with (no secrets). */
  describe(): EngineDescription;
}

/**
 * Creates a sync engine. Throws a `ConfigError` naming the setting when the configuration is unusable (a
 * missing token, a malformed `baseUrl`, an unknown option, a store without the required methods).
 */
export async function createPipedriveSync(config: PipedriveSyncConfig): Promise<PipedriveSync> {
  const { engineConfig, hostFunctions } = splitConfig(config);
  const registry = new JsErrorRegistry();
  const host = bindHost(hostFunctions, registry);
  const engine = new EngineHandle(engineConfig, host, registry);
  // An attempt that went on after its caller's answer reports a failure only to the log (scrubbed there).
  const backgroundFailed = (error: Error) => host.log('error', 'engine.background_failed', { error: error.message });
  return {
    ...createUpdateServices(engine),
    ...createTwoWayServices(engine),
    users: {
      findUserByEmail: (email) => engine.run((wasm) => wasm.findUserByEmail(email)),
      storeUserPipedriveId: async (userId, pipedriveUserId) => {
        await engine.run((wasm) => wasm.storeUserPipedriveId(userId, pipedriveUserId));
      },
      setupUser: (email) => engine.run((wasm) => wasm.setupUser(email)),
    },
    warmLeads: {
      checkAndCreateWarmLead: async (request) => {
        refuseNonFinite(request, 'warmnessScore');
        return engine.runWithLateAnswer((wasm, onLate) => wasm.checkAndCreateWarmLead(request, onLate), backgroundFailed);
      },
      checkWarmLead: (contactId, userId) =>
        engine.runWithLateAnswer((wasm, onLate) => wasm.checkWarmLead(contactId, userId, onLate), backgroundFailed),
    },
    activities: {
      replicateActivity: (request) =>
        engine.runWithLateAnswer((wasm, onLate) => wasm.replicateActivity(request, onLate), backgroundFailed),
      syncStatus: (activityId) => engine.run((wasm) => wasm.activitySyncStatus(activityId)),
    },
    labels: {
      findOrCreateLabel: (name) => engine.run((wasm) => wasm.findOrCreateLabel(name)),
      getWarmLeadLabelId: () => engine.run((wasm) => wasm.getWarmLeadLabelId()),
    },
    queue: {
      drain: ({ onProgress, workerId, signal, ...rest } = {}) =>
        engine.run((wasm) =>
          wasm.drain({ ...rest, workerId: workerId ?? defaultWorkerId() }, onProgress, signal ? () => signal.aborted : undefined)),
      stats: () => engine.run((wasm) => wasm.queueStats()),
      retryDead: (jobId) => engine.run((wasm) => wasm.retryDead(jobId)),
      run: (options) =>
        runQueueWorker(
          (drainOptions, onProgress, shouldStop) => engine.run((wasm) => wasm.drain(drainOptions, onProgress, shouldStop)),
          config.store,
          options?.workerId ?? defaultWorkerId(),
          options,
          (level, event, fields) => host.log(level, event, fields),
        ),
    },
    rateLimit: {
      snapshot: () => engine.call((wasm) => wasm.rateLimitSnapshot() as RateLimitSnapshot),
      allowUser: (userId) => engine.call((wasm) => wasm.allowUserRequest(userId)),
    },
    store: config.store,
    describe: () => engine.call((wasm) => wasm.describe() as EngineDescription),
  };
}

/**
 * Refuses `NaN` and `±Infinity` in `request[field]`: serialised for the engine they would become `null`, read as
 * "not given", and the stored value would decide instead of the garbage the caller passed (DESIGN invariant 10).
 */
function refuseNonFinite(request: unknown, field: string): void {
  const value = request !== null && typeof request === 'object' ? (request as Record<string, unknown>)[field] : undefined;
  if (typeof value === 'number' && !Number.isFinite(value)) {
    const rule = 'must be a finite whole number';
    throw new ValidationError('VALIDATION', `VALIDATION: ${field} ${rule} (got ${String(value)})`, { field, rule });
  }
}

/** A worker name that tells machines and processes apart in job leases. */
function defaultWorkerId(): string {
  return `${hostname()}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
}
