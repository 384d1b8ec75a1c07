//! An in-memory `SyncStore` for facade unit tests (the Prisma store has its own suites on real databases).

import type { LocalUser, SyncStore } from '../../js/store/types';

/** A store over an array of users; `failWith` makes every call reject. */
export function memoryStore(users: LocalUser[] = []): SyncStore & { users: LocalUser[]; failWith?: Error } {
  const store = {
    users,
    failWith: undefined as Error | undefined,
    async findUserById(userId: string) {
      if (store.failWith) throw store.failWith;
      return store.users.find((user) => user.id === userId) ?? null;
    },
    async findUserByEmail(email: string) {
      if (store.failWith) throw store.failWith;
      const wanted = email.trim().toLowerCase();
      return store.users.find((user) => user.email.trim().toLowerCase() === wanted) ?? null;
    },
    async setUserPipedriveId(userId: string, pipedriveUserId: number) {
      if (store.failWith) throw store.failWith;
      const user = store.users.find((candidate) => candidate.id === userId);
      if (!user) return false;
      user.pipedriveUserId = pipedriveUserId;
      return true;
    },
  };
  return store;
}
