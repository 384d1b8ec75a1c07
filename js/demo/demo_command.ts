/**
 * @module demo/demo_command
 * `pipedrive-sync demo` (`npm run demo`): the main job on embedded defaults (DESIGN §10). The emulator stands in
 * for Pipedrive (or real Pipedrive with `PIPEDRIVE_API_TOKEN`), SQLite is the CRM's database, and a seeded CRM
 * (contacts with activities) is synced in three phases, each with its progress on stderr:
 *
 * 1. warm leads: every warm, unlinked contact through `sync.warmLeads.checkAndCreateWarmLead`, a few at a time; the
 *    engine's backfill queues each new warm lead's earlier activities for replication, oldest first;
 * 2. activities of contacts already in Pipedrive: through `sync.activities.replicateActivity`, a few at a time;
 * 3. the final drain, after every warm lead: the backfilled activities (and whatever else is queued);
 * 4. record updates (emulator only, see `demo/record_edits`): some created persons and organizations edited in the
 *    CRM through the store's edit hooks, some of the same and others by hand in the Pipedrive UI, then drained
 *    through the three-way merge under `--strategy` (default last-write-wins).
 *
 * Cold contacts' activities stay local (no Pipedrive person). A summary table goes to stdout. Exit code 0 when every
 * warm lead and every activity of a contact in Pipedrive ended in Pipedrive, 3 when some did not (they are listed),
 * 1 when the demo could not run, 2 on bad arguments.
 *
 * The generated Prisma client is TypeScript, so the demo runs under tsx from the repo:
 * `node --import tsx js/cli/main.ts demo` (what `npm run demo` does after the set-up step).
 */

import { createPipedriveSync, type PipedriveSync } from '../index';
import type { Plan } from '../emulator/limits/rate_limits';
import { createPrismaStore } from '../prisma/index';
import {
  describeError, EXIT_FAILED, EXIT_OK, exitWhenDone, processIo, runCommand, type CommandIo,
} from '../terminal/command_io';
import { parseFlags } from '../terminal/flags';
import { DrainProgress } from '../terminal/progress_bar';
import { replicateActivities, syncWarmLeads, type ActivityToReplicate, type CallRun, type WarmLead } from './bounded_calls';
import { createCountingHttp, type HttpTally } from './counting_http';
import { ACTIVITY_SELECT, openDemoDatabase, seedCrm, type DemoDatabase, type DemoPrismaClient } from './crm_database';
import { buildDemoSeed, DEFAULT_CONTACTS, DEFAULT_SEED } from './crm_seed';
import type { SyncStore } from '../store/types';
import { countDemoEvents, newDemoEvents, type DemoEvents, renderDemoSummary, tallyActivities, tallyCrm } from './demo_summary';
import { formatActivityProgress, LeadProgress } from './lead_progress';
import {
  DEFAULT_STRATEGY, parseStrategy, planEdits, runRecordEdits, skippedRecordEdits, type ConflictStrategy, type RecordEditOutcome,
} from './record_edits';
import {
  closePipedriveTarget, describeTarget, dumpEmulator, openPipedriveTarget, parseDemoPlan, usesRealPipedrive, type PipedriveTarget,
} from './pipedrive_target';
import { requestTokens, totalTokens } from './token_spend';

