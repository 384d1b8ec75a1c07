/**
 * @module emulator/index
 * `pipedrive-sync/emulator`: a local Pipedrive for tests, the demo and users' own tests. Start one with
 * `startPipedriveEmulator()`; many can run at once in one process, each with its own data, limits and faults.
 *
 * Besides the API it serves a control path, `/__emulator/...` (see `emulator/control` for the routes): faults,
 * journal, seed, state, limits, clock and search lag over HTTP. It has no credentials; it answers only JSON bodies,
 * refuses foreign `Origin`s and any `Host` that is not loopback or the bound host, and takes no regexes. Binding a
 * non-loopback `host` (e.g. `0.0.0.0`) makes it reachable from the network, which is warned about once at start.
 *
 * Search lag (`searchLagMs` option, `emulator.searchLag({ms})`, `POST /__emulator/search-lag {ms}`): records
 * created or renamed less than `ms` ago (emulator clock) are not returned by `/api/v2/persons/search` and
 * `/api/v2/organizations/search`, while GET and list endpoints see them at once, reproducing "search cannot see a
 * record created a moment ago". Default 0; `reset()` returns to the start-up value.
 *
 * Record updates (UPDATES-FACTS): v2 PATCH with Pipedrive's semantics per entity (see the route modules), custom
 * fields (seed them with `customFields`), the organization `industry` field, currencies, pipelines and stages,
 * deals with products (`deals: [{title, products: [...]}]`), `visible_to` per plan (403 otherwise), and edits "made in
 * the Pipedrive UI" (`emulator.editInUi({entity, id, fields})`, `POST /__emulator/edit`), journaled as `UI`. Every
 * record change, by the API or in the UI, goes to `emulator.changes` (with `change_source` `api` or `app`).
 *
 * Webhooks v2 (UPDATES-FACTS §2): subscriptions through `/v1/webhooks` (`emulator/routes/webhooks`), and delivery of
 * every change on `changes` to each matching `2.0` subscription, with Basic auth and Pipedrive's retries after 3,
 * 30 and 150 s of the emulator clock (`emulator/webhooks/delivery`): `clock.advance` (or `POST /__emulator/clock`)
 * sends the retries that fall due, and `emulator.webhooks.flush()` (`POST /__emulator/webhooks/flush`) waits for
 * deliveries in flight. Every attempt is in `journal.deliveries()` (`GET /__emulator/journal`). Merges:
 * `PUT /v1/persons/{id}/merge` and `PUT /v1/organizations/{id}/merge` (`{merge_with_id}` survives), or
 * `emulator.mergeInUi(...)` / `POST /__emulator/merge`, each announced as a `delete` with `merged_to_id` and a
 * `change` with `merged_from_id`.
 */

import { randomBytes } from 'node:crypto';
import { isLoopback } from './control_access';
import { Faults } from './faults';
import { Journal } from './journal';
import { RateLimiter, parsePlan, type Plan } from './limits/rate_limits';
import type { UserSeed } from './model/builders';
import type { ChangeFeed } from './model/changes';
import { EmulatorState, type DeletedReads, type SeedData } from './model/state';
import { createEmulatorServer, listen } from './server';
import { editInUi, type UiEdit } from './ui_edit';
import { mergeInUi, type UiMerge } from './ui_merge';
import { WebhookDeliverer } from './webhooks/delivery';
import { checkRetryDelays } from './webhooks/retry_policy';
import { EmulatorClock, type Clock } from './wire/clock';

export type { Clock } from './wire/clock';
export { EmulatorClock } from './wire/clock';
export type { FailNextOptions, LatencyOptions, DropAfterApplyOptions, FaultMatch } from './faults';
export { Faults } from './faults';
export { PathGlob } from './path_match';
export { SearchIndex, MAX_SEARCH_LAG_MS } from './model/search_index';
export type { JournalEntry } from './journal';
export { Journal } from './journal';
export type { Plan, LimitsSnapshot } from './limits/rate_limits';
export { RateLimiter, PLANS, SEARCH_LIMIT, BASE_DAILY_TOKENS } from './limits/rate_limits';
export type { SeedData, StateSnapshot, DeletedReads } from './model/state';
export type { CurrencySeed } from './model/currencies';
export type { PipelineSeed, StageSeed } from './model/pipelines';
export { EmulatorState, DELETED_READS } from './model/state';
export type { CustomFieldSeed, CustomFieldType } from './model/custom_fields';
export { CUSTOM_FIELD_TYPES } from './model/custom_fields';
export type { RecordChange, ChangeListener, ChangeSource } from './model/changes';
export { ChangeFeed } from './model/changes';
export type { UiEdit } from './ui_edit';
export { UiEditError } from './ui_edit';
export type { UiMerge } from './ui_merge';
export type { MergeKind } from './routes/record_merge';
export type { WebhookDeliveryEntry } from './journal';
export type { PendingDelivery } from './webhooks/delivery';
export { WebhookDeliverer } from './webhooks/delivery';
export type { WebhookMeta, WebhookPayload } from './webhooks/payload';
export type { WebhookSubscription, WebhookVersion } from './model/webhook_subscriptions';
export { WebhookRegistry, BAN_AFTER_FAILURES, BAN_MS } from './model/webhook_subscriptions';
export { WEBHOOK_RETRY_DELAYS_MS, WEBHOOK_TIMEOUT_MS } from './webhooks/retry_policy';
export { WEBHOOK_DATA_KEYS } from './webhooks/webhook_data';
export { VISIBLE_TO_BY_PLAN } from './model/plan_visibility';
export type { DealSeed, DealProductSeed } from './model/builders';
export type { UserSeed } from './model/builders';
export type { OrganizationSeed } from './model/builders';
export type { ActivitySeed } from './model/builders';
export type * from './model/records';
export { TOKEN_COSTS, tokenCost } from './limits/token_costs';
export { DEFAULT_PERSON_LABELS, DEFAULT_ORGANIZATION_LABELS, DEFAULT_DEAL_LABELS, DEFAULT_INDUSTRIES } from './model/default_data';

