'use server';
/**
 * @module next-crm/app/actions/conflicts
 * The conflicts page's server action: a decision per field.
 */

import { revalidatePath } from 'next/cache';

import { requireUser } from '@/lib/auth';
import { resolveConflict } from '@/lib/crm/conflict_resolution';
import { errorText, toast, type ActionResult } from '@/lib/toast_message';

/** Resolves conflict `conflictId` with `choices`. */
export async function resolveConflictAction(conflictId: number, choices: Record<string, 'local' | 'pipedrive'>): Promise<ActionResult> {
  const user = await requireUser();
  try {
    return await resolveConflict(user, conflictId, choices);
  } catch (error) {
    return toast('error', 'The conflict could not be resolved', errorText(error));
  } finally {
    revalidatePath('/conflicts');
    revalidatePath('/contacts');
  }
}
