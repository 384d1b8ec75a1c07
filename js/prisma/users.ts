/**
 * @module prisma/users
 * The user part of the Prisma store: finding local users (by id, by email) and recording their Pipedrive user id
 * (spec §1.3, §4.1).
 */

import type { LocalUser } from '../store/types';
import { type PrismaClientLike, type PrismaUserRow, USER_SELECT } from './client_shape';
import { storeCall } from './store_error';

import { MAX_PIPEDRIVE_ID } from '../store/ranges';

export { MAX_PIPEDRIVE_ID };

/** The store's user methods over a Prisma client. */
export interface PrismaUserStore {
  /** The local user with this id, or `null`. */
  findUserById(userId: string): Promise<LocalUser | null>;
  /**
   * The local user whose email matches, compared case-insensitively after trimming (both the argument and the stored
   * address), or `null`. When several stored addresses differ only in case, the exact match wins, then the oldest user.
   */
  findUserByEmail(email: string): Promise<LocalUser | null>;
  /** Stores `pipedriveUserId` on the local user; resolves `false` when there is no user with that id. */
  setUserPipedriveId(userId: string, pipedriveUserId: number): Promise<boolean>;
}

/** A `LocalUser` from a row: a fresh object, so callers never hold Prisma's. */
function toLocalUser(row: PrismaUserRow): LocalUser {
  return { id: row.id, email: row.email, name: row.name, pipedriveUserId: row.pipedriveUserId };
}

/**
 * The user methods of the Prisma store.
 *
 * Email matching: emails are stored as given, and the comparison is `lower(trim(email)) = <argument trimmed and
 * lowercased>` in SQL, through `$queryRaw`, because Prisma's `mode: 'insensitive'` exists on PostgreSQL only. The
 * same query runs on SQLite and PostgreSQL; ASCII letters match in any case on both, while other letters (É/é)
 * match case-insensitively on PostgreSQL only (SQLite's `lower()` folds ASCII alone). The raw query names the table
 * `users` unqualified: on PostgreSQL it must be on the connection's `search_path` (it is for `public`; for another
 * schema set `search_path` on the connection as well as the adapter's `schema` option).
 */
export function createPrismaUserStore(prisma: PrismaClientLike): PrismaUserStore {
  const findById = async (operation: string, userId: string): Promise<LocalUser | null> => {
    const row = await storeCall(operation, () => prisma.user.findUnique({ where: { id: userId }, select: USER_SELECT }));
    return row ? toLocalUser(row) : null;
  };

  return {
    async findUserById(userId) {
      if (typeof userId !== 'string' || userId === '') return null;
      return findById('findUserById', userId);
    },

    async findUserByEmail(email) {
      if (typeof email !== 'string') return null;
      const trimmed = email.trim();
      if (trimmed === '') return null;
      const needle = trimmed.toLowerCase();
      const rows = await storeCall(
        'findUserByEmail',
        () => prisma.$queryRaw`SELECT "id" FROM "users" WHERE lower(trim("email")) = ${needle}
          ORDER BY CASE WHEN "email" = ${trimmed} THEN 0 ELSE 1 END, "created_at", "id" LIMIT 1`,
      );
      const id = Array.isArray(rows) && rows.length > 0 ? (rows[0] as { id?: unknown }).id : undefined;
      if (typeof id !== 'string') return null;
      // Read the row through the model so its fields come back typed the same way as findUserById's.
      return findById('findUserByEmail', id);
    },

    async setUserPipedriveId(userId, pipedriveUserId) {
      if (!Number.isSafeInteger(pipedriveUserId) || pipedriveUserId <= 0 || pipedriveUserId > MAX_PIPEDRIVE_ID) {
        throw new RangeError(
          `setUserPipedriveId: pipedriveUserId must be an integer between 1 and ${MAX_PIPEDRIVE_ID}, got ${String(pipedriveUserId)}`,
        );
      }
      if (typeof userId !== 'string' || userId === '') return false;
      const { count } = await storeCall('setUserPipedriveId', () =>
        prisma.user.updateMany({ where: { id: userId }, data: { pipedriveUserId } }),
      );
      return count > 0;
    },
  };
}
