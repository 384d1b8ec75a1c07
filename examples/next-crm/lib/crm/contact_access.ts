/**
 * @module next-crm/lib/crm/contact_access
 * Which contacts a user may change: their own, or any as an admin (the rule of the package's route handlers).
 */

import type { AuthenticatedUser } from 'pipedrive-sync/next';

import type { CrmPrisma } from '../database';

/** The contact `contactId` when `user` may change it; throws a message for a toast otherwise. */
export async function contactForUser(prisma: CrmPrisma, user: AuthenticatedUser, contactId: string) {
  const contact = await prisma.contact.findUnique({ where: { id: contactId }, include: { organization: true } });
  if (!contact) throw new Error('This contact no longer exists.');
  if (!user.isAdmin && contact.ownerId !== user.userId) throw new Error('Only the contact’s owner or an admin may change it.');
  return contact;
}
