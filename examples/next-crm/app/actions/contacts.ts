'use server';
/**
 * @module next-crm/app/actions/contacts
 * The contact pages' server actions: warmness changes (warm leads) and edits (Pipedrive updates).
 */

import { revalidatePath } from 'next/cache';

import { requireUser } from '@/lib/auth';
import { editContact, type ContactForm } from '@/lib/crm/contact_edit';
import { changeWarmness } from '@/lib/crm/warmness';
import { errorText, toast, type ActionResult } from '@/lib/toast_message';

/** Raises or lowers a contact's warmness by one. */
export async function changeWarmnessAction(contactId: string, delta: 1 | -1): Promise<ActionResult> {
  const user = await requireUser();
  try {
    return await changeWarmness(user, contactId, delta === 1 ? 1 : -1);
  } catch (error) {
    return toast('error', 'The warmness could not be changed', errorText(error));
  } finally {
    revalidatePath('/contacts');
  }
}

/** Saves the contact form. */
export async function editContactAction(contactId: string, form: ContactForm): Promise<ActionResult> {
  const user = await requireUser();
  try {
    return await editContact(user, contactId, form);
  } catch (error) {
    return toast('error', 'The contact could not be saved', errorText(error));
  } finally {
    revalidatePath(`/contacts/${contactId}`);
  }
}
