/**
 * @module prisma/arguments
 * Argument checks shared by the parts of the Prisma store: each throws a `StoreArgumentError` (a `RangeError` with
 * `code: 'VALIDATION'` and the `field`) that names the method and the field, before any query is sent (DESIGN §7.10).
 * One implementation of each rule, used by the outbox, the contact, activity, snapshot and conflict methods alike;
 * the rules every store shares (the error itself, strings, integers, instants, plain objects, JSON values) live in
 * `store/argument_checks.ts` and are re-exported here.
 */

import type { PrismaRawClientLike } from './client_shape';
import { isPlainObject, jsonValue, plainObject, StoreArgumentError } from '../store/argument_checks';

export {
  describe, instant, integer, isPlainObject, jsonValue, oneOf, pipedriveId, plainObject, StoreArgumentError, text, textOrNull,
} from '../store/argument_checks';

/** The smallest value of the schema's `Int` columns (32-bit signed on PostgreSQL). */
export const INT32_MIN = -2_147_483_648;
/** The largest value of the schema's `Int` columns (32-bit signed on PostgreSQL). */
export const INT32_MAX = 2_147_483_647;

/**
 * A validated JSON object argument (a job's payload, a snapshot's fields): a plain object that serialises to a JSON
 * object. Resolves the JSON text and the object parsed back from it, so that what is used is exactly what is stored
 * (`toJSON`, `undefined` members and the like).
 */
export function jsonObject(operation: string, field: string, value: unknown): { json: string; value: Record<string, unknown> } {
  plainObject(operation, field, value);
  const { json, value: parsed } = jsonValue(operation, field, value);
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
    throw new StoreArgumentError(
      `${operation}: options.tx must be a Prisma interactive-transaction client (the \`tx\` of prisma.$transaction(async (tx) => ...))`,
      'tx',
    );
  }
  return tx;
}
