/**
 * @module tests/demo/demo.test
 * `npm run demo`'s program end to end: the demo command in a child process (emulator in that process, a fresh
 * SQLite CRM), then its summary checked against the database it left and the emulator's dump (records, limits,
 * request journal): every warm lead linked, one person per email, the existing person linked not duplicated,
 * shared organizations created once, every activity of a contact in Pipedrive replicated exactly once (mapped type,
 * due date, person as primary participant) while cold contacts' activities stay local, and the activity counts,
 * requests, tokens and 429s it reports; then the record updates (CRM edits through the edit hooks, edits by hand in
 * the emulator's UI): updates pushed, fields kept from Pipedrive and conflicts as last-write-wins decided them, and,
 * in a smaller run at the same time, as `--strategy manual` holds them for a person.
 */

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';

import type { ActivityRecord, JournalEntry, OrganizationRecord, PersonRecord } from '../../js/emulator/index';
import { buildDemoSeed } from '../../js/demo/crm_seed';
import { demoContactId } from '../../js/demo/crm_database';
import { totalTokens } from '../../js/demo/token_spend';
import { parseDemoFlags } from '../../js/demo/demo_command';
import { loadSqliteClientModule, type TestPrismaClient } from '../prisma/databases';

const ROOT = path.resolve(__dirname, '..', '..');
/** Pipedrive's "Warm lead" and "Customer" person labels in the emulator. */
const WARM_LABEL = 3;
const CUSTOMER_LABEL = 1;
/** Emulator users: the token's user (Ada) and Sam. */
const ADA = 1;
const SAM = 2;

/** The spec's type map (DESIGN, spec §4.2): CRM activity type -> Pipedrive activity type. */
const TYPE_MAP: Record<string, string> = {
  CALL: 'call', EMAIL: 'email', MEETING: 'meeting', LINKEDIN: 'task', REFERRAL: 'task', CONFERENCE: 'meeting',
};

interface EmulatorDump {
  persons: PersonRecord[];
  organizations: OrganizationRecord[];
  activities: ActivityRecord[];
  limits: { dailyLimit: number; dailyRemaining: number };
  journal: JournalEntry[];
}

