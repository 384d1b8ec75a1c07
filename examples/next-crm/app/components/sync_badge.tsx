/**
 * @module next-crm/app/components/sync_badge
 * A record's sync state as a coloured badge (SYNCED, PENDING, FAILED, CONFLICT, REMOTE_DELETED, or LOCAL ONLY for a
 * record not in Pipedrive), and its Pipedrive id as a link when there is one.
 */

import { pipedriveLink } from '@/lib/sync';

/** What each state means, for the badge's tooltip. */
const MEANING: Record<string, string> = {
  SYNCED: 'Pipedrive has the latest change',
  PENDING: 'A change is saved locally and waits to be sent to Pipedrive',
  FAILED: 'Sending failed; the Sync page shows why and can replay it',
  CONFLICT: 'Pipedrive changed it too: decide on the Conflicts page',
  REMOTE_DELETED: 'The record was deleted in Pipedrive; the CRM keeps its copy',
  LOCAL: 'Not in Pipedrive',
};

/** The badge of a record in `status`, linked to Pipedrive record `pipedriveId` when it has one. */
export function SyncBadge({ status, entity, pipedriveId }: { status: string; entity: 'person' | 'activity'; pipedriveId: number | null }) {
  const state = pipedriveId === null && status !== 'PENDING' && status !== 'FAILED' ? 'LOCAL' : status;
  return (
    <span className="row" style={{ gap: '0.4rem' }}>
      <span className={`badge ${state}`} title={MEANING[state] ?? state} data-testid="sync-badge">
        {state === 'LOCAL' ? 'LOCAL ONLY' : state}
      </span>
      {pipedriveId !== null ? (
        <a href={pipedriveLink(entity, pipedriveId)} target="_blank" rel="noreferrer" data-testid="pipedrive-link" className="muted" style={{ fontSize: '0.8rem' }}>
          Pipedrive #{pipedriveId}
        </a>
      ) : null}
    </span>
  );
}
