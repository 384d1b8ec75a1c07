/**
 * @module demo/crm_seed
 * The demo's CRM, as plain data: users, organizations, contacts and their activities drawn from a seeded generator,
 * and the records the emulated Pipedrive starts with (organizations and persons some contacts are already linked
 * to, and one person whose email a warm contact shares). The same seed always gives the same CRM; activity dates are
 * offsets from the day the demo runs (due in the coming weeks, logged in the past weeks).
 */

import type { SeedData } from '../emulator/index';
import type { CrmActivityType } from '../store/types';
import { SeededRandom } from './seeded_random';

/** A CRM user; `inPipedrive` says whether a Pipedrive user of the emulator has the same email. */
export interface DemoUser {
  email: string;
  name: string;
  inPipedrive: boolean;
}

/** A CRM organization. */
export interface DemoOrganization {
  name: string;
  industry: string;
  country: string;
  /** The Pipedrive organization this CRM organization is already linked to, or null. */
  pipedriveOrgId: number | null;
  /** The id of a Pipedrive organization with this name that the CRM has not linked (found by name), or null. */
  unlinkedPipedriveOrgId: number | null;
}

/** A CRM contact; `organization` and `owner` index the seed's lists. */
export interface DemoContact {
  name: string;
  email: string;
  phone: string;
  warmnessScore: number;
  organization: number | null;
  owner: number;
  /** The Pipedrive person the contact is already linked to, or null. */
  pipedrivePersonId: number | null;
}

/**
 * A CRM activity of a contact (`contact` indexes the seed's contacts), logged by the contact's owner. Times are
 * offsets, made absolute when the CRM is written (see `seedCrm`): due `dueInDays` after today (UTC), at
 * `dueMinute` minutes past midnight UTC, or all day when `dueMinute` is null; logged `loggedMinutesAgo` minutes
 * before the run (a contact's activities are listed oldest first).
 */
export interface DemoActivity {
  contact: number;
  type: CrmActivityType;
  subject: string;
  note: string | null;
  dueInDays: number;
  dueMinute: number | null;
  loggedMinutesAgo: number;
}

/** Everything the demo seeds. */
export interface DemoSeed {
  users: DemoUser[];
  organizations: DemoOrganization[];
  contacts: DemoContact[];
  /** The contacts' activities, grouped by contact in contact order, each contact's oldest first. */
  activities: DemoActivity[];
  /** What the emulator starts with; `null` when the demo talks to real Pipedrive (never seeded). */
  pipedrive: SeedData | null;
  /** The Pipedrive person a warm, unlinked contact shares its email with (emulator only). */
  existingPerson: { id: number; email: string } | null;
}

/** Options of {@link buildDemoSeed}. */
export interface DemoSeedOptions {
  /** Contacts to create (default {@link DEFAULT_CONTACTS}). */
  contacts?: number;
  /** Generator seed (default {@link DEFAULT_SEED}). */
  seed?: number;
  /**
   * True for the emulator: seed Pipedrive records and link some CRM records to them. False for real Pipedrive,
   * where the demo creates everything itself and links nothing in advance (made-up ids would not exist there).
   */
  seedPipedrive: boolean;
}

/** Contacts in the default demo CRM. */
export const DEFAULT_CONTACTS = 300;
/** The default generator seed. */
export const DEFAULT_SEED = 20_260_801;
/** Share of contacts already linked to a Pipedrive person (emulator only). */
const LINKED_SHARE = 0.07;
/** Share of contacts without an organization. */
const NO_ORGANIZATION_SHARE = 0.15;
/** Relative frequency of warmness scores 0 to 5: about a quarter of the contacts are warm (4 or 5). */
const SCORE_WEIGHTS = [22, 20, 18, 16, 14, 10];
/**
 * Share of contacts with activities (1 to 3 each), by kind of contact: warm leads (their activities are backfilled
 * when they reach Pipedrive), contacts already linked to a person (replicated directly) and cold contacts (kept local).
 */
