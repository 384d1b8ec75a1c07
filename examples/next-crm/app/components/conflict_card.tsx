'use client';
/**
 * @module next-crm/app/components/conflict_card
 * One conflict: a table of its fields (last synced, CRM, Pipedrive) with a choice per field, and "Resolve".
 */

import { useRouter } from 'next/navigation';
import { useState, useTransition } from 'react';

import { resolveConflictAction } from '@/app/actions/conflicts';
import { showFailure, showToasts } from './show_toasts';

/** A field as shown: its values already in words. */
interface FieldRow {
  field: string;
  label: string;
  base: string;
  local: string;
  remote: string;
}

/** The card of conflict `conflictId`. */
export function ConflictCard(props: { conflictId: number; title: string; subtitle: string; localHref: string | null; candidates: number[]; fields: FieldRow[] }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [choices, setChoices] = useState<Record<string, 'local' | 'pipedrive'>>(() => Object.fromEntries(props.fields.map((f) => [f.field, 'local'])));
  const resolve = () =>
    startTransition(async () => {
      try {
        showToasts(await resolveConflictAction(props.conflictId, choices));
      } catch (error) {
        showFailure(error);
      }
      router.refresh();
    });
  return (
    <article className="card" data-testid="conflict-card" data-conflict-id={props.conflictId}>
      <div className="row between">
        <h3>{props.localHref ? <a href={props.localHref}>{props.title}</a> : props.title}</h3>
        <span className="badge CONFLICT">CONFLICT</span>
      </div>
      <p className="sub">{props.subtitle}</p>
      {props.candidates.length > 0 ? (
        <p>Several Pipedrive records match: {props.candidates.map((id) => `#${id}`).join(', ')}. Merge them in Pipedrive, then resolve.</p>
      ) : null}
      {props.fields.length > 0 ? (
        <table className="list">
          <thead>
            <tr><th>Field</th><th>Last synced</th><th>CRM</th><th>Pipedrive</th><th>Keep</th></tr>
          </thead>
          <tbody>
            {props.fields.map((row) => (
              <tr key={row.field} data-testid="conflict-field" data-field={row.field}>
                <td><b>{row.label}</b></td>
                <td className="muted">{row.base}</td>
                <td data-testid="conflict-local">{row.local}</td>
                <td data-testid="conflict-remote">{row.remote}</td>
                <td>
                  <div className="choice">
                    {(['local', 'pipedrive'] as const).map((side) => (
                      <label key={side}>
                        <input
                          type="radio"
                          name={`conflict-${props.conflictId}-${row.field}`}
                          checked={choices[row.field] === side}
                          onChange={() => setChoices({ ...choices, [row.field]: side })}
                          data-testid={`choose-${side}`}
                        />
                        {side === 'local' ? 'CRM' : 'Pipedrive'}
                      </label>
                    ))}
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <div className="row" style={{ marginTop: '0.75rem' }}>
        <button type="button" className="primary" disabled={pending} onClick={resolve} data-testid="resolve-conflict-button">
          {pending ? 'Resolving…' : 'Resolve'}
        </button>
      </div>
    </article>
  );
}
