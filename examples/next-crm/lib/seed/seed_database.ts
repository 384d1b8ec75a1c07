/**
 * @module next-crm/lib/seed/seed_database
 * Writes the CRM half of the seed (`seed_data.ts`) into a database that holds no users yet, in one transaction;
 * a database with users is left as it is. Linked records get their Pipedrive ids, as if they had been synced before.
 */

import type { CrmPrisma } from '../database';
import { SEED_ACTIVITIES, SEED_CONTACTS, SEED_ORGANIZATIONS, SEED_USERS, seedDueDate } from './seed_data';

/** Seeds `prisma` when it has no users; resolves whether it did. */
export async function seedDatabase(prisma: CrmPrisma, now: Date = new Date()): Promise<boolean> {
  if ((await prisma.user.count()) > 0) return false;
  await prisma.$transaction(async (tx) => {
    for (const user of SEED_USERS) await tx.user.create({ data: { id: user.id, email: user.email, name: user.name } });
    for (const org of SEED_ORGANIZATIONS) {
      await tx.organization.create({
        data: { id: org.id, name: org.name, industry: org.industry, country: org.country, pipedriveOrgId: org.pipedriveOrgId, lastPipedriveUpdate: org.pipedriveOrgId ? now : null },
      });
    }
    for (const contact of SEED_CONTACTS) {
      const org = SEED_ORGANIZATIONS.find((candidate) => candidate.id === contact.organizationId);
      const linked = contact.pipedrivePersonId !== null;
      await tx.contact.create({
        data: {
          ...contact,
          pipedriveOrgId: linked ? (org?.pipedriveOrgId ?? null) : null,
          lastPipedriveUpdate: linked ? now : null,
        },
      });
    }
    for (const activity of SEED_ACTIVITIES) {
      const replicated = activity.pipedriveActivityId !== null;
      await tx.activity.create({
        data: {
          id: activity.id,
          contactId: activity.contactId,
          userId: activity.userId,
          type: activity.type,
          subject: activity.subject,
          note: activity.note,
          dueDate: seedDueDate(activity, now),
          pipedriveActivityId: activity.pipedriveActivityId,
          replicatedToPipedrive: replicated,
          pipedriveSyncAttempts: replicated ? 1 : 0,
          lastPipedriveSyncAttempt: replicated ? now : null,
          lastPipedriveUpdate: replicated ? now : null,
          updateSyncStatus: replicated ? 'SYNCED' : 'PENDING',
        },
      });
    }
  });
  return true;
}
