/**
 * @module tests/next/fixture
 * What the route-handler suites share: the emulator as Pipedrive, a SQLite CRM through the Prisma store with two
 * users (Sam, whose email is a Pipedrive user's, and Other), one engine over them, and request builders.
 */

import { createPipedriveSync, type PipedriveSync } from '../../js/index';
import { startPipedriveEmulator, type PipedriveEmulator } from '../../js/emulator/index';
import { createPrismaStore } from '../../js/prisma/index';
import { createTestDatabase, type TestDatabase } from '../prisma/databases';

/** The running pieces of one suite. */
export interface HandlerFixture {
  emulator: PipedriveEmulator;
  db: TestDatabase;
  sync: PipedriveSync;
  sam: { id: string };
  other: { id: string };
  close(): Promise<void>;
}

/** Starts the emulator and the database; `userThrottle` is the engine's per-user allowance per minute. */
export async function startHandlerFixture(userThrottle: number): Promise<HandlerFixture> {
  const emulator = await startPipedriveEmulator({ plan: 'premium' });
  const db = await createTestDatabase('sqlite');
  const sam = await db.prisma.user.create({ data: { email: 'sam.seller@example.com' } });
  const other = await db.prisma.user.create({ data: { email: 'other@example.com' } });
  const sync = await createPipedriveSync({
    pipedrive: { apiToken: emulator.apiToken, baseUrl: emulator.url },
    store: createPrismaStore(db.prisma),
    options: { userThrottle: { requests: userThrottle, perMs: 60_000 } },
  });
  return {
    emulator, db, sync, sam, other,
    async close() {
      await emulator.close();
      await db.close();
    },
  };
}

/** The App Router's context for a route with `[id]`. */
export const params = (id: string) => ({ params: Promise.resolve({ id }) });

/** A POST to the CRM with a body of `type` (JSON by default). */
export const post = (url: string, body?: string, type = 'application/json') =>
  new Request(`http://crm.test${url}`, { method: 'POST', body, headers: { 'content-type': type } });
