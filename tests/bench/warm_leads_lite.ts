/**
 * @module tests/bench/warm_leads_lite
 * Benchmark (not a test): 60 warm leads on the Lite plan (burst 20 per 2 s, searches 10 per 2 s), 8 at a time,
 * against the emulator in this process, with the Prisma store on SQLite. Every contact starts at warmness 3 and
 * reaches 4 through `sync.warmLeads.checkAndCreateWarmLead`, with its organization: most have one of their own, and
 * some new organizations are shared by several contacts (next to each other, so they are in flight together).
 * Calls that answer `false` at the real-time limit go on in the background; they, and a drain of whatever is left,
 * are inside the measured time.
 *
 * Prints one line: leads, requests, searches, 429s, elapsed, and elapsed as a ratio of the floor the limits allow,
 * max(requests ÷ burst × 2 s, searches ÷ 10 × 2 s) (1.00× is as fast as Pipedrive would let anyone go). Exits 1
 * when a 429 was answered, a lead did not reach Pipedrive, or a shared organization was created more than once.
 *
 * The emulator's `x-ratelimit-*` headers on a search response describe the search window (limit 10), not the burst
 * window, and it has no option to send the burst window's there, while the engine reads them as the burst window's
 * (src/pipedrive/limits): this measures that combination, which paces the burst window at about 10 per 2 s.
 *
 * Run: `node --import tsx tests/bench/warm_leads_lite.ts`
 */

import { createPipedriveSync } from '../../js/index';
import { callEach } from '../../js/demo/bounded_calls';
import { PLANS, SEARCH_LIMIT, startPipedriveEmulator, type JournalEntry } from '../../js/emulator/index';
import { WINDOW_MS } from '../../js/emulator/limits/rate_limits';
import { createPrismaStore } from '../../js/prisma/index';
import { createTestDatabase, type TestDatabase } from '../prisma/databases';

const PLAN = 'lite';
const LEADS = 60;
const CONCURRENCY = 8;
/** New organizations shared by several contacts, and the contacts of each. */
const SHARED_ORGS = 5;
const CONTACTS_PER_SHARED_ORG = 4;
/** The emulator's default non-admin user; the CRM owner of every contact has the same email. */
const OWNER_EMAIL = 'sam.seller@example.com';

/** One lead to sync. */
interface Lead {
  contactId: string;
  userId: string;
  warmnessScore: number;
}

/** Whether a journaled request went to a search endpoint (the ones the search window limits). */
const isSearch = (entry: JournalEntry): boolean => /\/search$/.test(entry.path);

/** The name of lead `i`'s organization: the shared ones first, `CONTACTS_PER_SHARED_ORG` leads each, in a row. */
function organizationName(i: number): string {
  const shared = Math.floor(i / CONTACTS_PER_SHARED_ORG);
  return shared < SHARED_ORGS ? `Lite Shared Org ${shared + 1}` : `Lite Org ${i + 1}`;
}

/** The CRM: one owner, the organizations (none in Pipedrive yet), and `LEADS` contacts at warmness 3. */
async function seedCrm(db: TestDatabase): Promise<Lead[]> {
  const owner = await db.prisma.user.create({ data: { email: OWNER_EMAIL, name: 'Sam Seller' } });
  const orgIds = new Map<string, string>();
  const leads: Lead[] = [];
  for (let i = 0; i < LEADS; i++) {
    const name = organizationName(i);
    let orgId = orgIds.get(name);
    if (!orgId) {
      orgId = (await db.prisma.organization.create({ data: { name, industry: 'Software', country: 'Estonia' } })).id;
      orgIds.set(name, orgId);
    }
    const contact = await db.prisma.contact.create({
      data: {
        name: `Lite Lead ${i + 1}`, email: `lite.lead.${i + 1}@example.com`, phone: '+1 555 0100', warmnessScore: 3,
        organizationId: orgId, ownerId: owner.id, pipedrivePersonId: null, pipedriveOrgId: null,
      },
    });
    leads.push({ contactId: contact.id, userId: owner.id, warmnessScore: 4 });
  }
  return leads;
}

async function main(): Promise<number> {
  const burst = PLANS[PLAN].burst;
  const emulator = await startPipedriveEmulator({ plan: PLAN });
  const db = await createTestDatabase('sqlite');
  try {
    const leads = await seedCrm(db);
    const sync = await createPipedriveSync({
      pipedrive: { apiToken: emulator.apiToken, baseUrl: emulator.url },
      store: createPrismaStore(db.prisma),
      options: { plan: PLAN },
    });
    const from = emulator.journal.length;
    const started = performance.now();
    const run = await callEach(leads, (lead) => lead.contactId, (lead) => sync.warmLeads.checkAndCreateWarmLead(lead), CONCURRENCY);
    // A call answered `false` at the 5 s limit goes on in the background, its job leased until it settles: wait
    // for those attempts, then drain what is left (a failed attempt's job).
    while ((await db.prisma.syncJob.count({ where: { state: 'RUNNING' } })) > 0) await new Promise((resolve) => setTimeout(resolve, 50));
    const drained = run.queued + run.failed > 0 ? await sync.queue.drain({ concurrency: CONCURRENCY }) : null;
    const seconds = (performance.now() - started) / 1000;

    const journal = emulator.journal.entries().slice(from);
    const searches = journal.filter(isSearch).length;
    const tooMany = journal.filter((entry) => entry.status === 429).length;
    const floor = Math.max((journal.length / burst) * (WINDOW_MS / 1000), (searches / SEARCH_LIMIT) * (WINDOW_MS / 1000));
    const unsynced = await db.prisma.contact.count({ where: { pipedrivePersonId: null } });
    const orgCounts = new Map<string, number>();
    for (const org of emulator.state.organizations.values()) orgCounts.set(org.name, (orgCounts.get(org.name) ?? 0) + 1);
    const duplicated = [...orgCounts].filter(([, n]) => n > 1).map(([name, n]) => `${name} ×${n}`);

    console.log(
      `warm leads, ${PLAN} plan (burst ${burst}, search ${SEARCH_LIMIT} per ${WINDOW_MS / 1000} s), ${CONCURRENCY} at a time: ` +
        `${LEADS} leads (${run.synced} at once, ${run.queued + run.failed} via the queue), ${journal.length} requests, ` +
        `${searches} searches, ${tooMany} 429s, ${seconds.toFixed(1)} s elapsed = ${(seconds / floor).toFixed(2)}× the floor ` +
        `(${floor.toFixed(1)} s = max(${journal.length} ÷ ${burst}, ${searches} ÷ ${SEARCH_LIMIT}) × ${WINDOW_MS / 1000} s)`,
    );
    const problems = [
      tooMany > 0 ? `${tooMany} 429 responses (target: 0)` : '',
      unsynced > 0 ? `${unsynced} contacts not in Pipedrive (drain: ${JSON.stringify(drained)}; failures: ${JSON.stringify(run.failures)})` : '',
      duplicated.length > 0 ? `organizations created more than once: ${duplicated.join(', ')}` : '',
    ].filter((problem) => problem !== '');
    for (const problem of problems) console.error(`FAILED: ${problem}`);
    return problems.length > 0 ? 1 : 0;
  } finally {
    await db.close();
    await emulator.close();
  }
}

// Exit when done: the engine's idle real-time budget timers (5 s) would otherwise keep the process alive.
void main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
