/**
 * @module prisma/arguments
 * Argument checks shared by the parts of the Prisma store: each throws a `StoreArgumentError` (a `RangeError` with
 * `code: 'VALIDATION'` and the `field`) that names the method and the field, before any query is sent (DESIGN §7.10). One implementation of each rule, used by the outbox, the contact
 * and the snapshot/conflict methods alike.
 */

import type { PrismaRawClientLike } from './client_shape';

/** The smallest value of the schema's `Int` columns (32-bit signed on PostgreSQL). */
export const INT32_MIN = -2_147_483_648;
/** The largest value of the schema's `Int` columns (32-bit signed on PostgreSQL). */
export const INT32_MAX = 2_147_483_647;

/** A store argument that breaks its rule: a `RangeError` coded like the engine's validation errors. */
export class StoreArgumentError extends RangeError {
  /** Always `VALIDATION`, as the engine's own validation errors. */
  readonly code = 'VALIDATION';

  /** `message` names the method, the field and the rule; `field` is the argument's name. */
  constructor(message: string, readonly field: string) {
    super(message);
    this.name = 'StoreArgumentError';
  }
}

/** ISO 8601 date and time with an explicit offset (`Z` or `±hh:mm`): an instant, never a local time. */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

/** A short description of a bad value for an error message. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return String(value);
}

/** Whether `value` is a plain object (`{...}` or `Object.create(null)`), not an array, date, map or class instance. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A validated instant argument, as a `Date` (the adapters bind `Date`s in the format they store DateTimes in). */
export function instant(operation: string, field: string, value: unknown): Date {
  const date = typeof value === 'string' && ISO_INSTANT.test(value) ? new Date(value) : undefined;
  if (!date || Number.isNaN(date.getTime())) {
    throw new StoreArgumentError(`${operation}: ${field} must be an ISO 8601 date and time with an offset (e.g. 2026-01-31T09:30:00.000Z), got ${describe(value)}`, field);
  }
  return date;
}

/** A validated non-empty string argument. */
export function text(operation: string, field: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new StoreArgumentError(`${operation}: ${field} must be a non-empty string, got ${describe(value)}`, field);
  }
  return value;
}

/** A validated optional string argument: a non-empty string, or `null` (`undefined` counts as `null`). */
export function textOrNull(operation: string, field: string, value: unknown): string | null {
  return value === null || value === undefined ? null : text(operation, field, value);
}

/** A validated integer argument within `[min, max]`. */
export function integer(operation: string, field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new StoreArgumentError(`${operation}: ${field} must be an integer between ${min} and ${max}, got ${describe(value)}`, field);
  }
  return value;
}

/**
 * A validated JSON object argument (a job's payload, a snapshot's fields): a plain object that serialises to a JSON
 * object. Resolves the JSON text and the object parsed back from it, so that what is used is exactly what is stored
 * (`toJSON`, `undefined` members and the like).
 */
export function jsonObject(operation: string, field: string, value: unknown): { json: string; value: Record<string, unknown> } {
  if (!isPlainObject(value)) throw new StoreArgumentError(`${operation}: ${field} must be a plain object, got ${describe(value)}`, field);
  let json: string;
  try {
    json = JSON.stringify(value);
  } catch (error) {
    throw new StoreArgumentError(`${operation}: ${field} must be JSON-serialisable (${error instanceof Error ? error.message : String(error)})`, field);
  }
  const parsed = JSON.parse(json) as unknown;
  if (!isPlainObject(parsed)) throw new StoreArgumentError(`${operation}: ${field} must serialise to a JSON object`, field);
  return { json, value: parsed };
}

/** Whether `value` looks like a Prisma client or interactive-transaction client (raw SQL methods). */
export function isRawClient(value: unknown): value is PrismaRawClientLike {
  return (
    typeof value === 'object' && value !== null &&
    typeof (value as PrismaRawClientLike).$queryRaw === 'function' && typeof (value as PrismaRawClientLike).$executeRaw === 'function'
  );
}

/**
 * A validated `options.tx`: the caller's interactive-transaction client, or `undefined` when none was given
 * (`undefined` or `null`).
 */
export function transactionClient(operation: string, tx: unknown): PrismaRawClientLike | undefined {
  if (tx === undefined || tx === null) return undefined;
  if (!isRawClient(tx)) {
    throw new RangeError(`${operation}: options.tx must be a Prisma interactive-transaction client (the \`tx\` of prisma.$transaction(async (tx) => ...))`);
  }
  return tx;
}
