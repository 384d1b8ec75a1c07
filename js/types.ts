/**
 * @module types
 * The public types of `pipedrive-sync`: configuration, options and the results of each service.
 */

import type { HttpSend, Logger } from './host/types';
import type { SyncStore } from './store/types';

/** The engine's tunable behaviour; every field is optional and has the documented default. */
export interface SyncOptions {
  /** Warmness score at which a contact becomes a warm lead (default 4). */
  warmLeadThreshold?: number;
  /** Name of the label applied to warm leads (default "Warm Lead"; matched case-insensitively). */
  warmLeadLabel?: string;
  /** Retries after the first attempt (default 3, at most 10). */
  maxRetries?: number;
  /** First backoff step in ms (default 500). */
  baseDelayMs?: number;
  /** Longest single backoff in ms (default 30,000). */
  maxDelayMs?: number;
  /** Timeout of one HTTP request in ms (default 10,000). */
  requestTimeoutMs?: number;
  /** How long cached Pipedrive users, fields and activity types stay fresh, in ms (default 10 minutes). */
  cacheTtlMs?: number;
  /** Overrides of the CRM activity type → Pipedrive activity type mapping, e.g. `{ LINKEDIN: 'linkedin' }`. */
  activityTypeMap?: Partial<Record<'CALL' | 'EMAIL' | 'MEETING' | 'LINKEDIN' | 'REFERRAL' | 'CONFERENCE', string>>;
  /** How a field changed on both sides is settled (default 'last-write-wins'). */
  conflictStrategy?: 'last-write-wins' | 'manual' | 'auto-merge';
  /** Who wins a last-write-wins tie (the same second): the CRM (default) or Pipedrive. */
  conflictTie?: 'local' | 'pipedrive';
  /** Fields pinned whatever the strategy, by field name. */
  fieldRules?: Record<string, 'local-owns' | 'remote-owns' | 'manual' | 'ignore'>;
  /** Per-user allowance for user-initiated operations (default 10 requests per 60,000 ms). */
  userThrottle?: { requests: number; perMs: number };
  /** Jobs a drain runs at once unless `drain({concurrency})` says otherwise (default 5). */
  batchConcurrency?: number;
  /**
   * Per record type, the fields whose changes made in Pipedrive are written on the local record (through the
   * store's `applyRemoteChanges`) when reconcile or a webhook sees them; none by default: the CRM is authoritative.
   */
  pullFields?: { person?: Array<'name' | 'email' | 'phone'>; organization?: Array<'name' | 'country' | 'address'>; activity?: Array<'subject' | 'note' | 'done'> };
  /** The Pipedrive plan: sets the burst limit until response headers tell the real one (default 'lite'). */
  plan?: 'lite' | 'growth' | 'premium' | 'ultimate';
  /** The CRM's IANA time zone: decides the calendar day of all-day activities (default 'UTC'). */
  timeZone?: string;
  /** Replicate a contact's earlier activities, oldest first, when it becomes a warm lead (default true). */
  backfillActivities?: boolean;
  /**
   * Pace requests together with every other process on the token, through the store's `swapPacing` (DESIGN §13):
   * default true when the store has it (the Prisma store), false otherwise (the memory store paces per process).
   */
  sharedPacing?: boolean;
}

/** Configuration of `createPipedriveSync`. */
export interface PipedriveSyncConfig {
  pipedrive: {
    /** One company-wide API token. Sent only in the `x-api-token` header. */
    apiToken?: string;
    /** Per-user tokens instead: the token of a CRM user, or null when the user has none. */
    apiTokenFor?: (userId: string) => Promise<string | null | undefined> | string | null | undefined;
    /** Default `https://api.pipedrive.com`; a company domain (`https://acme.pipedrive.com`) or an emulator URL. */
    baseUrl?: string;
  };
  /** The CRM's data, e.g. `createPrismaStore(prisma)`. */
  store: SyncStore;
  /** The Basic auth Pipedrive's webhook deliveries must carry (`sync.webhooks.receive`, `handlers.webhook`). */
  webhooks?: { username: string; password: string };
  /** HTTP client (default: global `fetch` with a timeout). */
  http?: HttpSend;
  /** Clock in ms since the epoch (default `Date.now`). */
  now?: () => number;
  /** Timer (default `setTimeout`). */
  sleep?: (ms: number) => Promise<void>;
  /** Randomness in [0, 1) for backoff jitter (default `Math.random`). */
  random?: () => number;
  /** Structured log events (default: silent). */
  logger?: Logger;
  /** Tunable behaviour. */
  options?: SyncOptions;
}

