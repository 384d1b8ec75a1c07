/**
 * @module tests/bench/warm_lead_bench
 * Benchmark (not a test): what one warm lead costs, against the emulator with the Prisma store on SQLite, with
 * cold caches (a fresh engine whose CRM user has no Pipedrive id yet) and warm caches (the same engine, after
 * another lead): requests, API tokens (the emulator's journal priced with `js/emulator/limits/token_costs.ts`) and
 * sequential round trips (the flow sends one request at a time and waits for its answer, so a lead's round trips
 * are its requests). Beside them, the naive v1 flow the seed spec implies (users/find, persons/search,
 * organizations/search, POST organization, POST person, PUT person for the label) priced from the `x-token-cost`
 * values of openapi-v1.yaml, and the DESIGN §9 targets: at most half the naive flow's tokens, and at most 4
 * round trips with warm caches.
 *
 * Run: `node --import tsx tests/bench/warm_lead_bench.ts`
 */

import * as path from 'node:path';
import { createPipedriveSync, type PipedriveSync } from '../../js/index';
import { startPipedriveEmulator, type JournalEntry, type PipedriveEmulator, type SeedData } from '../../js/emulator/index';
import { createPrismaStore } from '../../js/prisma/index';
import { renderTable } from '../../js/terminal/table';
import { requestTokens, routeKey } from '../../js/demo/token_spend';
import { createTestDatabase, type TestDatabase } from '../prisma/databases';
import { operation, specDir } from '../emulator/openapi_schemas';

/** The naive v1 flow, one request after another. */
const NAIVE_FLOW: Array<[method: string, template: string]> = [
  ['GET', '/users/find'],
  ['GET', '/persons/search'],
  ['GET', '/organizations/search'],
  ['POST', '/organizations'],
  ['POST', '/persons'],
  ['PUT', '/persons/{id}'],
];
/** DESIGN §9: at most this share of the naive flow's tokens, and at most this many round trips with warm caches. */
const TOKEN_SHARE_TARGET = 0.5;
const ROUND_TRIP_TARGET = 4;

/** The naive flow's cost per request, from the `x-token-cost` of the repository's copy of openapi-v1.yaml. */
function naiveCosts(): { costs: number[]; source: string } {
  const costs = NAIVE_FLOW.map(([method, template]) => {
    const cost = operation('v1', method, template)['x-token-cost'];
    if (typeof cost !== 'number') throw new Error(`openapi-v1.yaml has no x-token-cost for ${method} ${template}`);
    return cost;
  });
  return { costs, source: path.relative(process.cwd(), path.join(specDir, 'openapi-v1.yaml')) };
}

/** One kind of warm lead. */
interface Scenario {
  name: string;
  /** Pipedrive records the lead meets. */
  pipedrive?: SeedData;
  /** The contact's organization: a new one, one linked to `pipedriveOrgId`, or none. */
  organization?: { name: string; pipedriveOrgId?: number };
  email: string;
}

const SCENARIOS: Scenario[] = [
  { name: 'new organization, new person', organization: { name: 'Bench New Org' }, email: 'new.person@example.com' },
  {
    name: 'linked organization, new person',
    pipedrive: { organizations: [{ id: 9101, name: 'Bench Linked Org' }] },
    organization: { name: 'Bench Linked Org', pipedriveOrgId: 9101 },
    email: 'second.person@example.com',
  },
  {
    name: 'existing organization (by name), new person',
    pipedrive: { organizations: [{ id: 9201, name: 'Bench Known Org' }] },
    organization: { name: 'Bench Known Org' },
    email: 'third.person@example.com',
  },
  {
    name: 'existing person (by email)',
    pipedrive: {
      organizations: [{ id: 9301, name: 'Bench Person Org' }],
      persons: [{ id: 9302, name: 'Existing Person', emails: [{ value: 'existing.person@example.com', primary: true, label: 'work' }] }],
    },
    organization: { name: 'Bench Person Org', pipedriveOrgId: 9301 },
    email: 'existing.person@example.com',
  },
  { name: 'no organization, new person', email: 'no.org@example.com' },
];

/** What one lead sent. */
interface Measure {
  scenario: string;
  caches: 'cold' | 'warm';
  synced: boolean;
  requests: JournalEntry[];
}

/** A contact of `scenario`, owned by the CRM user `ownerId`. */
async function createContact(db: TestDatabase, scenario: Pick<Scenario, 'organization' | 'email'>, ownerId: string): Promise<string> {
  const org = scenario.organization
    ? await db.prisma.organization.create({
        data: { name: scenario.organization.name, industry: 'Software', country: 'Estonia', pipedriveOrgId: scenario.organization.pipedriveOrgId ?? null },
      })
    : null;
  const contact = await db.prisma.contact.create({
    data: {
      name: 'Bench Lead', email: scenario.email, phone: '+1 555 0100', warmnessScore: 5, organizationId: org?.id ?? null, ownerId,
      pipedrivePersonId: null, pipedriveOrgId: null,
    },
  });
  return contact.id;
}

