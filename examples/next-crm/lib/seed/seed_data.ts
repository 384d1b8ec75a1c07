/**
 * @module next-crm/lib/seed/seed_data
 * The reference CRM's seed, as plain data: a few users, organizations, contacts and activities, some of them already
 * in Pipedrive, and {@link pipedriveSeed}, the matching Pipedrive records (users by email, the linked organizations
 * and persons, the replicated activities) for the emulator. The app writes the CRM half into an empty database
 * (`lib/seed/seed_database.ts`); `npm run app` and the browser tests seed the emulator with the other half, so both
 * sides agree from the first page.
 */

/** A CRM user who can sign in (demo passwords; a real CRM has its own sign-in). */
export interface SeedUser {
  id: string;
  email: string;
  name: string;
  password: string;
  isAdmin: boolean;
  /** The matching Pipedrive user's id (same email). */
  pipedriveUserId: number;
}

/** A CRM organization; `pipedriveOrgId` when it is already in Pipedrive. */
export interface SeedOrganization {
  id: string;
  name: string;
  industry: string;
  country: string;
  pipedriveOrgId: number | null;
}

/** A CRM contact; `pipedrivePersonId` when it is already in Pipedrive. */
export interface SeedContact {
  id: string;
  name: string;
  email: string;
  phone: string;
  warmnessScore: number;
  organizationId: string | null;
  ownerId: string;
  pipedrivePersonId: number | null;
}

/** A CRM activity; `pipedriveActivityId` when it was replicated. */
export interface SeedActivity {
  id: string;
  contactId: string;
  userId: string;
  type: 'CALL' | 'EMAIL' | 'MEETING' | 'LINKEDIN' | 'REFERRAL' | 'CONFERENCE';
  subject: string;
  note: string;
  /** Days from today (UTC) and the time of day, `HH:MM` UTC. */
  dueInDays: number;
  dueTime: string;
  pipedriveActivityId: number | null;
}

/** The demo password of every seeded user. */
export const SEED_PASSWORD = 'password';

/** The CRM's users. */
export const SEED_USERS: SeedUser[] = [
  { id: 'user-test', email: 'test@example.com', name: 'Test User', password: SEED_PASSWORD, isAdmin: true, pipedriveUserId: 1 },
  { id: 'user-sam', email: 'sam@example.com', name: 'Sam Seller', password: SEED_PASSWORD, isAdmin: false, pipedriveUserId: 2 },
];

/** The CRM's organizations: Acme is already in Pipedrive. */
export const SEED_ORGANIZATIONS: SeedOrganization[] = [
  { id: 'org-acme', name: 'Acme Corporation', industry: 'Technology', country: 'United States', pipedriveOrgId: 301 },
  { id: 'org-globex', name: 'Globex', industry: 'Manufacturing', country: 'Germany', pipedriveOrgId: null },
  { id: 'org-initech', name: 'Initech', industry: 'Finance', country: 'United Kingdom', pipedriveOrgId: null },
];

/** The CRM's contacts, listed by name on /contacts (Ada, a warmness-3 contact not yet in Pipedrive, comes first). */
export const SEED_CONTACTS: SeedContact[] = [
  { id: 'contact-ada', name: 'Ada Lovelace', email: 'ada@globex.test', phone: '+49 30 1234567', warmnessScore: 3, organizationId: 'org-globex', ownerId: 'user-test', pipedrivePersonId: null },
  { id: 'contact-alan', name: 'Alan Turing', email: 'alan@initech.test', phone: '+44 20 7946 0000', warmnessScore: 1, organizationId: 'org-initech', ownerId: 'user-test', pipedrivePersonId: null },
  { id: 'contact-barbara', name: 'Barbara Liskov', email: 'barbara@example.test', phone: '+1 617 555 0199', warmnessScore: 0, organizationId: null, ownerId: 'user-sam', pipedrivePersonId: null },
  { id: 'contact-with-pipedrive-id', name: 'Grace Hopper', email: 'grace@acme.test', phone: '+1 212 555 0100', warmnessScore: 5, organizationId: 'org-acme', ownerId: 'user-test', pipedrivePersonId: 501 },
  { id: 'contact-katherine', name: 'Katherine Johnson', email: 'katherine@acme.test', phone: '+1 757 555 0142', warmnessScore: 4, organizationId: 'org-acme', ownerId: 'user-test', pipedrivePersonId: 502 },
  { id: 'contact-linus', name: 'Linus Torvalds', email: 'linus@acme.test', phone: '+1 503 555 0111', warmnessScore: 4, organizationId: 'org-acme', ownerId: 'user-test', pipedrivePersonId: 503 },
  { id: 'contact-margaret', name: 'Margaret Hamilton', email: 'margaret@acme.test', phone: '+1 617 555 0169', warmnessScore: 5, organizationId: 'org-acme', ownerId: 'user-test', pipedrivePersonId: 504 },
];