/** Options of `startPipedriveEmulator`. */
export interface PipedriveEmulatorOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  /** Interface to bind (default `127.0.0.1`). */
  host?: string;
  /** Plan: sets the burst limit and the daily budget multiplier (default `growth`). Case-insensitive. */
  plan?: Plan | string;
  /** Seats: multiply the daily budget (default 1). */
  seats?: number;
  /** Records added after the defaults, at start and after every reset. */
  seed?: SeedData;
  /** Replaces the default users (the first one gets `apiToken` unless it has its own token). */
  users?: UserSeed[];
  /** The admin user's API token (default: 40 random hex characters, like a real token). */
  apiToken?: string;
  /** Clock, epoch ms (default `Date.now`); inject one to move time for windows and the daily reset. */
  now?: Clock;
  /** Daily budget reset timezone, minutes east of UTC (default 0). */
  budgetTimezoneOffsetMinutes?: number;
  /** Overrides the plan's burst limit per 2 s. */
  burstLimit?: number;
  /** Overrides the search limit per 2 s (default 10). */
  searchLimit?: number;
  /** Overrides the daily token budget. */
  dailyBudget?: number;
  /** 429s a token may ignore before the Cloudflare 403 (default 3). */
  ignoredLimit?: number;
  /** Duration of the Cloudflare block (default 60,000 ms). */
  blockMs?: number;
  /** Maximum journal entries kept (default 100,000). */
  journalLimit?: number;
  /**
   * Search index lag in ms, 0..86,400,000 (default 0): records created or renamed less than this long ago (emulator
   * clock) are not found by the search endpoints yet, while GET and list see them. Restored by `reset()`.
   */
  searchLagMs?: number;
  /**
   * Host names the control path accepts in `Host` besides loopback ones and `host` itself, e.g.
   * `['host.docker.internal']` when containers reach an emulator bound to `0.0.0.0`.
   */
  controlHosts?: string[];
  /**
   * Receives the one-time warning given when `host` is not a loopback address (default: `process.emitWarning`).
   */
  onWarning?: (message: string) => void;
  /**
   * What a GET of a soft-deleted record answers (default `not-found`: 404; `is-deleted`: 200 with `is_deleted: true`
   * until 30 days after the delete). Which one Pipedrive does is unverified, so clients should be tested with both.
   */
  deletedReads?: DeletedReads;
  /**
   * Delays before the webhook retries, in ms of emulator time (default `[3000, 30000, 150000]`, Pipedrive's); at
   * most 10, each 0..86,400,000. The number of delays is the number of retries.
   */
  webhookRetryDelaysMs?: number[];
  /** How long a webhook receiver may take to answer, real ms (default 10,000, Pipedrive's), 1..600,000. */
  webhookTimeoutMs?: number;
}

/** The warning given when an emulator is bound to a non-loopback address. */
export function exposedControlWarning(host: string, port: number): string {
  return (
    `Pipedrive emulator bound to non-loopback address '${host}' (port ${port}): the API and its unauthenticated ` +
    `control path /__emulator/ (reset, seed, state, faults, clock) are reachable from the network. ` +
    `Bind to 127.0.0.1 unless other machines must reach it.`
  );
}

