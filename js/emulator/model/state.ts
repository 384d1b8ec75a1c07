/**
 * @module emulator/model/state
 * The emulator's data: users and their tokens, the four v2 entity collections (soft-deleted records included),
 * field definitions with label options (and seeded custom fields), activity types, pipelines and stages,
 * currencies, products attached to deals and company info; plus seeding, reset, the plan's `visible_to` values,
 * how GET answers for deleted records, the search index (how far search trails the data), the change feed and the
 * webhook subscriptions.
 */

import type { Plan } from '../limits/rate_limits';
import { validationFailed } from '../wire/envelope';
import {
  buildActivity, buildDeal, buildOrganization, buildPerson, buildUser, dealProductFrom, productsValue, type ActivitySeed,
  type DealSeed, type OrganizationSeed, type UserSeed,
} from './builders';
import { ChangeFeed } from './changes';
import { buildCustomField, isCustomFieldKey, type CustomFieldSeed } from './custom_fields';
import { defaultCurrencies, withCurrency, type CurrencySeed } from './currencies';
import { defaultActivityTypes, defaultFields, defaultPipelines, defaultUsers, labelFieldKey, type FieldLists } from './default_data';
import { defaultPipelineOf, firstStageOf, withPipeline, withStage, type PipelineSeed, type StageSeed } from './pipelines';
import { VISIBLE_TO_BY_PLAN } from './plan_visibility';
import { WebhookRegistry } from './webhook_subscriptions';
import { SearchIndex } from './search_index';
import type {
  ActivityRecord, ActivityTypeRecord, CompanyInfo, CurrencyRecord, DealProduct, DealRecord, EntityKind, FieldOption, FieldRecord,
  LabelledKind, OrganizationRecord, PersonRecord, PipelineRecord, StageRecord, UserRecord,
} from './records';

/**
 * What a single GET of a soft-deleted record answers. Whether Pipedrive gives 404 or 200 with `is_deleted: true`
 * during the 30 days before the purge is [UNVERIFIED] (UPDATES-FACTS §3), so both can be emulated: `not-found`
 * (the default) answers 404; `is-deleted` answers 200 with the record (`is_deleted: true`) until 30 days after the
 * delete, then 404 (purged). PATCH and DELETE of a deleted record are 404 either way; lists leave it out.
 */
export type DeletedReads = 'not-found' | 'is-deleted';

/** The two values of `DeletedReads`. */
export const DELETED_READS: readonly DeletedReads[] = ['not-found', 'is-deleted'];

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
  /** Deals; `title` is required; `products` attaches products (the deal's `value` is then their sum). */
  deals?: DealSeed[];
  /** Replaces the activity types list. */
  activityTypes?: ActivityTypeRecord[];
  /** Overrides company info returned by `/v1/users/me`. */
  company?: Partial<CompanyInfo>;
  /** Custom fields to add to the person, organization or deal field lists (applied before the records). */
  customFields?: CustomFieldSeed[];
  /**
   * Replaces the options of the built-in organization `industry` field; `null` removes the field (an account
   * without it, which may have a custom "Industry" field instead: seed one with `customFields`).
   */
  industryOptions?: string[] | null;
  /** Pipelines to add or replace (applied before stages and records). */
  pipelines?: PipelineSeed[];
  /** Stages to add or replace. */
  stages?: StageSeed[];
  /** Currencies to add (or replace, by `code`), e.g. a custom non-ISO one. */
  currencies?: CurrencySeed[];
}