/** Usage text of the `demo` command. */
export const DEMO_USAGE = `Usage: pipedrive-sync demo [--plan PLAN] [--contacts N] [--concurrency N] [--seed N] [--strategy S]
                          [--dump-emulator PATH]

Seeds a CRM in SQLite, syncs its warm leads to Pipedrive and replicates the activities of the contacts that are
in Pipedrive (the warm leads' through the engine's backfill and the final drain, the others directly), then prints
a summary. Then it edits some of the persons and organizations it created, in the CRM (through the store's edit
hooks) and by hand in the emulator's Pipedrive UI, some on both sides, and drains the updates through the
engine's three-way merge.
  --plan           the emulated Pipedrive plan: lite, growth (default), premium, ultimate; with real Pipedrive,
                   the plan the rate limiter assumes until Pipedrive's headers say otherwise
  --contacts       contacts in the seeded CRM (default ${DEFAULT_CONTACTS})
  --concurrency    warm leads synced, and activities replicated directly, at once (default 4)
  --seed           the seed of the generated CRM (default ${DEFAULT_SEED}); the same seed gives the same CRM
  --strategy       the conflict strategy of the record updates: last-write-wins (default), manual, auto-merge
  --dump-emulator  write the emulator's persons, organizations, activities, limits and request journal to PATH
                   as JSON
Environment:
  DATABASE_URL         a SQLite file (file:./path.db) holding no contacts yet; default: .tmp/demo.db, recreated
                       on every run
  PIPEDRIVE_API_TOKEN  talk to REAL Pipedrive with this token instead of the emulator (creates records there)
  PIPEDRIVE_BASE_URL   real Pipedrive's URL, e.g. https://acme.pipedrive.com (default https://api.pipedrive.com)
Progress goes to stderr, the summary to stdout. Exit code: 0 every warm lead, and every activity of a contact in
Pipedrive, is in Pipedrive; 3 some are not (listed); 1 the demo failed; 2 bad arguments.`;

/** Warm leads synced (and activities replicated directly) at once by default. */
export const DEFAULT_CONCURRENCY = 4;

/** Parsed flags of the `demo` command. */
export interface DemoFlags {
  plan?: Plan;
  contacts: number;
  concurrency: number;
  seed: number;
  /** `options.conflictStrategy` of the record updates. */
  strategy: ConflictStrategy;
  dumpEmulator?: string;
  help: boolean;
}

/** Parses the `demo` flags; throws naming the bad flag. */
export function parseDemoFlags(argv: string[]): DemoFlags {
  const f = parseFlags(argv, ['plan', 'dump-emulator', 'strategy'], { contacts: [1, 100_000], concurrency: [1, 64], seed: [0, 4_294_967_295] });
  return {
    plan: typeof f.plan === 'string' ? parseDemoPlan(f.plan) : undefined,
    contacts: (f.contacts as number | undefined) ?? DEFAULT_CONTACTS,
    concurrency: (f.concurrency as number | undefined) ?? DEFAULT_CONCURRENCY,
    seed: (f.seed as number | undefined) ?? DEFAULT_SEED,
    strategy: typeof f.strategy === 'string' ? parseStrategy(f.strategy) : DEFAULT_STRATEGY,
    dumpEmulator: f['dump-emulator'] as string | undefined,
    help: f.help === true,
  };
}

/** The exit code when some warm leads, or some activities of contacts in Pipedrive, did not end in Pipedrive. */
export const EXIT_NOT_ALL_SYNCED = 3;

/** Runs `demo` with the arguments after the command name; resolves the exit code. */
export function runDemoCommand(argv: string[], io: CommandIo = processIo()): Promise<number> {
  return runCommand({ name: 'demo', usage: DEMO_USAGE, parse: parseDemoFlags, run: demo }, argv, io);
}

