/**
 * @module tests/prisma/users_service.test
 * The users service end to end: the wasm engine, the real Prisma store (SQLite and PostgreSQL) and the
 * Pipedrive emulator over HTTP.
 */

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { AuthError, createPipedriveSync, StoreError, type PipedriveSync } from '../../js/index';
import { startPipedriveEmulator, type PipedriveEmulator } from '../../js/emulator/index';
import { createPrismaStore } from '../../js/prisma/index';
import { createTestDatabase, describeEachDatabase } from './databases';

let emulator: PipedriveEmulator;

before(async () => {
  emulator = await startPipedriveEmulator({ plan: 'lite' });
});
after(() => emulator.close());

function usersRequests(): number {
  return emulator.journal.entries().filter((entry) => entry.path.endsWith('/users')).length;
}

describeEachDatabase('users service', (db) => {
  let sync: PipedriveSync;
  before(async () => {
    sync = await createPipedriveSync({
      pipedrive: { apiToken: emulator.apiToken, baseUrl: emulator.url },
      store: createPrismaStore(db().prisma),
    });
  });

  test('setupUser links the CRM user to the Pipedrive user with the same email, whatever its case', async () => {
    const user = await db().prisma.user.create({ data: { email: 'Sam.Seller@Example.com', name: 'Sam' } });
    assert.deepEqual(await sync.users.setupUser('  sam.seller@EXAMPLE.com '), { success: true, pipedriveUserId: 2 });
    const stored = await db().prisma.user.findUnique({ where: { id: user.id } });
    assert.equal(stored?.pipedriveUserId, 2);
  });

  test('inactive and deleted Pipedrive users are not linked; the CRM user is left untouched', async () => {
    const ivy = await db().prisma.user.create({ data: { email: 'ivy.inactive@example.com' } });
    await db().prisma.user.create({ data: { email: 'dee.deleted@example.com' } });
    for (const email of ['ivy.inactive@example.com', 'dee.deleted@example.com']) {
      const answer = await sync.users.setupUser(email);
      assert.equal(answer.success, false);
      assert.equal(answer.code, 'NOT_FOUND');
      assert.match(answer.error ?? '', new RegExp(`no active Pipedrive user has the email ${email.replace('.', '\\.')}`));
    }
    assert.equal((await db().prisma.user.findUnique({ where: { id: ivy.id } }))?.pipedriveUserId, null);
  });

  test('an email with no CRM user is a NOT_FOUND answer and sends nothing', async () => {
    const before = emulator.journal.entries().length;
    const answer = await sync.users.setupUser('stranger@example.com');
    assert.equal(answer.code, 'NOT_FOUND');
    assert.match(answer.error ?? '', /no CRM user/);
    assert.equal(emulator.journal.entries().length, before);
  });

  test('the user list is read once and cached across lookups', async () => {
    const fresh = await createPipedriveSync({ pipedrive: { apiToken: emulator.apiToken, baseUrl: emulator.url }, store: createPrismaStore(db().prisma) });
    const before = usersRequests();
    assert.equal((await fresh.users.findUserByEmail('ada.admin@example.com'))?.id, 1);
    assert.equal((await fresh.users.findUserByEmail('SAM.SELLER@example.com'))?.id, 2);
    assert.equal(await fresh.users.findUserByEmail('nobody@example.com'), null);
    assert.equal(usersRequests() - before, 1);
  });

  test('storeUserPipedriveId writes the link through the store', async () => {
    const user = await db().prisma.user.create({ data: { email: 'manual@example.com' } });
    await sync.users.storeUserPipedriveId(user.id, 1);
    assert.equal((await db().prisma.user.findUnique({ where: { id: user.id } }))?.pipedriveUserId, 1);
  });

  test('a wrong token is an AuthError that does not contain the token', async () => {
    const wrong = 'f'.repeat(40);
    const badSync = await createPipedriveSync({ pipedrive: { apiToken: wrong, baseUrl: emulator.url }, store: createPrismaStore(db().prisma) });
    await assert.rejects(badSync.users.findUserByEmail('ada.admin@example.com'), (error: unknown) => {
      assert.ok(error instanceof AuthError, String(error));
      assert.ok(!String(error).includes(wrong));
      return true;
    });
    const answer = await badSync.users.setupUser('manual@example.com');
    assert.equal(answer.code, 'AUTH');
  });

  test('a database that is gone is a StoreError with the Prisma error as its cause', async () => {
    const doomed = await createTestDatabase(db().name);
    const user = await doomed.prisma.user.create({ data: { email: 'sam.seller@example.com' } });
    const doomedSync = await createPipedriveSync({ pipedrive: { apiToken: emulator.apiToken, baseUrl: emulator.url }, store: createPrismaStore(doomed.prisma) });
    await doomed.close();
    await assert.rejects(doomedSync.users.storeUserPipedriveId(user.id, 2), (error: unknown) => {
      assert.ok(error instanceof StoreError, String(error));
      assert.ok((error as Error).cause instanceof Error, 'the original error is the cause');
      return true;
    });
  });
});
