/**
 * @module emulator/faults
 * Fault injection: fail the next N matching requests with a status, add latency, or apply a change and then
 * destroy the connection without answering (the "did my create happen?" case). Rules match a method (optional)
 * and a path given as a string prefix or a glob (`*` = any run of characters except `/`, `**` = anything; see
 * `emulator/path_match`). In-process code may also pass a RegExp as `path`; the HTTP control path never accepts
 * one, because a pattern like `^/(a+)+$` can stall the emulator.
 */

import { PathGlob } from './path_match';
import { faultReply, type Reply } from './wire/envelope';

/** Which requests a rule applies to. */
export interface FaultMatch {
  /** HTTP method (any when omitted); case-insensitive. */
  method?: string;
  /**
   * Path prefix (e.g. `/api/v2/persons`), or a RegExp tested against the path (trusted in-process code only: the
   * control path refuses regexes); any path when omitted.
   */
  path?: string | RegExp;
  /**
   * A glob the whole path must match: `*` is any run of characters except `/`, `**` any run at all, e.g.
   * `/api/v2/persons/*` (one person) or `/api/v2/**` (everything under v2). Combined with `path` when both are given.
   */
  glob?: string;
}

/** Fail the next `count` matching requests with `status`. */
export interface FailNextOptions extends FaultMatch {
  /** Status to answer with, e.g. 503. */
  status: number;
  /** How many requests to fail (default 1). */
  count?: number;
  /** Body to send: an object is sent as JSON, a string as text (HTML if it starts with `<`); default a Pipedrive error envelope. */
  body?: unknown;
  /** Extra headers, e.g. `{'retry-after': '3'}`. */
  headers?: Record<string, string>;
}

/** Delay matching requests by `ms` before they are processed. */
export interface LatencyOptions extends FaultMatch {
  /** Added delay in real milliseconds. */
  ms: number;
  /** How many requests to delay (default: every matching request until `clear()`). */
  count?: number;
}

/** Apply the next `count` matching requests, then destroy the connection before answering. */
export interface DropAfterApplyOptions extends FaultMatch {
  /** How many requests to drop (default 1). */
  count?: number;
}

/** A rule's matcher, with its glob compiled once. */
interface CompiledMatch {
  method?: string;
  path?: string | RegExp;
  glob?: PathGlob;
}

interface Rule<T> {
  match: CompiledMatch;
  remaining: number;
  data: T;
}

function compile(match: FaultMatch): CompiledMatch {
  return {
    method: match.method?.toUpperCase(),
    path: match.path,
    glob: match.glob === undefined ? undefined : new PathGlob(match.glob),
  };
}

function matches(rule: CompiledMatch, method: string, path: string): boolean {
  if (rule.method !== undefined && rule.method !== method) return false;
  if (rule.path !== undefined && !(typeof rule.path === 'string' ? path.startsWith(rule.path) : rule.path.test(path))) return false;
  return rule.glob === undefined || rule.glob.test(path);
}

function take<T>(rules: Rule<T>[], method: string, path: string): T | undefined {
  for (let i = 0; i < rules.length; i++) {
    const r = rules[i];
    if (!matches(r.match, method, path)) continue;
    if (--r.remaining <= 0) rules.splice(i, 1);
    return r.data;
  }
  return undefined;
}

function describe(match: CompiledMatch): { method: string | null; path: string | null; glob: string | null } {
  return { method: match.method ?? null, path: match.path === undefined ? null : String(match.path), glob: match.glob?.source ?? null };
}

/** The active fault rules of one emulator. */
export class Faults {
  private readonly failures: Rule<{ status: number; body?: unknown; headers?: Record<string, string> }>[] = [];
  private readonly latencies: Rule<number>[] = [];
  private readonly drops: Rule<true>[] = [];

  /** Fails the next `count` (default 1) requests matching method and path with `status`. */
  failNext(opts: FailNextOptions): void {
    checkCount(opts.count);
    this.failures.push({ match: compile(opts), remaining: opts.count ?? 1, data: { status: opts.status, body: opts.body, headers: opts.headers } });
  }

  /** Delays matching requests by `ms` (every one until `clear()`, or the next `count`). */
  latency(opts: LatencyOptions): void {
    checkCount(opts.count);
    this.latencies.push({ match: compile(opts), remaining: opts.count ?? Number.POSITIVE_INFINITY, data: opts.ms });
  }

  /** Applies the next `count` (default 1) matching requests, then destroys their connections unanswered. */
  dropAfterApply(opts: DropAfterApplyOptions): void {
    checkCount(opts.count);
    this.drops.push({ match: compile(opts), remaining: opts.count ?? 1, data: true });
  }

  /** Removes every rule. */
  clear(): void {
    this.failures.length = 0;
    this.latencies.length = 0;
    this.drops.length = 0;
  }

  /** The active rules, for inspection. */
  list(): { failNext: object[]; latency: object[]; dropAfterApply: object[] } {
    return {
      failNext: this.failures.map((r) => ({ ...describe(r.match), status: r.data.status, remaining: r.remaining })),
      latency: this.latencies.map((r) => ({ ...describe(r.match), ms: r.data, remaining: Number.isFinite(r.remaining) ? r.remaining : null })),
      dropAfterApply: this.drops.map((r) => ({ ...describe(r.match), remaining: r.remaining })),
    };
  }

  /** @internal The injected failure for this request, consuming one use of the rule. */
  takeFailure(method: string, path: string): Reply | undefined {
    if (this.failures.length === 0) return undefined;
    const f = take(this.failures, method, path);
    if (!f) return undefined;
    const reply = faultReply(f.status, f.body);
    if (f.headers) reply.headers = { ...reply.headers, ...f.headers };
    return reply;
  }

  /** @internal The latency to add to this request (0 for none). */
  takeLatency(method: string, path: string): number {
    if (this.latencies.length === 0) return 0;
    return take(this.latencies, method, path) ?? 0;
  }

  /** @internal Whether to drop this request's connection after applying it. */
  takeDrop(method: string, path: string): boolean {
    if (this.drops.length === 0) return false;
    return take(this.drops, method, path) ?? false;
  }
}

function checkCount(count: number | undefined): void {
  if (count !== undefined && (!Number.isInteger(count) || count < 1)) throw new Error(`count must be a positive integer, got ${count}`);
}