/** Everything stored, as plain data: what `GET /__emulator/state` returns. */
export interface StateSnapshot {
  users: UserRecord[];
  persons: PersonRecord[];
  organizations: OrganizationRecord[];
  activities: ActivityRecord[];
  deals: DealRecord[];
  /** Products attached to deals, by deal id. */
  dealProducts: Record<number, DealProduct[]>;
  fields: FieldLists;
  activityTypes: ActivityTypeRecord[];
  pipelines: PipelineRecord[];
  stages: StageRecord[];
  currencies: CurrencyRecord[];
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
  /** The plan: sets the `visible_to` values accepted (default `growth`). */
  plan?: Plan;
  /** What a GET of a deleted record answers, at start and after every reset (default `not-found`). */
  deletedReads?: DeletedReads;
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
  /** Products attached to deals, by deal id (a deal with products has its `value` derived from them). */
  readonly dealProducts = new Map<number, DealProduct[]>();
  /** Field definitions per labelled kind (built-in ones, then custom ones with 40-character hash keys). */
  fields!: FieldLists;
  /** Activity types. */
  activityTypes!: ActivityTypeRecord[];
  /** Pipelines. */
  pipelines!: PipelineRecord[];
  /** Stages of every pipeline. */
  stages!: StageRecord[];
  /** The company's currencies. */
  currencies!: CurrencyRecord[];
  /** Company info. */
  company!: CompanyInfo;
  /** How far search trails the data: records changed less than `lagMs` ago are not found by search yet. */
  readonly searchIndex: SearchIndex;
  /** Every record create, change and delete, by the API or in the UI: the hook point for webhooks. */
  readonly changes = new ChangeFeed();
  /** The webhook subscriptions (`/v1/webhooks`); `reset()` removes them. */
  readonly webhooks = new WebhookRegistry();
  /** The plan, which sets the `visible_to` values accepted. */
  readonly plan: Plan;
  /** What a GET of a soft-deleted record answers (see `DeletedReads`); `reset()` restores the start-up value. */
  deletedReads: DeletedReads = 'not-found';

  private readonly nextIds: Record<EntityKind | 'user', number> = { person: 1, organization: 1, activity: 1, deal: 1, user: 1 };
  private nextOptionId = 1;
  private readonly opts: StateOptions;

  constructor(opts: StateOptions) {
    this.opts = opts;
    this.plan = opts.plan ?? 'growth';
    this.searchIndex = new SearchIndex(opts.searchLagMs);
    this.reset();
  }

