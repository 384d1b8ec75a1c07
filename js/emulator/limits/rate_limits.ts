/**
 * @module emulator/limits/rate_limits
 * Rolling 2-second burst windows per API token (by plan), the search window (10 per 2 s on every plan), the
 * company's daily token budget (30,000 × plan multiplier × seats, reset at midnight of a configurable timezone),
 * the `x-ratelimit-*` headers, and the Cloudflare block for tokens that keep sending after 429s.
 */

import { dayIndex, nextMidnight } from '../wire/clock';

/** Pipedrive plans, which set the burst limit and the daily budget multiplier. */
export type Plan = 'lite' | 'growth' | 'premium' | 'ultimate';

/** Burst limit per 2 s for API-token traffic, and the daily budget multiplier, per plan (API-FACTS §6.1). */
export const PLANS: Readonly<Record<Plan, { burst: number; multiplier: number }>> = {
  lite: { burst: 20, multiplier: 1 },
  growth: { burst: 40, multiplier: 2 },
  premium: { burst: 100, multiplier: 5 },
  ultimate: { burst: 120, multiplier: 7 },
};

/** Search endpoints allow 10 requests per 2 s on every plan. */
export const SEARCH_LIMIT = 10;
/** Daily tokens per seat before the plan multiplier. */
export const BASE_DAILY_TOKENS = 30_000;
/** Length of the rolling window. */
export const WINDOW_MS = 2_000;

/** Parses a plan name case-insensitively; throws on anything else. */
export function parsePlan(name: string): Plan {
  const p = name.toLowerCase();
  if (p in PLANS) return p as Plan;
  throw new Error(`Unknown plan '${name}': use one of ${Object.keys(PLANS).join(', ')}`);
}

/** Options of the limiter. */
export interface RateLimitOptions {
  /** The plan (sets burst and daily multiplier). */
  plan: Plan;
  /** Seats (users) paid for: multiplies the daily budget. */
  seats: number;
  /** Overrides the plan's burst limit (e.g. a huge value for benchmarks). */
  burstLimit?: number;
  /** Overrides the search limit. */
  searchLimit?: number;
  /** Overrides the computed daily budget. */
  dailyBudget?: number;
  /** The daily budget resets at midnight in this timezone, in minutes east of UTC (default 0, UTC). */
  budgetTimezoneOffsetMinutes?: number;
  /** 429s a token may ignore (requests sent while still limited) before it is blocked with a 403 (default 3). */
  ignoredLimit?: number;
  /** How long the Cloudflare block lasts (default 60 s). */
  blockMs?: number;
}

/** The limiter's verdict for one request, with the rate-limit headers to send. */
export type Decision =
  | { kind: 'allow'; headers: Record<string, string> }
  | { kind: 'limited'; reason: 'burst' | 'search' | 'daily'; headers: Record<string, string> }
  | { kind: 'blocked'; headers: Record<string, string> };

interface TokenState {
  burst: number[];
  search: number[];
  limitedUntil: number;
  ignored: number;
  blockedUntil: number;
}

/** A point-in-time view of the limits, for assertions and the control path. */
export interface LimitsSnapshot {
  plan: Plan;
  burstLimit: number;
  searchLimit: number;
  dailyLimit: number;
  dailyRemaining: number;
  /** Next daily reset, epoch ms. */
  dailyResetAt: number;
  tokens: Record<string, { burstUsed: number; searchUsed: number; blocked: boolean; ignored429s: number }>;
}

function prune(window: number[], cutoff: number): void {
  let n = 0;
  while (n < window.length && window[n] <= cutoff) n++;
  if (n > 0) window.splice(0, n);
}

/** Burst windows, search window and daily budget for one emulated company. */
export class RateLimiter {
  /** Requests per 2 s per token. */
  readonly burstLimit: number;
  /** Search requests per 2 s per token. */
  readonly searchLimit: number;
  /** Tokens per day for the company. */
  readonly dailyLimit: number;
  private dailyRemaining: number;
  private day: number;
  private readonly tokens = new Map<string, TokenState>();
  private readonly tzOffset: number;
  private readonly ignoredLimit: number;
  private readonly blockMs: number;
  private readonly plan: Plan;
  private readonly now: () => number;

  constructor(opts: RateLimitOptions, now: () => number) {
    this.plan = opts.plan;
    this.now = now;
    this.burstLimit = opts.burstLimit ?? PLANS[opts.plan].burst;
    this.searchLimit = opts.searchLimit ?? SEARCH_LIMIT;
    this.dailyLimit = opts.dailyBudget ?? BASE_DAILY_TOKENS * PLANS[opts.plan].multiplier * opts.seats;
    this.tzOffset = opts.budgetTimezoneOffsetMinutes ?? 0;
    this.ignoredLimit = opts.ignoredLimit ?? 3;
    this.blockMs = opts.blockMs ?? 60_000;
    this.dailyRemaining = this.dailyLimit;
    this.day = dayIndex(now(), this.tzOffset);
  }

