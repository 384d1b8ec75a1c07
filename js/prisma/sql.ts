/**
 * @module prisma/sql
 * Raw SQL plumbing of the Prisma store: composable SQL fragments sent through a client's tagged-template
 * `$queryRaw`/`$executeRaw` (values always travel as bound parameters, never spliced into the SQL), which database
 * a client talks to, and column values read back (integers, times).
 *
 * The outbox (and the contact, activity, snapshot and conflict stores) need SQL that Prisma's query API cannot express (row locks with `SKIP LOCKED`, advisory locks,
 * conditional updates over correlated subqueries), and the package imports no generated client, so it has no
 * `Prisma.sql`: {@link sql} is the small equivalent, built on the fact that a tagged template is called with a
 * `TemplateStringsArray` (an array of literal parts with a `raw` copy) followed by the values.
 */

import type { PrismaRawClientLike } from './client_shape';

/** A piece of SQL: literal parts with one bound value between each two of them (`parts.length === values.length + 1`). */
export interface SqlFragment {
  /** The literal SQL around the values. */
  readonly parts: readonly string[];
  /** The values, bound as parameters in order. */
  readonly values: readonly unknown[];
}

/** The fragments made by this module: only these are spliced, so a caller's value can never pass itself off as SQL. */
const FRAGMENTS = new WeakSet<object>();

/** Whether `value` is a fragment made here (spliced into {@link sql}) rather than a value to bind. */
function isFragment(value: unknown): value is SqlFragment {
  return typeof value === 'object' && value !== null && FRAGMENTS.has(value);
}

/** Makes a fragment from literal parts and values and remembers it as one of ours. */
export function fragment(parts: string[], values: unknown[]): SqlFragment {
  const made: SqlFragment = Object.freeze({ parts: Object.freeze(parts), values: Object.freeze(values) });
  FRAGMENTS.add(made);
  return made;
}

/**
 * A SQL fragment from a tagged template: `${value}` becomes a bound parameter, `${otherFragment}` (made by `sql` or
 * {@link joinSql}) is spliced in with its own parameters.
 */
export function sql(strings: TemplateStringsArray, ...values: unknown[]): SqlFragment {
  const parts: string[] = [strings[0]];
  const bound: unknown[] = [];
  values.forEach((value, index) => {
    if (isFragment(value)) {
      parts[parts.length - 1] += value.parts[0];
      for (let i = 0; i < value.values.length; i++) {
        bound.push(value.values[i]);
        parts.push(value.parts[i + 1]);
      }
      parts[parts.length - 1] += strings[index + 1];
    } else {
      bound.push(value);
      parts.push(strings[index + 1]);
    }
  });
  return fragment(parts, bound);
}

/** The empty fragment (for optional conditions). */
export const EMPTY_SQL: SqlFragment = sql``;

/** Fragments (or values, each bound) joined with `separator` (literal SQL), e.g. the items of an `IN (...)` list. */
export function joinSql(items: readonly unknown[], separator: string): SqlFragment {
  if (items.length === 0) throw new RangeError('joinSql: nothing to join');
  const strings = [''];
  for (let i = 1; i < items.length; i++) strings.push(separator);
  strings.push('');
  return sql(templateStrings(strings), ...items);
}

/** A `TemplateStringsArray` from plain strings, as a tagged template would receive it. */
function templateStrings(parts: readonly string[]): TemplateStringsArray {
  return Object.assign([...parts], { raw: [...parts] }) as unknown as TemplateStringsArray;
}

/** Runs a query fragment with `$queryRaw` and resolves its rows. */
export async function queryRows<Row>(client: PrismaRawClientLike, query: SqlFragment): Promise<Row[]> {
  const rows = await client.$queryRaw(templateStrings(query.parts), ...query.values);
  if (!Array.isArray(rows)) throw new TypeError(`$queryRaw resolved ${typeof rows}, expected an array of rows`);
  return rows as Row[];
}

/** Runs a statement fragment with `$executeRaw` and resolves the number of rows it changed. */
export async function executeSql(client: PrismaRawClientLike, statement: SqlFragment): Promise<number> {
  const count = await client.$executeRaw(templateStrings(statement.parts), ...statement.values);
  return Number(count);
}

/** The databases the outbox SQL is written for. */
export type OutboxDialect = 'sqlite' | 'postgresql';

/**
 * Which database `client` talks to. Generated Prisma clients carry their schema's provider as `_activeProvider`
 * (on the client and on its transaction clients); when a client does not (e.g. a wrapper that forwards raw SQL), one
 * probe query answers it: `sqlite_version()` exists on SQLite only. Any other provider is refused.
 */
export async function detectDialect(client: PrismaRawClientLike): Promise<OutboxDialect> {
  const declared = (client as { _activeProvider?: unknown })._activeProvider;
  if (declared === 'sqlite' || declared === 'postgresql') return declared;
  if (typeof declared === 'string') {
    throw new TypeError(`the Prisma store's outbox supports SQLite and PostgreSQL, not '${declared}'`);
  }
  try {
    await queryRows(client, sql`SELECT sqlite_version() AS "version"`);
    return 'sqlite';
  } catch {
    // Not SQLite: make sure it is PostgreSQL (this also surfaces a connection failure as the error).
    await queryRows(client, sql`SELECT current_setting('server_version') AS "version"`);
    return 'postgresql';
  }
}

/** An integer column value (drivers return `bigint` for some integer columns and aggregates). */
export function toInt(value: unknown): number {
  const number = typeof value === 'bigint' ? Number(value) : typeof value === 'string' ? Number(value) : (value as number);
  if (typeof number !== 'number' || !Number.isFinite(number)) throw new TypeError(`expected an integer column value, got ${String(value)}`);
  return number;
}

/** A DateTime column value as ISO 8601 (`null` stays `null`); Prisma returns `Date`s, older drivers text or epoch ms. */
export function toIso(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const date = value instanceof Date ? value : new Date(typeof value === 'bigint' ? Number(value) : (value as string | number));
  if (Number.isNaN(date.getTime())) throw new TypeError(`expected a DateTime column value, got ${String(value)}`);
  return date.toISOString();
}
