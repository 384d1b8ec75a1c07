/**
 * @module emulator/control
 * The control path (`/__emulator/...`): the programmatic API over HTTP, for a process that only has the URL (e.g.
 * the CLI emulator driven by another process). No auth, not rate limited, not journaled.
 */

import type { Faults, FaultMatch } from './faults';
import type { Journal } from './journal';
import type { RateLimiter } from './limits/rate_limits';
import type { UserSeed } from './model/builders';
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
  /** Resets data, faults, journal, limits and clock offset. */
  resetAll(): void;
}

/** The prefix of every control-path route. */
export const CONTROL_PREFIX = '/__emulator';

function json(status: number, body: unknown): Reply {
  return { status, body };
}

function bad(message: string): Reply {
  return json(400, { ok: false, error: message });
}

/** Reads `method` and `path`/`pathRegex` from a control body into a fault matcher. */
function matcher(body: Record<string, unknown>): FaultMatch {
  const m: FaultMatch = {};
  if (typeof body.method === 'string') m.method = body.method;
  if (typeof body.pathRegex === 'string') m.path = new RegExp(body.pathRegex);
  else if (typeof body.path === 'string') m.path = body.path;
  return m;
}

function optionalCount(body: Record<string, unknown>): number | undefined {
  return typeof body.count === 'number' ? body.count : undefined;
}

/** Handles one control-path request. */
export function handleControl(t: ControlTarget, method: string, path: string, rawBody: unknown): Reply {
  const body = (rawBody && typeof rawBody === 'object' ? rawBody : {}) as Record<string, unknown>;
  const route = `${method} ${path.slice(CONTROL_PREFIX.length) || '/'}`;
  try {
    switch (route) {
      case 'GET /health':
        return json(200, { ok: true });
      case 'GET /journal':
        return json(200, { ok: true, entries: t.journal.entries() });
      case 'DELETE /journal':
        t.journal.clear();
        return json(200, { ok: true });
      case 'GET /state':
        return json(200, { ok: true, state: t.state.snapshot() });
      case 'POST /seed':
        t.state.seed(body as SeedData);
        return json(200, { ok: true });
      case 'POST /users': {
        if (typeof body.name !== 'string' || typeof body.email !== 'string') return bad('a user needs name and email');
        const user = t.state.addUser(body as unknown as UserSeed);
        return json(200, { ok: true, user });
      }
      case 'POST /reset':
        t.resetAll();
        return json(200, { ok: true });
      case 'GET /faults':
        return json(200, { ok: true, faults: t.faults.list() });
      case 'DELETE /faults':
        t.faults.clear();
        return json(200, { ok: true });
      case 'POST /faults/fail-next':
        if (typeof body.status !== 'number') return bad(`'status' (number) is required`);
        t.faults.failNext({ ...matcher(body), status: body.status, count: optionalCount(body), body: body.body, headers: body.headers as Record<string, string> | undefined });
        return json(200, { ok: true });
      case 'POST /faults/latency':
        if (typeof body.ms !== 'number') return bad(`'ms' (number) is required`);
        t.faults.latency({ ...matcher(body), ms: body.ms, count: optionalCount(body) });
        return json(200, { ok: true });
      case 'POST /faults/drop-after-apply':
        t.faults.dropAfterApply({ ...matcher(body), count: optionalCount(body) });
        return json(200, { ok: true });
      case 'GET /limits':
        return json(200, { ok: true, limits: t.limits.snapshot() });
      case 'POST /limits':
        if (typeof body.dailyRemaining !== 'number') return bad(`'dailyRemaining' (number) is required`);
        t.limits.setDailyRemaining(body.dailyRemaining);
        return json(200, { ok: true, limits: t.limits.snapshot() });
      case 'DELETE /limits':
        t.limits.reset();
        return json(200, { ok: true });
      case 'GET /clock':
        return json(200, { ok: true, now: t.clock.now() });
      case 'POST /clock':
        if (typeof body.advanceMs !== 'number') return bad(`'advanceMs' (number) is required`);
        t.clock.advance(body.advanceMs);
        return json(200, { ok: true, now: t.clock.now() });
      default:
        return json(404, { ok: false, error: `Unknown control route ${route}` });
    }
  } catch (e) {
    return bad(e instanceof Error ? e.message : String(e));
  }
}
