'use client';
/**
 * @module next-crm/app/components/activity_form
 * The activity form: contact, subject, type, due date and time (the browser's time zone), note. On submit the
 * toasts say it is logged and what Pipedrive did; the form then goes to the contact.
 */

import { useRouter } from 'next/navigation';
import { useEffect, useState, useTransition } from 'react';

import { logActivityAction } from '@/app/actions/activities';
import { showFailure, showToasts } from './show_toasts';

/** Today's date in the browser's time zone, `YYYY-MM-DD`. */
function today(): string {
  const now = new Date();
  return new Date(now.getTime() - now.getTimezoneOffset() * 60_000).toISOString().slice(0, 10);
}

/** The form for `contacts`, starting at `initialContactId`. */
export function ActivityForm({ contacts, initialContactId, types }: { contacts: Array<{ id: string; label: string }>; initialContactId: string; types: string[] }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [contactId, setContactId] = useState(initialContactId);
  const [subject, setSubject] = useState('');
  const [type, setType] = useState(types[0]);
  const [dueDate, setDueDate] = useState('');
  // The browser's date, set after hydration (the server's time zone may differ).
  useEffect(() => setDueDate(today()), []);
  const [dueTime, setDueTime] = useState('10:00');
  const [note, setNote] = useState('');
  const submit = () =>
    startTransition(async () => {
      try {
        const result = await logActivityAction({ contactId, subject, type, dueDate, dueTime, note, timezoneOffset: new Date().getTimezoneOffset() });
        showToasts(result);
        if (result.activityId) {
          setSubject('');
          setNote('');
          router.push(`/contacts/${contactId}`);
        }
      } catch (error) {
        showFailure(error);
      }
    });
  return (
    <form className="form" onSubmit={(event) => { event.preventDefault(); submit(); }}>
      <label>
        Contact
        <select value={contactId} onChange={(event) => setContactId(event.target.value)} data-testid="activity-contact">
          {contacts.map((contact) => <option key={contact.id} value={contact.id}>{contact.label}</option>)}
        </select>
      </label>
      <label>
        Subject
        <input value={subject} onChange={(event) => setSubject(event.target.value)} required data-testid="activity-subject" />
      </label>
      <label>
        Type
        <select value={type} onChange={(event) => setType(event.target.value)} data-testid="activity-type">
          {types.map((value) => <option key={value} value={value}>{value.charAt(0) + value.slice(1).toLowerCase()}</option>)}
        </select>
      </label>
      <div className="two">
        <label>
          Due date
          <input type="date" value={dueDate} onChange={(event) => setDueDate(event.target.value)} data-testid="activity-due-date" />
        </label>
        <label>
          Time (leave empty for all day)
          <input type="time" value={dueTime} onChange={(event) => setDueTime(event.target.value)} data-testid="activity-due-time" />
        </label>
      </div>
      <label>
        Note
        <textarea value={note} onChange={(event) => setNote(event.target.value)} data-testid="activity-note" />
      </label>
      <div className="row">
        <button type="submit" className="primary" disabled={pending || !contactId} data-testid="submit-activity">
          {pending ? 'Logging…' : 'Log activity'}
        </button>
      </div>
    </form>
  );
}
