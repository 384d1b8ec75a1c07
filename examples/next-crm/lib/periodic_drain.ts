/**
 * @module next-crm/lib/periodic_drain
 * An in-process drain for a single-server deployment (and `npm run app`): every `intervalMs`, the due jobs of the
 * outbox are carried out (`sync.queue.drain`), one drain at a time. A serverless deployment schedules
 * `handlers.drain` instead, and a bigger one runs `pipedrive-sync worker`.
 */

import { getSync } from './sync';

/** What the process keeps: the timer, so that a module reload does not start a second one. */
const shared = globalThis as typeof globalThis & { crmDrainTimer?: NodeJS.Timeout };

/** Starts draining every `intervalMs` (once per process). */
export function startPeriodicDrain(intervalMs: number): void {
  if (shared.crmDrainTimer) return;
  let running = false;
  shared.crmDrainTimer = setInterval(() => {
    if (running) return;
    running = true;
    getSync()
      .then((sync) => sync.queue.drain())
      .then((report) => {
        if (report.processed > 0) console.log(`drain: ${report.succeeded} of ${report.processed} job(s) done, ${report.rescheduled} to retry, ${report.dead} dead`);
      })
      .catch((error: unknown) => console.error('drain failed', error instanceof Error ? error.message : error))
      .finally(() => {
        running = false;
      });
  }, intervalMs);
  shared.crmDrainTimer.unref();
}
