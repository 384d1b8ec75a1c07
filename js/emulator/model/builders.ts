/**
 * @module emulator/model/builders
 * Record builders: a full stored person, organization, activity, deal or user from a seed (or a validated request
 * body), filling every field Pipedrive fills. Seeding and the create routes both build records here.
 */

import { rfc3339, v1Time } from '../wire/clock';
import type { ActivityRecord, Address, DealProduct, DealRecord, OrganizationRecord, PersonRecord, UserRecord } from './records';

/** The address as given, with every omitted subfield set to null. */
export function addressFrom(raw: unknown): Address | null {
  if (raw === null || raw === undefined) return null;
  const a = raw as Partial<Address>;
  return {
    value: a.value ?? null, country: a.country ?? null, admin_area_level_1: a.admin_area_level_1 ?? null,
    admin_area_level_2: a.admin_area_level_2 ?? null, locality: a.locality ?? null, sublocality: a.sublocality ?? null,
    route: a.route ?? null, street_number: a.street_number ?? null, subpremise: a.subpremise ?? null, postal_code: a.postal_code ?? null,
  };
}

/** Splits a full name the way Pipedrive derives `first_name`/`last_name`: first word, then the rest. */
export function splitName(name: string): [string, string | null] {
  const trimmed = name.trim();
  const i = trimmed.indexOf(' ');
  return i < 0 ? [trimmed, null] : [trimmed.slice(0, i), trimmed.slice(i + 1).trim()];
}

/** Builds a stored person from a seed or a validated body, filling what Pipedrive fills. */
export function buildPerson(input: Partial<PersonRecord> & { name: string }, id: number, now: number, ownerId: number): PersonRecord {
  const [first, last] = splitName(input.name);
  const time = rfc3339(now);
  return {
    id,
    name: input.name,
    first_name: input.first_name ?? first,
    last_name: input.last_name ?? last,
    owner_id: input.owner_id ?? ownerId,
    org_id: input.org_id ?? null,
    add_time: input.add_time ?? time,
    update_time: input.update_time ?? time,
    emails: input.emails ?? [],
    phones: input.phones ?? [],
    is_deleted: input.is_deleted ?? false,
    visible_to: input.visible_to ?? 3,
    label_ids: input.label_ids ?? [],
    picture_id: input.picture_id ?? null,
    custom_fields: input.custom_fields ?? {},
  };
}

/** An organization to seed: `name` at least; `address` may omit subfields. */
export type OrganizationSeed = Omit<Partial<OrganizationRecord>, 'address'> & { name: string; address?: Partial<Address> | null };

/** Builds a stored organization from a seed or a validated body. */
export function buildOrganization(input: OrganizationSeed, id: number, now: number, ownerId: number): OrganizationRecord {
  const time = rfc3339(now);
  return {
    id,
    name: input.name,
    owner_id: input.owner_id ?? ownerId,
    add_time: input.add_time ?? time,
    update_time: input.update_time ?? time,
    is_deleted: input.is_deleted ?? false,
    visible_to: input.visible_to ?? 3,
    address: addressFrom(input.address),
    label_ids: input.label_ids ?? [],
    custom_fields: input.custom_fields ?? {},
    website: input.website ?? null,
    linkedin: input.linkedin ?? null,
    industry: input.industry ?? null,
    annual_revenue: input.annual_revenue ?? null,
    employee_count: input.employee_count ?? null,
  };
}

/** An activity to seed; `location` may omit subfields, `person_id` makes that person the primary participant. */
export type ActivitySeed = Omit<Partial<ActivityRecord>, 'location'> & { location?: Partial<Address> | null };

/** Builds a stored activity from a seed or a validated body. */
export function buildActivity(input: ActivitySeed, id: number, now: number, ownerId: number): ActivityRecord {
  const time = rfc3339(now);
  const participants = input.participants ?? (input.person_id ? [{ person_id: input.person_id, primary: true }] : []);
  const done = input.done ?? false;
  return {
    id,
    subject: input.subject ?? 'Call',
    type: input.type ?? 'call',
    owner_id: input.owner_id ?? ownerId,
    creator_user_id: input.creator_user_id ?? ownerId,
    is_deleted: input.is_deleted ?? false,
    add_time: input.add_time ?? time,
    update_time: input.update_time ?? time,
    deal_id: input.deal_id ?? null,
    lead_id: input.lead_id ?? null,
    person_id: participants.find((p) => p.primary)?.person_id ?? null,
    org_id: input.org_id ?? null,
    project_id: input.project_id ?? null,
    due_date: input.due_date ?? null,
    due_time: input.due_time ?? null,
    duration: input.duration ?? null,
    busy: input.busy ?? false,
    done,
    marked_as_done_time: input.marked_as_done_time ?? (done ? time : null),
    location: addressFrom(input.location),
    participants,
    attendees: input.attendees ?? [],
    conference_meeting_client: null,
    conference_meeting_url: null,
    conference_meeting_id: null,
    public_description: input.public_description ?? null,
    priority: input.priority ?? null,
    note: input.note ?? null,
  };
}

