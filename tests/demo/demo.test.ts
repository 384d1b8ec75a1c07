//! `npm run demo`'s program end to end: the demo command in a child process (emulator in that process, a fresh
//! SQLite CRM), then its summary checked against the database it left and the emulator's dump (records, limits,
//! request journal): every warm lead linked, one person per email, the existing person linked not duplicated,
//! shared organizations created once, and the requests, tokens and 429s it reports.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';

import type { JournalEntry, OrganizationRecord, PersonRecord } from '../../js/emulator/index';
import { buildDemoSeed } from '../../js/demo/crm_seed';
import { demoContactId } from '../../js/demo/crm_database';
import { totalTokens } from '../../js/demo/token_spend';
import { loadSqliteClientModule, type TestPrismaClient } from '../prisma/databases';

const ROOT = path.resolve(__dirname, '..', '..');
/** Pipedrive's "Warm lead" and "Customer" person labels in the emulator. */
const WARM_LABEL = 3;
const CUSTOMER_LABEL = 1;
/** Emulator users: the token's user (Ada) and Sam. */
const ADA = 1;
const SAM = 2;

interface EmulatorDump {
  persons: PersonRecord[];
  organizations: OrganizationRecord[];
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
let summary: Map<string, number>;
let dump: EmulatorDump;
let prisma: TestPrismaClient;
const seed = buildDemoSeed({ seedPipedrive: true });

function row(label: string): number {
  const value = summary.get(label);
  assert.notEqual(value, undefined, `the summary has a '${label}' row:\n${run.stdout}`);
  return value as number;
}

const live = <T extends { is_deleted: boolean }>(records: T[]): T[] => records.filter((r) => !r.is_deleted);

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'pipedrive-sync-demo-'));
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: `file:${path.join(dir, 'demo.db')}` };
  delete env.PIPEDRIVE_API_TOKEN;
  delete env.PIPEDRIVE_BASE_URL;
  run = await runDemo(['--dump-emulator', path.join(dir, 'emulator.json')], env);
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
    // Sam and Ada are Pipedrive users; Olivia is not, so the token's user (Ada) owns her leads.
    assert.equal(person.owner_id, seed.users[lead.owner].email === 'sam.seller@example.com' ? SAM : ADA);
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
  const byName = new Map(orgs.map((o) => [o.name, o.id]));
  let shared = 0;
  for (const org of crmOrgs) {
    const linked = org.contacts.filter((c) => c.pipedriveOrgId !== null);
    if (linked.length === 0) continue;
    assert.equal(org.pipedriveOrgId, byName.get(org.name), `${org.name} is linked to the Pipedrive organization of that name`);
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
  assert.equal(row('requests sent'), dump.journal.length);
  assert.equal(row('429 responses'), dump.journal.filter((e) => e.status === 429).length);
  assert.equal(row('API tokens spent'), dump.limits.dailyLimit - dump.limits.dailyRemaining);
  assert.equal(row('API tokens spent'), totalTokens(dump.journal), 'the endpoint cost table agrees with the emulator');
  assert.equal(row('queue'), 0, 'nothing left in the outbox');
  // Reported, not timed: performance targets are benchmarks, never timed tests (DESIGN §9).
  assert.ok(row('elapsed') > 0);
});