/** The CRM's activities: Grace's two are in Pipedrive; Alan's is not (he is not in Pipedrive). */
export const SEED_ACTIVITIES: SeedActivity[] = [
  { id: 'activity-grace-call', contactId: 'contact-with-pipedrive-id', userId: 'user-test', type: 'CALL', subject: 'Intro call', note: 'Interested in the annual plan.', dueInDays: -2, dueTime: '14:00', pipedriveActivityId: 701 },
  { id: 'activity-grace-meeting', contactId: 'contact-with-pipedrive-id', userId: 'user-test', type: 'MEETING', subject: 'Demo with the team', note: 'Bring the pricing sheet.', dueInDays: 3, dueTime: '10:30', pipedriveActivityId: 702 },
  { id: 'activity-alan-email', contactId: 'contact-alan', userId: 'user-test', type: 'EMAIL', subject: 'Sent the case study', note: 'Follow up next week.', dueInDays: -1, dueTime: '09:15', pipedriveActivityId: null },
];

/** Pipedrive's activity type key of each CRM type (the package's default mapping). */
const PIPEDRIVE_TYPE: Record<SeedActivity['type'], string> = {
  CALL: 'call', EMAIL: 'email', MEETING: 'meeting', LINKEDIN: 'task', REFERRAL: 'task', CONFERENCE: 'meeting',
};

/** Milliseconds in a day. */
const DAY_MS = 86_400_000;

/** The due instant of a seeded activity, from `now`'s UTC day. */
export function seedDueDate(activity: SeedActivity, now: Date): Date {
  const today = Math.floor(now.getTime() / DAY_MS) * DAY_MS;
  const [hours, minutes] = activity.dueTime.split(':').map(Number);
  return new Date(today + activity.dueInDays * DAY_MS + (hours * 60 + minutes) * 60_000);
}

/**
 * The Pipedrive side of the seed, in the emulator's `SeedData` shape (`startPipedriveEmulator({users, seed})`):
 * users with the CRM users' emails (the first is the admin whose token the app uses), the linked organizations,
 * persons and activities, with the CRM's ids.
 */
export function pipedriveSeed(apiToken: string, now: Date = new Date()) {
  const orgOf = (id: string | null) => SEED_ORGANIZATIONS.find((org) => org.id === id) ?? null;
  const userOf = (id: string) => SEED_USERS.find((user) => user.id === id)!;
  return {
    users: SEED_USERS.map((user, i) => ({
      id: user.pipedriveUserId, name: user.name, email: user.email, admin: i === 0, ...(i === 0 ? { apiToken } : {}),
    })),
    seed: {
      organizations: SEED_ORGANIZATIONS.filter((org) => org.pipedriveOrgId !== null).map((org) => ({
        id: org.pipedriveOrgId!, name: org.name, owner_id: SEED_USERS[0].pipedriveUserId,
      })),
      persons: SEED_CONTACTS.filter((contact) => contact.pipedrivePersonId !== null).map((contact) => ({
        id: contact.pipedrivePersonId!,
        name: contact.name,
        owner_id: userOf(contact.ownerId).pipedriveUserId,
        org_id: orgOf(contact.organizationId)?.pipedriveOrgId ?? null,
        emails: [{ value: contact.email, primary: true, label: 'work' }],
        phones: [{ value: contact.phone, primary: true, label: 'work' }],
      })),
      activities: SEED_ACTIVITIES.filter((activity) => activity.pipedriveActivityId !== null).map((activity) => {
        const due = seedDueDate(activity, now).toISOString();
        const contact = SEED_CONTACTS.find((c) => c.id === activity.contactId)!;
        return {
          id: activity.pipedriveActivityId!,
          subject: activity.subject,
          type: PIPEDRIVE_TYPE[activity.type],
          owner_id: userOf(activity.userId).pipedriveUserId,
          person_id: contact.pipedrivePersonId!,
          due_date: due.slice(0, 10),
          due_time: due.slice(11, 16),
          note: activity.note,
        };
      }),
    },
  };
}
