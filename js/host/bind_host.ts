/**
 * @module host/bind_host
 * Builds the host object the engine calls. Every method is wrapped so that JavaScript never throws into Rust:
 * async methods resolve `{ok: true, value}` or `{ok: false, error}`, sync ones fall back to a safe default.
 */

import type { SyncStore } from '../store/types';
import { describeThrown, JsErrorRegistry } from './error_registry';
import type { HttpRequest, HttpSend, Logger, LogLevel } from './types';

/** The capabilities a host is built from (after defaults are applied). */
export interface HostFunctions {
  http: HttpSend;
  store: SyncStore;
  apiTokenFor?: (userId: string) => Promise<string | null | undefined> | string | null | undefined;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  /**
   * The clock of deadlines when the caller injected its own (`sleep`, e.g. a simulated clock); by default a real
   * timer that the engine cancels as soon as the deadline is no longer needed.
   */
  deadline?: (ms: number) => Promise<void>;
  random: () => number;
  logger: Logger;
  /** Secrets to scrub from anything logged, as a last line of defence. */
  secrets: string[];
}

/** A reply of an async host method. */
export type Reply<T, E> = { ok: true; value: T } | { ok: false; error: E };

/** The object the Rust `JsHost` calls. */
export interface EngineHost {
  send(request: HttpRequest): Promise<Reply<unknown, { kind: string; message: string }>>;
  store(method: string, args: unknown[]): Promise<Reply<unknown, { message: string; jsErrorId?: number }>>;
  tokenFor(userId: string): Promise<Reply<string | null, { message: string; jsErrorId?: number }>>;
  now(): number;
  sleep(ms: number): Promise<void>;
  /**
   * A timer the engine races against work that should be over by then (a request, a real-time budget, a lease
   * renewal); the engine calls `cancel` when it drops the deadline, so no timer outlives its use.
   */
  deadline(ms: number): { promise: Promise<void>; cancel(): void };
  random(): number;
  /** Minutes east of UTC of the IANA zone at the instant, or null for an unknown zone. */
  zoneOffset(zone: string, instantMs: number): number | null;
  log(level: LogLevel, event: string, fields: unknown): void;
}

/** Wraps `functions` into the never-throwing host the engine expects. */
export function bindHost(functions: HostFunctions, registry: JsErrorRegistry): EngineHost {
  const scrub = (text: string) => functions.secrets.reduce((out, secret) => (secret ? out.split(secret).join('<redacted>') : out), text);
  const failure = (thrown: unknown) => ({ message: scrub(describeThrown(thrown)), jsErrorId: registry.put(thrown) });
  return {
    async send(request) {
      try {
        const answer = await functions.http(request);
        if (answer && typeof answer === 'object' && 'kind' in answer) {
          return { ok: false, error: { kind: answer.kind === 'timeout' ? 'timeout' : 'network', message: scrub(String(answer.message)) } };
        }
        if (!answer || typeof answer.status !== 'number') {
          return { ok: false, error: { kind: 'network', message: 'the http host answered without a status' } };
        }
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(answer.headers ?? {})) headers[name.toLowerCase()] = String(value);
        return { ok: true, value: { status: answer.status, headers, body: typeof answer.body === 'string' ? answer.body : '' } };
      } catch (thrown) {
        return { ok: false, error: { kind: 'network', message: scrub(describeThrown(thrown)) } };
      }
    },
    async store(method, args) {
      const fn = (functions.store as unknown as Record<string, unknown>)[method];
      if (typeof fn !== 'function') return { ok: false, error: { message: `the store has no method ${method}` } };
      try {
        return { ok: true, value: toPlainData(await fn.apply(functions.store, args)) };
      } catch (thrown) {
        return { ok: false, error: failure(thrown) };
      }
    },
    async tokenFor(userId) {
      if (!functions.apiTokenFor) return { ok: true, value: null };
      try {
        const token = await functions.apiTokenFor(userId);
        if (typeof token !== 'string') return { ok: true, value: null };
        // Every token the engine is given is scrubbed from logs and errors from now on.
        const trimmed = token.trim();
        if (trimmed.length >= 4 && !functions.secrets.includes(trimmed)) functions.secrets.push(trimmed);
        return { ok: true, value: token };
      } catch (thrown) {
        return { ok: false, error: failure(thrown) };
      }
    },
    now() {
      try {
        const value = functions.now();
        if (typeof value === 'number' && Number.isFinite(value)) return value;
      } catch {
        // fall through to the system clock: a broken clock must not stop the engine
      }
      return Date.now();
    },
    sleep(ms) {
      return settleAfter(functions.sleep, ms);
    },
    deadline(ms) {
      if (functions.deadline) return { promise: settleAfter(functions.deadline, ms), cancel: () => undefined };
      let timer: ReturnType<typeof setTimeout> | undefined;
      const promise = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, ms);
      });
      return { promise, cancel: () => clearTimeout(timer) };
    },
    random() {
      try {
        const value = functions.random();
        if (typeof value === 'number' && value >= 0 && value < 1) return value;
      } catch {
        // fall through
      }
      return Math.random();
    },
    zoneOffset(zone, instantMs) {
      return zoneOffsetMinutes(zone, instantMs);
    },
    log(level, event, fields) {
      try {
        const safe = JSON.parse(scrub(JSON.stringify(fields ?? {}))) as Record<string, unknown>;
        functions.logger(level, event, safe);
      } catch {
        // a failing logger must never break a sync operation
      }
    },
  };
}

/**
 * Store results as plain JSON data: `Date` → ISO string, `bigint` → number (or string when too large),
 * `undefined` → `null`. Prisma returns Dates and, for BigInt columns, bigints; the engine reads JSON.
 */
export function toPlainData(value: unknown): unknown {
  if (value === undefined) return null;
  return JSON.parse(
    JSON.stringify(value, (_key, item: unknown) => {
      if (typeof item === 'bigint') return Number.isSafeInteger(Number(item)) ? Number(item) : item.toString();
      return item;
    }) ?? 'null',
  );
}

/**
 * Minutes east of UTC of the IANA time zone `zone` at `instantMs`, from Node's ICU time-zone database; `null`
 * when the zone is unknown.
 */
export function zoneOffsetMinutes(zone: string, instantMs: number): number | null {
  try {
    const parts = new Intl.DateTimeFormat('en-US', {
      timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    }).formatToParts(new Date(instantMs));
    const part = (type: string) => Number(parts.find((p) => p.type === type)?.value);
    const wall = Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'), part('second'));
    const instant = Math.floor(instantMs / 1000) * 1000;
    return Math.round((wall - instant) / 60_000);
  } catch {
    return null;
  }
}

/** Resolves when `timer(ms)` settles, whatever it does (a throwing or rejecting timer falls back to `setTimeout`). */
function settleAfter(timer: (ms: number) => Promise<void>, ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    try {
      Promise.resolve(timer(ms)).then(() => resolve(), () => setTimeout(resolve, ms));
    } catch {
      setTimeout(resolve, ms);
    }
  });
}
