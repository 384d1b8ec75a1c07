'use client';
/**
 * @module next-crm/app/components/contact_editor
 * A contact's details, read-only until "Edit" is pressed; "Save" stores the change and sends it to Pipedrive,
 * and the toasts say what Pipedrive did.
 */

import { useRouter } from 'next/navigation';
import { useState, useTransition } from 'react';

import { editContactAction } from '@/app/actions/contacts';
import type { ContactForm } from '@/lib/crm/contact_edit';
import { showFailure, showToasts } from './show_toasts';

/** The editor of contact `contactId`, starting from `initial`, choosing among `organizations`. */
export function ContactEditor({ contactId, initial, organizations }: { contactId: string; initial: ContactForm; organizations: Array<{ id: string; name: string }> }) {
  const router = useRouter();
  const [editing, setEditing] = useState(false);
  const [form, setForm] = useState<ContactForm>(initial);
  const [pending, startTransition] = useTransition();
  const set = (key: keyof ContactForm) => (event: { target: { value: string } }) => setForm({ ...form, [key]: event.target.value });
  const organizationName = organizations.find((org) => org.id === initial.organizationId)?.name ?? 'None';

  if (!editing) {
    return (
      <>
        <dl className="facts">
          <dt>Name</dt><dd data-testid="contact-name-value">{initial.name}</dd>
          <dt>Email</dt><dd data-testid="contact-email-value">{initial.email || '—'}</dd>
          <dt>Phone</dt><dd data-testid="contact-phone-value">{initial.phone || '—'}</dd>
          <dt>Organization</dt><dd data-testid="contact-organization-value">{organizationName}</dd>
        </dl>
        <div className="row" style={{ marginTop: '1rem' }}>
          <button type="button" onClick={() => { setForm(initial); setEditing(true); }} data-testid="edit-contact-button">
            Edit contact
          </button>
        </div>
      </>
    );
  }

  const save = () =>
    startTransition(async () => {
      try {
        showToasts(await editContactAction(contactId, form));
        setEditing(false);
      } catch (error) {
        showFailure(error);
      }
      router.refresh();
    });
  return (
    <form className="form" onSubmit={(event) => { event.preventDefault(); save(); }}>
      <label>
        Name
        <input value={form.name} onChange={set('name')} required data-testid="contact-name" />
      </label>
      <div className="two">
        <label>
          Email
          <input type="email" value={form.email} onChange={set('email')} data-testid="contact-email" />
        </label>
        <label>
          Phone
          <input value={form.phone} onChange={set('phone')} data-testid="contact-phone" />
        </label>
      </div>
      <label>
        Organization
        <select value={form.organizationId} onChange={set('organizationId')} data-testid="contact-organization">
          <option value="">None</option>
          {organizations.map((org) => <option key={org.id} value={org.id}>{org.name}</option>)}
        </select>
      </label>
      <div className="row">
        <button type="submit" className="primary" disabled={pending} data-testid="save-contact-button">
          {pending ? 'Saving…' : 'Save'}
        </button>
        <button type="button" disabled={pending} onClick={() => setEditing(false)}>Cancel</button>
      </div>
    </form>
  );
}
