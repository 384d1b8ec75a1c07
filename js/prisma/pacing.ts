/**
 * @module prisma/pacing
 * The shared-pacing part of the Prisma store (DESIGN §13): `swapPacing`, a compare-and-swap on one row per pacing
 * key in table `pipedrive_sync_pacing` (model `SyncPacing`). Every process on one Pipedrive token reserves its
 * request slots through it, so that together they stay under Pipedrive's windows. The state is the engine's (JSON
 * text, never a token); the store only keeps it and refuses a write based on a stale read.
 */

import type { PacingSwap, PacingSwapRequest } from '../store/types';
import { describe, integer, INT32_MAX, isPlainObject, StoreArgumentError, text } from './arguments';
import type { PrismaClientLike } from './client_shape';
import { executeSql, queryRows, sql, toInt } from './sql';
import { storeCall } from './store_error';

/** The longest pacing key accepted (a token fingerprint and a base URL). */
export const PACING_KEY_MAX = 512;
/** The largest pacing state accepted, in characters (a few hundred slots). */
export const PACING_STATE_MAX = 256 * 1024;

/** The store's shared-pacing method over a Prisma client. */
export interface PrismaPacingStore {
  /** Compare-and-swap of one pacing row (see {@link createPrismaPacingStore}). */
  swapPacing(key: string, swap: PacingSwapRequest): Promise<PacingSwap>;
}

/** The version after `version`: wraps before the `Int` column overflows (a compare-and-swap only needs a change). */
function nextVersion(version: number): number {
  return version >= INT32_MAX ? 1 : version + 1;
}

/** Checks `swapPacing`'s arguments; a `RangeError` naming the field. */
function validSwap(key: unknown, swap: unknown): { key: string; version: number; state: string | null; now: Date } {
  const op = 'swapPacing';
  const checkedKey = text(op, 'key', key);
  if (checkedKey.length > PACING_KEY_MAX) throw new StoreArgumentError(`${op}: key must be at most ${PACING_KEY_MAX} characters`, 'key');
  if (!isPlainObject(swap)) throw new StoreArgumentError(`${op}: swap must be an object, got ${describe(swap)}`, 'swap');
  const version = integer(op, 'swap.version', swap.version, 0, INT32_MAX);
  const state = swap.state;
  if (state !== null && (typeof state !== 'string' || state.length > PACING_STATE_MAX)) {
    throw new StoreArgumentError(`${op}: swap.state must be null or a string of at most ${PACING_STATE_MAX} characters, got ${describe(state)}`, 'swap.state');
  }
  if (typeof swap.nowMs !== 'number' || !Number.isFinite(swap.nowMs)) {
    throw new StoreArgumentError(`${op}: swap.nowMs must be a finite number of epoch milliseconds, got ${describe(swap.nowMs)}`, 'swap.nowMs');
  }
  return { key: checkedKey, version, state, now: new Date(swap.nowMs) };
}

/**
 * The shared-pacing method of the Prisma store.
 *
 * - `swapPacing(key, { version, state, nowMs })`: with `state: null`, reads: `{ swapped: false, version, state }` of
 *   the row (`version: 0, state: null` when there is none). With a `state`, writes it when the row's version is
 *   `version` (0: no row yet), raising the version by one (wrapping at 2^31 - 1 to 1), and resolves `{ swapped:
 *   true, version: <new>, state: null }`; otherwise writes nothing and resolves the current version and state. The
 *   check and the write are one statement (`UPDATE ... WHERE "version" = ...`, or `INSERT ... ON CONFLICT DO
 *   NOTHING` for the first write), atomic on SQLite and PostgreSQL: of concurrent swaps from one version exactly one
 *   wins. One round trip when the swap succeeds, two when it does not. `updated_at` is `nowMs`.
 */
export function createPrismaPacingStore(prisma: PrismaClientLike): PrismaPacingStore {
  const read = async (key: string): Promise<PacingSwap> => {
    const rows = await queryRows<{ version: unknown; state: string }>(
      prisma,
      sql`SELECT "version", "state" FROM "pipedrive_sync_pacing" WHERE "key" = ${key}`,
    );
    return rows.length === 0
      ? { swapped: false, version: 0, state: null }
      : { swapped: false, version: toInt(rows[0].version), state: rows[0].state };
  };
  return {
    async swapPacing(key, swap) {
      const args = validSwap(key, swap);
      return storeCall('swapPacing', async () => {
        if (args.state === null) return read(args.key);
        const version = nextVersion(args.version);
        const written = args.version === 0
          ? await executeSql(prisma, sql`INSERT INTO "pipedrive_sync_pacing" ("key", "version", "state", "updated_at")
              VALUES (${args.key}, ${version}, ${args.state}, ${args.now}) ON CONFLICT ("key") DO NOTHING`)
          : await executeSql(prisma, sql`UPDATE "pipedrive_sync_pacing" SET "version" = ${version}, "state" = ${args.state},
              "updated_at" = ${args.now} WHERE "key" = ${args.key} AND "version" = ${args.version}`);
        return written === 1 ? { swapped: true, version, state: null } : read(args.key);
      });
    },
  };
}