const ACTIVITY_SHARE = { warm: 0.8, linked: 0.9, cold: 0.2 } as const;
/** The warmness from which a contact is a warm lead (the engine's default `warmLeadThreshold`). */
const WARM_SCORE = 4;
/** The CRM's activity types and how often each is logged. */
const ACTIVITY_TYPES: readonly CrmActivityType[] = ['CALL', 'EMAIL', 'MEETING', 'LINKEDIN', 'REFERRAL', 'CONFERENCE'];
const ACTIVITY_TYPE_WEIGHTS = [6, 5, 4, 3, 2, 2];
/** Due dates: within the coming six weeks; a share of each type is all day, the rest in business hours (UTC). */
const DUE_WITHIN_DAYS = 42;
const ALL_DAY_SHARE: Record<CrmActivityType, number> = { CALL: 0.05, EMAIL: 0.15, MEETING: 0.05, LINKEDIN: 0.3, REFERRAL: 0.3, CONFERENCE: 0.7 };
/** Mixed into the seed for the activities' own generator, so adding activities leaves the contacts as they were. */
const ACTIVITY_STREAM = 0x5eed_ac71;
/** Subjects and notes by type: `{first}` is the contact's first name, `{org}` its organization (or "their team"). */
const ACTIVITY_TEXT: Record<CrmActivityType, { subjects: string[]; notes: string[] }> = {
  CALL: {
    subjects: ['Discovery call with {first}', 'Follow-up call: {org}', 'Pricing call with {first}', 'Check-in call with {first}'],
    notes: ['Walk through their current process and pain points.', 'Confirm budget and timeline.', 'Answer the open questions from the last email.'],
  },
  EMAIL: {
    subjects: ['Send proposal to {first}', 'Email case study to {first}', 'Follow-up email: {org}', 'Send pricing sheet to {first}'],
    notes: ['Attach the one-pager and the customer story from the same industry.', 'Keep it short; propose two meeting slots.', 'Include the security questionnaire.'],
  },
  MEETING: {
    subjects: ['Product demo for {org}', 'On-site visit at {org}', 'Quarterly review with {first}', 'Kick-off meeting with {org}'],
    notes: ['Bring a solutions engineer.', 'Agenda: goals, demo, next steps.', 'Decision makers attend; prepare the ROI slide.'],
  },
  LINKEDIN: {
    subjects: ['Connect with {first} on LinkedIn', 'LinkedIn message to {first}', 'Comment on {first}\'s LinkedIn post'],
    notes: ['Mention the shared connection.', 'Share the webinar recording.', 'Congratulate on the new role.'],
  },
  REFERRAL: {
    subjects: ['Referral intro to {first}', 'Thank the referrer of {first}', 'Ask {first} for a referral at {org}'],
    notes: ['Introduced by an existing customer.', 'Send a thank-you note and a small gift.', 'They know two teams that could use us.'],
  },
  CONFERENCE: {
    subjects: ['Meet {first} at SaaStr', 'Web Summit: coffee with {first}', 'Booth visit by {org}', 'Conference dinner with {first}'],
    notes: ['Book the meeting room near the booth.', 'Bring printed brochures.', 'Follow up within two days of the event.'],
  },
};

/** Pipedrive's default "Warm lead" and "Customer" person labels (ids of the emulator's default options). */
const WARM_LABEL_ID = 3;
const CUSTOMER_LABEL_ID = 1;

const USERS: DemoUser[] = [
  { email: 'sam.seller@example.com', name: 'Sam Seller', inPipedrive: true },
  { email: 'ada.admin@example.com', name: 'Ada Admin', inPipedrive: true },
  { email: 'olivia.outside@example.com', name: 'Olivia Outside', inPipedrive: false },
];
/** How often each user owns a contact. */
const OWNER_WEIGHTS = [5, 3, 2];