interface DemoRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the demo program as `npm run demo` does after the set-up step. */
function runDemo(args: string[], env: NodeJS.ProcessEnv): Promise<DemoRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'js/demo/demo_command.ts', ...args], { cwd: ROOT, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The summary's counts by row label (`persons created` -> 67; `elapsed` in seconds). */
function parseSummary(stdout: string): Map<string, number> {
  const rows = new Map<string, number>();
  for (const line of stdout.split('\n')) {
    const match = /^ {2} *(\S(?:.*?\S)?) {2,}(\d+(?:\.\d+)?)(?: s)?(?: {2,}.*)?$/.exec(line);
    if (match) rows.set(match[1], Number(match[2]));
  }
  return rows;
}

let dir: string;
let run: DemoRun;
/** The demo with `--strategy manual` on a smaller CRM. */
let manualRun: DemoRun;
let summary: Map<string, number>;
let dump: EmulatorDump;
let prisma: TestPrismaClient;
const seed = buildDemoSeed({ seedPipedrive: true });

function row(label: string): number {
  const value = summary.get(label);
  assert.notEqual(value, undefined, `the summary has a '${label}' row:\n${run.stdout}`);
  return value as number;
}

/** The notes column of a summary row. */
function notes(label: string): string {
  const line = run.stdout.split('\n').find((l) => l.trim().startsWith(`${label}  `));
  assert.ok(line, `the summary has a '${label}' row:\n${run.stdout}`);
  return line.replace(/^\s*\S(?:.*?\S)? {2,}\d+(?:\.\d+)?(?: s)? {2,}/, '').trim();
}

/** Contact ids as seeded: warm leads (warm, unlinked), contacts linked before the run, cold contacts (neither). */
const warmIds = new Set(seed.contacts.flatMap((c, i) => (c.warmnessScore >= 4 && c.pipedrivePersonId === null ? [demoContactId(i)] : [])));
const linkedIds = new Set(seed.contacts.flatMap((c, i) => (c.pipedrivePersonId !== null ? [demoContactId(i)] : [])));

/** The journal path of a Pipedrive record. */
const recordPath = (entity: 'person' | 'organization', id: number): string => `/api/v2/${entity === 'person' ? 'persons' : 'organizations'}/${id}`;
/** The fields changed in the Pipedrive UI (journaled as method `UI`), with their values. */
function uiEdited(entity: 'person' | 'organization', id: number): Map<string, unknown> {
  const edits = dump.journal.filter((e) => e.method === 'UI' && e.path === recordPath(entity, id) && e.status < 300);
  return new Map(edits.flatMap((e) => Object.entries(e.body as Record<string, unknown>)));
}
/** The fields the engine PATCHed, with their values. */
function patched(entity: 'person' | 'organization', id: number): Map<string, unknown> {
  const sent = dump.journal.filter((e) => e.method === 'PATCH' && e.path === recordPath(entity, id) && e.status < 300);
  return new Map(sent.flatMap((e) => Object.entries(e.body as Record<string, unknown>)));
}

const live = <T extends { is_deleted: boolean }>(records: T[]): T[] => records.filter((r) => !r.is_deleted);

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'pipedrive-sync-demo-'));
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: `file:${path.join(dir, 'demo.db')}` };
  delete env.PIPEDRIVE_API_TOKEN;
  delete env.PIPEDRIVE_BASE_URL;
  // A smaller CRM under the manual strategy, at the same time (its own emulator and database).
  const manualEnv: NodeJS.ProcessEnv = { ...env, DATABASE_URL: `file:${path.join(dir, 'manual.db')}` };
  [run, manualRun] = await Promise.all([
    runDemo(['--dump-emulator', path.join(dir, 'emulator.json')], env),
    runDemo(['--contacts', '80', '--strategy', 'manual', '--dump-emulator', path.join(dir, 'manual.json')], manualEnv),
  ]);
  summary = parseSummary(run.stdout);
  dump = JSON.parse(readFileSync(path.join(dir, 'emulator.json'), 'utf8')) as EmulatorDump;
  const { PrismaClient } = loadSqliteClientModule();
  prisma = new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: `file:${path.join(dir, 'demo.db')}` }) });
});

after(async () => {
  await prisma?.$disconnect();
  rmSync(dir, { recursive: true, force: true });
});

test('the demo exits 0 with a progress bar on stderr and the summary on stdout', () => {
  assert.equal(run.code, 0, `exit code 0\n${run.stderr}\n${run.stdout}`);
  assert.match(run.stderr, /\[█+\] \d+\/\d+ warm leads/);
  assert.match(run.stderr, /\[█+\] (\d+)\/\1 activities · \1 in Pipedrive/, 'the direct replication shows its progress');
  assert.match(run.stderr, /\[█+\] (\d+)\/\1 jobs · 0 rescheduled · 0 dead/, 'the final drain shows its progress');
  // The drain starts after the last warm lead's call has finished.
  const lastLead = run.stderr.lastIndexOf(' warm leads · ');
  const draining = run.stderr.indexOf('Draining ');
  assert.ok(lastLead >= 0 && draining > lastLead, `the drain runs after every warm lead:\n${run.stderr}`);
  assert.match(run.stdout, /Demo summary: the emulator \(plan growth\)/);
  assert.equal(row('contacts in the CRM'), seed.contacts.length);
});

