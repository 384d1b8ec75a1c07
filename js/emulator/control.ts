/**
 * @module emulator/control
 * The control path (`/__emulator/...`): the programmatic API over HTTP, for a process that only has the URL (e.g.
 * the CLI emulator driven by another process). Not rate limited, not journaled, and guarded instead of
 * authenticated (see `emulator/control_access`: JSON bodies only, no foreign `Origin`, loopback `Host`).
 * Bodies are read strictly (`emulator/control_input`): unknown fields, regexes and out-of-range numbers get a 400
 * naming the field.
 *
 * Routes (bodies are JSON objects; every reply is `{ok: true, ...}` or `{ok: false, error}`):
 * - `GET /health`; `GET|DELETE /journal` (`entries`: API requests and UI edits; `deliveries`: webhook delivery
 *   attempts); `GET /state`; `POST /seed` (SeedData); `POST /users` ({name, email, ...});
 *   `POST /reset` (data, faults, journal, limits, clock offset, search lag, webhook subscriptions and pending
 *   webhook retries back to the start).
 * - `GET|DELETE /faults`; `POST /faults/fail-next` {status 200..599, count? 1..10000, method?, path?, glob?, body?,
 *   headers?}; `POST /faults/latency` {ms 0..600000, count?, method?, path?, glob?}; `POST /faults/drop-after-apply`
 *   {count?, method?, path?, glob?}. `path` is a prefix; `glob` must match the whole path, `*` = any characters
 *   except `/`, `**` = anything. `pathRegex` is refused.
 * - `GET|DELETE /limits`; `POST /limits` {dailyRemaining 0..1e9}.
 * - `GET /clock`; `POST /clock` {advanceMs 0..2678400000 (31 days)}: also sends the webhook retries that fall due.
 * - `GET /search-lag`; `POST /search-lag` {ms 0..86400000}: records created or renamed less than `ms` ago
 *   (emulator clock) are not found by the search endpoints yet; GET and list see them at once.
 * - `POST /edit` {entity: person|organization|activity|deal, id, fields, userId?}: an edit "made in the Pipedrive
 *   UI" (see `emulator/ui_edit`); answers `{ok: true, record}`, or the status the edit was refused with (400, 403,
 *   404) and `{ok: false, error}`.
 * - `POST /merge` {entity: person|organization, id, mergeWithId, userId?}: a merge "made in the Pipedrive UI" (see
 *   `emulator/ui_merge`; `id` is merged into `mergeWithId`); answers `{ok: true, record}` (the survivor) or the
 *   status the merge was refused with.
 * - `GET /webhooks`: `{subscriptions, pending}` (retries waiting for the emulator clock, `{webhookId, eventId,
 *   attempt, dueAt}`); `POST /webhooks/flush` (no body): sends every delivery due now and answers once none is in
 *   flight, with `{deliveries, pending}`.
 * - `GET /deleted-reads`; `POST /deleted-reads` {mode: not-found|is-deleted}: what a GET of a soft-deleted record
 *   answers (404, or 200 with `is_deleted: true` until the 30-day purge).
 */

import {
  ControlInputError, MAX_ADVANCE_MS, MAX_DAILY_REMAINING, MAX_ID, MAX_LATENCY_MS, checkFiniteNumbers, checkSeedNumbers, faultCount,
  faultHeaders, faultMatch, objectBody, onlyFields, optionalInt, requiredInt, type ControlBody,
} from './control_input';
import type { Faults } from './faults';
import type { Journal } from './journal';
import type { RateLimiter } from './limits/rate_limits';
import type { UserSeed } from './model/builders';
import { MAX_SEARCH_LAG_MS } from './model/search_index';
import type { EntityKind } from './model/records';
import { DELETED_READS, type DeletedReads, type EmulatorState, type SeedData } from './model/state';
import { MERGE_KINDS, type MergeKind } from './routes/record_merge';
import { UI_EDIT_ENTITIES, UiEditError, type UiEdit } from './ui_edit';
import type { UiMerge } from './ui_merge';
import type { WebhookDeliverer } from './webhooks/delivery';
import type { EmulatorClock } from './wire/clock';
import type { Reply } from './wire/envelope';