/** CRM organizations: the first two are linked to seeded Pipedrive organizations, the third exists there by name. */
const ORGANIZATIONS: Array<Omit<DemoOrganization, 'pipedriveOrgId' | 'unlinkedPipedriveOrgId'>> = [
  { name: 'Northwind Traders', industry: 'Retail', country: 'United States' },
  { name: 'Globex Corporation', industry: 'Manufacturing', country: 'Germany' },
  { name: 'Initech', industry: 'Software', country: 'United States' },
  { name: 'Acme Robotics', industry: 'Manufacturing', country: 'Canada' },
  { name: 'Umbrella Analytics', industry: 'Healthcare', country: 'United Kingdom' },
  { name: 'Stark Logistics', industry: 'Transport', country: 'United States' },
  { name: 'Wayne Biotech', industry: 'Healthcare', country: 'United States' },
  { name: 'Tyrell Systems', industry: 'Software', country: 'Japan' },
  { name: 'Cyberdyne Labs', industry: 'Software', country: 'United States' },
  { name: 'Hooli', industry: 'Software', country: 'United States' },
  { name: 'Soylent Foods', industry: 'Food', country: 'Netherlands' },
  { name: 'Vandelay Industries', industry: 'Import/Export', country: 'United States' },
  { name: 'Wonka Confections', industry: 'Food', country: 'United Kingdom' },
  { name: 'Gringotts Finance', industry: 'Finance', country: 'United Kingdom' },
  { name: 'Oceanic Airlines', industry: 'Transport', country: 'Australia' },
];
/** Pipedrive ids of the seeded organizations: Northwind, Globex (linked) and Initech (not linked). */
const SEEDED_ORG_IDS = [5001, 5002, 5003];
/** First id of the seeded persons that contacts are already linked to. */
const FIRST_LINKED_PERSON_ID = 6001;

const FIRST_NAMES = [
  'Alice', 'Bruno', 'Chloe', 'Dmitri', 'Elena', 'Farid', 'Greta', 'Hiro', 'Ines', 'Jonas', 'Kemi', 'Liam', 'Maya',
  'Nils', 'Olga', 'Pablo', 'Quinn', 'Rosa', 'Sven', 'Tara', 'Umar', 'Vera', 'Wei', 'Ximena', 'Yusuf', 'Zoe',
];
const LAST_NAMES = [
  'Andersen', 'Baptiste', 'Costa', 'Dubois', 'Eriksen', 'Fischer', 'Garcia', 'Haddad', 'Ivanova', 'Jensen',
  'Kowalski', 'Lindqvist', 'Moreau', 'Nakamura', 'Okafor', 'Petrov', 'Rossi', 'Silva', 'Tanaka', 'Varga',
];

/** The contact that shares its email with an existing Pipedrive person (matched case-insensitively). */
const EXISTING_PERSON = { id: 7001, name: 'Grace Hopper', email: 'grace.hopper@example.com', crmEmail: 'Grace.Hopper@Example.com' };