test('every warm unlinked contact is linked to a person with its email, the Warm lead label and its owner', async () => {
  const warm = seed.contacts.map((c, i) => ({ ...c, id: demoContactId(i) })).filter((c) => c.warmnessScore >= 4 && c.pipedrivePersonId === null);
  assert.ok(warm.length > 30, `a few dozen warm leads, got ${warm.length}`);
  assert.equal(row('warm leads synced'), warm.length);
  const persons = new Map(dump.persons.map((p) => [p.id, p]));
  const contacts = new Map((await prisma.contact.findMany()).map((c) => [c.id, c]));
  for (const lead of warm) {
    const contact = contacts.get(lead.id);
    assert.ok(contact?.pipedrivePersonId, `${lead.id} is linked`);
    assert.equal(contact.updateSyncStatus, 'SYNCED');
    const person = persons.get(contact.pipedrivePersonId);
    assert.ok(person && !person.is_deleted, `${lead.id}'s person exists`);
    assert.deepEqual(person.emails.map((e) => e.value.toLowerCase()), [lead.email.toLowerCase()]);
    assert.ok(person.label_ids.includes(WARM_LABEL), `${lead.id}'s person has the Warm lead label`);
    // Sam and Ada are Pipedrive users; Olivia is not, so the token's user (Ada) owns her leads (unless the record
    // updates had the owner changed in the Pipedrive UI: checked below).
    if (!uiEdited('person', person.id).has('owner_id')) assert.equal(person.owner_id, seed.users[lead.owner].email === 'sam.seller@example.com' ? SAM : ADA);
    if (lead.organization !== null) assert.equal(person.org_id, contact.pipedriveOrgId);
  }
  const stillWarmUnlinked = [...contacts.values()].filter((c) => c.warmnessScore >= 4 && c.pipedrivePersonId === null);
  assert.deepEqual(stillWarmUnlinked.map((c) => c.id), []);
});

test('one person per email: no duplicates, and the persons created are the ones reported', () => {
  const persons = live(dump.persons);
  const emails = persons.flatMap((p) => p.emails.map((e) => e.value.toLowerCase()));
  assert.equal(new Set(emails).size, emails.length, 'no email on two persons');
  const seeded = seed.pipedrive?.persons?.length ?? 0;
  assert.equal(row('persons created'), persons.length - seeded);
  const creates = dump.journal.filter((e) => e.method === 'POST' && e.path === '/api/v2/persons' && e.status < 300);
  assert.equal(creates.length, row('persons created'));
});

test('the contact whose email was already a Pipedrive person is linked to it, not duplicated', async () => {
  assert.ok(seed.existingPerson);
  const contact = await prisma.contact.findUnique({ where: { id: demoContactId(0) } });
  assert.equal(contact?.pipedrivePersonId, seed.existingPerson.id);
  const person = dump.persons.find((p) => p.id === seed.existingPerson?.id);
  assert.deepEqual(person?.label_ids, [CUSTOMER_LABEL, WARM_LABEL], 'its labels kept, Warm lead added');
  const withEmail = live(dump.persons).filter((p) => p.emails.some((e) => e.value.toLowerCase() === seed.existingPerson?.email));
  assert.equal(withEmail.length, 1);
  assert.equal(row('persons linked to an existing person'), 1);
});

test('organizations: shared ones created once, existing ones reused, every contact of one organization on the same Pipedrive id', async () => {
  const orgs = live(dump.organizations);
  const names = orgs.map((o) => o.name);
  assert.equal(new Set(names).size, names.length, 'no organization created twice');
  const seededOrgs = seed.pipedrive?.organizations?.length ?? 0;
  assert.equal(row('organizations created'), orgs.length - seededOrgs);
  assert.equal(row('organizations reused'), 3, 'two linked before, one found by name');
  const crmOrgs = await prisma.organization.findMany({ include: { contacts: true } });
  const renamed = new Set(dump.organizations.filter((o) => uiEdited('organization', o.id).has('name') || patched('organization', o.id).has('name')).map((o) => o.id));
  const byName = new Map(orgs.map((o) => [o.name, o.id]));
  let shared = 0;
  for (const org of crmOrgs) {
    const linked = org.contacts.filter((c) => c.pipedriveOrgId !== null);
    if (linked.length === 0) continue;
    // Organizations renamed by the record updates are checked below.
    if (!renamed.has(org.pipedriveOrgId ?? 0)) {
      assert.equal(org.pipedriveOrgId, byName.get(org.name), `${org.name} is linked to the Pipedrive organization of that name`);
    }
    for (const c of linked) assert.equal(c.pipedriveOrgId, org.pipedriveOrgId, `${c.id} has its organization's Pipedrive id`);
    if (linked.length > 1) shared++;
  }
  assert.ok(shared >= 5, `several organizations are shared by synced contacts, got ${shared}`);
  assert.equal(crmOrgs.find((o) => o.name === 'Initech')?.pipedriveOrgId, 5003, 'found by name, not created');
});

