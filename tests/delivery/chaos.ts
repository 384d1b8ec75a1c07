/**
 * @module tests/delivery/chaos
 * A seeded chaos run (issue 11): warm leads (shared new organizations included) and activities, synced through
 * real-time calls and drains by several engines on one Prisma store, against the emulator under a random schedule
 * of faults: create applied then connection dropped, 5xx bursts, 429s, timeouts, responses slower than the real-time
 * limits, store failures before and after sends, short leases with a second worker, and an engine "killed" mid-run
 * (frozen: from then on its requests and store calls never return, as a dead process looks from outside; its
 * leases expire and another engine takes over). Then the faults heal, the queue is drained (dead jobs replayed
 * once), and the run checks what the package promises: one Pipedrive record per local record, every job done, none
 * RUNNING, labels kept, and the token in no log line, error, outbox row or answer.
 *
 * Used by `chaos.test.ts` (a few seeds in `npm test`) and `tests/bench/chaos.ts` (hundreds).
 */

import assert from 'node:assert/strict';

import { createPipedriveSync, type PipedriveSync } from '../../js/index';
import { SeededRandom } from '../../js/demo/seeded_random';
import type { PipedriveEmulator } from '../../js/emulator/index';
import { createFetchHttp } from '../../js/host/fetch_http';
import type { HttpSend } from '../../js/host/types';
import { createPrismaStore } from '../../js/prisma/index';
import type { SyncStore } from '../../js/store/types';
import { emptyCrmTables } from '../prisma/contacts_helpers';
import type { TestPrismaClient } from '../prisma/databases';

/** What one run did and checked. */
export interface ChaosReport {
  seed: number;
  /** The fault schedule, one line per fault. */
  schedule: string[];
  /** What was checked, one line per check (all passed, or the run threw). */
  checks: string[];
  /** Requests the emulator saw. */
  requests: number;
  elapsedMs: number;
}

/** The id of the person label "Warm lead" the emulator's account starts with. */
const WARM_LABEL_ID = 3;
/** The shortest lease the engines' request timeout (1.5 s) allows: twice the longest a request is in flight. */
const LEASE_MS = 5_000;
/** The lease of a real-time call's job (the engine's default lease). */
const DEFAULT_LEASE_MS = 5 * 60_000;
const STORE_METHODS_TO_BREAK = ['markActivityReplicated', 'linkContact', 'completeJob', 'failJob', 'markJobInDoubt', 'findContact', 'findActivity'] as const;

/** A never-settling promise: what a frozen engine's host calls return. */
const never = <T>() => new Promise<T>(() => undefined);

/** Waits `ms` of real time. */
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One chaos run with `seed` on `prisma` (tables emptied first) against `emulator` (reset first).
 * Throws an `AssertionError` naming the broken promise; otherwise answers the report.
 */
