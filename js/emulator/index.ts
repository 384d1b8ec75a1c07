/**
 * @module emulator/index
 * `pipedrive-sync/emulator`: a local Pipedrive for tests, the demo and users' own tests. Start one with
 * `startPipedriveEmulator()`; many can run at once in one process, each with its own data, limits and faults.
 */

import { randomBytes } from 'node:crypto';
import { Faults } from './faults';
import { Journal } from './journal';
import { RateLimiter, parsePlan, type Plan } from './limits/rate_limits';
import type { UserSeed } from './model/builders';
import { EmulatorState, type SeedData } from './model/state';
import { createEmulatorServer, listen } from './server';
import { EmulatorClock, type Clock } from './wire/clock';

export type { Clock } from './wire/clock';
export { EmulatorClock } from './wire/clock';
export type { FailNextOptions, LatencyOptions, DropAfterApplyOptions, FaultMatch } from './faults';
export { Faults } from './faults';
export type { JournalEntry } from './journal';
export { Journal } from './journal';
export type { Plan, LimitsSnapshot } from './limits/rate_limits';
export { RateLimiter, PLANS, SEARCH_LIMIT, BASE_DAILY_TOKENS } from './limits/rate_limits';
export type { SeedData, StateSnapshot } from './model/state';
export { EmulatorState } from './model/state';
export type { UserSeed } from './model/builders';
export type { OrganizationSeed } from './model/builders';
export type { ActivitySeed } from './model/builders';
export type * from './model/records';
export { TOKEN_COSTS, tokenCost } from './limits/token_costs';
export { DEFAULT_PERSON_LABELS, DEFAULT_ORGANIZATION_LABELS, DEFAULT_DEAL_LABELS } from './model/default_data';

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
  /** Resets data, faults, journal, limits and clock offset. */
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
  const state = new EmulatorState({ apiToken, now: clock.now, seed: options.seed, users: options.users });
  const faults = new Faults();
  const journal = new Journal(options.journalLimit);
  const limits = new RateLimiter(
    {
      plan, seats, burstLimit: options.burstLimit, searchLimit: options.searchLimit, dailyBudget: options.dailyBudget,
      budgetTimezoneOffsetMinutes: options.budgetTimezoneOffsetMinutes, ignoredLimit: options.ignoredLimit, blockMs: options.blockMs,
    },
    clock.now,
  );
  const resetAll = (): void => {
    clock.resetOffset();
    state.reset();
    faults.clear();
    journal.clear();
    limits.reset();
  };
  const server = createEmulatorServer({ state, faults, journal, limits, clock, resetAll });
  const host = options.host ?? '127.0.0.1';
  const port = await listen(server, options.port ?? 0, host);
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost === '0.0.0.0' ? '127.0.0.1' : urlHost}:${port}`,
    port,
    apiToken,
    plan,
    state,
    faults,
    journal,
    limits,
    clock,
    reset: resetAll,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
