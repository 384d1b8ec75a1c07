/**
 * @module emulator/control
 * The control path (`/__emulator/...`): the programmatic API over HTTP, for a process that only has the URL (e.g.
 * the CLI emulator driven by another process). Not rate limited, not journaled, and guarded instead of
 * authenticated (see `emulator/control_access`: JSON bodies only, no foreign `Origin`, loopback `Host`).
 * Bodies are read strictly (`emulator/control_input`): unknown fields, regexes and out-of-range numbers get a 400
 * naming the field.
 *
 * Routes (bodies are JSON objects; every reply is `{ok: true, ...}` or `{ok: false, error}`):
 * - `GET /health`; `GET|DELETE /journal`; `GET /state`; `POST /seed` (SeedData); `POST /users` ({name, email, ...});
 *   `POST /reset` (data, faults, journal, limits, clock offset and search lag back to the start).
 * - `GET|DELETE /faults`; `POST /faults/fail-next` {status 200..599, count? 1..10000, method?, path?, glob?, body?,
 *   headers?}; `POST /faults/latency` {ms 0..600000, count?, method?, path?, glob?}; `POST /faults/drop-after-apply`
 *   {count?, method?, path?, glob?}. `path` is a prefix; `glob` must match the whole path, `*` = any characters
 *   except `/`, `**` = anything. `pathRegex` is refused.
 * - `GET|DELETE /limits`; `POST /limits` {dailyRemaining 0..1e9}.
 * - `GET /clock`; `POST /clock` {advanceMs 0..2678400000 (31 days)}.
 * - `GET /search-lag`; `POST /search-lag` {ms 0..86400000}: records created or renamed less than `ms` ago
 *   (emulator clock) are not found by the search endpoints yet; GET and list see them at once.
 */

import {
  ControlInputError, MAX_ADVANCE_MS, MAX_DAILY_REMAINING, MAX_LATENCY_MS, checkFiniteNumbers, checkSeedNumbers, faultCount, faultHeaders,
  faultMatch, objectBody, onlyFields, requiredInt, type ControlBody,
} from './control_input';
import type { Faults } from './faults';
import type { Journal } from './journal';
import type { RateLimiter } from './limits/rate_limits';
import type { UserSeed } from './model/builders';
import { MAX_SEARCH_LAG_MS } from './model/search_index';
import type { EmulatorState, SeedData } from './model/state';
import type { EmulatorClock } from './wire/clock';
import type { Reply } from './wire/envelope';

/** The emulator parts the control path drives. */
export interface ControlTarget {
  state: EmulatorState;
  faults: Faults;
  journal: Journal;
  limits: RateLimiter;
  clock: EmulatorClock;
  /** Resets data, faults, journal, limits, clock offset and search lag. */
  resetAll(): void;
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
const SEED_FIELDS: readonly (keyof SeedData)[] = ['users', 'persons', 'organizations', 'activities', 'deals', 'activityTypes', 'company'];

function searchLag(t: ControlTarget): { ms: number } {
  return { ms: t.state.searchIndex.lagMs };
}

function route(t: ControlTarget, key: string, body: ControlBody): Reply {
  const ok = (extra: Record<string, unknown> = {}): Reply => controlReply(200, { ok: true, ...extra });
  switch (key) {
    case 'GET /health':
      return ok();
    case 'GET /journal':
      return ok({ entries: t.journal.entries() });
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
    default:
      return controlError(404, `Unknown control route ${key}`);
  }
}

/** Handles one control-path request whose access checks passed (`rawBody`: parsed JSON, `undefined` when empty). */
export function handleControl(t: ControlTarget, method: string, path: string, rawBody: unknown): Reply {
  const key = `${method} ${path.slice(CONTROL_PREFIX.length) || '/'}`;
  try {
    return route(t, key, objectBody(rawBody));
  } catch (e) {
    return controlError(400, e instanceof Error ? e.message : String(e));
  }
}
