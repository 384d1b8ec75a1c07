'use server';
/**
 * @module next-crm/app/actions/sync_console
 * The Sync page's server actions (admins only): drain now, replay dead jobs, reconcile, register webhooks.
 */

import { revalidatePath } from 'next/cache';
import { headers } from 'next/headers';

import { requireUser } from '@/lib/auth';
import { drainNow, registerWebhooks, replayDead, runReconcile } from '@/lib/crm/sync_console';
import { errorText, toast, type ActionResult } from '@/lib/toast_message';

/** Runs `work` for an admin, answering its toasts (or an error toast), and refreshes the pages it affects. */
async function adminOnly(what: string, work: () => Promise<ActionResult>): Promise<ActionResult> {
  const user = await requireUser();
  if (!user.isAdmin) return toast('error', `Only an admin may ${what}.`);
  try {
    return await work();
  } catch (error) {
    return toast('error', `Could not ${what}`, errorText(error));
  } finally {
    revalidatePath('/sync');
    revalidatePath('/contacts');
  }
}

/** Drains the queue now. */
export async function drainNowAction(): Promise<ActionResult> {
  return adminOnly('drain the queue', drainNow);
}

/** Replays dead jobs (all, or one). */
export async function replayDeadAction(jobId?: number): Promise<ActionResult> {
  return adminOnly('replay dead jobs', () => replayDead(jobId));
}

/** Runs reconcile. */
export async function reconcileAction(): Promise<ActionResult> {
  return adminOnly('run reconcile', runReconcile);
}

/** Subscribes this app to Pipedrive's webhooks. */
export async function registerWebhooksAction(): Promise<ActionResult> {
  const request = await headers();
  const host = request.get('x-forwarded-host') ?? request.get('host') ?? 'localhost:3000';
  const protocol = request.get('x-forwarded-proto') ?? 'http';
  return adminOnly('register the webhooks', () => registerWebhooks(`${protocol}://${host}`));
}