test('skipped contacts, requests, tokens and 429s match the database and the emulator', () => {
  const below = seed.contacts.filter((c) => c.warmnessScore < 4).length;
  const linked = seed.contacts.filter((c) => c.warmnessScore >= 4 && c.pipedrivePersonId !== null).length;
  assert.equal(row('below the threshold'), below);
  assert.equal(row('already linked'), linked);
  assert.equal(row('other'), 0);
  assert.equal(row('contacts skipped'), below + linked);
  // Edits made in the Pipedrive UI are journaled too (method UI), but are no requests and cost no tokens.
  const requests = dump.journal.filter((e) => e.method !== 'UI');
  assert.equal(row('requests sent'), requests.length);
  assert.equal(row('429 responses'), requests.filter((e) => e.status === 429).length);
  assert.equal(row('API tokens spent'), dump.limits.dailyLimit - dump.limits.dailyRemaining);
  assert.equal(row('API tokens spent'), totalTokens(requests), 'the endpoint cost table agrees with the emulator');
  assert.equal(row('queue'), 0, 'nothing left in the outbox');
  // Reported, not timed: performance targets are benchmarks, never timed tests (DESIGN §9).
  assert.ok(row('elapsed') > 0);
});

test('the seeded CRM has activities of every type for warm leads, linked and cold contacts, logged by their owners', async () => {
  const byKind = { warm: 0, linked: 0, cold: 0 };
  const perContact = new Map<number, number>();
  for (const a of seed.activities) {
    const id = demoContactId(a.contact);
    byKind[warmIds.has(id) ? 'warm' : linkedIds.has(id) ? 'linked' : 'cold']++;
    perContact.set(a.contact, (perContact.get(a.contact) ?? 0) + 1);
  }
  assert.ok(byKind.warm >= 50 && byKind.linked >= 10 && byKind.cold >= 20, `activities for each kind of contact: ${JSON.stringify(byKind)}`);
  assert.ok([...perContact.values()].every((n) => n >= 1 && n <= 3), '1 to 3 activities per contact');
  assert.deepEqual(new Set(seed.activities.map((a) => a.type)), new Set(Object.keys(TYPE_MAP)), 'all six CRM types');
  assert.deepEqual(buildDemoSeed({ seedPipedrive: true }).activities, seed.activities, 'the same seed gives the same activities');

  const activities = await prisma.activity.findMany({ include: { contact: true }, orderBy: { id: 'asc' } });
  assert.equal(activities.length, seed.activities.length);
  const now = Date.now();
  const allDay = activities.filter((a) => a.allDay);
  assert.ok(allDay.length > 0 && allDay.length < activities.length / 3, `a few all-day activities, got ${allDay.length}`);
  for (const a of activities) {
    assert.equal(a.userId, a.contact.ownerId, `${a.id} was logged by its contact's owner`);
    assert.ok(a.subject.length > 0);
    const due = a.dueDate?.getTime() ?? 0;
    assert.ok(due > now - 86_400_000 && due < now + 43 * 86_400_000, `${a.id} is due in the coming weeks`);
    assert.ok(a.createdAt.getTime() < now, `${a.id} was logged before the run`);
    if (a.allDay) assert.equal(a.dueDate?.toISOString().slice(11), '00:00:00.000Z', `${a.id} is all day: midnight UTC`);
  }
  assert.ok(activities.filter((a) => a.note !== null).length > activities.length / 2, 'most have notes');
});

