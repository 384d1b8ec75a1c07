/**
 * @module store/argument_checks
 * The argument rules every store shares (the memory store and the Prisma store alike): the error a bad argument
 * rejects with, and the checks the store-neutral rules (`record_edits.ts`) need. The Prisma store's own checks
 * (`js/prisma/arguments.ts`) build on these and re-export them.
 */

import { MAX_PIPEDRIVE_ID } from './ranges';

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

/** A validated plain-object argument (an options bag, a filter, a resolution). */
export function plainObject(operation: string, field: string, value: unknown): Record<string, unknown> {
  if (!isPlainObject(value)) throw new StoreArgumentError(`${operation}: ${field} must be a plain object, got ${describe(value)}`, field);
  return value;
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

/** A validated Pipedrive id argument: an integer from 1 to {@link MAX_PIPEDRIVE_ID}. */
export function pipedriveId(operation: string, field: string, value: unknown): number {
  return integer(operation, field, value, 1, MAX_PIPEDRIVE_ID);
}

/** A validated integer argument within `[min, max]`. */
export function integer(operation: string, field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new StoreArgumentError(`${operation}: ${field} must be an integer between ${min} and ${max}, got ${describe(value)}`, field);
  }
  return value;
}

/** A validated string argument that must be one of `allowed`. */
export function oneOf<T extends string>(operation: string, field: string, value: unknown, allowed: readonly T[]): T {
  if (!(allowed as readonly unknown[]).includes(value)) {
    throw new StoreArgumentError(`${operation}: ${field} must be one of ${allowed.join(', ')}, got ${describe(value)}`, field);
  }
  return value as T;
}

/**
 * A validated JSON value argument other than `null` (a conflict's decision): resolves its JSON text and the value
 * parsed back from it, so that what is used is exactly what is stored.
 */
export function jsonValue(operation: string, field: string, value: unknown): { json: string; value: unknown } {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (error) {
    throw new StoreArgumentError(`${operation}: ${field} must be JSON-serialisable (${error instanceof Error ? error.message : String(error)})`, field);
  }
  const parsed = json === undefined ? null : (JSON.parse(json) as unknown);
  if (json === undefined || parsed === null) {
    throw new StoreArgumentError(`${operation}: ${field} must be a JSON value other than null, got ${describe(value)}`, field);
  }
  return { json, value: parsed };
}
