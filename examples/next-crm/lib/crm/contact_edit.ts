/**
 * @module next-crm/lib/crm/contact_edit
 * Editing a contact: the change and its Pipedrive update job commit together (`store.contactEdited(id, changes,
 * {tx})` inside the CRM's transaction), then the job is sent at once (`lib/realtime_update.ts`). The local change
 * never waits on Pipedrive: whatever Pipedrive does, the edit is saved, and the toasts say what happens next.
 */

import type { UpdatePersonData } from 'pipedrive-sync';
import type { AuthenticatedUser } from 'pipedrive-sync/next';

import { getPrisma } from '../database';
import { sendQueuedPersonUpdate } from '../realtime_update';
import { getSync } from '../sync';
import { toast, type ActionResult } from '../toast_message';
import { contactForUser } from './contact_access';

/** The fields of the contact form. */
export interface ContactForm {
  name: string;
  email: string;
  phone: string;
  /** A CRM organization id, or '' for none. */
  organizationId: string;
}

/** Saves `form` on contact `contactId` and pushes the change to Pipedrive when the contact is linked. */
export async function editContact(user: AuthenticatedUser, contactId: string, form: ContactForm): Promise<ActionResult> {
  const prisma = await getPrisma();
  const sync = await getSync();
  const contact = await contactForUser(prisma, user, contactId);
  const name = form.name.trim();
  if (!name) return toast('error', 'The contact needs a name.');
  const email = form.email.trim() || null;
  const phone = form.phone.trim() || null;
  const organizationId = form.organizationId || null;
  const organization = organizationId ? await prisma.organization.findUnique({ where: { id: organizationId } }) : null;
  if (organizationId && !organization) return toast('error', 'That organization no longer exists.');

  // Only what changed goes to Pipedrive, in the package's UpdatePersonData shape.
  const changes: UpdatePersonData = {};
  if (name !== contact.name) changes.name = name;
  if (email !== contact.email && email) changes.email = [email];
  if (phone !== contact.phone && phone) changes.phone = [phone];
  if (organizationId !== contact.organizationId && organization) changes.org_name = organization.name;
  const jobId = await prisma.$transaction(async (tx) => {
    await tx.contact.update({ where: { id: contactId }, data: { name, email, phone, organizationId } });
    return Object.keys(changes).length > 0 ? sync.store.contactEdited(contactId, changes, { tx, userId: user.userId }) : null;
  });
  if (contact.pipedrivePersonId === null) return toast('success', 'Contact saved', 'It is not in Pipedrive yet: it goes there when it becomes a warm lead.');
  if (jobId === null) return toast('success', 'Contact saved', 'Nothing Pipedrive keeps has changed.');

  const outcome = await sendQueuedPersonUpdate(sync, jobId, contact.pipedrivePersonId, changes);
  switch (outcome.state) {
    case 'synced':
      return toast('success', 'Contact updated in Pipedrive');
    case 'conflict':
      return toast('warning', 'Saved locally: Pipedrive changed this contact too', 'Open Conflicts to choose, field by field, which value to keep.');
    case 'queued':
      return toast('warning', 'Pipedrive is unavailable: the change is saved locally', `It will be sent automatically when Pipedrive answers again (${outcome.reason}).`);
    case 'token-refused':
      return toast('error', 'Pipedrive refused our access: the change is saved locally', `${outcome.reason} An admin must fix the API token (PIPEDRIVE_API_TOKEN) or its permissions; the queue sends the change once Pipedrive accepts it.`);
    case 'failed':
      return toast('error', 'Saved locally, but Pipedrive refused the change', `${outcome.reason} — the job is kept on the Sync page, where it can be replayed.`);
  }
}
