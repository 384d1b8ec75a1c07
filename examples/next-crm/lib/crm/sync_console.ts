/**
 * @module next-crm/lib/crm/sync_console
 * What the Sync page shows and does: the outbox (`sync.queue.stats`, the waiting jobs), the rate budget
 * (`sync.rateLimit.snapshot`), a drain now (`sync.queue.drain`), replaying dead jobs (`sync.queue.retryDead`),
 * reconcile (`sync.reconcile.run`, the last report kept for the page) and the webhook subscriptions
 * (`sync.webhooks.ensure` for this app's `/api/pipedrive/webhook`, `list`).
 */

import type { DrainReport, ReconcileReport } from 'pipedrive-sync';

import { getPrisma } from '../database';
import { getSync } from '../sync';
import { toast, type ActionResult } from '../toast_message';

/** The last reconcile of this process, for the page. */
const shared = globalThis as typeof globalThis & { crmLastReconcile?: { at: string; report: ReconcileReport } };

/** The last reconcile report and when it ran, or null. */
export function lastReconcile(): { at: string; report: ReconcileReport } | null {
  return shared.crmLastReconcile ?? null;
}

/** The jobs not finished yet (waiting or running), oldest first. */
export async function openJobs() {
  const prisma = await getPrisma();
  return prisma.syncJob.findMany({
    where: { state: { in: ['PENDING', 'RUNNING'] } },
    orderBy: { id: 'asc' },
    take: 50,
    select: { id: true, kind: true, recordType: true, recordId: true, state: true, attempts: true, nextAttemptAt: true, lastError: true },
  });
}

/** A drain's report in words. */
export function drainText(report: DrainReport): string {
  const parts = [`${report.succeeded} done`];
  if (report.rescheduled) parts.push(`${report.rescheduled} to retry later`);
  if (report.dead) parts.push(`${report.dead} given up`);
  parts.push(`${report.requests} requests`);
  return `${report.processed} job(s): ${parts.join(', ')}${report.stopped ? ` (stopped: ${report.stopped})` : ''}`;
}

/** Runs every due job now. */
export async function drainNow(): Promise<ActionResult> {
  const report = await (await getSync()).queue.drain();
  if (report.processed === 0) return toast('info', 'Nothing was due', 'Every job is done or waits for its next attempt.');
  const tone = report.dead > 0 || report.rescheduled > 0 ? 'warning' : 'success';
  return toast(tone, 'Queue drained', drainText(report));
}

/** Puts dead jobs (all, or `jobId`) back in the queue. */
export async function replayDead(jobId?: number): Promise<ActionResult> {
  const count = await (await getSync()).queue.retryDead(jobId);
  return toast(count > 0 ? 'success' : 'info', count > 0 ? `${count} job(s) back in the queue` : 'No dead job to replay', count > 0 ? 'Drain now, or let the worker take them.' : undefined);
}

/** Runs reconcile (from its stored cursors) and keeps the report for the page. */
export async function reconcileAndKeep(): Promise<ReconcileReport> {
  const report = await (await getSync()).reconcile.run();
  shared.crmLastReconcile = { at: new Date().toISOString(), report };
  return report;
}

/** Runs reconcile and keeps its report. */
export async function runReconcile(): Promise<ActionResult> {
  const report = await reconcileAndKeep();
  const entities = report.entities ?? [];
  const drift = entities.reduce((sum, entity) => sum + (entity.changedRemotely ?? 0) + (entity.changedLocally ?? 0) + (entity.changedBoth ?? 0) + (entity.gone ?? 0), 0);
  return toast('success', 'Reconcile finished', `${entities.reduce((sum, e) => sum + (e.linked ?? 0), 0)} linked records checked, ${drift} with drift, ${report.requests} requests.`);
}

/** Registers this app's webhook URL with Pipedrive (once: existing subscriptions are matched by URL). */
export async function registerWebhooks(appOrigin: string): Promise<ActionResult> {
  const username = process.env.CRM_WEBHOOK_USER ?? '';
  const password = process.env.CRM_WEBHOOK_PASSWORD ?? '';
  if (!username || !password) return toast('error', 'Webhooks are not configured', 'Set CRM_WEBHOOK_USER and CRM_WEBHOOK_PASSWORD, then restart the app.');
  const url = `${(process.env.CRM_PUBLIC_URL ?? appOrigin).replace(/\/+$/, '')}/api/pipedrive/webhook`;
  const result = await (await getSync()).webhooks.ensure({ url, username, password });
  const created = result.created.length;
  return toast('success', created > 0 ? `Subscribed to Pipedrive's webhooks (${created} new)` : 'Pipedrive already sends its webhooks here', url);
}

/** The account's webhook subscriptions (without passwords); an empty list when Pipedrive cannot be reached. */
export async function webhookSubscriptions(): Promise<Array<Record<string, unknown>>> {
  return (await getSync()).webhooks.list().catch(() => []);
}
