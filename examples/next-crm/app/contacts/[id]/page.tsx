/**
 * @module next-crm/app/contacts/[id]/page
 * One contact: its details with the editor (a save goes to Pipedrive at once when the contact is linked), its sync
 * state, its activities with theirs, and (against the emulator) "Edit in Pipedrive".
 */

import { notFound } from 'next/navigation';

import { ContactEditor } from '@/app/components/contact_editor';
import { RemoteEdit } from '@/app/components/remote_edit';
import { SyncBadge } from '@/app/components/sync_badge';
import { WarmnessControls } from '@/app/components/warmness_controls';
import { requireUser } from '@/lib/auth';
import { emulatorUrl } from '@/lib/crm/emulator_edit';
import { getPrisma } from '@/lib/database';

/** Never prerendered: it shows the live database. */
export const dynamic = 'force-dynamic';

/** How a due instant reads: the date and time in UTC, or the date alone for an all-day activity. */
function dueText(due: Date | null, allDay: boolean): string {
  if (!due) return 'no due date';
  const iso = due.toISOString();
  return allDay ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** The contact page. */
export default async function ContactPage({ params }: { params: Promise<{ id: string }> }) {
  await requireUser();
  const { id } = await params;
  const prisma = await getPrisma();
  const contact = await prisma.contact.findUnique({
    where: { id },
    include: { organization: true, owner: true, activities: { orderBy: { createdAt: 'desc' }, include: { user: true } } },
  });
  if (!contact) notFound();
  const organizations = await prisma.organization.findMany({ orderBy: { name: 'asc' }, select: { id: true, name: true } });
  return (
    <>
      <div className="page-head">
        <div>
          <h1 data-testid="contact-heading">{contact.name}</h1>
          <p>
            {contact.organization?.name ?? 'No organization'} · owner {contact.owner?.name ?? 'none'}
            {contact.lastPipedriveUpdate ? ` · last synced ${contact.lastPipedriveUpdate.toISOString().slice(0, 19).replace('T', ' ')} UTC` : ''}
          </p>
        </div>
        <SyncBadge status={contact.updateSyncStatus} entity="person" pipedriveId={contact.pipedrivePersonId} />
      </div>
      <div className="stack">
        <div className="card">
          <div className="row between" style={{ marginBottom: '0.75rem' }}>
            <h2>Details</h2>
            <WarmnessControls contactId={contact.id} score={contact.warmnessScore} />
          </div>
          <ContactEditor
            contactId={contact.id}
            initial={{ name: contact.name, email: contact.email ?? '', phone: contact.phone ?? '', organizationId: contact.organizationId ?? '' }}
            organizations={organizations}
          />
        </div>
        {emulatorUrl() && contact.pipedrivePersonId !== null ? <RemoteEdit key={contact.name} contactId={contact.id} name={contact.name} /> : null}
        <section>
          <div className="row between">
            <h2>Activities</h2>
            <a className="button" href={`/activities/new?contactId=${contact.id}`}>Log activity</a>
          </div>
          {contact.activities.length === 0 ? (
            <div className="empty">No activities logged yet.</div>
          ) : (
            <table className="list" data-testid="activity-list">
              <thead>
                <tr><th>Subject</th><th>Type</th><th>Due</th><th>By</th><th>Pipedrive</th></tr>
              </thead>
              <tbody>
                {contact.activities.map((activity) => (
                  <tr key={activity.id} data-testid="activity-row">
                    <td>
                      <b>{activity.subject}</b>
                      {activity.note ? <div className="muted">{activity.note}</div> : null}
                    </td>
                    <td>{activity.type}</td>
                    <td>{dueText(activity.dueDate, activity.allDay)}</td>
                    <td>{activity.user.name}</td>
                    <td>
                      <SyncBadge
                        status={contact.pipedrivePersonId === null && !activity.replicatedToPipedrive ? 'LOCAL' : activity.updateSyncStatus}
                        entity="activity"
                        pipedriveId={activity.pipedriveActivityId}
                      />
                      {activity.pipedriveSyncAttempts > 0 ? <div className="muted" style={{ fontSize: '0.75rem' }}>{activity.pipedriveSyncAttempts} attempt(s)</div> : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      </div>
    </>
  );
}
