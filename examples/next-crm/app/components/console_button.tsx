'use client';
/**
 * @module next-crm/app/components/console_button
 * A button of the Sync page: runs one of its server actions, shows the toasts, refreshes the page.
 */

import { useRouter } from 'next/navigation';
import { useTransition } from 'react';

import { drainNowAction, reconcileAction, registerWebhooksAction, replayDeadAction } from '@/app/actions/sync_console';
import type { ActionResult } from '@/lib/toast_message';
import { showFailure, showToasts } from './show_toasts';

/** What each button does. */
const ACTIONS: Record<string, (jobId?: number) => Promise<ActionResult>> = {
  drain: () => drainNowAction(),
  replay: (jobId) => replayDeadAction(jobId),
  reconcile: () => reconcileAction(),
  webhooks: () => registerWebhooksAction(),
};

/** The button for `action` (with `jobId` for replaying one job). */
export function ConsoleButton({ action, label, busyLabel, jobId, primary, testId }: { action: keyof typeof ACTIONS; label: string; busyLabel: string; jobId?: number; primary?: boolean; testId: string }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const run = () =>
    startTransition(async () => {
      try {
        showToasts(await ACTIONS[action](jobId));
      } catch (error) {
        showFailure(error);
      }
      router.refresh();
    });
  return (
    <button type="button" className={primary ? 'primary' : undefined} disabled={pending} onClick={run} data-testid={testId}>
      {pending ? busyLabel : label}
    </button>
  );
}