/** The emulator parts the control path drives. */
export interface ControlTarget {
  state: EmulatorState;
  faults: Faults;
  journal: Journal;
  limits: RateLimiter;
  clock: EmulatorClock;
  /** The webhook sender: pending retries, flush. */
  webhooks: WebhookDeliverer;
  /** Resets data, faults, journal, limits, clock offset, search lag and webhooks. */
  resetAll(): void;
  /** Applies an edit made in the UI; returns the record as served; throws `UiEditError`. */
  editInUi(edit: UiEdit): unknown;
  /** Applies a merge made in the UI; returns the survivor; throws `UiEditError`. */
  mergeInUi(merge: UiMerge): unknown;
}

/** The prefix of every control-path route. */
export const CONTROL_PREFIX = '/__emulator';

/** A control-path reply. */
export function controlReply(status: number, body: unknown): Reply {
  return { status, body };
}

/** A control-path error reply: `{ok: false, error}`. */
export function controlError(status: number, message: string): Reply {
  return controlReply(status, { ok: false, error: message });
}

const MATCH_FIELDS = ['method', 'path', 'glob'] as const;
const SEED_FIELDS: readonly (keyof SeedData)[] = [
  'users', 'persons', 'organizations', 'activities', 'deals', 'activityTypes', 'company', 'customFields', 'industryOptions', 'pipelines',
  'stages', 'currencies',
];

/** Reads the body of `POST /edit`. */
function uiEditBody(body: ControlBody): UiEdit {
  onlyFields(body, ['entity', 'id', 'fields', 'userId']);
  if (typeof body.entity !== 'string' || !(UI_EDIT_ENTITIES as readonly string[]).includes(body.entity)) {
    throw new ControlInputError(`'entity' must be one of ${UI_EDIT_ENTITIES.join(', ')}`);
  }
  const id = requiredInt(body, 'id', { min: 1, max: MAX_ID });
  const fields = body.fields;
  if (fields === null || typeof fields !== 'object' || Array.isArray(fields)) throw new ControlInputError(`'fields' must be a JSON object of the fields to change`);
  checkFiniteNumbers(fields, 'fields');
  return { entity: body.entity as EntityKind, id, fields: fields as Record<string, unknown>, userId: optionalInt(body, 'userId', { min: 1, max: MAX_ID }) };
}

/** Reads the body of `POST /merge`. */
function uiMergeBody(body: ControlBody): UiMerge {
  onlyFields(body, ['entity', 'id', 'mergeWithId', 'userId']);
  if (typeof body.entity !== 'string' || !(MERGE_KINDS as readonly string[]).includes(body.entity)) {
    throw new ControlInputError(`'entity' must be one of ${MERGE_KINDS.join(', ')}`);
  }
  return {
    entity: body.entity as MergeKind,
    id: requiredInt(body, 'id', { min: 1, max: MAX_ID }),
    mergeWithId: requiredInt(body, 'mergeWithId', { min: 1, max: MAX_ID }),
    userId: optionalInt(body, 'userId', { min: 1, max: MAX_ID }),
  };
}

async function flushWebhooks(t: ControlTarget): Promise<Reply> {
  await t.webhooks.flush();
  return controlReply(200, { ok: true, deliveries: t.journal.deliveries(), pending: t.webhooks.pending() });
}

function searchLag(t: ControlTarget): { ms: number } {
  return { ms: t.state.searchIndex.lagMs };
}

