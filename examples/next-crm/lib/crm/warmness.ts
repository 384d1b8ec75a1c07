/**
 * @module next-crm/lib/crm/warmness
 * Changing a contact's warmness: the score and (at the threshold, for a contact not yet in Pipedrive) its warm-lead
 * job are stored together (`store.updateWarmness`), then the warm lead is created at once
 * (`sync.warmLeads.checkAndCreateWarmLead`); when Pipedrive cannot be reached in time the queue finishes it.
 */

import type { AuthenticatedUser } from 'pipedrive-sync/next';

import { getPrisma } from '../database';
import { getSync } from '../sync';
import { toast, type ActionResult } from '../toast_message';
import { contactForUser } from './contact_access';

/** The warm-lead threshold (the package's default). */
export const WARM_LEAD_THRESHOLD = 4;
/** The highest warmness score. */
export const MAX_WARMNESS = 5;

/** Moves contact `contactId`'s warmness by `delta` (±1) within 0..5. */
export async function changeWarmness(user: AuthenticatedUser, contactId: string, delta: 1 | -1): Promise<ActionResult> {
  const prisma = await getPrisma();
  const sync = await getSync();
  const contact = await contactForUser(prisma, user, contactId);
  const score = Math.min(MAX_WARMNESS, Math.max(0, contact.warmnessScore + delta));
  if (score === contact.warmnessScore) return toast('info', `Warmness is already ${score}`);
  await sync.store.updateWarmness(contactId, score, { threshold: WARM_LEAD_THRESHOLD, userId: contact.ownerId ?? user.userId });
  if (score < WARM_LEAD_THRESHOLD || contact.pipedrivePersonId !== null) return toast('success', `Warmness set to ${score}`);

  const created = await sync.warmLeads.checkAndCreateWarmLead({ contactId, userId: contact.ownerId ?? user.userId });
  if (created) return toast('success', 'Contact created in Pipedrive as Warm Lead!');
  const now = await prisma.contact.findUnique({ where: { id: contactId }, select: { pipedrivePersonId: true } });
  if (now?.pipedrivePersonId) return toast('success', 'Contact created in Pipedrive as Warm Lead!');
  return toast(
    'warning',
    `Warmness set to ${score}: the warm lead is saved locally`,
    'Pipedrive could not be reached in time (or the owner has no Pipedrive user); the queue creates the person as soon as it can.',
  );
}
