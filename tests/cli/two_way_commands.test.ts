/**
 * @module tests/cli/two_way_commands.test
 * `pipedrive-sync reconcile`, `webhooks ensure|list|remove`, `setup-user` and `conflicts list|resolve`, run
 * in-process with captured streams against the emulator and a Prisma SQLite database, through a real config module:
 * the printed reports and rows, the effects (a rename pulled, subscriptions created once and removed, a user
 * linked, a conflict resolved and synced), no password printed, and bad arguments refused naming them (exit 2).
 */

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';

import { createPipedriveSync } from '../../js/index';
import { startPipedriveEmulator, type PipedriveEmulator } from '../../js/emulator/index';
import { createPrismaStore } from '../../js/prisma/index';
import { runConflictsCommand } from '../../js/cli/conflicts_command';
import { runReconcileCommand } from '../../js/cli/reconcile_command';
import { runSetupUserCommand } from '../../js/cli/setup_user_command';
import { runWebhooksCommand } from '../../js/cli/webhooks_command';
import type { CommandIo } from '../../js/terminal/command_io';
import { createTestDatabase, type TestDatabase } from '../prisma/databases';
import { ROOT } from '../queue/helpers';

const PASSWORD = 'cli-webhook-password-xyz';
let emulator: PipedriveEmulator;
let db: TestDatabase;
let dir: string;
let configPath: string;

/** Captured streams. */
function io(): CommandIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (text: string) => ((out += text), true), isTTY: false },
    stderr: { write: (text: string) => ((err += text), true), isTTY: false },
    env: {},
    cwd: dir,
    out: () => out,
    err: () => err,
  } as CommandIo & { out: () => string; err: () => string };
}

before(async () => {
  emulator = await startPipedriveEmulator({ plan: 'premium' });
  db = await createTestDatabase('sqlite');
  dir = mkdtempSync(path.join(tmpdir(), 'pds-cli-'));
  configPath = path.join(dir, 'pipedrive-sync.config.ts');
  writeFileSync(
    configPath,
    `import { createPrismaStore } from ${JSON.stringify(path.join(ROOT, 'js', 'prisma', 'index'))};\n` +
      `import { openPrismaClient } from ${JSON.stringify(path.join(ROOT, 'tests', 'queue', 'helpers'))};\n` +
      `const prisma = openPrismaClient({ name: 'sqlite', url: ${JSON.stringify(db.url)} });\n` +
      `export default {\n` +
      `  pipedrive: { apiToken: ${JSON.stringify(emulator.apiToken)}, baseUrl: ${JSON.stringify(emulator.url)} },\n` +
      `  store: createPrismaStore(prisma),\n` +
      `  webhooks: { username: 'hooks', password: ${JSON.stringify(PASSWORD)} },\n` +
      `  options: { plan: 'premium', baseDelayMs: 5, maxDelayMs: 20, conflictStrategy: 'manual', pullFields: { person: ['name'] } },\n` +
      `};\n`,
  );
});

