/**
 * @module tests/warm_leads/warm_leads.test
 * Warm leads end to end (spec Feature 1, §9.2.1, §9.3): the wasm engine, the real Prisma store (SQLite and
 * PostgreSQL) and the Pipedrive emulator over HTTP, including its faults.
 */

import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';

import { createPipedriveSync, type PipedriveSync, type PipedriveSyncConfig } from '../../js/index';
import { startPipedriveEmulator, type PipedriveEmulator } from '../../js/emulator/index';
import { createPrismaStore } from '../../js/prisma/index';
import { describeEachDatabase, type TestPrismaClient } from '../prisma/databases';

let emulator: PipedriveEmulator;
before(async () => {
  emulator = await startPipedriveEmulator({ plan: 'premium' });
});
after(() => emulator.close());

/** Requests the emulator saw, as `METHOD /path`. */
function seen(): string[] {
  return emulator.journal.entries().map((entry) => `${entry.method} ${entry.path}`);
}

function count(method: string, path: string): number {
  return emulator.journal.entries().filter((entry) => entry.method === method && entry.path === path && entry.status < 400).length;
}

/** Pipedrive's default "Warm lead" person label in the emulator. */
const WARM_LABEL = 3;

describeEachDatabase('warm leads', (db) => {
  let prisma: TestPrismaClient;
  let sync: PipedriveSync;
  let logs: Array<[string, string, Record<string, unknown>]>;
  let owner: { id: string };

  async function makeSync(extra: Partial<PipedriveSyncConfig> = {}): Promise<PipedriveSync> {
    return createPipedriveSync({
      pipedrive: { apiToken: emulator.apiToken, baseUrl: emulator.url },
      store: createPrismaStore(prisma),
      logger: (level, event, fields) => logs.push([level, event, fields]),
      options: { baseDelayMs: 5, maxDelayMs: 50 },
      ...extra,
    });
  }

  async function contact(data: { name?: string; email?: string | null; warmnessScore?: number; organization?: string; pipedrivePersonId?: number }) {
    const organization = data.organization
      ? (await prisma.organization.findFirst({ where: { name: data.organization } })) ??
        (await prisma.organization.create({ data: { name: data.organization, country: 'Estonia' } }))
      : null;
    return prisma.contact.create({
      data: {
        name: data.name ?? 'John Doe',
        email: data.email === undefined ? `john.${Math.random().toString(36).slice(2, 8)}@example.com` : data.email,
        phone: '+1234567890',
        warmnessScore: data.warmnessScore ?? 2,
        organizationId: organization?.id,
        ownerId: owner.id,
        pipedrivePersonId: data.pipedrivePersonId,
      },
    });
  }

  before(() => {
    prisma = db().prisma;
  });

  beforeEach(async () => {
    emulator.reset();
    logs = [];
    owner = await prisma.user.upsert({ where: { email: 'sam.seller@example.com' }, update: {}, create: { email: 'sam.seller@example.com', name: 'Sam' } });
    sync = await makeSync();
  });

  test('below the threshold: false, nothing sent, the score stored', async () => {
    const c = await contact({ warmnessScore: 1 });
    assert.equal(await sync.warmLeads.checkAndCreateWarmLead({ contactId: c.id, userId: owner.id, warmnessScore: 3 }), false);
    assert.equal(emulator.journal.length, 0);
    assert.equal((await prisma.contact.findUnique({ where: { id: c.id } }))?.warmnessScore, 3);
  });

  test('at the threshold: organization first, then the person with owner and label; ids stored locally', async () => {
    const c = await contact({ name: 'John Doe', organization: 'Test Corp' });
    assert.equal(await sync.warmLeads.checkAndCreateWarmLead({ contactId: c.id, userId: owner.id, warmnessScore: 5 }), true);
    const orgCreate = seen().indexOf('POST /api/v2/organizations');
    const personCreate = seen().indexOf('POST /api/v2/persons');
    assert.ok(orgCreate >= 0 && personCreate > orgCreate, `organization before person: ${seen().join(', ')}`);
    const stored = await prisma.contact.findUnique({ where: { id: c.id }, include: { organization: true } });
    assert.ok(stored?.pipedrivePersonId && stored.pipedriveOrgId);
    assert.equal(stored.updateSyncStatus, 'SYNCED');
    assert.equal(stored.organization?.pipedriveOrgId, stored.pipedriveOrgId);
    const person = emulator.state.persons.get(stored.pipedrivePersonId);
    assert.equal(person?.name, 'John Doe');
    assert.deepEqual(person?.label_ids, [WARM_LABEL]);
    assert.equal(person?.owner_id, 2, 'owned by the Pipedrive user with the CRM user email');
    assert.equal(person?.org_id, stored.pipedriveOrgId);
    assert.equal(person?.emails[0]?.value, c.email);
    assert.equal(emulator.state.organizations.get(stored.pipedriveOrgId)?.address?.country, 'Estonia');
    assert.equal((await prisma.user.findUnique({ where: { id: owner.id } }))?.pipedriveUserId, 2, 'owner id stored on first use');
    const job = await prisma.syncJob.findFirst({ where: { recordId: c.id } });
    assert.equal(job?.state, 'DONE');
  });

  test('an already linked contact: false, nothing sent', async () => {
    const c = await contact({ warmnessScore: 5, pipedrivePersonId: 999 });
    assert.equal(await sync.warmLeads.checkAndCreateWarmLead({ contactId: c.id, userId: owner.id }), false);
    assert.equal(emulator.journal.length, 0);
  });

  test('an existing person with the email is linked and keeps its labels, plus Warm lead', async () => {
    emulator.state.seed({ persons: [{ id: 7001, name: 'Ann Existing', emails: [{ value: 'ann.existing@example.com', primary: true, label: 'work' }], label_ids: [1] }] });
    const c = await contact({ email: 'ANN.existing@example.com', warmnessScore: 4 });
    assert.equal(await sync.warmLeads.checkAndCreateWarmLead({ contactId: c.id, userId: owner.id }), true);
    assert.equal(count('POST', '/api/v2/persons'), 0, 'no new person');
    assert.deepEqual(emulator.state.persons.get(7001)?.label_ids, [1, WARM_LABEL]);
    assert.equal((await prisma.contact.findUnique({ where: { id: c.id } }))?.pipedrivePersonId, 7001);
  });

  test('an organization with the same name is reused', async () => {
    emulator.state.seed({ organizations: [{ id: 8001, name: 'Reuse Ltd' }] });
    const c = await contact({ organization: 'Reuse Ltd', warmnessScore: 5 });
    assert.equal(await sync.warmLeads.checkAndCreateWarmLead({ contactId: c.id, userId: owner.id }), true);
    assert.equal(count('POST', '/api/v2/organizations'), 0);
    assert.equal((await prisma.contact.findUnique({ where: { id: c.id } }))?.pipedriveOrgId, 8001);
  });

  test('two contacts of one new organization synced at once create it once', async () => {
    const a = await contact({ organization: 'Shared Inc', warmnessScore: 5 });
    const b = await contact({ organization: 'Shared Inc', warmnessScore: 5 });
    const results = await Promise.all([
      sync.warmLeads.checkAndCreateWarmLead({ contactId: a.id, userId: owner.id }),
      sync.warmLeads.checkAndCreateWarmLead({ contactId: b.id, userId: owner.id }),
    ]);
    assert.deepEqual(results, [true, true]);
    assert.equal(count('POST', '/api/v2/organizations'), 1);
    const [ca, cb] = await Promise.all([a, b].map((x) => prisma.contact.findUnique({ where: { id: x.id } })));
    assert.equal(ca?.pipedriveOrgId, cb?.pipedriveOrgId);
  });

  test('no token for the user: false, nothing sent, no job', async () => {
    const perUser = await makeSync({ pipedrive: { apiTokenFor: async () => null, baseUrl: emulator.url } });
    const c = await contact({ warmnessScore: 5 });
    assert.equal(await perUser.warmLeads.checkAndCreateWarmLead({ contactId: c.id, userId: owner.id }), false);
    assert.equal(emulator.journal.length, 0);
    assert.equal(await prisma.syncJob.count({ where: { recordId: c.id } }), 0);
  });

  test('an owner whose email is not in Pipedrive: the token user owns the person, and it is logged', async () => {
    const stranger = await prisma.user.create({ data: { email: `stranger.${Date.now()}@example.com` } });
    const c = await contact({ warmnessScore: 5 });
    assert.equal(await sync.warmLeads.checkAndCreateWarmLead({ contactId: c.id, userId: stranger.id }), true);
    const created = emulator.journal.entries().find((entry) => entry.method === 'POST' && entry.path === '/api/v2/persons');
    assert.equal((created?.body as Record<string, unknown>).owner_id, undefined, 'no owner_id sent');
    assert.ok(logs.some(([level, event]) => level === 'warn' && event === 'warm_lead.owner_unknown'));
  });

  test('apply, then drop the connection on the person create: exactly one person', async () => {
    emulator.faults.dropAfterApply({ method: 'POST', path: '/api/v2/persons', count: 1 });
    const c = await contact({ email: 'dropped@example.com', warmnessScore: 5 });
    assert.equal(await sync.warmLeads.checkAndCreateWarmLead({ contactId: c.id, userId: owner.id }), true);
    const persons = [...emulator.state.persons.values()].filter((p) => !p.is_deleted && p.emails.some((e) => e.value === 'dropped@example.com'));
    assert.equal(persons.length, 1);
    assert.equal((await prisma.contact.findUnique({ where: { id: c.id } }))?.pipedrivePersonId, persons[0].id);
  });

  test('503 twice, then success: true after three attempts', async () => {
    emulator.faults.failNext({ method: 'POST', path: '/api/v2/persons', status: 503, count: 2 });
    const c = await contact({ warmnessScore: 5 });
    assert.equal(await sync.warmLeads.checkAndCreateWarmLead({ contactId: c.id, userId: owner.id }), true);
    assert.equal(emulator.journal.entries().filter((entry) => entry.method === 'POST' && entry.path === '/api/v2/persons').length, 3);
  });

  test('a failing search means no create; the local data stays and the job waits for the queue', async () => {
    emulator.faults.failNext({ method: 'GET', path: '/api/v2/persons/search', status: 500, count: 20 });
    const c = await contact({ warmnessScore: 2 });
    assert.equal(await sync.warmLeads.checkAndCreateWarmLead({ contactId: c.id, userId: owner.id, warmnessScore: 6 }), false);
    assert.equal(count('POST', '/api/v2/persons'), 0);
    const stored = await prisma.contact.findUnique({ where: { id: c.id } });
    assert.equal(stored?.warmnessScore, 6, 'the local change is kept');
    assert.equal(stored?.pipedrivePersonId, null);
    assert.equal((await prisma.syncJob.findFirst({ where: { recordId: c.id } }))?.state, 'PENDING');
    // Pipedrive comes back: the queue finishes the job.
    emulator.faults.clear();
    await prisma.syncJob.updateMany({ where: { recordId: c.id }, data: { nextAttemptAt: new Date(Date.now() - 1000) } });
    const report = await sync.queue.drain();
    assert.equal(report.succeeded, 1);
    assert.ok((await prisma.contact.findUnique({ where: { id: c.id } }))?.pipedrivePersonId);
  });

  test('two persons with the email: a conflict to resolve, not a guess', async () => {
    emulator.state.seed({ persons: [
      { id: 7101, name: 'Twin A', emails: [{ value: 'twin@example.com', primary: true, label: 'work' }] },
      { id: 7102, name: 'Twin B', emails: [{ value: 'twin@example.com', primary: true, label: 'work' }] },
    ] });
    const c = await contact({ email: 'twin@example.com', warmnessScore: 5 });
    assert.equal(await sync.warmLeads.checkAndCreateWarmLead({ contactId: c.id, userId: owner.id }), false);
    assert.equal(count('POST', '/api/v2/persons'), 0);
    const stored = await prisma.contact.findUnique({ where: { id: c.id } });
    assert.equal(stored?.updateSyncStatus, 'CONFLICT');
    const conflict = await prisma.syncConflict.findFirst({ where: { localId: c.id } });
    assert.ok(conflict);
    assert.match(conflict.fields, /7101/);
  });

  test('checkWarmLead answers as spec §8.1', async () => {
    const c = await contact({ warmnessScore: 5, organization: 'Answer Co' });
    const answer = await sync.warmLeads.checkWarmLead(c.id, owner.id);
    const stored = await prisma.contact.findUnique({ where: { id: c.id } });
    assert.deepEqual(answer, { success: true, isWarmLead: true, pipedrivePersonId: String(stored?.pipedrivePersonId), pipedriveOrgId: String(stored?.pipedriveOrgId) });
  });
});