export async function runChaos(seed: number, prisma: TestPrismaClient, emulator: PipedriveEmulator): Promise<ChaosReport> {
  const started = Date.now();
  const random = new SeededRandom(seed);
  const schedule: string[] = [];
  const checks: string[] = [];
  await emptyCrmTables(prisma);
  await prisma.user.deleteMany({});
  emulator.reset();
  emulator.faults.clear();
  emulator.journal.clear();

  // The CRM: one user, contacts (some of them sharing new organizations), activities of contacts already in
  // Pipedrive and of contacts that become warm leads now (backfilled).
  const user = await prisma.user.create({ data: { email: 'sam.seller@example.com', name: 'Sam' } });
  const orgNames = ['Shared Alpha', 'Shared Beta', `Solo ${seed}`];
  const contacts = [];
  const leadCount = random.int(4, 7);
  for (let i = 0; i < leadCount; i++) {
    const orgName = random.next() < 0.75 ? random.pick(orgNames) : null;
    const org = orgName ? ((await prisma.organization.findFirst({ where: { name: orgName } })) ?? (await prisma.organization.create({ data: { name: orgName } }))) : null;
    contacts.push(await prisma.contact.create({
      data: { name: `Lead ${seed}-${i}`, email: `lead.${seed}.${i}@example.com`, warmnessScore: 2, ownerId: user.id, organizationId: org?.id },
    }));
  }
  emulator.state.seed({ persons: [{ id: 9001, name: 'Known Person' }] });
  const known = await prisma.contact.create({ data: { name: 'Known Person', email: 'known@example.com', ownerId: user.id, pipedrivePersonId: 9001 } });
  const activities = [];
  for (const [i, contact] of [known, ...contacts.slice(0, 2)].entries()) {
    for (let n = 0; n < random.int(1, 2); n++) {
      activities.push(await prisma.activity.create({
        data: { contactId: contact.id, userId: user.id, type: random.pick(['CALL', 'EMAIL', 'MEETING']), subject: `Activity ${seed}-${i}-${n}`, dueDate: new Date(Date.UTC(2026, 11, 1 + n, 9 + i)) },
      }));
    }
  }

  // The fault schedule.
  const paths = ['/api/v2/persons', '/api/v2/organizations', '/api/v2/activities'];
  let slowestMs = 0;
  for (let i = random.int(2, 5); i > 0; i--) {
    const path = random.pick(paths);
    const kind = random.int(0, 4);
    if (kind === 0) {
      const count = random.int(1, 2);
      emulator.faults.dropAfterApply({ method: 'POST', path, count });
      schedule.push(`drop-after-apply POST ${path} ×${count}`);
    } else if (kind === 1) {
      const count = random.int(1, 4);
      const method = random.pick(['POST', 'GET']);
      emulator.faults.failNext({ method, path, status: random.pick([500, 502, 503]), count });
      schedule.push(`5xx burst ${method} ${path} ×${count}`);
    } else if (kind === 2) {
      const count = random.int(1, 3);
      emulator.faults.failNext({ path, status: 429, count, headers: { 'retry-after': '1' } });
      schedule.push(`429 on ${path} ×${count}`);
    } else if (kind === 3) {
      const ms = random.pick([1_800, 3_500, 5_500]);
      slowestMs = Math.max(slowestMs, ms);
      emulator.faults.latency({ method: 'POST', path, ms, count: 1 });
      schedule.push(`slow POST ${path} ${ms} ms (request timeout 1500 ms / real-time limits 3 s, 5 s)`);
    } else {
      const ms = random.int(500, 3_000);
      emulator.searchLag({ ms });
      schedule.push(`search index lag ${ms} ms`);
    }
  }
  const storeFaults = new Map<string, number>();
  for (let i = random.int(0, 3); i > 0; i--) {
    const method = random.pick([...STORE_METHODS_TO_BREAK]);
    storeFaults.set(method, (storeFaults.get(method) ?? 0) + 1);
    schedule.push(`store ${method} fails once`);
  }
  const killAfterMs = random.next() < 0.5 ? random.int(200, 2_500) : null;
  if (killAfterMs !== null) schedule.push(`the first engine is killed after ${killAfterMs} ms`);

  // Engines: a first one (maybe killed), a second worker, each with the store (and its scheduled failures).
  const logs: string[] = [];
  const answers: string[] = [];
  const base = createPrismaStore(prisma);
  const engine = async (name: string, frozen: { value: boolean }, aheadMs = 0): Promise<PipedriveSync> => {
    const fetchHttp = createFetchHttp();
    const http: HttpSend = (request) => (frozen.value ? never() : fetchHttp(request));
    const store = new Proxy(base, {
      get(target, key: string) {
        const method = (target as unknown as Record<string, unknown>)[key];
        if (typeof method !== 'function') return method;
        return async (...args: unknown[]) => {
          if (frozen.value) return never();
          const left = storeFaults.get(key) ?? 0;
          if (left > 0) {
            storeFaults.set(key, left - 1);
            throw new Error(`chaos: ${key} lost its database connection`);
          }
          return (method as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    }) as SyncStore;
    return createPipedriveSync({
      pipedrive: { apiToken: emulator.apiToken, baseUrl: emulator.url },
      store,
      http,
      logger: (level, event, fields) => logs.push(`${name} ${level} ${event} ${JSON.stringify(fields)}`),
      now: () => Date.now() + aheadMs,
      options: { baseDelayMs: 20, maxDelayMs: 200, requestTimeoutMs: 1_500, plan: 'premium' },
    });
  };
  const killed = { value: false };
  const first = await engine('first', killed);
  const second = await engine('second', { value: false });
  const record = (promise: Promise<unknown>) =>
    promise.then((value) => answers.push(JSON.stringify(value)), (error: unknown) => answers.push(String(error)));

  // The run: real-time warm leads 8 at a time and activity calls on the first engine, drains on both.
  const work: Promise<unknown>[] = [];
  for (const contact of contacts) work.push(record(first.warmLeads.checkAndCreateWarmLead({ contactId: contact.id, userId: user.id, warmnessScore: random.int(4, 6) })));
  for (const activity of activities.filter((a) => a.contactId === known.id)) {
    work.push(record(first.activities.replicateActivity({ activityId: activity.id, userId: user.id })));
  }
  const secondDrain = record(second.queue.drain({ leaseMs: LEASE_MS }));
  if (killAfterMs !== null) {
    await pause(killAfterMs);
    killed.value = true;
    // The killed engine's calls never answer: only the second worker is awaited. A request the killed engine had in
    // flight may still be applied by Pipedrive a while later; a real lease (5 minutes, far longer than any request)
    // outlasts it, so the takeover below waits for it too, as the lease would.
    await secondDrain;
    await pause(slowestMs + 2 * 1_500 + 1_000);
  } else {
    await Promise.all([...work, secondDrain]);
  }

  // Heal, then drain until nothing is due. The healer's clock is past the longest lease (a real-time call leases its
  // job for the default 5 minutes): the killed engine's jobs come back to it, as they would after a restart.
  emulator.faults.clear();
  emulator.searchLag({ ms: 0 });
  storeFaults.clear();
  const healer = await engine('healer', { value: false }, DEFAULT_LEASE_MS + 60_000);
  for (let round = 0; round < 30; round++) {
    await prisma.syncJob.updateMany({ where: { state: 'PENDING' }, data: { nextAttemptAt: new Date(0) } });
    const report = await healer.queue.drain({ leaseMs: LEASE_MS });
    answers.push(JSON.stringify(report));
    const open = await prisma.syncJob.count({ where: { state: { in: ['PENDING', 'RUNNING'] } } });
    if (open === 0) {
      if (round === 0 || (await prisma.syncJob.count({ where: { state: 'DEAD' } })) === 0) break;
      // Replayed once after the faults are gone: a job that died under them must finish now.
      answers.push(String(await healer.queue.retryDead()));
      continue;
    }
    if (report.processed === 0) await pause(300);
  }

  try {
    await check(prisma, emulator, { contacts, activities, orgNames, logs, answers, checks });
  } catch (error) {
    if (error instanceof Error) {
      error.message += `\n  schedule: ${schedule.join('; ')}`;
      if (process.env.CHAOS_LOGS) error.message += `\n  logs:\n    ${logs.join('\n    ')}`;
    }
    throw error;
  }
  return { seed, schedule, checks, requests: emulator.journal.length, elapsedMs: Date.now() - started };
}

/** What the checks look at. */
interface Outcome {
  contacts: Array<{ id: string; email: string | null }>;
  activities: Array<{ id: string; subject: string }>;
  orgNames: string[];
  logs: string[];
  answers: string[];
  checks: string[];
}

/** The promises of the package, checked after a run; each passing check adds a line to `checks`. */
async function check(prisma: TestPrismaClient, emulator: PipedriveEmulator, outcome: Outcome): Promise<void> {
  const { contacts, activities, orgNames, logs, answers, checks } = outcome;
  const jobs = await prisma.syncJob.findMany();
  const notDone = jobs.filter((job) => job.state !== 'DONE');
  assert.deepEqual(notDone.map((job) => `${job.kind} ${job.state} ${job.lastError}`), [], 'every job done after the faults healed');
  checks.push(`${jobs.length} jobs, all DONE (none RUNNING, none left PENDING or DEAD)`);

  // A call cut off by the kill before its local write never happened for the CRM either: the records that count
  // are those whose sync was recorded (a warm score stored, a job queued).
  const persons = [...emulator.state.persons.values()].filter((p) => !p.is_deleted);
  let warm = 0;
  for (const contact of contacts) {
    const matching = persons.filter((p) => p.emails.some((e) => e.value === contact.email));
    const stored = await prisma.contact.findUniqueOrThrow({ where: { id: contact.id } });
    if (stored.warmnessScore < 4) {
      assert.equal(matching.length, 0, `no Pipedrive person for ${contact.email}, whose warm score was never stored`);
      continue;
    }
    warm++;
    assert.equal(matching.length, 1, `one Pipedrive person for ${contact.email} (found ${matching.length})`);
    assert.equal(stored.pipedrivePersonId, matching[0].id, `${contact.email} is linked to its person`);
    assert.ok(matching[0].label_ids.includes(WARM_LABEL_ID), `${contact.email} carries the warm-lead label`);
  }
  checks.push(`${warm} of ${contacts.length} warm leads recorded: exactly one labelled person each, linked locally; none for the others`);

  const organizations = [...emulator.state.organizations.values()].filter((o) => !o.is_deleted);
  for (const name of orgNames) {
    const wanted = await prisma.organization.findFirst({ where: { name } });
    if (!wanted) continue;
    const warmMembers = await prisma.contact.count({ where: { organizationId: wanted.id, warmnessScore: { gte: 4 } } });
    const matching = organizations.filter((o) => o.name === name);
    assert.equal(matching.length, warmMembers > 0 ? 1 : 0, `${warmMembers > 0 ? 'one' : 'no'} Pipedrive organization named ${name} (found ${matching.length})`);
  }
  checks.push('every local organization of a recorded warm lead: exactly one Pipedrive organization; none for the others');

  const remoteActivities = [...emulator.state.activities.values()].filter((a) => !a.is_deleted);
  let queued = 0;
  for (const activity of activities) {
    const matching = remoteActivities.filter((a) => a.subject === activity.subject);
    if (!jobs.some((job) => job.kind === 'replicate_activity' && job.recordId === activity.id)) {
      assert.equal(matching.length, 0, `no Pipedrive activity for ${activity.subject}, which was never queued`);
      continue;
    }
    queued++;
    assert.equal(matching.length, 1, `one Pipedrive activity for ${activity.subject} (found ${matching.length})`);
    const stored = await prisma.activity.findUniqueOrThrow({ where: { id: activity.id } });
    assert.equal(stored.pipedriveActivityId, matching[0].id, `${activity.subject} is linked to it`);
  }
  checks.push(`${queued} of ${activities.length} activities queued: exactly one Pipedrive activity each, linked locally; none for the others`);

  const token = emulator.apiToken;
  const rows = JSON.stringify(jobs);
  assert.ok(!logs.some((line) => line.includes(token)), 'the token is in no log line');
  assert.ok(!answers.some((line) => line.includes(token)), 'the token is in no answer or error');
  assert.ok(!rows.includes(token), 'the token is in no outbox row');
  checks.push(`the token is in none of ${logs.length} log lines, ${answers.length} answers and errors, ${jobs.length} outbox rows`);
}

