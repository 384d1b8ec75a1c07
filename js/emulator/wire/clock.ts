/**
 * @module emulator/wire/clock
 * Time as Pipedrive writes and reads it: RFC 3339 with one-second resolution for v2, `YYYY-MM-DD HH:MM:SS` (UTC)
 * for v1, and the strict parsers v2 applies to dates, times and timestamps sent by clients.
 */

/** A source of "now" in epoch milliseconds; injected so tests can move time instead of waiting. */
export type Clock = () => number;

/** Formats an instant the way API v2 does: `2024-07-01T05:46:33Z`, truncated to the second. */
export function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** Formats an instant the way API v1 does: `2024-07-01 05:46:33` in UTC, without a zone suffix. */
export function v1Time(ms: number): string {
  return rfc3339(ms).replace('T', ' ').replace('Z', '');
}

// Whole seconds only: v2 rejects fractional seconds and space-separated timestamps (API-FACTS §2.1).
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(Z|[+-]\d{2}:\d{2})$/;

/** Parses a whole-second RFC 3339 timestamp; `null` for anything v2 would reject. */
export function parseRfc3339(value: string): number | null {
  const m = RFC3339.exec(value);
  if (!m) return null;
  if (!isCalendarDate(+m[1], +m[2], +m[3]) || +m[4] > 23 || +m[5] > 59 || +m[6] > 59) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real calendar date written `YYYY-MM-DD`. */
export function isDate(value: string): boolean {
  const m = DATE.exec(value);
  return m !== null && isCalendarDate(+m[1], +m[2], +m[3]);
}

function isCalendarDate(y: number, mo: number, d: number): boolean {
  if (mo < 1 || mo > 12 || d < 1) return false;
  const days = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  return d <= days;
}

const TIME = /^(\d{2}):(\d{2})(?::(\d{2}))?$/;

/**
 * Normalises a wall-clock time (`HH:MM` or `HH:MM:SS`) to `HH:MM:SS`, the form the v2 spec examples return;
 * `null` when the value is not a valid time.
 */
export function normaliseTime(value: string): string | null {
  const m = TIME.exec(value);
  if (!m) return null;
  const h = +m[1], mi = +m[2], s = m[3] === undefined ? 0 : +m[3];
  if (h > 23 || mi > 59 || s > 59) return null;
  return `${m[1]}:${m[2]}:${m[3] ?? '00'}`;
}

/** Milliseconds in a day, for the daily budget reset. */
export const DAY_MS = 86_400_000;

/** The index of the day containing `ms`, in a timezone `offsetMinutes` east of UTC. */
export function dayIndex(ms: number, offsetMinutes: number): number {
  return Math.floor((ms + offsetMinutes * 60_000) / DAY_MS);
}

/** The instant of the next midnight after `ms`, in a timezone `offsetMinutes` east of UTC. */
export function nextMidnight(ms: number, offsetMinutes: number): number {
  return (dayIndex(ms, offsetMinutes) + 1) * DAY_MS - offsetMinutes * 60_000;
}

/**
 * The emulator's clock: an injected base clock plus an offset that tests (or the control path) can advance, so a
 * process that only has the URL can still move time for burst windows, the daily reset and webhook retries.
 */
export class EmulatorClock {
  private offset = 0;
  private readonly base: Clock;
  private readonly advanceListeners = new Set<() => void>();

  constructor(base: Clock = Date.now) {
    this.base = base;
  }

  /** Current emulator time, epoch ms. */
  readonly now = (): number => this.base() + this.offset;

  /** Moves the clock forward by `ms` (on top of the base clock). */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new Error(`advance needs a non-negative number of ms, got ${ms}`);
    this.offset += ms;
    for (const listener of this.advanceListeners) listener();
  }

  /** Calls `listener` after every `advance` (e.g. to send webhook retries that fell due); returns the unsubscribe. */
  onAdvance(listener: () => void): () => void {
    this.advanceListeners.add(listener);
    return () => {
      this.advanceListeners.delete(listener);
    };
  }

  /** Removes any advance. */
  resetOffset(): void {
    this.offset = 0;
  }
}
