/**
 * @module next-crm/instrumentation
 * Runs once when the Next.js server starts: opens (migrates, seeds) the database, and when `CRM_DRAIN_INTERVAL_MS`
 * is set, drains the outbox in this process every that many milliseconds (`lib/periodic_drain.ts`), so queued
 * work reaches Pipedrive without a separate worker.
 */

/** Next.js's start-up hook. */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { getPrisma } = await import('./lib/database');
  await getPrisma();
  const interval = Number(process.env.CRM_DRAIN_INTERVAL_MS);
  if (Number.isFinite(interval) && interval > 0) {
    const { startPeriodicDrain } = await import('./lib/periodic_drain');
    startPeriodicDrain(interval);
  }
}
