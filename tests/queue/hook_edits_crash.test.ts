/**
 * @module tests/queue/hook_edits_crash.test
 * Local edits made through the store hook (`contactEdited` in the CRM's transaction) are drained exactly once
 * across a crash, on SQLite and PostgreSQL: a drainer is killed with SIGKILL mid-run and a second one takes over
 * after the lease. The jobs carry `data` and go through the whole update flow (three-way against the snapshot),
 * under the `manual` strategy, so a recovered job whose PATCH had landed before the kill must see its own write as
 * agreement, not as a remote change: no second PATCH, no conflict held, every contact SYNCED.
 */

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { startPipedriveEmulator, type PipedriveEmulator } from '../../js/emulator/index';
import { createPrismaStore } from '../../js/prisma/index';
import { emptyCrmTables } from '../prisma/contacts_helpers';
import { describeEachDatabase } from '../prisma/databases';
import {
  idRange, newName, originalName, personPath, requests, seedPersons, spawnDrainer, successfulPatchesByPath, waitFor, type Drainer,
} from './helpers';

const EDITS = 60;
const LEASE_MS = 4_000;

describeEachDatabase('hook-driven edits across a killed drainer', (db) => {
  let emulator: PipedriveEmulator;
  const drainers: Drainer[] = [];

  before(async () => {
    emulator = await startPipedriveEmulator({ plan: 'premium' });
  });
  after(async () => {
    for (const d of drainers) d.kill();
    await Promise.all(drainers.map((d) => d.exited));
    await emulator.close();
  });

  test('every edit reaches Pipedrive once, nothing is held as a conflict, every contact ends SYNCED', { timeout: 60_000 }, async () => {
    const prisma = db().prisma;
    await emptyCrmTables(prisma);
    const ids = idRange(7_000, EDITS);
    seedPersons(emulator, ids);
    const store = createPrismaStore(prisma);
    const contacts: string[] = [];
    for (const id of ids) {
      const contact = await prisma.contact.create({ data: { name: originalName(id), email: `p${id}@example.com`, pipedrivePersonId: id } });
      await prisma.$transaction(async (tx) => {
        await tx.contact.update({ where: { id: contact.id }, data: { name: newName(id) } });
        await store.contactEdited(contact.id, { name: newName(id) }, { tx });
      });
      contacts.push(contact.id);
    }
    assert.equal(await prisma.syncJob.count({ where: { kind: 'update_record' } }), EDITS, 'one job per edit, queued with it');

    emulator.faults.latency({ method: 'PATCH', path: '/api/v2/persons/', ms: 80 });
    const spec = {
      db: { name: db().name, url: db().url, schema: db().schema }, baseUrl: emulator.url, apiToken: emulator.apiToken,
      plan: 'premium' as const, leaseMs: LEASE_MS, concurrency: 4, conflictStrategy: 'manual' as const,
    };
    const first = spawnDrainer(spec);
    drainers.push(first);
    await first.ready;
    await waitFor('the first drainer to finish 15 jobs', () => (first.progress()?.processed ?? 0) >= 15);
    first.kill('SIGKILL');
    assert.equal((await first.exited).signal, 'SIGKILL');
    const leased = await prisma.syncJob.findMany({ where: { state: 'RUNNING' }, select: { leaseUntil: true } });
    assert.ok(leased.length > 0, 'the killed drainer left leased jobs behind');
    const leaseEnd = Math.max(...leased.map((job) => new Date(job.leaseUntil ?? 0).getTime()));
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, leaseEnd - Date.now()) + 50));

    const second = spawnDrainer(spec);
    drainers.push(second);
    const { code, report, stderr } = await second.exited;
    assert.equal(code, 0, stderr);
    assert.equal(report?.dead, 0);

    const jobs = await prisma.syncJob.findMany({ select: { state: true, lastError: true } });
    assert.ok(jobs.every((job) => job.state === 'DONE'), `states: ${JSON.stringify(jobs)}`);
    for (const id of ids) assert.equal(emulator.state.persons.get(id)?.name, newName(id), `person ${id}`);
    const patches = successfulPatchesByPath(emulator);
    const notOnce = ids.filter((id) => patches.get(personPath(id)) !== 1);
    assert.deepEqual(notOnce.map((id) => [id, patches.get(personPath(id)) ?? 0]), [], 'one successful PATCH per edit');
    assert.equal(await prisma.syncConflict.count(), 0, 'a recovered job took its own write for agreement, not a conflict');
    const states = await prisma.contact.findMany({ where: { id: { in: contacts } }, select: { updateSyncStatus: true } });
    assert.deepEqual([...new Set(states.map((c) => c.updateSyncStatus))], ['SYNCED']);

    // Some job's PATCH had landed before the kill: its recovery read the record and wrote nothing more.
    const recoveredAfterWrite = requests(emulator, 'GET').filter((read) =>
      requests(emulator, 'PATCH', read.path).some((patch) => patch.status === 200 && patch.time <= read.time),
    );
    assert.ok(recoveredAfterWrite.length > 0, 'the kill came between a PATCH and its job completing');
  });
});