  /**
   * Back to the defaults plus the start-up seed: all records, users, fields and ids as at start; search lag as at
   * start; no webhook subscriptions.
   */
  reset(): void {
    const now = this.opts.now();
    for (const m of [this.users, this.tokens, this.persons, this.organizations, this.activities, this.deals, this.dealProducts]) m.clear();
    this.searchIndex.reset();
    this.webhooks.reset();
    this.deletedReads = this.opts.deletedReads ?? 'not-found';
    for (const k of Object.keys(this.nextIds) as (keyof typeof this.nextIds)[]) this.nextIds[k] = 1;
    this.fields = defaultFields(now);
    this.nextOptionId = 1 + Math.max(0, ...this.allOptions().map((o) => o.id));
    this.activityTypes = defaultActivityTypes(now);
    ({ pipelines: this.pipelines, stages: this.stages } = defaultPipelines(now));
    this.currencies = defaultCurrencies();
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
    for (const c of data.currencies ?? []) this.currencies = withCurrency(this.currencies, c);
    for (const p of data.pipelines ?? []) this.pipelines = withPipeline(this.pipelines, p, now);
    for (const st of data.stages ?? []) this.stages = withStage(this.stages, this.pipelines, st, now);
    if (data.industryOptions !== undefined) this.setIndustryOptions(data.industryOptions);
    for (const f of data.customFields ?? []) this.addCustomField(f, now);
    const owner = this.defaultOwnerId();
    for (const o of data.organizations ?? []) this.store('organization', this.organizations, buildOrganization(o, this.seedId('organization', o.id), now, owner));
    for (const p of data.persons ?? []) this.store('person', this.persons, buildPerson(p, this.seedId('person', p.id), now, owner));
    for (const { products, ...d } of data.deals ?? []) {
      const stage = d.stage_id === undefined ? undefined : this.stages.find((st) => st.id === d.stage_id);
      const deal = buildDeal({ ...d, pipeline_id: d.pipeline_id ?? stage?.pipeline_id }, this.seedId('deal', d.id), now, owner);
      if (products && products.length > 0) {
        this.dealProducts.set(deal.id, products.map(dealProductFrom));
        deal.value = this.dealValue(deal);
      } else this.dealProducts.delete(deal.id);
      this.store('deal', this.deals, deal);
    }
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

  /** The user the emulator's own API token belongs to (the default owner and the default UI editor). */
  adminUserId(): number {
    return this.defaultOwnerId();
  }

  /** The `visible_to` values the plan accepts. */
  visibleToAllowed(): readonly number[] {
    return VISIBLE_TO_BY_PLAN[this.plan];
  }

  /** The active currency with this code, or `undefined`. */
  activeCurrency(code: string): CurrencyRecord | undefined {
    return this.currencies.find((c) => c.code === code && c.active_flag);
  }

  /** The live stage with this id, or `undefined`. */
  stage(id: number): StageRecord | undefined {
    return this.stages.find((st) => st.id === id && !st.is_deleted);
  }

  /** The live pipeline with this id, or `undefined`. */
  pipeline(id: number): PipelineRecord | undefined {
    return this.pipelines.find((p) => p.id === id && !p.is_deleted);
  }

  /** The first live stage (lowest `order_nr`) of a pipeline, or `undefined` when it has none. */
  firstStage(pipelineId: number): StageRecord | undefined {
    return firstStageOf(this.stages, pipelineId);
  }

  /** The pipeline new deals go to when none is given: the selected one, else the first by `order_nr`. */
  defaultPipeline(): PipelineRecord | undefined {
    return defaultPipelineOf(this.pipelines);
  }

  /** The products attached to a deal (empty when none). */
  productsOf(dealId: number): readonly DealProduct[] {
    return this.dealProducts.get(dealId) ?? [];
  }

  /** A deal's value as its products make it, rounded to its currency's decimal points. */
  dealValue(deal: DealRecord): number {
    const decimals = this.currencies.find((c) => c.code === deal.currency)?.decimal_points ?? 2;
    return productsValue(this.productsOf(deal.id), decimals);
  }

  /** The organization `industry` field, or `undefined` when the account has none (`industryOptions: null`). */
  industryField(): FieldRecord | undefined {
    return this.fields.organization.find((f) => f.key === 'industry');
  }

  /** The custom fields (40-character hash keys) of a kind. */
  customFields(kind: LabelledKind): FieldRecord[] {
    return this.fields[kind].filter((f) => isCustomFieldKey(f.key));
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

  /**
   * Removes dropped options of `field` from every record of a kind, as Pipedrive does when an option is deleted:
   * from `label_ids` for the label field, from `custom_fields` for a custom enum or set field (a set left empty, or an
   * enum whose option went, is cleared).
   */
  removeOptionsFromRecords(kind: LabelledKind, field: FieldRecord, ids: number[]): void {
    if (!isCustomFieldKey(field.key)) {
      if (field.key === labelFieldKey(kind) || field.key === 'label') this.removeLabelFromRecords(kind, ids);
      return;
    }
    const gone = new Set(ids);
    const coll: Map<number, { custom_fields: Record<string, unknown> | null }> = kind === 'person' ? this.persons : kind === 'organization' ? this.organizations : this.deals;
    for (const rec of coll.values()) {
      const value = rec.custom_fields?.[field.key];
      if (rec.custom_fields === null || value === undefined || value === null) continue;
      if (Array.isArray(value)) {
        const kept = value.filter((id) => !gone.has(id as number));
        if (kept.length === 0) delete rec.custom_fields[field.key];
        else rec.custom_fields[field.key] = kept;
      } else if (gone.has(value as number)) delete rec.custom_fields[field.key];
    }
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
      dealProducts: Object.fromEntries(this.dealProducts),
      fields: this.fields,
      activityTypes: this.activityTypes,
      pipelines: this.pipelines,
      stages: this.stages,
      currencies: this.currencies,
      company: this.company,
    });
  }

  private setIndustryOptions(labels: string[] | null): void {
    const list = this.fields.organization;
    const at = list.findIndex((f) => f.key === 'industry');
    if (labels === null) {
      if (at >= 0) list.splice(at, 1);
      return;
    }
    const options = labels.map((label) => ({ id: this.nextOptionId++, label }));
    if (at >= 0) {
      list[at].options = options;
      return;
    }
    // Re-add the built-in field (it was removed by an earlier seed) with the default shape.
    const template = defaultFields(this.opts.now()).organization.find((f) => f.key === 'industry')!;
    list.push({ ...template, id: 1 + Math.max(...list.map((f) => f.id)), order_nr: list.length + 1, options });
  }

  private addCustomField(seed: CustomFieldSeed, now: number): void {
    const list = this.fields[seed.entity];
    if (!list) throw new Error(`custom field '${seed.name}': entity must be person, organization or deal, got '${String(seed.entity)}'`);
    const id = 1 + Math.max(...list.map((f) => f.id));
    const field = buildCustomField(seed, id, list.length + 1, now, () => this.nextOptionId++);
    if (list.some((f) => f.key === field.key)) throw new Error(`custom field '${seed.name}': key ${field.key} is already used`);
    list.push(field);
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
