'use client';
/**
 * @module next-crm/app/components/warmness_controls
 * A contact's warmness (0–5) with its − and + buttons; raising it to 4 makes the contact a warm lead in Pipedrive.
 */

import { useRouter } from 'next/navigation';
import { useTransition } from 'react';

import { changeWarmnessAction } from '@/app/actions/contacts';
import { showFailure, showToasts } from './show_toasts';

/** The control for contact `contactId` at `score`. */
export function WarmnessControls({ contactId, score }: { contactId: string; score: number }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const change = (delta: 1 | -1) =>
    startTransition(async () => {
      try {
        showToasts(await changeWarmnessAction(contactId, delta));
      } catch (error) {
        showFailure(error);
      }
      router.refresh();
    });
  return (
    <div className="warmness">
      <button type="button" className="small" aria-label="Decrease warmness" disabled={pending || score <= 0} onClick={() => change(-1)} data-testid="decrease-warmness">
        −
      </button>
      <span className="dots" title={`Warmness ${score} of 5`} data-testid="warmness-score" data-score={score}>
        {'●'.repeat(score)}
        <span className="off">{'●'.repeat(5 - score)}</span>
      </span>
      <button type="button" className="small" aria-label="Increase warmness" disabled={pending || score >= 5} onClick={() => change(1)} data-testid="increase-warmness">
        +
      </button>
      <span className="muted" style={{ fontSize: '0.8rem' }}>{score}/5</span>
    </div>
  );
}
