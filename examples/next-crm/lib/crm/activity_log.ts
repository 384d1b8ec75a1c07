/**
 * @module next-crm/lib/crm/activity_log
 * Logging an activity: the activity and its replication job commit together (`store.activityLogged(id, {tx})`
 * inside the CRM's transaction), then it is replicated at once (`sync.activities.replicateActivity`). The toasts say
 * it is logged, then what Pipedrive did.
 */

import type { AuthenticatedUser } from 'pipedrive-sync/next';

import { getPrisma } from '../database';
import { getSync } from '../sync';
import type { ActionResult, ToastMessage } from '../toast_message';
import { contactForUser } from './contact_access';

/** The CRM's activity types (the spec's). */
export const ACTIVITY_TYPES = ['CALL', 'EMAIL', 'MEETING', 'LINKEDIN', 'REFERRAL', 'CONFERENCE'] as const;
/** One of {@link ACTIVITY_TYPES}. */
export type ActivityType = (typeof ACTIVITY_TYPES)[number];

/** The fields of the activity form. */
export interface ActivityForm {
  contactId: string;
  subject: string;
  type: string;
  /** `YYYY-MM-DD`, or '' for none. */
  dueDate: string;
  /** `HH:MM`, or '' for an all-day activity. */
  dueTime: string;
  /** The browser's offset from UTC in minutes (`Date#getTimezoneOffset`), so that the time is the one typed. */
  timezoneOffset: number;
  note: string;
}

/** The due instant of the form (date and time as one instant), or null; `allDay` without a time. */
function dueOf(form: ActivityForm): { dueDate: Date | null; allDay: boolean } {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(form.dueDate)) return { dueDate: null, allDay: false };
  if (!/^\d{2}:\d{2}$/.test(form.dueTime)) return { dueDate: new Date(`${form.dueDate}T00:00:00Z`), allDay: true };
  const local = Date.parse(`${form.dueDate}T${form.dueTime}:00Z`);
  return { dueDate: new Date(local + form.timezoneOffset * 60_000), allDay: false };
}

/** Logs the activity of `form` by `user`, then replicates it. */
export async function logActivity(user: AuthenticatedUser, form: ActivityForm): Promise<ActionResult & { activityId?: string }> {
  const prisma = await getPrisma();
  const sync = await getSync();
  const subject = form.subject.trim();
  if (!subject) return { toasts: [{ tone: 'error', title: 'The activity needs a subject.' }] };
  if (!ACTIVITY_TYPES.includes(form.type as ActivityType)) return { toasts: [{ tone: 'error', title: 'Choose an activity type.' }] };
  const contact = await contactForUser(prisma, user, form.contactId);
  const { dueDate, allDay } = dueOf(form);
  const activity = await prisma.$transaction(async (tx) => {
    const created = await tx.activity.create({
      data: { contactId: contact.id, userId: user.userId, type: form.type, subject, note: form.note.trim() || null, dueDate, allDay, updateSyncStatus: 'PENDING' },
    });
    await sync.store.activityLogged(created.id, { tx, userId: user.userId });
    return created;
  });
  const toasts: ToastMessage[] = [{ tone: 'success', title: 'Activity logged successfully' }];
  if (contact.pipedrivePersonId === null) {
    toasts.push({ tone: 'info', title: 'Kept in the CRM only', description: `${contact.name} is not in Pipedrive yet; the activity follows when the contact becomes a warm lead.` });
    return { toasts, activityId: activity.id };
  }
  const replicated = await sync.activities.replicateActivity({ activityId: activity.id, contactId: contact.id, userId: user.userId }).catch(() => false);
  toasts.push(
    replicated
      ? { tone: 'success', title: 'Activity replicated to Pipedrive' }
      : { tone: 'warning', title: 'Pipedrive is unavailable: the activity is saved locally', description: 'The queue replicates it as soon as Pipedrive answers.' },
  );
  return { toasts, activityId: activity.id };
}