/** A product to attach to a seeded deal: `name` and `item_price` at least (`quantity` 1, `discount` 0 by default). */
export type DealProductSeed = Partial<DealProduct> & { name: string; item_price: number };

/** A deal to seed: `title` at least; `products` attaches products, and the deal's `value` is then their sum. */
export type DealSeed = Partial<DealRecord> & { title: string; products?: DealProductSeed[] };

/** A full deal product line from a seed; throws on a negative or non-finite price, quantity or discount. */
export function dealProductFrom(seed: DealProductSeed): DealProduct {
  const line: DealProduct = {
    product_id: seed.product_id ?? null, name: seed.name, item_price: seed.item_price, quantity: seed.quantity ?? 1, discount: seed.discount ?? 0,
  };
  for (const k of ['item_price', 'quantity', 'discount'] as const) {
    if (typeof line[k] !== 'number' || !Number.isFinite(line[k]) || line[k] < 0) throw new Error(`deal product '${seed.name}': '${k}' must be a finite number of at least 0`);
  }
  return line;
}

/** The value of a deal with products: the sum of `item_price × quantity − discount`, rounded to `decimals`. */
export function productsValue(products: readonly DealProduct[], decimals: number): number {
  const sum = products.reduce((acc, p) => acc + p.item_price * p.quantity - p.discount, 0);
  const f = 10 ** decimals;
  return Math.round(sum * f) / f;
}

/** Builds a stored deal from a seed or a validated body. */
export function buildDeal(input: Partial<DealRecord> & { title: string }, id: number, now: number, ownerId: number): DealRecord {
  const time = rfc3339(now);
  return {
    id,
    title: input.title,
    creator_user_id: input.creator_user_id ?? ownerId,
    owner_id: input.owner_id ?? ownerId,
    person_id: input.person_id ?? null,
    org_id: input.org_id ?? null,
    pipeline_id: input.pipeline_id ?? 1,
    stage_id: input.stage_id ?? 1,
    value: input.value ?? 0,
    currency: input.currency ?? 'USD',
    add_time: input.add_time ?? time,
    update_time: input.update_time ?? time,
    stage_change_time: input.stage_change_time ?? null,
    is_deleted: input.is_deleted ?? false,
    is_archived: input.is_archived ?? false,
    archive_time: input.archive_time ?? null,
    status: input.status ?? 'open',
    probability: input.probability ?? null,
    lost_reason: input.lost_reason ?? null,
    visible_to: input.visible_to ?? 3,
    close_time: input.close_time ?? null,
    won_time: input.won_time ?? null,
    lost_time: input.lost_time ?? null,
    expected_close_date: input.expected_close_date ?? null,
    label_ids: input.label_ids ?? [],
    origin: input.origin ?? 'API',
    origin_id: input.origin_id ?? null,
    channel: input.channel ?? null,
    channel_id: input.channel_id ?? null,
    arr: input.arr ?? null,
    mrr: input.mrr ?? null,
    acv: input.acv ?? null,
    custom_fields: input.custom_fields ?? null,
  };
}

/** A user to seed: name and email at least; everything else has realistic defaults. */
export interface UserSeed extends Partial<UserRecord> {
  name: string;
  email: string;
  /** An API token for this user; requests with it act as this user and get their own burst window. */
  apiToken?: string;
  /** Gives the user admin access to every app (default false). */
  admin?: boolean;
}

/** Builds a full BaseUser from a seed. */
export function buildUser(seed: UserSeed, id: number, now: number): UserRecord {
  const { apiToken: _token, admin, ...fields } = seed;
  const isAdmin = admin ?? false;
  const created = v1Time(now - 90 * 86_400_000);
  const base: UserRecord = {
    id,
    name: seed.name,
    default_currency: 'USD',
    locale: 'en_US',
    lang: 1,
    email: seed.email,
    phone: null,
    activated: true,
    last_login: v1Time(now - 3_600_000),
    created,
    modified: created,
    has_created_company: isAdmin,
    access: [
      { app: 'sales', admin: isAdmin, permission_set_id: isAdmin ? '177a1b5c-7d5c-4a0f-9a4c-000000000001' : '177a1b5c-7d5c-4a0f-9a4c-000000000002' },
      { app: 'global', admin: isAdmin, permission_set_id: isAdmin ? '177a1b5c-7d5c-4a0f-9a4c-000000000003' : '177a1b5c-7d5c-4a0f-9a4c-000000000004' },
    ],
    active_flag: true,
    timezone_name: 'Europe/London',
    timezone_offset: '+00:00',
    role_id: 1,
    icon_url: null,
    is_deleted: false,
  };
  return { ...base, ...fields, id };
}