/** The demo itself, with flags that parsed and no `--help`. */
async function demo(flags: DemoFlags, io: CommandIo): Promise<number> {
  let target: PipedriveTarget | undefined;
  let database: DemoDatabase | undefined;
  try {
    const started = Date.now();
    const seed = buildDemoSeed({ contacts: flags.contacts, seed: flags.seed, seedPipedrive: !usesRealPipedrive(io.env) });
    database = await openDemoDatabase(io.env);
    const seeded = await seedCrm(database.prisma, seed);
    io.stderr.write(
      `CRM: ${database.url}${database.isDefault ? ' (recreated)' : ''}: ${seed.users.length} users, ` +
        `${seed.organizations.length} organizations, ${seed.contacts.length} contacts, ${seed.activities.length} activities\n`,
    );
    const isWarmLead = (i: number): boolean => seed.contacts[i].warmnessScore >= 4 && seed.contacts[i].pipedrivePersonId === null;
    const warmCount = seed.contacts.filter((_, i) => isWarmLead(i)).length;
    const replicable = seed.activities.filter((a) => isWarmLead(a.contact) || seed.contacts[a.contact].pipedrivePersonId !== null).length;
    target = await openPipedriveTarget(io.env, flags.plan, seed.pipedrive);
    io.stderr.write(describeTarget(target, warmCount, replicable));
    if (target.kind === 'pipedrive' && io.stderr.isTTY) {
      io.stderr.write('Starting in 5 s: press Ctrl-C to stop.\n');
      await new Promise((resolve) => setTimeout(resolve, 5_000));
    }

    const events = newDemoEvents();
    const http = createCountingHttp();
    const store = createPrismaStore(database.prisma);
    const sync = await createPipedriveSync({
      pipedrive: { apiToken: target.apiToken, baseUrl: target.baseUrl },
      store,
      http: http.send,
      logger: countDemoEvents(events),
      options: { ...(target.plan ? { plan: target.plan } : {}), conflictStrategy: flags.strategy },
    });
    const threshold = sync.describe().warmLeadThreshold;
    const before = await database.prisma.contact.findMany({ select: CONTACT_SELECT, orderBy: { id: 'asc' } });
    const leads: WarmLead[] = before
      .filter((c) => c.warmnessScore >= threshold && c.pipedrivePersonId === null && c.ownerId !== null)
      .map((c) => ({ contactId: c.id, userId: c.ownerId as string }));
    const linkedBefore = new Set(before.filter((c) => c.pipedrivePersonId !== null).map((c) => c.id));
    const activitiesBefore = await database.prisma.activity.findMany({ select: ACTIVITY_SELECT, orderBy: { id: 'asc' } });
    const direct: ActivityToReplicate[] = activitiesBefore
      .filter((a) => linkedBefore.has(a.contactId) && a.pipedriveActivityId === null)
      .map((a) => ({ activityId: a.id, contactId: a.contactId, userId: a.userId }));
    const budgetBefore = target.kind === 'emulator' ? target.emulator.limits.snapshot().dailyRemaining : 0;

    const syncStarted = Date.now();
    io.stderr.write(`Syncing ${leads.length} warm leads, ${flags.concurrency} at a time...\n`);
    const progress = new LeadProgress(io.stderr, leads.length);
    const run = await syncWarmLeads(sync, leads, flags.concurrency, (counts) => progress.update(counts));
    progress.finish();
    const directRun = await replicateDirectly(sync, direct, flags.concurrency, io);
    // After every warm lead (and the direct calls): the activities the backfill queued, and anything deferred.
    const drained = await drainLeftovers(sync, database.prisma, io);
    const updates = await editRecords(sync, store, database.prisma, target, events, flags.strategy, io);
    const syncMs = Date.now() - syncStarted;

    const stats = await sync.queue.stats();
    const after = await database.prisma.contact.findMany({ select: CONTACT_SELECT, orderBy: { id: 'asc' } });
    const jobs = await database.prisma.syncJob.findMany({ where: { kind: 'warm_lead' }, select: { recordId: true, state: true, lastError: true } });
    const jobErrors = new Map(jobs.filter((j) => j.state !== 'DONE').map((j) => [j.recordId, `${j.state.toLowerCase()}: ${j.lastError ?? 'waiting for its next attempt'}`]));
    for (const failure of run.failures) jobErrors.set(failure.id, failure.error);
    const activitiesAfter = await database.prisma.activity.findMany({ select: ACTIVITY_SELECT, orderBy: { id: 'asc' } });
    const activityJobs = await database.prisma.syncJob.findMany({
      where: { kind: 'replicate_activity' }, select: { recordId: true, state: true, lastError: true },
    });
    const activityErrors = new Map(
      activityJobs.filter((j) => j.state !== 'DONE').map((j) => [j.recordId, `${j.state.toLowerCase()}: ${j.lastError ?? 'waiting for its next attempt'}`]),
    );
    for (const failure of directRun.failures) if (!activityErrors.has(failure.id)) activityErrors.set(failure.id, failure.error);
    const crm = tallyCrm({
      threshold, before, after, events, jobErrors,
      ownersNotInPipedrive: new Set(
        (await database.prisma.user.findMany({ select: { id: true, pipedriveUserId: true } })).filter((u) => u.pipedriveUserId === null).map((u) => u.id),
      ),
      organizationsLinkedBefore: new Set(seeded.organizations.filter((_, i) => seed.organizations[i].pipedriveOrgId !== null)),
    });
    const outcome = {
      ...crm,
      activities: tallyActivities({ before, after, activities: activitiesAfter, events, jobErrors: activityErrors }),
      target: target.kind === 'emulator' ? `the emulator (plan ${target.plan})` : `REAL Pipedrive at ${target.baseUrl}`,
      threshold,
      requests: http.tally.requests.length,
      rateLimited: http.tally.rateLimited,
      tokens: tokensSpent(target, budgetBefore, http.tally, sync),
      drained,
      updates,
      queueLeft: stats.counts.PENDING + stats.counts.RUNNING + stats.counts.DEAD,
      syncMs,
      totalMs: Date.now() - started,
    };
    if (flags.dumpEmulator) dumpEmulator(target, flags.dumpEmulator);
    io.stdout.write(renderDemoSummary(outcome));
    const notAll = outcome.other.length > 0 || outcome.activities.pending.length > 0 || updates.failed.length > 0;
    return notAll ? EXIT_NOT_ALL_SYNCED : EXIT_OK;
  } catch (error) {
    io.stderr.write(`\npipedrive-sync demo: ${describeError(error)}\n`);
    return EXIT_FAILED;
  } finally {
    if (target) await closePipedriveTarget(target).catch(() => undefined);
    if (database) await database.prisma.$disconnect().catch(() => undefined);
  }
}