/** Builds the demo's CRM and, for the emulator, Pipedrive's starting records. */
export function buildDemoSeed(options: DemoSeedOptions): DemoSeed {
  const count = options.contacts ?? DEFAULT_CONTACTS;
  const random = new SeededRandom(options.seed ?? DEFAULT_SEED);
  const linkable = options.seedPipedrive;
  const organizations: DemoOrganization[] = ORGANIZATIONS.map((org, i) => ({
    ...org,
    pipedriveOrgId: linkable && i < 2 ? SEEDED_ORG_IDS[i] : null,
    unlinkedPipedriveOrgId: linkable && i === 2 ? SEEDED_ORG_IDS[2] : null,
  }));
  // Earlier organizations are bigger: several contacts share each, a few share the same small ones.
  const orgWeights = organizations.map((_, i) => 1 / (1 + i * 0.25));
  const contacts: DemoContact[] = [];
  const persons: NonNullable<SeedData['persons']> = [];
  if (linkable && count > 0) {
    contacts.push({
      name: EXISTING_PERSON.name, email: EXISTING_PERSON.crmEmail, phone: '+1 555 0100', warmnessScore: 5, organization: 2,
      owner: 0, pipedrivePersonId: null,
    });
    persons.push({
      id: EXISTING_PERSON.id, name: EXISTING_PERSON.name, label_ids: [CUSTOMER_LABEL_ID], org_id: SEEDED_ORG_IDS[2], owner_id: 2,
      emails: [{ value: EXISTING_PERSON.email, primary: true, label: 'work' }],
    });
  }
  while (contacts.length < count) {
    const i = contacts.length;
    const first = random.pick(FIRST_NAMES);
    const last = random.pick(LAST_NAMES);
    const email = `${first}.${last}.${i}@example.com`.toLowerCase();
    const organization = random.chance(NO_ORGANIZATION_SHARE) ? null : random.weighted(orgWeights);
    const warmnessScore = random.weighted(SCORE_WEIGHTS);
    const linked = linkable && random.chance(LINKED_SHARE);
    const pipedrivePersonId = linked ? FIRST_LINKED_PERSON_ID + persons.length : null;
    const phone = `+1 555 ${String(1000 + i).padStart(4, '0')}`;
    contacts.push({ name: `${first} ${last}`, email, phone, warmnessScore, organization, owner: random.weighted(OWNER_WEIGHTS), pipedrivePersonId });
    if (pipedrivePersonId !== null) {
      persons.push({
        id: pipedrivePersonId, name: `${first} ${last}`, emails: [{ value: email, primary: true, label: 'work' }],
        org_id: organization === null ? null : organizations[organization].pipedriveOrgId,
        label_ids: warmnessScore >= 4 ? [WARM_LABEL_ID] : [],
      });
    }
  }
  const pipedrive: SeedData | null = linkable
    ? {
        organizations: organizations.slice(0, 3).map((org, i) => ({
          id: SEEDED_ORG_IDS[i], name: org.name, address: { value: org.country, country: org.country },
        })),
        persons,
      }
    : null;
  const existingPerson = linkable && count > 0 ? { id: EXISTING_PERSON.id, email: EXISTING_PERSON.email } : null;
  const activities = buildActivities(contacts, organizations, new SeededRandom(((options.seed ?? DEFAULT_SEED) ^ ACTIVITY_STREAM) >>> 0));
  return { users: USERS.map((u) => ({ ...u })), organizations, contacts, activities, pipedrive, existingPerson };
}

/** The activities of a share of each kind of contact: 1 to 3 each, of the six CRM types, oldest first per contact. */
function buildActivities(contacts: DemoContact[], organizations: DemoOrganization[], random: SeededRandom): DemoActivity[] {
  const activities: DemoActivity[] = [];
  contacts.forEach((contact, i) => {
    const kind = contact.pipedrivePersonId !== null ? 'linked' : contact.warmnessScore >= WARM_SCORE ? 'warm' : 'cold';
    if (!random.chance(ACTIVITY_SHARE[kind])) return;
    const first = contact.name.split(' ')[0];
    const org = contact.organization === null ? 'their team' : organizations[contact.organization].name;
    const n = random.int(1, 3);
    // Logged over the past weeks, a few days apart, in order.
    let loggedMinutesAgo = random.int(20, 60) * 1440 + random.int(0, 1439);
    for (let k = 0; k < n; k++) {
      const type = ACTIVITY_TYPES[random.weighted(ACTIVITY_TYPE_WEIGHTS)];
      const text = ACTIVITY_TEXT[type];
      const allDay = random.chance(ALL_DAY_SHARE[type]);
      activities.push({
        contact: i,
        type,
        subject: random.pick(text.subjects).replace('{first}', first).replace('{org}', org),
        note: random.chance(0.9) ? random.pick(text.notes) : null,
        dueInDays: random.int(1, DUE_WITHIN_DAYS),
        // Business hours in quarter hours, 08:00 to 17:45.
        dueMinute: allDay ? null : 8 * 60 + 15 * random.int(0, 39),
        loggedMinutesAgo,
      });
      loggedMinutesAgo -= random.int(1, 6) * 1440 + random.int(1, 600);
    }
  });
  return activities;
}
