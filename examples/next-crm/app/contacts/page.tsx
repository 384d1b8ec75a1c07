/**
 * @module next-crm/app/contacts/page
 * The contacts: one card each, with the organization, the owner, the warmness control (raising it to 4 makes a
 * warm lead in Pipedrive) and the sync badge with the Pipedrive id.
 */

import { SyncBadge } from '@/app/components/sync_badge';
import { WarmnessControls } from '@/app/components/warmness_controls';
import { requireUser } from '@/lib/auth';
import { getPrisma } from '@/lib/database';

/** Never prerendered: it shows the live database. */
export const dynamic = 'force-dynamic';

/** The contacts page. */
export default async function ContactsPage() {
  await requireUser();
  const prisma = await getPrisma();
  const contacts = await prisma.contact.findMany({ orderBy: { name: 'asc' }, include: { organization: true, owner: true } });
  const inPipedrive = contacts.filter((contact) => contact.pipedrivePersonId !== null).length;
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Contacts</h1>
          <p>
            {contacts.length} contacts, {inPipedrive} in Pipedrive. A contact whose warmness reaches 4 becomes a warm lead in Pipedrive.
          </p>
        </div>
        <a className="button" href="/activities/new">Log activity</a>
      </div>
      {contacts.length === 0 ? <div className="empty">No contacts yet.</div> : null}
      <div className="grid">
        {contacts.map((contact) => (
          <article className="card" key={contact.id} data-testid="contact-card" data-contact-id={contact.id}>
            <div className="row between">
              <h3>
                <a href={`/contacts/${contact.id}`} data-testid="contact-card-name">{contact.name}</a>
              </h3>
              <SyncBadge status={contact.updateSyncStatus} entity="person" pipedriveId={contact.pipedrivePersonId} />
            </div>
            <p className="sub">
              {contact.organization?.name ?? 'No organization'} · {contact.email ?? 'no email'} · owner {contact.owner?.name ?? 'none'}
            </p>
            <WarmnessControls contactId={contact.id} score={contact.warmnessScore} />
          </article>
        ))}
      </div>
    </>
  );
}