test('every activity of a contact in Pipedrive is replicated exactly once, with its subject, mapped type, due date and person', async () => {
  const remote = new Map(dump.activities.map((a) => [a.id, a]));
  const activities = await prisma.activity.findMany({ include: { contact: true }, orderBy: { id: 'asc' } });
  const replicable = activities.filter((a) => a.contact.pipedrivePersonId !== null);
  assert.equal(replicable.length, activities.filter((a) => warmIds.has(a.contactId) || linkedIds.has(a.contactId)).length);
  const ownerOf = new Map((await prisma.user.findMany()).map((u) => [u.id, u.email]));
  for (const a of replicable) {
    assert.ok(a.pipedriveActivityId, `${a.id} has its Pipedrive activity`);
    assert.equal(a.replicatedToPipedrive, true);
    assert.equal(a.updateSyncStatus, 'SYNCED');
    assert.equal(a.pipedriveSyncAttempts, 1, `${a.id}: one attempt`);
    const r = remote.get(a.pipedriveActivityId);
    assert.ok(r && !r.is_deleted, `${a.id}'s Pipedrive activity exists`);
    assert.equal(r.subject, a.subject);
    assert.equal(r.type, TYPE_MAP[a.type], `${a.id}: ${a.type} is sent as ${TYPE_MAP[a.type]}`);
    assert.equal(r.note, a.note);
    const due = a.dueDate?.toISOString() ?? '';
    assert.equal(r.due_date, due.slice(0, 10), `${a.id}'s due date`);
    assert.equal(r.due_time, a.allDay ? null : due.slice(11, 19), `${a.id}'s due time (UTC)`);
    assert.deepEqual(r.participants, [{ person_id: a.contact.pipedrivePersonId, primary: true }], `${a.id}: the person is the primary participant`);
    assert.equal(r.person_id, a.contact.pipedrivePersonId);
    assert.equal(r.owner_id, ownerOf.get(a.userId) === 'sam.seller@example.com' ? SAM : ADA, `${a.id}'s owner`);
  }
  // One Pipedrive activity per local activity: no two local activities share one, none created twice.
  const ids = replicable.map((a) => a.pipedriveActivityId);
  assert.equal(new Set(ids).size, ids.length);
  assert.equal(live(dump.activities).length, replicable.length, 'no other activity in Pipedrive');
  const creates = dump.journal.filter((e) => e.method === 'POST' && e.path === '/api/v2/activities' && e.status < 300);
  assert.equal(creates.length, replicable.length, 'one create per activity');

  // The warm leads' activities were queued by the backfill, oldest first.
  const jobs = await prisma.syncJob.findMany({ where: { kind: 'replicate_activity' }, orderBy: { id: 'asc' } });
  assert.equal(jobs.length, replicable.length, 'one job per replicated activity');
  assert.ok(jobs.every((j) => j.state === 'DONE'));
  const created = new Map(activities.map((a) => [a.id, a]));
  for (const contactId of warmIds) {
    const order = jobs.filter((j) => created.get(j.recordId)?.contactId === contactId).map((j) => created.get(j.recordId)?.createdAt.getTime() ?? 0);
    assert.deepEqual(order, [...order].sort((x, y) => x - y), `${contactId}'s activities were queued oldest first`);
  }
});

test('cold contacts\' activities stay local: not replicated, not attempted', async () => {
  const cold = await prisma.activity.findMany({ where: { contact: { pipedrivePersonId: null } } });
  assert.ok(cold.length > 0);
  for (const a of cold) {
    assert.ok(!warmIds.has(a.contactId) && !linkedIds.has(a.contactId), `${a.id} belongs to a cold contact`);
    assert.equal(a.pipedriveActivityId, null);
    assert.equal(a.replicatedToPipedrive, false);
    assert.equal(a.pipedriveSyncAttempts, 0);
  }
  const subjects = new Set(live(dump.activities).map((a) => `${a.subject}|${a.person_id}`));
  assert.equal(cold.filter((a) => subjects.has(`${a.subject}|null`)).length, 0, 'no person-less activity in Pipedrive');
});