/** A Pipedrive user (from `GET /v1/users`). */
export interface PipedriveUser {
  /** Pipedrive's user id: the `owner_id` of records. */
  id: number;
  name: string;
  email: string;
  /** Always true: inactive users are never returned. */
  active: boolean;
  isAdmin: boolean;
}

/** Answer of `setupUser` and of `POST /api/pipedrive/setup-user` (spec §8.4). */
export interface SetupUserResponse {
  success: boolean;
  pipedriveUserId?: number;
  /** What went wrong, starting with its code, e.g. `"NOT_FOUND: no active Pipedrive user has the email ..."`. */
  error?: string;
  /** The error's stable code. */
  code?: string;
}

/** What an engine runs with (no secrets): computed by the wasm engine from the validated configuration. */
export interface EngineDescription {
  version: string;
  baseUrl: string;
  tokens: 'company' | 'per-user';
  warmLeadThreshold: number;
  warmLeadLabel: string;
  maxRetries: number;
  plan: string;
}

/** Options of `sync.queue.drain`. */
export interface DrainOptions {
  /** Stop after this many jobs (default: every due job). */
  limit?: number;
  /** Called after every job with the report so far (e.g. for a progress bar). */
  onProgress?: (progress: DrainReport) => void;
  /** This worker's name in job leases (default: host name, process id and a random suffix). */
  workerId?: string;
  /** How long a claimed job stays leased to this worker (default 5 minutes): a crashed worker's jobs come back after it. */
  leaseMs?: number;
  /** Jobs carried out at once (default `options.batchConcurrency`). */
  concurrency?: number;
  /** Once it aborts nothing more is claimed; the jobs in hand are finished (a bounded drain, e.g. for cron). */
  signal?: AbortSignal;
}

/** What a drain did. */
export interface DrainReport {
  processed: number;
  succeeded: number;
  /** Failed attempts that wait for their next try on the long schedule (1 min, 10 min, 30 min, 2 h, 6 h). */
  rescheduled: number;
  /** Jobs given up after their schedule or on a permanent error; replay them with `retryDead`. */
  dead: number;
  /** Jobs another worker took over because this one's lease ran out. */
  leaseLost: number;
  /** Why the drain stopped early (daily budget spent, token refused or blocked). */
  stopped?: string;
  requests: number;
  /** Requests answered with 429 (the limiter keeps this at zero unless another client shares the token). */
  rateLimited: number;
  durationMs: number;
  limit?: number;
}

/** One rolling window as last seen. */
export interface WindowSnapshot {
  limit: number;
  used: number;
  inFlight: number;
  blockedUntil: number | null;
}

/** `sync.rateLimit.snapshot()`: the limits as last seen, per token (named by a fingerprint, never the token). */
export interface RateLimitSnapshot {
  tokens: Array<{ token: string; burst: WindowSnapshot; search: WindowSnapshot; pausedUntil: number | null }>;
  dailyBudget: { limit: number | null; remaining: number | null; resetsAt: number | null };
  /** What pacing through the store cost this process so far: slots reserved, `swapPacing` calls, local fallbacks. */
  sharedPacing?: { reserved: number; roundTrips: number; fallbacks: number };
}

/** Answer of `checkWarmLead` and of `POST /api/contacts/[id]/check-warm-lead` (spec §8.1). */
export interface CheckWarmLeadResponse {
  success: boolean;
  /** The contact's warmness reaches the threshold. */
  isWarmLead: boolean;
  pipedrivePersonId?: string;
  pipedriveOrgId?: string;
  /** Why the contact is not (yet) in Pipedrive as a warm lead, when this call did not put it there. */
  reason?: string;
}

/** Answer of `syncStatus` and of `GET /api/activities/[id]/sync-status` (spec §8.2). */
export interface ActivitySyncStatusResponse {
  success: boolean;
  /** The activity is in Pipedrive. */
  synced: boolean;
  pipedriveActivityId?: string;
  syncAttempts: number;
  /** The last attempt (ISO 8601). */
  lastAttempt?: string;
  /** SYNCED | PENDING | FAILED | CONFLICT */
  updateSyncStatus: string;
}
