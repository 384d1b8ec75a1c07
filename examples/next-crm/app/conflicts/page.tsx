/**
 * @module next-crm/app/conflicts/page
 * The open conflicts: each field changed on both sides with its last synced value, the CRM's and Pipedrive's, and
 * a choice per field.
 */

import { ConflictCard } from '@/app/components/conflict_card';
import { requireUser } from '@/lib/auth';
import { openConflicts } from '@/lib/crm/conflict_resolution';
import { fieldLabel, fieldText } from '@/lib/crm/field_values';

/** Never prerendered: it shows the live conflicts. */
export const dynamic = 'force-dynamic';

/** The conflicts page. */
export default async function ConflictsPage() {
  await requireUser();
  const conflicts = await openConflicts();
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Conflicts</h1>
          <p>Changes made both here and in Pipedrive since the last sync. Pick, field by field, which value both should keep.</p>
        </div>
      </div>
      {conflicts.length === 0 ? <div className="empty" data-testid="no-conflicts">No open conflicts: the CRM and Pipedrive agree.</div> : null}
      <div className="stack">
        {conflicts.map((conflict) => (
          <ConflictCard
            key={conflict.id}
            conflictId={conflict.id}
            title={conflict.title}
            subtitle={`${conflict.recordType}${conflict.pipedriveId ? ` · Pipedrive #${conflict.pipedriveId}` : ''} · found ${conflict.createdAt.slice(0, 19).replace('T', ' ')} UTC`}
            localHref={conflict.recordType === 'person' && conflict.localId ? `/contacts/${conflict.localId}` : null}
            candidates={conflict.candidates}
            fields={conflict.fields.map((field) => ({ field: field.field, label: fieldLabel(field.field), base: fieldText(field.base), local: fieldText(field.local), remote: fieldText(field.remote) }))}
          />
        ))}
      </div>
    </>
  );
}