/** The contact columns the demo reads. */
const CONTACT_SELECT = {
  id: true, email: true, warmnessScore: true, organizationId: true, ownerId: true, pipedrivePersonId: true, pipedriveOrgId: true,
  updateSyncStatus: true,
} as const;

/**
 * The record-update phase (see `demo/record_edits`) on the persons and organizations this run created; skipped on
 * real Pipedrive, where nothing can be edited "by hand" for the demo.
 */
async function editRecords(
  sync: PipedriveSync, store: SyncStore, prisma: DemoPrismaClient, target: PipedriveTarget, events: DemoEvents,
  strategy: ConflictStrategy, io: CommandIo,
): Promise<RecordEditOutcome> {
  if (target.kind !== 'emulator') return skippedRecordEdits(strategy, 'skipped: edits by hand in the Pipedrive UI need the emulator');
  const { emulator } = target;
  const contacts = new Map((await prisma.contact.findMany({ select: CONTACT_SELECT, orderBy: { id: 'asc' } })).map((c) => [c.id, c]));
  const persons = events.personsCreated.flatMap((contactId) => {
    const personId = contacts.get(contactId)?.pipedrivePersonId;
    const person = personId ? emulator.state.persons.get(personId) : undefined;
    return person ? [{ localId: contactId, pipedriveId: person.id, name: person.name, ownerId: person.owner_id }] : [];
  });
  const orgRows = new Map((await prisma.organization.findMany({ select: { id: true, name: true, pipedriveOrgId: true } })).map((o) => [o.id, o]));
  const organizations = events.organizationsCreated.flatMap((id) => {
    const orgId = orgRows.get(id)?.pipedriveOrgId;
    const org = orgId ? emulator.state.organizations.get(orgId) : undefined;
    return org ? [{ localId: id, pipedriveId: org.id, name: org.name }] : [];
  });
  const say = (line: string): void => void io.stderr.write(line);
  return runRecordEdits({ sync, store, prisma, emulator, strategy, edits: planEdits(persons, organizations), say });
}

