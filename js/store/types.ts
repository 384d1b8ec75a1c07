//! The `SyncStore` contract: what the engine asks of the CRM's database.
//!
//! The Prisma store (`pipedrive-sync/prisma`) is the reference implementation; a CRM with other models implements
//! this interface itself. Every method may reject: the engine turns a rejection into a `STORE` error and keeps the
//! original error as its `cause`.

/** A local CRM user as the sync engine sees it. */
export interface LocalUser {
  /** The CRM's own id for the user. */
  id: string;
  /** The user's email address, as stored. Matching against Pipedrive is case-insensitive. */
  email: string;
  /** The user's display name, if the CRM has one. */
  name: string | null;
  /** The Pipedrive user id this user maps to, once known (spec §4.1). */
  pipedriveUserId: number | null;
}

/**
 * The CRM's data, as the sync engine reads and writes it.
 *
 * Methods resolve `null` (or `false`) for "no such record" and reject only for real failures
 * (connection lost, constraint violated): the engine treats a rejection as an error, never as "not found".
 */
export interface SyncStore {
  /** The local user with this id, or `null`. */
  findUserById(userId: string): Promise<LocalUser | null>;
  /** The local user whose email matches, compared case-insensitively after trimming, or `null`. */
  findUserByEmail(email: string): Promise<LocalUser | null>;
  /** Stores `pipedriveUserId` on the local user; resolves `false` when there is no user with that id. */
  setUserPipedriveId(userId: string, pipedriveUserId: number): Promise<boolean>;
}

/** The store methods the engine calls; `createPipedriveSync` checks that each is a function. */
export const REQUIRED_STORE_METHODS = ['findUserById', 'findUserByEmail', 'setUserPipedriveId'] as const satisfies readonly (keyof SyncStore)[];