/** A running emulator. */
export interface PipedriveEmulator {
  /** Base URL, e.g. `http://127.0.0.1:53211`: v2 under `/api/v2`, v1 under `/v1` and `/api/v1`. */
  url: string;
  /** Bound port. */
  port: number;
  /** The admin user's API token (send it as `x-api-token`). */
  apiToken: string;
  /** The plan in force. */
  plan: Plan;
  /** Data: read every record (deleted included), seed, add users and tokens, reset. */
  state: EmulatorState;
  /** Fault injection. */
  faults: Faults;
  /** Every API request received. */
  journal: Journal;
  /** Burst windows and daily budget: snapshot, set the remaining budget, reset. */
  limits: RateLimiter;
  /** The emulator clock (the injected `now` plus any `advance`). */
  clock: EmulatorClock;
  /**
   * Sets the search index lag: records created or renamed less than `ms` ago (emulator clock) are not returned by
   * the search endpoints yet. `{ms: 0}` turns it off. Returns the lag in force.
   */
  searchLag(opts: { ms: number }): { ms: number };
  /**
   * Applies an edit "made in the Pipedrive UI": `fields` in the entity's v2 PATCH shape, applied as a user would
   * (PATCH rules, but a user may clear fields and edit archived deals), moving `update_time`; journaled as
   * `{method: 'UI', source: 'app'}` and announced on `changes` with `change_source: 'app'`. Returns the record as
   * the API now serves it; throws `UiEditError` (with the `status` the API would answer) when refused.
   */
  editInUi(edit: UiEdit): unknown;
  /**
   * Applies a merge "made in the Pipedrive UI": `id` is merged into `mergeWithId` (which survives), as
   * `PUT /v1/<entity>s/{id}/merge` would, with `change_source: 'app'`; journaled as `UI`. Returns the survivor as
   * stored; throws `UiEditError` (with the status the API would answer) when refused.
   */
  mergeInUi(merge: UiMerge): unknown;
  /** Every record create, change and delete (API and UI), merges included: subscribe here. */
  changes: ChangeFeed;
  /**
   * The webhooks v2 sender: `flush()` sends what is due and waits until nothing is in flight; `pending()` lists the
   * retries waiting for the emulator clock; `runDue()` sends due ones without waiting. Subscriptions are
   * `state.webhooks`; attempts are `journal.deliveries()`.
   */
  webhooks: WebhookDeliverer;
  /**
   * Resets data (webhook subscriptions included), faults, journal, limits, clock offset, search lag and deleted
   * reads, and cancels pending webhook retries (listeners of `changes` stay).
   */
  reset(): void;
  /** Stops the server and drops open connections. */
  close(): Promise<void>;
}

/** Starts an emulator on `options.port` (default: a free port). */
export async function startPipedriveEmulator(options: PipedriveEmulatorOptions = {}): Promise<PipedriveEmulator> {
  const plan = parsePlan(options.plan ?? 'growth');
  const seats = options.seats ?? 1;
  if (!Number.isInteger(seats) || seats < 1) throw new Error(`seats must be a positive integer, got ${seats}`);
  const apiToken = options.apiToken ?? randomBytes(20).toString('hex');
  const clock = new EmulatorClock(options.now ?? Date.now);
  const state = new EmulatorState({
    apiToken, now: clock.now, seed: options.seed, users: options.users, searchLagMs: options.searchLagMs, plan, deletedReads: options.deletedReads,
  });
  const faults = new Faults();
  const journal = new Journal(options.journalLimit);
  const limits = new RateLimiter(
    {
      plan, seats, burstLimit: options.burstLimit, searchLimit: options.searchLimit, dailyBudget: options.dailyBudget,
      budgetTimezoneOffsetMinutes: options.budgetTimezoneOffsetMinutes, ignoredLimit: options.ignoredLimit, blockMs: options.blockMs,
    },
    clock.now,
  );
  const timeoutMs = options.webhookTimeoutMs ?? undefined;
  if (timeoutMs !== undefined && (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 600_000)) {
    throw new Error(`webhookTimeoutMs must be a whole number of ms in 1..600000, got ${timeoutMs}`);
  }
  const webhooks = new WebhookDeliverer({
    state, journal, clock, timeoutMs, retryDelaysMs: options.webhookRetryDelaysMs && checkRetryDelays(options.webhookRetryDelaysMs),
  });
  const resetAll = (): void => {
    webhooks.reset();
    clock.resetOffset();
    state.reset();
    faults.clear();
    journal.clear();
    limits.reset();
  };
  const uiEdit = (edit: UiEdit): unknown => editInUi({ state, journal, clock }, edit);
  const uiMerge = (merge: UiMerge): unknown => mergeInUi({ state, journal, clock }, merge);
  const host = options.host ?? '127.0.0.1';
  const server = createEmulatorServer({ state, faults, journal, limits, clock, webhooks, resetAll, editInUi: uiEdit, mergeInUi: uiMerge }, { boundHost: host, extraHosts: options.controlHosts });
  const port = await listen(server, options.port ?? 0, host);
  state.webhooks.ownAddress = { port, hosts: [host, ...(options.controlHosts ?? [])] };
  webhooks.start();
  const urlHost = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '[::1]' : host.includes(':') ? `[${host}]` : host;
  const url = `http://${urlHost}:${port}`;
  if (!isLoopback(host)) {
    const message = exposedControlWarning(host, port);
    if (options.onWarning) options.onWarning(message);
    else process.emitWarning(message, { code: 'PIPEDRIVE_EMULATOR_EXPOSED' });
  }
  return {
    url,
    port,
    apiToken,
    plan,
    state,
    faults,
    journal,
    limits,
    clock,
    searchLag: ({ ms }) => {
      state.searchIndex.setLag(ms);
      return { ms: state.searchIndex.lagMs };
    },
    editInUi: uiEdit,
    mergeInUi: uiMerge,
    changes: state.changes,
    webhooks,
    reset: resetAll,
    close: () =>
      new Promise<void>((resolve, reject) => {
        webhooks.close();
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