test('the activity rows match the database and the emulator', async () => {
  const activities = await prisma.activity.findMany({ include: { contact: true } });
  const replicated = activities.filter((a) => a.pipedriveActivityId !== null);
  assert.equal(row('activities in the CRM'), activities.length);
  assert.equal(row('activities replicated'), replicated.length);
  assert.equal(row('activities replicated'), live(dump.activities).length);
  assert.equal(row('via the warm-lead backfill'), replicated.filter((a) => warmIds.has(a.contactId)).length);
  assert.equal(row('directly'), replicated.filter((a) => linkedIds.has(a.contactId)).length);
  assert.ok(row('via the warm-lead backfill') > 0 && row('directly') > 0);
  const notReplicated = activities.filter((a) => a.pipedriveActivityId === null);
  assert.equal(row('activities not replicated'), notReplicated.length);
  assert.equal(row('contact not in Pipedrive'), notReplicated.filter((a) => a.contact.pipedrivePersonId === null).length);
  assert.equal(row('queued or failed'), 0);
  // Types sent, as the emulator holds them: `call 12 · email 9 · meeting 10 · task 8`.
  const types = new Map<string, number>();
  for (const a of live(dump.activities)) types.set(a.type, (types.get(a.type) ?? 0) + 1);
  const expected = [...types].sort(([x], [y]) => x.localeCompare(y)).map(([t, n]) => `${t} ${n}`).join(' · ');
  assert.equal(row('activity types sent'), replicated.length);
  assert.equal(notes('activity types sent'), expected);
  assert.deepEqual([...types.keys()].sort(), ['call', 'email', 'meeting', 'task']);
});

/** One `update_record` job the demo's CRM edits queued, with how each of its fields should have ended. */
interface EditedField {
  entity: 'person' | 'organization';
  id: number;
  field: string;
  local: unknown;
  /** Whether the CRM changed it (its value differs from the seeded one) and whether it was changed in the UI. */
  localChanged: boolean;
  ui: { value: unknown; time: number } | null;
  changedAt: number;
}

/** The fields of every update job, from the database, the seed and the emulator's journal. */
async function editedFields(): Promise<EditedField[]> {
  const jobs = await prisma.syncJob.findMany({ where: { kind: 'update_record' } });
  const contacts = new Map((await prisma.contact.findMany()).map((c) => [c.pipedrivePersonId, c]));
  const orgs = await prisma.organization.findMany({ include: { contacts: true } });
  const seededOrgName = new Map(orgs.map((o) => {
    const first = seed.contacts[Number(o.contacts[0]?.id.slice('demo-contact-'.length)) - 1];
    return [o.pipedriveOrgId, first?.organization == null ? null : seed.organizations[first.organization].name];
  }));
  return jobs.flatMap((job) => {
    const payload = JSON.parse(job.payload) as { entity: 'person' | 'organization'; id: number; data: Record<string, unknown>; changedAt: string };
    const seededContact = payload.entity === 'person' ? seed.contacts[Number(contacts.get(payload.id)?.id.slice('demo-contact-'.length)) - 1] : null;
    const seeded: Record<string, unknown> = payload.entity === 'person'
      ? { name: seededContact?.name, owner_id: seed.users[seededContact?.owner ?? 0].email === 'sam.seller@example.com' ? SAM : ADA }
      : { name: seededOrgName.get(payload.id) };
    const uiEntries = dump.journal.filter((e) => e.method === 'UI' && e.path === recordPath(payload.entity, payload.id));
    return Object.entries(payload.data).map(([field, local]) => {
      const entry = uiEntries.find((e) => Object.prototype.hasOwnProperty.call(e.body, field));
      return {
        entity: payload.entity, id: payload.id, field, local, localChanged: local !== seeded[field],
        ui: entry ? { value: (entry.body as Record<string, unknown>)[field], time: entry.time } : null,
        changedAt: Date.parse(payload.changedAt),
      };
    });
  });
}

/** The record's current value of a field in the emulator. */
function remoteValue(entity: 'person' | 'organization', id: number, field: string): unknown {
  const record = (entity === 'person' ? dump.persons : dump.organizations).find((r) => r.id === id);
  assert.ok(record, `${entity} ${id} is in the emulator`);
  return (record as unknown as Record<string, unknown>)[field];
}

