/**
 * @module emulator/model/state
 * The emulator's data: users and their tokens, the four v2 entity collections (soft-deleted records included),
 * field definitions with label options, activity types and company info; plus seeding, reset and the search index
 * (how far search trails the data).
 */

import { validationFailed } from '../wire/envelope';
import {
  buildActivity, buildDeal, buildOrganization, buildPerson, buildUser, type ActivitySeed, type OrganizationSeed, type UserSeed,
} from './builders';
import { defaultActivityTypes, defaultFields, defaultUsers, labelFieldKey, type FieldLists } from './default_data';
import { SearchIndex } from './search_index';
import type {
  ActivityRecord, ActivityTypeRecord, CompanyInfo, DealRecord, EntityKind, FieldOption, FieldRecord, LabelledKind,
  OrganizationRecord, PersonRecord, UserRecord,
} from './records';

/** Records to add (or replace, when an `id` is given) in the emulator. */
export interface SeedData {
  /** Users to add or replace (matched by `id`); give `apiToken` to let tests call as that user. */
  users?: UserSeed[];
  /** Persons; `name` is required, everything else defaults like a POST would. */
  persons?: (Partial<PersonRecord> & { name: string })[];
  /** Organizations; `name` is required. */
  organizations?: OrganizationSeed[];
  /** Activities. */
  activities?: ActivitySeed[];
  /** Deals; `title` is required. */
  deals?: (Partial<DealRecord> & { title: string })[];
  /** Replaces the activity types list. */
  activityTypes?: ActivityTypeRecord[];
  /** Overrides company info returned by `/v1/users/me`. */
  company?: Partial<CompanyInfo>;
}

/** Everything stored, as plain data: what `GET /__emulator/state` returns. */
export interface StateSnapshot {
  users: UserRecord[];
  persons: PersonRecord[];
  organizations: OrganizationRecord[];
  activities: ActivityRecord[];
  deals: DealRecord[];
  fields: FieldLists;
  activityTypes: ActivityTypeRecord[];
  company: CompanyInfo;
}

/** Options the state needs from the emulator. */
export interface StateOptions {
  /** The admin user's token. */
  apiToken: string;
  /** The emulator clock. */
  now: () => number;
  /** Applied after the defaults at start and on every reset. */
  seed?: SeedData;
  /** Replaces the default users entirely (the first user gets `apiToken` unless it has its own). */
  users?: UserSeed[];
  /** Search index lag at start and after every reset, in ms (default 0); see `emulator/model/search_index`. */
  searchLagMs?: number;
}

/** The emulator's in-memory data, readable and writable by tests. */
export class EmulatorState {
  /** Users by id (including inactive and deleted ones). */
  readonly users = new Map<number, UserRecord>();
  /** API token → user id. */
  readonly tokens = new Map<string, number>();
  /** Persons by id, deleted ones included (`is_deleted: true`). */
  readonly persons = new Map<number, PersonRecord>();
  /** Organizations by id, deleted ones included. */
  readonly organizations = new Map<number, OrganizationRecord>();
  /** Activities by id, deleted ones included. */
  readonly activities = new Map<number, ActivityRecord>();
  /** Deals by id, deleted ones included. */
  readonly deals = new Map<number, DealRecord>();
  /** Field definitions per labelled kind. */
  fields!: FieldLists;
  /** Activity types. */
  activityTypes!: ActivityTypeRecord[];
  /** Company info. */
  company!: CompanyInfo;
  /** How far search trails the data: records changed less than `lagMs` ago are not found by search yet. */
  readonly searchIndex: SearchIndex;

  private readonly nextIds: Record<EntityKind | 'user', number> = { person: 1, organization: 1, activity: 1, deal: 1, user: 1 };
  private nextOptionId = 1;
  private readonly opts: StateOptions;

  constructor(opts: StateOptions) {
    this.opts = opts;
    this.searchIndex = new SearchIndex(opts.searchLagMs);
    this.reset();
  }