/** Runs one lead of `scenario`, after a warm-up lead on the same engine when `caches` is warm. */
async function measure(emulator: PipedriveEmulator, scenario: Scenario, caches: 'cold' | 'warm'): Promise<Measure> {
  emulator.reset();
  if (scenario.pipedrive) emulator.state.seed(scenario.pipedrive);
  const db = await createTestDatabase('sqlite');
  try {
    const owner = await db.prisma.user.create({ data: { email: 'sam.seller@example.com', name: 'Sam Seller' } });
    const sync: PipedriveSync = await createPipedriveSync({
      pipedrive: { apiToken: emulator.apiToken, baseUrl: emulator.url },
      store: createPrismaStore(db.prisma),
      options: { plan: 'premium' },
    });
    if (caches === 'warm') {
      const warmUp = await createContact(db, { organization: { name: 'Warm-up Org' }, email: 'warm.up@example.com' }, owner.id);
      if (!(await sync.warmLeads.checkAndCreateWarmLead({ contactId: warmUp, userId: owner.id }))) throw new Error('the warm-up lead failed');
    }
    const contactId = await createContact(db, scenario, owner.id);
    const from = emulator.journal.length;
    const synced = await sync.warmLeads.checkAndCreateWarmLead({ contactId, userId: owner.id });
    return { scenario: scenario.name, caches, synced, requests: emulator.journal.entries().slice(from) };
  } finally {
    await db.close();
  }
}

/** `GET /v1/users, GET /api/v2/persons/search, ...` with repeats counted. */
function endpoints(requests: JournalEntry[]): string {
  const counts = new Map<string, number>();
  for (const r of requests) {
    const key = `${routeKey(r.method, r.path)}${r.status === 429 ? ' (429)' : ''}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([key, n]) => (n > 1 ? `${n}× ${key}` : key)).join(', ');
}

const verdict = (met: boolean): string => (met ? 'met' : 'MISSED');

async function main(): Promise<void> {
  const naive = naiveCosts();
  const naiveTokens = naive.costs.reduce((a, b) => a + b, 0);
  const tokenTarget = Math.floor(naiveTokens * TOKEN_SHARE_TARGET);
  const emulator = await startPipedriveEmulator({ plan: 'premium' });
  const results: Measure[] = [];
  try {
    for (const scenario of SCENARIOS) {
      for (const caches of ['cold', 'warm'] as const) results.push(await measure(emulator, scenario, caches));
    }
  } finally {
    await emulator.close();
  }

  const rows = results.map((m) => {
    const tokens = m.requests.reduce((sum, r) => sum + requestTokens(r), 0);
    return [
      m.scenario + (m.synced ? '' : ' (NOT SYNCED)'),
      m.caches,
      String(m.requests.length),
      String(tokens),
      `${Math.round((tokens / naiveTokens) * 100)}%`,
      String(m.requests.length),
      endpoints(m.requests),
    ];
  });
  rows.push([
    'naive v1 flow (spec)', '-', String(NAIVE_FLOW.length), String(naiveTokens), '100%', String(NAIVE_FLOW.length),
    NAIVE_FLOW.map(([m, t], i) => `${m} /v1${t} ${naive.costs[i]}`).join(', '),
  ]);
  process.stdout.write(`Warm-lead cost per lead (emulator, plan premium, Prisma on SQLite); naive costs from ${naive.source}\n\n`);
  process.stdout.write(
    renderTable(
      [
        { header: 'lead' }, { header: 'caches' }, { header: 'requests', align: 'right' }, { header: 'tokens', align: 'right' },
        { header: 'of naive', align: 'right' }, { header: 'round trips', align: 'right' }, { header: 'endpoints (in order of first use)' },
      ],
      rows,
    ),
  );

  process.stdout.write(`\nTargets (DESIGN §9): tokens <= ${tokenTarget} (half of the naive ${naiveTokens}); round trips <= ${ROUND_TRIP_TARGET} with warm caches\n`);
  const checks: string[][] = results.map((m) => {
    const tokens = m.requests.reduce((sum, r) => sum + requestTokens(r), 0);
    const tokenCheck = verdict(tokens <= tokenTarget);
    const tripCheck = m.caches === 'warm' ? verdict(m.requests.length <= ROUND_TRIP_TARGET) : '-';
    return [m.scenario, m.caches, `${tokenCheck} (${tokens})`, m.caches === 'warm' ? `${tripCheck} (${m.requests.length})` : `- (${m.requests.length}, cold)`];
  });
  process.stdout.write(renderTable([{ header: 'lead' }, { header: 'caches' }, { header: 'tokens <= half' }, { header: 'round trips <= 4' }], checks));
}

// Exit when done: the engine's idle real-time budget timers (5 s) would otherwise keep the process alive.
void main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
