/**
 * @module emulator/routes/listing
 * v2 list semantics shared by persons, organizations, activities and deals: `ids` (up to 100), `updated_since`
 * (inclusive) / `updated_until` (exclusive), one-field sorting, and opaque cursors with `limit` (default 100, max 500).
 */

import { parseRfc3339 } from '../wire/clock';
import { validationFailed } from '../wire/envelope';
import type { ParsedQuery, QuerySpec } from './validation';

/** The fields every v2 entity record has. */
export interface BaseRecord {
  id: number;
  add_time: string;
  update_time: string;
  is_deleted: boolean;
}

/** Query parameters every v2 entity list accepts. */
export const COMMON_LIST_QUERY: Record<string, QuerySpec> = {
  ids: { kind: 'id-list', max: 100 },
  updated_since: { kind: 'datetime' },
  updated_until: { kind: 'datetime' },
  sort_direction: { kind: 'string', enum: ['asc', 'desc'] },
  limit: { kind: 'integer', min: 1, max: 500 },
  cursor: { kind: 'string' },
  custom_fields: { kind: 'string' },
};

interface CursorState {
  /** Sort key the cursor was issued for; reusing a cursor with another sort is rejected. */
  s: string;
  /** Offset into the sorted, filtered list. */
  o: number;
}

function encodeCursor(c: CursorState): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

function decodeCursor(raw: string, sortKey: string): number {
  let c: unknown;
  try {
    c = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw validationFailed(`query parameter 'cursor' is not a valid cursor`);
  }
  const st = c as Partial<CursorState>;
  if (typeof c !== 'object' || c === null || typeof st.o !== 'number' || !Number.isInteger(st.o) || st.o < 0 || st.s !== sortKey) {
    throw validationFailed(`query parameter 'cursor' is not a valid cursor for this query`);
  }
  return st.o;
}

/** One page of a list, and the cursor of the next page (`null` on the last page). */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * Filters, sorts and pages records. `ids` are looked up directly instead of scanning the collection; deleted records
 * are excluded unless `includeDeleted` says otherwise (deals with `status=deleted`).
 */
export function listRecords<T extends BaseRecord>(
  collection: Map<number, T>,
  q: ParsedQuery,
  matches: (rec: T) => boolean,
  includeDeleted = false,
): Page<T> {
  const since = typeof q.updated_since === 'string' ? parseRfc3339(q.updated_since) : null;
  const until = typeof q.updated_until === 'string' ? parseRfc3339(q.updated_until) : null;
  const source: Iterable<T> = Array.isArray(q.ids)
    ? (q.ids as number[]).map((id) => collection.get(id)).filter((r): r is T => r !== undefined)
    : collection.values();
  const out: T[] = [];
  const seen = new Set<number>();
  for (const rec of source) {
    if (seen.has(rec.id)) continue;
    seen.add(rec.id);
    if (rec.is_deleted !== includeDeleted) continue;
    if (since !== null || until !== null) {
      const t = Date.parse(rec.update_time);
      if (since !== null && t < since) continue;
      if (until !== null && t >= until) continue;
    }
    if (!matches(rec)) continue;
    out.push(rec);
  }
  const sortBy = typeof q.sort_by === 'string' ? q.sort_by : 'id';
  const dir = q.sort_direction === 'desc' ? -1 : 1;
  out.sort((a, b) => {
    const av = sortBy === 'id' ? a.id : (a as unknown as Record<string, unknown>)[sortBy];
    const bv = sortBy === 'id' ? b.id : (b as unknown as Record<string, unknown>)[sortBy];
    if (av === bv) return (a.id - b.id) * dir;
    if (av === null || av === undefined) return 1;
    if (bv === null || bv === undefined) return -1;
    return (av < bv ? -1 : 1) * dir;
  });
  const sortKey = `${sortBy}:${dir}`;
  const offset = typeof q.cursor === 'string' ? decodeCursor(q.cursor, sortKey) : 0;
  const limit = typeof q.limit === 'number' ? q.limit : 100;
  const items = out.slice(offset, offset + limit);
  const nextCursor = offset + limit < out.length ? encodeCursor({ s: sortKey, o: offset + limit }) : null;
  return { items, nextCursor };
}
