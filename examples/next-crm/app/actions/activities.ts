'use server';
/**
 * @module next-crm/app/actions/activities
 * The activity form's server action.
 */

import { revalidatePath } from 'next/cache';

import { requireUser } from '@/lib/auth';
import { logActivity, type ActivityForm } from '@/lib/crm/activity_log';
import { errorText, toast, type ActionResult } from '@/lib/toast_message';

/** Logs the activity and replicates it. */
export async function logActivityAction(form: ActivityForm): Promise<ActionResult & { activityId?: string }> {
  const user = await requireUser();
  try {
    return await logActivity(user, form);
  } catch (error) {
    return toast('error', 'The activity could not be logged', errorText(error));
  } finally {
    revalidatePath(`/contacts/${form.contactId}`);
  }
}
