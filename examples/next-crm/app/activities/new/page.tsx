/**
 * @module next-crm/app/activities/new/page
 * Logging an activity: for the contact of `?contactId=`, or one chosen (a contact in Pipedrive first).
 */

import { ActivityForm } from '@/app/components/activity_form';
import { requireUser } from '@/lib/auth';
import { ACTIVITY_TYPES } from '@/lib/crm/activity_log';
import { getPrisma } from '@/lib/database';

/** Never prerendered: it lists the live contacts. */
export const dynamic = 'force-dynamic';

/** The page. */
export default async function NewActivityPage({ searchParams }: { searchParams: Promise<{ contactId?: string }> }) {
  await requireUser();
  const { contactId } = await searchParams;
  const prisma = await getPrisma();
  const contacts = await prisma.contact.findMany({ orderBy: { name: 'asc' }, select: { id: true, name: true, pipedrivePersonId: true } });
  // Without a contact named, the first one in Pipedrive: its activity is replicated at once.
  const chosen = contacts.find((contact) => contact.id === contactId) ?? contacts.find((contact) => contact.pipedrivePersonId !== null) ?? contacts[0];
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Log an activity</h1>
          <p>Activities of contacts in Pipedrive are replicated there at once, with the type mapped and the due time as one instant.</p>
        </div>
      </div>
      <div className="card">
        <ActivityForm
          contacts={contacts.map((contact) => ({ id: contact.id, label: `${contact.name}${contact.pipedrivePersonId ? ' (in Pipedrive)' : ''}` }))}
          initialContactId={chosen?.id ?? ''}
          types={[...ACTIVITY_TYPES]}
        />
      </div>
    </>
  );
}