/** Replicates the activities of contacts already in Pipedrive with `replicateActivity`, with a progress line. */
async function replicateDirectly(
  sync: PipedriveSync, activities: ActivityToReplicate[], concurrency: number, io: CommandIo,
): Promise<CallRun> {
  const contacts = new Set(activities.map((a) => a.contactId)).size;
  if (activities.length === 0) {
    io.stderr.write('No activities of contacts already in Pipedrive to replicate directly.\n');
    return replicateActivities(sync, [], concurrency);
  }
  io.stderr.write(
    `Replicating ${activities.length} activities of ${contacts} contacts already in Pipedrive, ${concurrency} at a time...\n`,
  );
  const progress = new LeadProgress(io.stderr, activities.length, Date.now, formatActivityProgress);
  const run = await replicateActivities(sync, activities, concurrency, (counts) => progress.update(counts));
  progress.finish();
  return run;
}

/**
 * Carries out whatever is due in the outbox (the activities the warm-lead backfill queued, and anything the
 * real-time calls left to the queue), with the drain's progress bar; resolves the jobs processed.
 */
async function drainLeftovers(sync: PipedriveSync, prisma: DemoPrismaClient, io: CommandIo): Promise<number> {
  const due = (await sync.queue.stats()).due;
  if (due === 0) return 0;
  const pending = async (kind: string): Promise<number> => (await prisma.syncJob.findMany({
    where: { kind, state: 'PENDING' }, select: { recordId: true, state: true, lastError: true },
  })).length;
  const [activities, leads] = [await pending('replicate_activity'), await pending('warm_lead')];
  const kinds = [
    activities > 0 ? `${activities} activit${activities === 1 ? 'y' : 'ies'} to replicate` : '',
    leads > 0 ? `${leads} warm lead${leads === 1 ? '' : 's'}` : '',
  ].filter((x) => x !== '');
  io.stderr.write(`Draining ${due} queued job${due === 1 ? '' : 's'}${kinds.length > 0 ? ` (${kinds.join(', ')})` : ''}...\n`);
  const progress = new DrainProgress(io.stderr, { total: due });
  const report = await sync.queue.drain({ onProgress: (p) => progress.update(p) });
  progress.finish(report);
  return report.processed;
}

/**
 * Tokens spent: on the emulator, what its daily budget went down by; on real Pipedrive, what the daily-budget
 * headers went down by since the first answer (other clients of the company count too), else the table estimate.
 */
function tokensSpent(target: PipedriveTarget, budgetBefore: number, tally: HttpTally, sync: PipedriveSync): { spent: number; note: string } {
  if (target.kind === 'emulator') {
    const limits = target.emulator.limits.snapshot();
    return { spent: budgetBefore - limits.dailyRemaining, note: `of the emulator's ${limits.dailyLimit} a day; ${limits.dailyRemaining} left` };
  }
  const estimate = totalTokens(tally.requests);
  const budget = sync.rateLimit.snapshot().dailyBudget;
  if (tally.firstDailyRemaining && budget.remaining !== null) {
    const spent = tally.firstDailyRemaining.remaining + requestTokens(tally.firstDailyRemaining.request) - budget.remaining;
    return { spent, note: `Pipedrive's daily budget: ${budget.remaining} of ${budget.limit ?? '?'} left (endpoint costs say ${estimate})` };
  }
  return { spent: estimate, note: 'estimated from the endpoint costs (Pipedrive sent no daily-budget headers)' };
}

// Run directly (`node --import tsx js/demo/demo_command.ts`): exit when done, as the CLI does, rather than wait for
// the engine's idle real-time budget timers.
if (require.main === module) exitWhenDone(runDemoCommand(process.argv.slice(2)));
