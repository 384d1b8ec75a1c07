'use client';
/**
 * @module next-crm/app/components/remote_edit
 * "Edit in Pipedrive" (emulator only): a name field and a button that rename the person in the emulator as if in
 * the Pipedrive UI, to watch the webhook bring the change back.
 */

import { useRouter } from 'next/navigation';
import { useState, useTransition } from 'react';

import { renameInPipedriveAction } from '@/app/actions/remote_edit';
import { showFailure, showToasts } from './show_toasts';

/** The panel for contact `contactId`, starting from its current `name`. */
export function RemoteEdit({ contactId, name }: { contactId: string; name: string }) {
  const router = useRouter();
  const [value, setValue] = useState(name);
  const [pending, startTransition] = useTransition();
  const submit = () =>
    startTransition(async () => {
      try {
        showToasts(await renameInPipedriveAction(contactId, value));
        setTimeout(() => router.refresh(), 2_000);
      } catch (error) {
        showFailure(error);
      }
    });
  return (
    <div className="card">
      <h2>Edit in Pipedrive</h2>
      <p className="muted">The emulator plays Pipedrive here: rename the person there, as someone in the Pipedrive UI would.</p>
      <div className="row">
        <input value={value} onChange={(event) => setValue(event.target.value)} aria-label="Name in Pipedrive" data-testid="remote-name" />
        <button type="button" onClick={submit} disabled={pending} data-testid="remote-rename-button">
          {pending ? 'Renaming…' : 'Rename in Pipedrive'}
        </button>
      </div>
    </div>
  );
}