test('record updates: the CRM edits were queued in the CRM\'s transaction and all went through, the UI edits are reported', async () => {
  const jobs = await prisma.syncJob.findMany({ where: { kind: 'update_record' } });
  assert.ok(jobs.length >= 10, `a dozen CRM edits, got ${jobs.length}`);
  assert.equal(row('records edited in the CRM'), jobs.length);
  assert.ok(jobs.every((j) => j.state === 'DONE'), 'every update job is done');
  const persons = jobs.filter((j) => j.recordType === 'person').length;
  assert.match(notes('records edited in the CRM'), new RegExp(`^${persons} persons, ${jobs.length - persons} organizations`));
  // The CRM rows carry the edit, and are in step again.
  for (const job of jobs.filter((j) => j.recordType === 'person')) {
    const contact = await prisma.contact.findFirst({ where: { pipedrivePersonId: Number(job.recordId) } });
    const data = (JSON.parse(job.payload) as { data: { name: string } }).data;
    assert.equal(contact?.name, data.name, `${contact?.id}'s CRM row was edited`);
    assert.equal(contact?.updateSyncStatus, 'SYNCED', `${contact?.id} is in step after the drain`);
  }
  const ui = dump.journal.filter((e) => e.method === 'UI');
  assert.ok(ui.every((e) => e.status === 200));
  const uiRecords = new Set(ui.map((e) => e.path));
  const jobPaths = new Set(jobs.map((j) => recordPath(j.recordType as 'person' | 'organization', Number(j.recordId))));
  const both = [...uiRecords].filter((p) => jobPaths.has(p)).length;
  assert.equal(row('records edited in the Pipedrive UI'), uiRecords.size);
  assert.ok(both > 0 && both < uiRecords.size, 'some records edited on both sides, some only in Pipedrive');
  assert.match(notes('records edited in the Pipedrive UI'), new RegExp(`${both} also edited in the CRM, ${uiRecords.size - both} only there`));
  // Records edited only in the UI: nothing queued, Pipedrive's edit stays.
  for (const path of [...uiRecords].filter((p) => !jobPaths.has(p))) {
    const [, kind, id] = /^\/api\/v2\/(persons|organizations)\/(\d+)$/.exec(path) ?? [];
    const entity = kind === 'persons' ? 'person' : 'organization';
    for (const [field, value] of uiEdited(entity, Number(id))) assert.deepEqual(remoteValue(entity, Number(id), field), value, `${path}.${field} kept`);
    assert.equal(patched(entity, Number(id)).size, 0, `${path} was not written by the engine`);
  }
});