function route(t: ControlTarget, key: string, body: ControlBody): Reply {
  const ok = (extra: Record<string, unknown> = {}): Reply => controlReply(200, { ok: true, ...extra });
  switch (key) {
    case 'GET /health':
      return ok();
    case 'GET /journal':
      return ok({ entries: t.journal.entries(), deliveries: t.journal.deliveries() });
    case 'DELETE /journal':
      t.journal.clear();
      return ok();
    case 'GET /state':
      return ok({ state: t.state.snapshot() });
    case 'POST /seed':
      onlyFields(body, SEED_FIELDS);
      checkSeedNumbers(body);
      t.state.seed(body as SeedData);
      return ok();
    case 'POST /users': {
      if (typeof body.name !== 'string' || typeof body.email !== 'string') throw new ControlInputError(`a user needs 'name' and 'email' (strings)`);
      checkSeedNumbers(body);
      return ok({ user: t.state.addUser(body as unknown as UserSeed) });
    }
    case 'POST /reset':
      t.resetAll();
      return ok();
    case 'GET /faults':
      return ok({ faults: t.faults.list() });
    case 'DELETE /faults':
      t.faults.clear();
      return ok();
    case 'POST /faults/fail-next': {
      onlyFields(body, [...MATCH_FIELDS, 'status', 'count', 'body', 'headers']);
      const status = requiredInt(body, 'status', { min: 200, max: 599 });
      checkFiniteNumbers(body.body, 'body');
      t.faults.failNext({ ...faultMatch(body), status, count: faultCount(body), body: body.body, headers: faultHeaders(body) });
      return ok();
    }
    case 'POST /faults/latency': {
      onlyFields(body, [...MATCH_FIELDS, 'ms', 'count']);
      const ms = requiredInt(body, 'ms', { min: 0, max: MAX_LATENCY_MS, label: `0..${MAX_LATENCY_MS} (10 minutes)` });
      t.faults.latency({ ...faultMatch(body), ms, count: faultCount(body) });
      return ok();
    }
    case 'POST /faults/drop-after-apply':
      onlyFields(body, [...MATCH_FIELDS, 'count']);
      t.faults.dropAfterApply({ ...faultMatch(body), count: faultCount(body) });
      return ok();
    case 'GET /limits':
      return ok({ limits: t.limits.snapshot() });
    case 'POST /limits':
      onlyFields(body, ['dailyRemaining']);
      t.limits.setDailyRemaining(requiredInt(body, 'dailyRemaining', { min: 0, max: MAX_DAILY_REMAINING }));
      return ok({ limits: t.limits.snapshot() });
    case 'DELETE /limits':
      t.limits.reset();
      return ok();
    case 'GET /clock':
      return ok({ now: t.clock.now() });
    case 'POST /clock':
      onlyFields(body, ['advanceMs']);
      t.clock.advance(requiredInt(body, 'advanceMs', { min: 0, max: MAX_ADVANCE_MS, label: `0..${MAX_ADVANCE_MS} (31 days)` }));
      return ok({ now: t.clock.now() });
    case 'GET /search-lag':
      return ok({ searchLag: searchLag(t) });
    case 'POST /search-lag':
      onlyFields(body, ['ms']);
      t.state.searchIndex.setLag(requiredInt(body, 'ms', { min: 0, max: MAX_SEARCH_LAG_MS, label: `0..${MAX_SEARCH_LAG_MS} (1 day)` }));
      return ok({ searchLag: searchLag(t) });
    case 'POST /edit': {
      const edit = uiEditBody(body);
      try {
        return ok({ record: t.editInUi(edit) });
      } catch (e) {
        if (e instanceof UiEditError) return controlError(e.status, e.message);
        throw e;
      }
    }
    case 'POST /merge': {
      const merge = uiMergeBody(body);
      try {
        return ok({ record: t.mergeInUi(merge) });
      } catch (e) {
        if (e instanceof UiEditError) return controlError(e.status, e.message);
        throw e;
      }
    }
    case 'GET /webhooks':
      return ok({ subscriptions: t.state.webhooks.list(), pending: t.webhooks.pending() });
    case 'GET /deleted-reads':
      return ok({ deletedReads: t.state.deletedReads });
    case 'POST /deleted-reads':
      onlyFields(body, ['mode']);
      if (typeof body.mode !== 'string' || !(DELETED_READS as readonly string[]).includes(body.mode)) {
        throw new ControlInputError(`'mode' must be one of ${DELETED_READS.join(', ')}`);
      }
      t.state.deletedReads = body.mode as DeletedReads;
      return ok({ deletedReads: t.state.deletedReads });
    default:
      return controlError(404, `Unknown control route ${key}`);
  }
}

/**
 * Handles one control-path request whose access checks passed (`rawBody`: parsed JSON, `undefined` when empty).
 * Only `POST /webhooks/flush` answers asynchronously (it waits for deliveries in flight).
 */
export function handleControl(t: ControlTarget, method: string, path: string, rawBody: unknown): Reply | Promise<Reply> {
  const key = `${method} ${path.slice(CONTROL_PREFIX.length) || '/'}`;
  try {
    const body = objectBody(rawBody);
    if (key === 'POST /webhooks/flush') {
      onlyFields(body, []);
      return flushWebhooks(t);
    }
    return route(t, key, body);
  } catch (e) {
    return controlError(400, e instanceof Error ? e.message : String(e));
  }
}
