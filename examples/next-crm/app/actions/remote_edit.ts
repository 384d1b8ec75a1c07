'use server';
/**
 * @module next-crm/app/actions/remote_edit
 * The "Edit in Pipedrive" server action (emulator only, `lib/crm/emulator_edit.ts`).
 */

import { requireUser } from '@/lib/auth';
import { contactForUser } from '@/lib/crm/contact_access';
import { renameInPipedrive } from '@/lib/crm/emulator_edit';
import { getPrisma } from '@/lib/database';
import { errorText, toast, type ActionResult } from '@/lib/toast_message';

/** Renames contact `contactId`'s Pipedrive person to `name`, as an edit made in the Pipedrive UI. */
export async function renameInPipedriveAction(contactId: string, name: string): Promise<ActionResult> {
  const user = await requireUser();
  try {
    const contact = await contactForUser(await getPrisma(), user, contactId);
    if (contact.pipedrivePersonId === null) return toast('error', 'This contact is not in Pipedrive yet.');
    const trimmed = name.trim();
    if (!trimmed) return toast('error', 'The name must not be empty.');
    await renameInPipedrive(contact.pipedrivePersonId, trimmed);
    return toast('info', 'Renamed in Pipedrive', 'The webhook brings the new name into the CRM within seconds; reload to see it.');
  } catch (error) {
    return toast('error', 'The edit in Pipedrive did not work', errorText(error));
  }
}