test('record updates: updates pushed, fields kept from Pipedrive and conflicts decided by last-write-wins match what Pipedrive holds', async () => {
  const fields = await editedFields();
  let pushed = 0;
  let kept = 0;
  let crmWon = 0;
  let pipedriveWon = 0;
  for (const f of fields) {
    const name = `${f.entity} ${f.id}.${f.field}`;
    const sent = patched(f.entity, f.id);
    const now = remoteValue(f.entity, f.id, f.field);
    if (f.localChanged && f.ui === null) {
      pushed++;
      assert.equal(sent.get(f.field), f.local, `${name}: changed in the CRM only, pushed`);
      assert.equal(now, f.local);
    } else if (!f.localChanged && f.ui !== null) {
      kept++;
      assert.ok(!sent.has(f.field), `${name}: changed in Pipedrive only, not sent`);
      assert.equal(now, f.ui.value, `${name}: Pipedrive's value kept`);
    } else if (f.localChanged && f.ui !== null) {
      // Last-write-wins, to the second; a tie goes to the CRM.
      const crmLater = Math.floor(f.changedAt / 1000) >= Math.floor(f.ui.time / 1000);
      if (crmLater) crmWon++;
      else pipedriveWon++;
      assert.equal(sent.has(f.field), crmLater, `${name}: sent only when the CRM edit was later`);
      assert.equal(now, crmLater ? f.local : f.ui.value, `${name}: the later edit's value`);
    }
  }
  assert.ok(kept > 0 && crmWon > 0 && pipedriveWon > 0, `every case happens: ${JSON.stringify({ pushed, kept, crmWon, pipedriveWon })}`);
  // The record-update phase starts with the edits by hand (an earlier PATCH adds the Warm lead label to the person found).
  const phase = dump.journal.slice(dump.journal.findIndex((e) => e.method === 'UI'));
  const patches = phase.filter((e) => e.method === 'PATCH' && e.status < 300 && /^\/api\/v2\/(persons|organizations)\//.test(e.path));
  assert.equal(row('updates pushed'), patches.length);
  const patchedFields = patches.reduce((n, e) => n + Object.keys(e.body as object).length, 0);
  assert.equal(patchedFields, pushed + crmWon, 'only what changes is sent');
  assert.match(notes('updates pushed'), new RegExp(`^PATCH requests, ${patchedFields} fields`));
  assert.equal(row('fields kept from Pipedrive'), kept);
  assert.equal(row('conflicts found'), crmWon + pipedriveWon);
  assert.match(notes('conflicts found'), /strategy last-write-wins$/);
  assert.equal(row('CRM value sent'), crmWon);
  assert.equal(row('Pipedrive value kept'), pipedriveWon);
  assert.equal(row('held for a person'), 0);
  assert.equal(await prisma.syncConflict.count(), 0, 'last-write-wins holds nothing for a person');
});

test('record updates with --strategy manual: the conflicts are held for a person, the rest still pushed', async () => {
  assert.equal(manualRun.code, 0, `exit code 0\n${manualRun.stderr}\n${manualRun.stdout}`);
  const rows = parseSummary(manualRun.stdout);
  const manualDump = JSON.parse(readFileSync(path.join(dir, 'manual.json'), 'utf8')) as EmulatorDump;
  const { PrismaClient } = loadSqliteClientModule();
  const db = new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: `file:${path.join(dir, 'manual.db')}` }) });
  try {
    const conflicts = await db.syncConflict.findMany();
    assert.ok(conflicts.length > 0, 'conflicts were held');
    assert.ok(conflicts.every((c) => c.status === 'OPEN'));
    const held = conflicts.reduce((n, c) => n + Object.keys(JSON.parse(c.fields) as object).length, 0);
    assert.equal(rows.get('conflicts found'), held);
    assert.equal(rows.get('held for a person'), held);
    assert.equal(rows.get('CRM value sent'), 0);
    assert.equal(rows.get('Pipedrive value kept'), 0);
    assert.match(manualRun.stdout, new RegExp(`held for a person +${held} +${conflicts.length} open conflicts`));
    assert.match(manualRun.stdout, /conflicts found .*strategy manual/);
    // A held field is not sent; the persons with one show CONFLICT in the CRM.
    const phase = manualDump.journal.slice(manualDump.journal.findIndex((e) => e.method === 'UI'));
    const patches = phase.filter((e) => e.method === 'PATCH' && e.status < 300 && /^\/api\/v2\/(persons|organizations)\//.test(e.path));
    assert.equal(rows.get('updates pushed'), patches.length);
    for (const c of conflicts) {
      const entity = c.recordType === 'person' ? 'persons' : 'organizations';
      const sent = patches.filter((e) => e.path === `/api/v2/${entity}/${c.pipedriveId}`).flatMap((e) => Object.keys(e.body as object));
      for (const field of Object.keys(JSON.parse(c.fields) as object)) assert.ok(!sent.includes(field), `${entity} ${c.pipedriveId}.${field} held, not sent`);
      if (c.recordType === 'person') {
        const contact = await db.contact.findFirst({ where: { pipedrivePersonId: c.pipedriveId } });
        assert.equal(contact?.updateSyncStatus, 'CONFLICT', `${contact?.id} waits for a decision`);
      }
    }
  } finally {
    await db.$disconnect();
  }
});

test('--strategy takes the three strategies and refuses others', () => {
  assert.equal(parseDemoFlags([]).strategy, 'last-write-wins');
  assert.equal(parseDemoFlags(['--strategy', 'auto-merge']).strategy, 'auto-merge');
  assert.throws(() => parseDemoFlags(['--strategy', 'newest']), /--strategy must be last-write-wins, manual or auto-merge/);
});
