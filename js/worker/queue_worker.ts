/**
 * @module worker/queue_worker
 * The long-running worker behind `sync.queue.run({signal})` and `pipedrive-sync worker` (DESIGN §13): drains due
 * jobs continuously; when none is due it sleeps until the next one falls due or an enqueue wakes it (the store's
 * `listenForJobs`: PostgreSQL `LISTEN/NOTIFY`), polling otherwise; leases are renewed by the engine while a job runs.
 * When `signal` aborts, the drain in flight stops claiming and finishes the jobs it holds, and the worker resolves its
 * report: no job is left RUNNING by a clean stop. Retry and backoff decisions stay in the engine.
 */

import type { JobListener, SyncStore } from '../store/types';
import type { DrainReport } from '../types';

/** Options of `sync.queue.run`. */
export interface QueueRunOptions {
  /** Stops the worker: no job is claimed after it aborts, the jobs in hand are finished. Required. */
  signal: AbortSignal;
  /** Called after every job with the totals so far. */
  onProgress?: (report: WorkerReport) => void;
  /** Called about once a minute (`statusEveryMs`) with the totals so far, e.g. for a status line. */
  onStatus?: (report: WorkerReport) => void;
  /** Jobs carried out at once (default `options.batchConcurrency`). */
  concurrency?: number;
  /** This worker's name in job leases (default: host name, process id and a random suffix). */
  workerId?: string;
  /** How long a claimed job stays leased (default 5 minutes). */
  leaseMs?: number;
  /** The longest idle sleep without a wake-up: default 1,000 ms when enqueues cannot be heard, 30,000 ms when they can. */
  pollMs?: number;
  /** How often `onStatus` is called (default 60,000 ms). */
  statusEveryMs?: number;
}

/** What a worker did, in total. */
export interface WorkerReport {
  processed: number;
  succeeded: number;
  rescheduled: number;
  dead: number;
  leaseLost: number;
  requests: number;
  rateLimited: number;
  /** Drains run (each one until no job was due). */
  drains: number;
  /** Times an enqueue woke the idle worker. */
  wakeups: number;
  /** The last reason a drain stopped early (daily budget spent, token refused or blocked), if any. */
  stopped?: string;
  /** Wall time of the worker. */
  durationMs: number;
}

/** One drain as the worker runs it: with the drain options, a progress callback and its stop check. */
export type DrainOnce = (
  options: { concurrency?: number; workerId: string; leaseMs?: number },
  onProgress: (report: DrainReport) => void,
  shouldStop: () => boolean,
) => Promise<DrainReport>;

/** How long to wait after a drain that Pipedrive stopped (budget, paused token) before draining again. */
const STOPPED_PAUSE_MS = 30_000;

/** Resolves after `ms`, or at once when `signal` aborts or `wake` fires. */
function sleepUntil(ms: number, signal: AbortSignal, wake: { fire?: () => void }): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      wake.fire = undefined;
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
    signal.addEventListener('abort', done, { once: true });
    wake.fire = done;
  });
}

/** Checks `sync.queue.run`'s options; a `TypeError` naming the field. */
function checkOptions(options: QueueRunOptions): void {
  if (!options || typeof options !== 'object') throw new TypeError('queue.run: options must be an object with a signal');
  const signal = options.signal as unknown;
  if (!signal || typeof signal !== 'object' || typeof (signal as AbortSignal).aborted !== 'boolean') {
    throw new TypeError('queue.run: options.signal is required: an AbortSignal (e.g. new AbortController().signal)');
  }
  for (const field of ['pollMs', 'statusEveryMs'] as const) {
    const value = options[field];
    if (value !== undefined && (!Number.isInteger(value) || value < 1 || value > 3_600_000)) {
      throw new TypeError(`queue.run: options.${field} must be a whole number of milliseconds from 1 to 3600000`);
    }
  }
}

/**
 * Runs the worker until `options.signal` aborts; resolves the totals. A drain that fails (the store is down) is
 * retried after a pause rather than ending the worker; the failure goes to `log`.
 */
export async function runQueueWorker(
  drainOnce: DrainOnce,
  store: SyncStore,
  workerId: string,
  options: QueueRunOptions,
  log: (level: 'info' | 'warn', event: string, fields: Record<string, unknown>) => void,
): Promise<WorkerReport> {
  checkOptions(options);
  const { signal } = options;
  const started = Date.now();
  const total: WorkerReport = {
    processed: 0, succeeded: 0, rescheduled: 0, dead: 0, leaseLost: 0, requests: 0, rateLimited: 0, drains: 0, wakeups: 0, durationMs: 0,
  };
  const snapshot = (current?: DrainReport): WorkerReport => ({
    ...total,
    processed: total.processed + (current?.processed ?? 0),
    succeeded: total.succeeded + (current?.succeeded ?? 0),
    rescheduled: total.rescheduled + (current?.rescheduled ?? 0),
    dead: total.dead + (current?.dead ?? 0),
    leaseLost: total.leaseLost + (current?.leaseLost ?? 0),
    durationMs: Date.now() - started,
  });
  const wake: { fire?: () => void } = {};
  let woken = false;
  const listener: JobListener = store.listenForJobs
    ? await store.listenForJobs(() => {
        woken = true;
        wake.fire?.();
      }).catch((error: unknown) => {
        log('warn', 'worker.listen_failed', { error: error instanceof Error ? error.message : String(error) });
        return { live: false, stop: async () => undefined };
      })
    : { live: false, stop: async () => undefined };
  const pollMs = options.pollMs ?? (listener.live ? 30_000 : 1_000);
  const statusEvery = options.statusEveryMs ?? 60_000;
  let lastStatus = Date.now();
  const status = (current?: DrainReport) => {
    if (Date.now() - lastStatus < statusEvery) return;
    lastStatus = Date.now();
    options.onStatus?.(snapshot(current));
  };
  const statusTimer = setInterval(() => status(), Math.min(statusEvery, 60_000));
  try {
    while (!signal.aborted) {
      woken = false;
      let report: DrainReport;
      try {
        report = await drainOnce(
          { concurrency: options.concurrency, workerId, leaseMs: options.leaseMs },
          (current) => {
            options.onProgress?.(snapshot(current));
            status(current);
          },
          () => signal.aborted,
        );
      } catch (error) {
        log('warn', 'worker.drain_failed', { error: error instanceof Error ? error.message : String(error) });
        await sleepUntil(Math.min(pollMs, 5_000), signal, wake);
        continue;
      }
      total.drains += 1;
      for (const key of ['processed', 'succeeded', 'rescheduled', 'dead', 'leaseLost', 'requests', 'rateLimited'] as const) {
        total[key] += report[key];
      }
      if (report.stopped) total.stopped = report.stopped;
      if (signal.aborted) break;
      if (report.stopped) {
        await sleepUntil(STOPPED_PAUSE_MS, signal, wake);
        continue;
      }
      if (report.processed > 0 || woken) continue;
      const nextDue = store.nextJobDueAt ? await store.nextJobDueAt(new Date().toISOString()).catch(() => null) : null;
      const untilDue = nextDue === null ? pollMs : Math.max(0, Date.parse(nextDue) - Date.now());
      if (!woken) await sleepUntil(Math.min(untilDue, pollMs), signal, wake);
      if (woken) total.wakeups += 1;
    }
  } finally {
    clearInterval(statusTimer);
    await listener.stop();
  }
  return snapshot();
}
