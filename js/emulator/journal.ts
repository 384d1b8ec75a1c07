/**
 * @module emulator/journal
 * The request journal: every API request (not control-path calls) with method, path, query, body, status and
 * time, for assertions, plus every edit made "in the Pipedrive UI" (`editInUi`), marked `method: 'UI'` and
 * `source: 'app'`, and every webhook delivery attempt (`deliveries()`: URL, event id, attempt, status or error,
 * the body sent). The API token never reaches it: `api_token` query values are redacted and headers are not
 * stored; nor do webhook passwords (the Basic auth header is not kept, only whether one was sent).
 */

import type { WebhookDeliveryEntry } from './webhooks/delivery_entry';

export type { WebhookDeliveryEntry };

/** One journaled request. */
export interface JournalEntry {
  /** Upper-case HTTP method; `UI` for an edit made in the UI through `editInUi`. */
  method: string;
  /** Path without the query string (for a UI edit, the record's v2 path, e.g. `/api/v2/persons/7`). */
  path: string;
  /** Query parameters (`api_token` redacted). */
  query: Record<string, string>;
  /** Parsed JSON body; the raw text when it was not JSON; `undefined` when empty. */
  body: unknown;
  /** Status sent; 0 when the connection was dropped without an answer. */
  status: number;
  /** Emulator clock time when the request arrived, epoch ms. */
  time: number;
  /** The authenticated user's id, `null` for unauthenticated requests. */
  userId: number | null;
  /** True when a `dropAfterApply` fault destroyed the connection after the change was applied. */
  dropped?: boolean;
  /** `app` for an edit made in the UI (`editInUi`); absent on API requests. */
  source?: 'app';
}


/** The replacement for redacted secrets. */
export const REDACTED = '[redacted]';

/** The request journal: array-like, iterable, clearable. */
export class Journal implements Iterable<JournalEntry> {
  private items: JournalEntry[] = [];
  private deliveryItems: WebhookDeliveryEntry[] = [];
  private readonly maxEntries: number;

  /** Keeps at most `maxEntries` (oldest dropped first) so long runs cannot exhaust memory. */
  constructor(maxEntries = 100_000) {
    this.maxEntries = maxEntries;
  }

  /** Number of entries. */
  get length(): number {
    return this.items.length;
  }

  /** Entry at index (negative counts from the end). */
  at(index: number): JournalEntry | undefined {
    return this.items.at(index);
  }

  /** A copy of all entries, oldest first. */
  entries(): JournalEntry[] {
    return this.items.slice();
  }

  /** Entries passing a predicate. */
  filter(pred: (e: JournalEntry, i: number) => boolean): JournalEntry[] {
    return this.items.filter(pred);
  }

  /** The first entry passing a predicate. */
  find(pred: (e: JournalEntry, i: number) => boolean): JournalEntry | undefined {
    return this.items.find(pred);
  }

  /** Maps every entry. */
  map<U>(fn: (e: JournalEntry, i: number) => U): U[] {
    return this.items.map(fn);
  }

  /** The most recent entry. */
  last(): JournalEntry | undefined {
    return this.items[this.items.length - 1];
  }

  /** A copy of every webhook delivery attempt, oldest first. */
  deliveries(): WebhookDeliveryEntry[] {
    return this.deliveryItems.slice();
  }

  /** Forgets every entry and delivery. */
  clear(): void {
    this.items = [];
    this.deliveryItems = [];
  }

  /** Iterates entries oldest first. */
  [Symbol.iterator](): Iterator<JournalEntry> {
    return this.items[Symbol.iterator]();
  }

  /** Serialises as the array of entries. */
  toJSON(): JournalEntry[] {
    return this.items;
  }

  /** @internal Appends an entry. */
  record(entry: JournalEntry): void {
    this.items.push(entry);
    if (this.items.length > this.maxEntries) this.items.splice(0, this.items.length - this.maxEntries);
  }

  /** @internal Appends a webhook delivery attempt. */
  recordDelivery(entry: WebhookDeliveryEntry): void {
    this.deliveryItems.push(entry);
    if (this.deliveryItems.length > this.maxEntries) this.deliveryItems.splice(0, this.deliveryItems.length - this.maxEntries);
  }
}

/** Query parameters as a plain object, with the legacy `api_token` parameter redacted. */
export function redactedQuery(query: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of query) out[k] = k === 'api_token' ? REDACTED : v;
  return out;
}
