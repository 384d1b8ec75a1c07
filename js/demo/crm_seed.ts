//! The demo's CRM, as plain data: users, organizations and contacts drawn from a seeded generator, and the records
//! the emulated Pipedrive starts with (organizations and persons some contacts are already linked to, and one
//! person whose email a warm contact shares). The same seed always gives the same CRM.

import type { SeedData } from '../emulator/index';
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

/** Everything the demo seeds. */
export interface DemoSeed {
  users: DemoUser[];
  organizations: DemoOrganization[];
  contacts: DemoContact[];
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
  return { users: USERS.map((u) => ({ ...u })), organizations, contacts, pipedrive, existingPerson };
}