after(async () => {
  await emulator.close();
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

test('reconcile: a progress line per phase, the report, a remote rename pulled', async () => {
  emulator.state.seed({ persons: [{ id: 801, name: 'Old Name', emails: [{ value: 'o@x.test', primary: true, label: 'work' }] }] });
  const contact = await db.prisma.contact.create({ data: { name: 'Old Name', email: 'o@x.test', pipedrivePersonId: 801 } });
  const first = io();
  assert.equal(await runReconcileCommand(['--config', configPath, '--entity', 'person'], first), 0, first.err());
  assert.match(first.err(), /person: listing\nperson: checking \[░+\] 0\/1\nperson: done \[█+\] 1\/1/);
  assert.match(first.out(), /^Reconcile report\n/);
  emulator.editInUi({ entity: 'person', id: 801, fields: { name: 'New Name' } });
  const second = io();
  assert.equal(await runReconcileCommand(['--config', configPath, '--entity=person'], second), 0, second.err());
  const row = second.out().split('\n').find((line) => line.startsWith('person'));
  assert.ok(row);
  // entity linked listed inStep baselined pending changedLocally changedRemotely changedBoth pulledFields ...
  assert.deepEqual(row.trim().split(/\s+/).slice(1, 10), ['1', '1', '0', '0', '0', '0', '1', '0', '1']);
  assert.equal((await db.prisma.contact.findUniqueOrThrow({ where: { id: contact.id } })).name, 'New Name');
  const bad = io();
  assert.equal(await runReconcileCommand(['--entity', 'deal'], bad), 2);
  assert.match(bad.err(), /--entity must name person, organization, activity; got 'deal'/);
});

test('webhooks: ensure creates once with the configured auth, list shows no password, remove deletes', async () => {
  const url = 'http://127.0.0.1:9/api/pipedrive/webhook';
  const ensured = io();
  assert.equal(await runWebhooksCommand(['ensure', '--url', url, '--config', configPath], ensured), 0, ensured.err());
  assert.match(ensured.out(), /^4 created, 0 already there\./);
  const again = io();
  assert.equal(await runWebhooksCommand(['ensure', '--url', url, '--config', configPath], again), 0);
  assert.match(again.out(), /^0 created, 4 already there\./);
  const listed = io();
  assert.equal(await runWebhooksCommand(['list', '--config', configPath], listed), 0);
  assert.equal(listed.out().split('\n').filter((line) => line.includes(url)).length, 4);
  for (const output of [ensured.out(), again.out(), listed.out(), ensured.err()]) assert.ok(!output.includes(PASSWORD), 'no password printed');
  const id = listed.out().split('\n')[2]?.trim().split(/\s+/)[0];
  const removed = io();
  assert.equal(await runWebhooksCommand(['remove', String(id), '--config', configPath], removed), 0, removed.err());
  const after = io();
  await runWebhooksCommand(['list', '--config', configPath], after);
  assert.equal(after.out().split('\n').filter((line) => line.includes(url)).length, 3);
  const bad = io();
  assert.equal(await runWebhooksCommand(['remove', 'x'], bad), 2);
  assert.match(bad.err(), /remove needs the webhook id/);
});

test('setup-user links the CRM user; an unknown email fails with the reason', async () => {
  await db.prisma.user.create({ data: { email: 'sam.seller@example.com' } });
  const linked = io();
  assert.equal(await runSetupUserCommand(['sam.seller@example.com', '--config', configPath], linked), 0, linked.err());
  assert.match(linked.out(), /sam\.seller@example\.com is Pipedrive user 2\./);
  assert.equal((await db.prisma.user.findUniqueOrThrow({ where: { email: 'sam.seller@example.com' } })).pipedriveUserId, 2);
  const unknown = io();
  assert.equal(await runSetupUserCommand(['nobody@example.com', '--config', configPath], unknown), 1);
  assert.match(unknown.err(), /NOT_FOUND/);
});

test('conflicts: list shows the held conflict, resolve applies the decision and syncs it', async () => {
  emulator.state.seed({ persons: [{ id: 802, name: 'Base' }] });
  const sync = await createPipedriveSync({
    pipedrive: { apiToken: emulator.apiToken, baseUrl: emulator.url },
    store: createPrismaStore(db.prisma),
    options: { plan: 'premium', conflictStrategy: 'manual' },
  });
  assert.equal((await sync.updates.updatePerson(802, { name: 'Local 1' })).success, true);
  emulator.editInUi({ entity: 'person', id: 802, fields: { name: 'Remote' } });
  const held = await sync.updates.updatePerson(802, { name: 'Local 2' });
  assert.ok(held.conflictId);
  const listed = io();
  assert.equal(await runConflictsCommand(['list', '--status', 'OPEN', '--config', configPath], listed), 0, listed.err());
  assert.match(listed.out(), new RegExp(`^\\s*${held.conflictId}\\s+person\\s+802\\s+OPEN\\s+name`, 'm'));
  const resolved = io();
  assert.equal(await runConflictsCommand(['resolve', String(held.conflictId), '--field', 'name="Chosen"', '--config', configPath], resolved), 0, resolved.err());
  assert.match(resolved.out(), new RegExp(`Conflict ${held.conflictId} resolved`));
  assert.equal(emulator.state.persons.get(802)?.name, 'Chosen');
  const bad = io();
  assert.equal(await runConflictsCommand(['resolve', '1'], bad), 2);
  assert.match(bad.err(), /resolve takes local, pipedrive, or --field/);
});
