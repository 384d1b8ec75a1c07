/**
 * @module emulator/model/search_index
 * Search index lag: Pipedrive's search is served from an index that trails the database, so a record created (or
 * renamed) a moment ago is not yet found by `/api/v2/persons/search` or `/api/v2/organizations/search`, while
 * GET and list endpoints see it at once. With a lag of `ms` (emulator clock), a record whose searchable fields
 * changed less than `ms` ago is left out of search results. The default lag is 0 (search sees everything at once);
 * seeded records count as indexed from the start.
 */

import type { EntityKind } from './records';

/** The longest search lag accepted: one day. */
export const MAX_SEARCH_LAG_MS = 86_400_000;

/** Throws unless `ms` is a whole number of milliseconds in 0..`MAX_SEARCH_LAG_MS`. */
export function checkSearchLag(ms: number, field = 'ms'): void {
  if (!Number.isInteger(ms) || ms < 0 || ms > MAX_SEARCH_LAG_MS) {
    throw new Error(`'${field}' must be an integer between 0 and ${MAX_SEARCH_LAG_MS} (1 day), got ${ms}`);
  }
}

/** When each record's searchable fields last changed, and how far the index trails. */
export class SearchIndex {
  private lag: number;
  private readonly startLag: number;
  private readonly changedAt = new Map<string, number>();

  /** An index trailing by `lagMs` (default 0), the value `reset()` returns to. */
  constructor(lagMs = 0) {
    checkSearchLag(lagMs, 'searchLagMs');
    this.lag = lagMs;
    this.startLag = lagMs;
  }

  /** The current lag in milliseconds. */
  get lagMs(): number {
    return this.lag;
  }

  /** Sets the lag; records changed less than `ms` ago (emulator clock) are hidden from search. */
  setLag(ms: number): void {
    checkSearchLag(ms);
    this.lag = ms;
  }

  /** Notes that a record was created, or its searchable fields changed, at `at` (epoch ms). */
  touch(kind: EntityKind, id: number, at: number): void {
    this.changedAt.set(`${kind}:${id}`, at);
  }

  /** Whether search can see the record at `now`: its last searchable change is at least the lag old. */
  visible(kind: EntityKind, id: number, now: number): boolean {
    if (this.lag === 0) return true;
    const at = this.changedAt.get(`${kind}:${id}`);
    return at === undefined || now - at >= this.lag;
  }

  /** Forgets every change and returns to the start-up lag. */
  reset(): void {
    this.changedAt.clear();
    this.lag = this.startLag;
  }
}
