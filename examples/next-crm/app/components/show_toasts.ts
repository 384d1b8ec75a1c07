'use client';
/**
 * @module next-crm/app/components/show_toasts
 * Shows a server action's toasts (sonner), in order, each in its tone.
 */

import { toast } from 'sonner';

import type { ActionResult } from '@/lib/toast_message';

/** Shows every toast of `result`. */
export function showToasts(result: ActionResult): void {
  for (const message of result.toasts) {
    const options = message.description ? { description: message.description } : undefined;
    toast[message.tone](message.title, options);
  }
}

/** Shows a toast for an action that threw (a server error reaches the browser without its details). */
export function showFailure(error: unknown): void {
  toast.error('That did not work', { description: error instanceof Error && error.message ? error.message : 'Please try again.' });
}