  /** Decides whether a request with this token may proceed, and charges it when it does. */
  check(token: string, search: boolean, cost: number): Decision {
    const now = this.now();
    this.rollDay(now);
    let st = this.tokens.get(token);
    if (!st) {
      st = { burst: [], search: [], limitedUntil: 0, ignored: 0, blockedUntil: 0 };
      this.tokens.set(token, st);
    }
    if (now < st.blockedUntil) return { kind: 'blocked', headers: {} };
    const cutoff = now - WINDOW_MS;
    prune(st.burst, cutoff);
    prune(st.search, cutoff);

    let reason: 'burst' | 'search' | 'daily' | null = null;
    let resetAt = 0;
    if (st.burst.length >= this.burstLimit) {
      reason = 'burst';
      resetAt = st.burst[0] + WINDOW_MS;
    } else if (search && st.search.length >= this.searchLimit) {
      reason = 'search';
      resetAt = st.search[0] + WINDOW_MS;
    } else if (this.dailyRemaining <= 0) {
      reason = 'daily';
      resetAt = nextMidnight(now, this.tzOffset);
    }

    if (reason !== null) {
      if (reason !== 'daily') {
        // A request arriving while the token is still limited ignores the earlier 429.
        if (now < st.limitedUntil) st.ignored++;
        else st.ignored = 0;
        st.limitedUntil = Math.max(st.limitedUntil, resetAt);
        if (st.ignored > this.ignoredLimit) {
          st.blockedUntil = now + this.blockMs;
          st.ignored = 0;
          return { kind: 'blocked', headers: {} };
        }
      }
      const reset = reason === 'daily' ? Math.ceil((resetAt - now) / 1000) : Math.max(1, Math.ceil((resetAt - now) / 1000));
      const limit = reason === 'search' ? this.searchLimit : this.burstLimit;
      return { kind: 'limited', reason, headers: this.headers(limit, 0, reset) };
    }

    st.burst.push(now);
    if (search) st.search.push(now);
    this.dailyRemaining = Math.max(0, this.dailyRemaining - cost);
    // Pipedrive documents `x-ratelimit-*` as the burst window's, on every response, search included; the search
    // limit is its own (10 per 2 s) and has no header.
    const reset = Math.max(1, Math.ceil((st.burst[0] + WINDOW_MS - now) / 1000));
    return { kind: 'allow', headers: this.headers(this.burstLimit, this.burstLimit - st.burst.length, reset) };
  }

  /** Sets the company's remaining daily tokens (e.g. to test exhaustion without spending 30,000 tokens). */
  setDailyRemaining(tokens: number): void {
    this.rollDay(this.now());
    this.dailyRemaining = Math.max(0, Math.min(tokens, this.dailyLimit));
  }

  /** Tokens the company has left today. */
  get remainingToday(): number {
    this.rollDay(this.now());
    return this.dailyRemaining;
  }

  /** Clears every window, block and the day's spending. */
  reset(): void {
    this.tokens.clear();
    this.dailyRemaining = this.dailyLimit;
    this.day = dayIndex(this.now(), this.tzOffset);
  }

  /** The current state of all limits. */
  snapshot(): LimitsSnapshot {
    const now = this.now();
    this.rollDay(now);
    const tokens: LimitsSnapshot['tokens'] = {};
    let i = 0;
    for (const st of this.tokens.values()) {
      // Tokens are secrets: the snapshot names them by order of first use only.
      tokens[`token#${++i}`] = {
        burstUsed: st.burst.filter((t) => t > now - WINDOW_MS).length,
        searchUsed: st.search.filter((t) => t > now - WINDOW_MS).length,
        blocked: now < st.blockedUntil,
        ignored429s: st.ignored,
      };
    }
    return {
      plan: this.plan, burstLimit: this.burstLimit, searchLimit: this.searchLimit, dailyLimit: this.dailyLimit,
      dailyRemaining: this.dailyRemaining, dailyResetAt: nextMidnight(now, this.tzOffset), tokens,
    };
  }

  private rollDay(now: number): void {
    const d = dayIndex(now, this.tzOffset);
    if (d !== this.day) {
      this.day = d;
      this.dailyRemaining = this.dailyLimit;
    }
  }

  private headers(limit: number, remaining: number, reset: number): Record<string, string> {
    return {
      'x-ratelimit-limit': String(limit),
      'x-ratelimit-remaining': String(remaining),
      'x-ratelimit-reset': String(reset),
      'x-daily-ratelimit-token-limit': String(this.dailyLimit),
      'x-daily-ratelimit-token-remaining': String(this.dailyRemaining),
    };
  }
}