  /** Back to the defaults plus the start-up seed: all records, users, fields and ids as at start; search lag as at start. */
  reset(): void {
    const now = this.opts.now();
    for (const m of [this.users, this.tokens, this.persons, this.organizations, this.activities, this.deals]) m.clear();
    this.searchIndex.reset();
    for (const k of Object.keys(this.nextIds) as (keyof typeof this.nextIds)[]) this.nextIds[k] = 1;
    this.fields = defaultFields(now);
    this.nextOptionId = 1 + Math.max(0, ...this.allOptions().map((o) => o.id));
    this.activityTypes = defaultActivityTypes(now);
    this.company = {
      company_id: 7_100_001, company_name: 'Emulated Company Ltd', company_domain: 'emulated',
      company_country: 'GB', company_industry: 'Software',
    };
    const users = this.opts.users ?? defaultUsers(this.opts.apiToken);
    users.forEach((u, i) => this.addUser(i === 0 && u.apiToken === undefined ? { ...u, apiToken: this.opts.apiToken } : u));
    if (this.opts.seed) this.seed(this.opts.seed);
  }

  /** Adds or replaces records. Seeded records skip request validation: they are what the test says they are. */
  seed(data: SeedData): void {
    const now = this.opts.now();
    for (const u of data.users ?? []) this.addUser(u);
    const owner = this.defaultOwnerId();
    for (const o of data.organizations ?? []) this.store('organization', this.organizations, buildOrganization(o, this.seedId('organization', o.id), now, owner));
    for (const p of data.persons ?? []) this.store('person', this.persons, buildPerson(p, this.seedId('person', p.id), now, owner));
    for (const d of data.deals ?? []) this.store('deal', this.deals, buildDeal(d, this.seedId('deal', d.id), now, owner));
    for (const a of data.activities ?? []) this.store('activity', this.activities, buildActivity(a, this.seedId('activity', a.id), now, owner));
    if (data.activityTypes) this.activityTypes = data.activityTypes.map((t) => ({ ...t }));
    if (data.company) this.company = { ...this.company, ...data.company };
  }

  /** Adds (or replaces, by `id`) a user; with `apiToken` the token authenticates as that user. */
  addUser(seed: UserSeed): UserRecord {
    const id = seed.id ?? this.nextIds.user;
    const user = buildUser(seed, id, this.opts.now());
    this.users.set(id, user);
    this.nextIds.user = Math.max(this.nextIds.user, id + 1);
    if (seed.apiToken !== undefined) {
      for (const [token, uid] of this.tokens) if (uid === id) this.tokens.delete(token);
      this.tokens.set(seed.apiToken, id);
    }
    return user;
  }

  /** The user a token authenticates, or `undefined` (unknown token, deactivated or deleted user). */
  userForToken(token: string): UserRecord | undefined {
    const id = this.tokens.get(token);
    const user = id === undefined ? undefined : this.users.get(id);
    return user && user.active_flag && !user.is_deleted ? user : undefined;
  }

  /** The id the next created record of a kind will get. */
  peekId(kind: EntityKind): number {
    return this.nextIds[kind];
  }

  /** Marks an id as used so it is never handed out again. */
  commitId(kind: EntityKind, id: number): void {
    this.nextIds[kind] = Math.max(this.nextIds[kind], id + 1);
  }

  /** The collection holding one kind of record. */
  collection(kind: EntityKind): Map<number, { id: number; is_deleted: boolean }> {
    switch (kind) {
      case 'person': return this.persons;
      case 'organization': return this.organizations;
      case 'activity': return this.activities;
      case 'deal': return this.deals;
    }
  }

  /** Throws a 400 naming `field` unless `id` is a live record of `kind`. */
  requireLive(kind: EntityKind, id: number, field: string): void {
    const rec = this.collection(kind).get(id);
    if (!rec || rec.is_deleted) throw validationFailed(`'${field}' refers to ${kind} ${id}, which does not exist`);
  }

