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
  const { reconcileAndKeep, registerWebhooks } = await import('./lib/crm/sync_console');
  const publicUrl = process.env.CRM_PUBLIC_URL?.trim();
  if (publicUrl) {
    // Only the missing subscriptions are created; without the Basic auth configured it says so and does nothing.
    await registerWebhooks(publicUrl)
      .then((result) => console.log(`pipedrive-sync webhooks: ${result.toasts.map((t) => `${t.title}${t.description ? ` (${t.description})` : ''}`).join('; ')}`))
      .catch((error: unknown) => console.warn('pipedrive-sync: the webhook subscriptions could not be registered:', error instanceof Error ? error.message : error));
  }
  // Catch up on what changed while the CRM was down (and give linked records their first snapshot), in the
  // background: the server answers meanwhile.
  if (process.env.CRM_RECONCILE_ON_START !== '0') {
    void reconcileAndKeep()
      .then((report) => console.log(`pipedrive-sync reconcile on start: ${report.requests} requests`))
      .catch((error: unknown) => console.warn('pipedrive-sync: reconcile on start failed:', error instanceof Error ? error.message : error));
  }
  const interval = Number(process.env.CRM_DRAIN_INTERVAL_MS);
  if (Number.isFinite(interval) && interval > 0) {
    const { startPeriodicDrain } = await import('./lib/periodic_drain');
    startPeriodicDrain(interval);
  }
}