  /** Throws a 400 naming `field` unless `id` is an active user. */
  requireActiveUser(id: number, field: string): void {
    const user = this.users.get(id);
    if (!user || user.is_deleted || !user.active_flag) throw validationFailed(`'${field}' refers to user ${id}, which does not exist or is not active`);
  }

  /** Throws a 400 naming `field` unless every id is an option of the kind's label field. */
  requireLabels(kind: LabelledKind, ids: number[], field: string): void {
    const options = this.labelField(kind).options ?? [];
    for (const id of ids) {
      if (!options.some((o) => o.id === id)) {
        throw validationFailed(`'${field}' contains ${id}, which is not an option of the ${kind} field '${labelFieldKey(kind)}'`);
      }
    }
  }

  /** The field holding a kind's labels. */
  labelField(kind: LabelledKind): FieldRecord {
    const key = labelFieldKey(kind);
    return this.fields[kind].find((f) => f.key === key)!;
  }

  /**
   * Replaces a field's options with the full list given: entries with `id` keep that option (relabelled),
   * entries without get a new id, and options left out are dropped. Returns the dropped ids.
   */
  replaceFieldOptions(kind: LabelledKind, field: FieldRecord, next: { id?: number; label: string; color?: string }[]): number[] {
    const current = field.options ?? [];
    const byId = new Map(current.map((o) => [o.id, o]));
    const result: FieldOption[] = [];
    for (const o of next) {
      if (o.id !== undefined) {
        if (!byId.has(o.id)) throw validationFailed(`'options' contains id ${o.id}, which is not an option of field '${field.key}'`);
        if (result.some((r) => r.id === o.id)) throw validationFailed(`'options' contains id ${o.id} more than once`);
        result.push({ id: o.id, label: o.label, color: o.color ?? byId.get(o.id)!.color });
      } else {
        result.push({ id: this.nextOptionId++, label: o.label, color: o.color ?? 'gray' });
      }
    }
    const kept = new Set(result.map((o) => o.id));
    const dropped = current.filter((o) => !kept.has(o.id));
    // `label` and `label_ids` share one array, so replace its contents in place.
    current.splice(0, current.length, ...result);
    if (!field.options) field.options = current;
    for (const f of this.fields[kind]) {
      if (f.options === current) f.options_deleted = [...(f.options_deleted ?? []), ...dropped];
    }
    return dropped.map((o) => o.id);
  }

  /** Removes dropped label options from every record of a kind, as Pipedrive does when an option is deleted. */
  removeLabelFromRecords(kind: LabelledKind, ids: number[]): void {
    const gone = new Set(ids);
    const coll: Map<number, { label_ids: number[] }> = kind === 'person' ? this.persons : kind === 'organization' ? this.organizations : this.deals;
    for (const rec of coll.values()) {
      if (rec.label_ids.some((id) => gone.has(id))) rec.label_ids = rec.label_ids.filter((id) => !gone.has(id));
    }
  }

  /** A deep copy of everything stored. */
  snapshot(): StateSnapshot {
    return structuredClone({
      users: [...this.users.values()],
      persons: [...this.persons.values()],
      organizations: [...this.organizations.values()],
      activities: [...this.activities.values()],
      deals: [...this.deals.values()],
      fields: this.fields,
      activityTypes: this.activityTypes,
      company: this.company,
    });
  }

  private allOptions(): FieldOption[] {
    return Object.values(this.fields).flatMap((list) => list.flatMap((f) => f.options ?? []));
  }

  private defaultOwnerId(): number {
    return this.tokens.get(this.opts.apiToken) ?? this.users.keys().next().value ?? 1;
  }

  private seedId(kind: EntityKind, id: number | undefined): number {
    return id ?? this.nextIds[kind];
  }

  private store<T extends { id: number }>(kind: EntityKind, coll: Map<number, T>, rec: T): void {
    coll.set(rec.id, rec);
    this.commitId(kind, rec.id);
  }
}
