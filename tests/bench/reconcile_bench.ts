/**
 * @module tests/bench/reconcile_bench
 * Benchmark (prints figures; not a test): reconcile and the webhook intake against the emulator with the Prisma
 * store on SQLite (DESIGN §9, §12).
 *
 * - Reconcile of 5,000 linked persons, after a first run that gave them their base: 2% changed in Pipedrive, 1%
 *   deleted. Printed: list calls (target ≤ 11 plus the `ids=` checks of the records the list did not return),
 *   single reads and searches (a deleted person is read, then looked for by email in case it was merged), tokens,
 *   429s (target 0), and the wall time as a ratio of the floor (the requests at the burst rate, the searches at
 *   10 per 2 s, whichever is longer).
 * - Webhook intake: 200 events a second for 5 s POSTed to `handlers.webhook` over HTTP: median and p99 latency
 *   (target median ≤ 50 ms), every event stored once with its job.
 *
 * Run: `node --import tsx tests/bench/reconcile_bench.ts [--plan premium]`.
 */

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { createPipedriveSync, type PipedriveSync } from '../../js/index';
import { PLANS, startPipedriveEmulator } from '../../js/emulator/index';
import { WINDOW_MS } from '../../js/emulator/limits/rate_limits';
import { createRouteHandlers } from '../../js/next/index';
import { createPrismaStore } from '../../js/prisma/index';
import { createTestDatabase } from '../prisma/databases';

type Plan = keyof typeof PLANS;
const PERSONS = 5_000;
const FIRST_ID = 100_000;
const AUTH = { username: 'bench', password: 'bench-webhook-password' };

/** The `p`-th percentile of `values` (0..100). */
function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function reconcileFigures(plan: Plan): Promise<boolean> {
  const emulator = await startPipedriveEmulator({ plan });
  const db = await createTestDatabase('sqlite');
  try {
    const ids = Array.from({ length: PERSONS }, (_, i) => FIRST_ID + i);
    // Seeded over 100 seconds, as records made over time are (so the cursor has a boundary of a few records).
    for (let i = 0; i < PERSONS; i += 50) {
      emulator.state.seed({ persons: ids.slice(i, i + 50).map((id) => ({ id, name: `Person ${id}`, emails: [{ value: `p${id}@bench.test`, primary: true, label: 'work' }] })) });
      emulator.clock.advance(1_000);
    }
    await db.prisma.contact.createMany({ data: ids.map((id) => ({ name: `Person ${id}`, email: `p${id}@bench.test`, pipedrivePersonId: id })) });
    const sync = await createPipedriveSync({
      pipedrive: { apiToken: emulator.apiToken, baseUrl: emulator.url },
      store: createPrismaStore(db.prisma),
      options: { plan, pullFields: { person: ['name'] } },
    });
    const firstStarted = performance.now();
    const first = await sync.reconcile.run({ entities: ['person'] });
    const firstSeconds = (performance.now() - firstStarted) / 1000;
    emulator.clock.advance(60_000);
    const changed = ids.filter((_, i) => i % 50 === 1);
    const deleted = ids.filter((_, i) => i % 100 === 3);
    for (const id of changed) emulator.editInUi({ entity: 'person', id, fields: { name: `Changed ${id}` } });
    for (const id of deleted) emulator.state.persons.delete(id);

    const from = emulator.journal.length;
    const budgetBefore = emulator.limits.snapshot().dailyRemaining;
    const started = performance.now();
    const report = await sync.reconcile.run({ entities: ['person'] });
    const seconds = (performance.now() - started) / 1000;
    const journal = emulator.journal.entries().slice(from);
    const person = report.entities[0];
    const lists = journal.filter((e) => e.method === 'GET' && e.path === '/api/v2/persons');
    const idChecks = lists.filter((e) => e.query.ids !== undefined);
    const searches = journal.filter((e) => e.path.endsWith('/search')).length;
    const singles = journal.filter((e) => /^\/api\/v2\/persons\/\d+$/.test(e.path)).length;
    const tooMany = journal.filter((e) => e.status === 429).length;
    const floor = Math.max((journal.length / PLANS[plan].burst) * (WINDOW_MS / 1000), (searches / 10) * (WINDOW_MS / 1000));
    console.log(
      `reconcile, ${plan} plan: first run ${first.entities[0]?.baselined} baselined in ${firstSeconds.toFixed(1)} s; ` +
        `then ${PERSONS} linked, ${changed.length} changed remotely, ${deleted.length} deleted: ` +
        `${lists.length - idChecks.length} list calls + ${idChecks.length} ids= checks (target ≤ 11 + the checks), ` +
        `${singles} single reads, ${searches} searches, ${report.tokens} tokens (emulator: ${budgetBefore - emulator.limits.snapshot().dailyRemaining}), ` +
        `${tooMany} 429s, ${seconds.toFixed(1)} s = ${(seconds / floor).toFixed(2)}× the floor (${floor.toFixed(1)} s); ` +
        `found ${person?.changedRemotely} changed, ${person?.gone} gone, ${person?.pulledFields} fields pulled`,
    );
    return tooMany === 0 && person?.changedRemotely === changed.length && person?.gone === deleted.length;
  } finally {
    await emulator.close();
    await db.close();
  }
}

async function intakeFigures(): Promise<boolean> {
  const emulator = await startPipedriveEmulator({ plan: 'premium' });
  const db = await createTestDatabase('sqlite');
  let sync: PipedriveSync | undefined;
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers = new Headers();
    for (const [key, value] of Object.entries(req.headers)) if (typeof value === 'string') headers.set(key, value);
    const handlers = createRouteHandlers(sync as PipedriveSync, { authenticate: () => null });
    const response = await handlers.webhook(new Request(`http://127.0.0.1${req.url}`, { method: 'POST', headers, body: Buffer.concat(chunks) }));
    res.writeHead(response.status, { 'content-type': 'application/json' });
    res.end(await response.text());
  });
  try {
    sync = await createPipedriveSync({
      pipedrive: { apiToken: emulator.apiToken, baseUrl: emulator.url },
      store: createPrismaStore(db.prisma),
      webhooks: AUTH,
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/pipedrive/webhook`;
    const authorization = `Basic ${Buffer.from(`${AUTH.username}:${AUTH.password}`).toString('base64')}`;
    const latencies: number[] = [];
    const sends: Array<Promise<number>> = [];
    const total = 1_000;
    const started = performance.now();
    for (let i = 0; i < total; i++) {
      const due = started + (i * 1000) / 200;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const event = { meta: { id: `bench-${i}`, action: 'change', entity: 'person', entity_id: String(FIRST_ID + (i % 500)), change_source: 'app' }, data: { id: FIRST_ID + (i % 500) }, previous: { name: 'x' } };
      const sent = performance.now();
      sends.push(
        fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body: JSON.stringify(event) }).then(async (response) => {
          await response.text();
          latencies.push(performance.now() - sent);
          return response.status;
        }),
      );
    }
    const statuses = await Promise.all(sends);
    const stored = await db.prisma.syncJob.count({ where: { kind: 'webhook_event' } });
    const median = percentile(latencies, 50);
    console.log(
      `webhook intake at 200 events/s for ${total / 200} s: median ${median.toFixed(1)} ms (target ≤ 50), p99 ${percentile(latencies, 99).toFixed(1)} ms, ` +
        `${statuses.filter((s) => s === 200).length}/${total} answered 200, ${stored} jobs stored`,
    );
    return stored === total && statuses.every((s) => s === 200);
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await emulator.close();
    await db.close();
  }
}

async function main(): Promise<void> {
  const index = process.argv.indexOf('--plan');
  const plan = (index >= 0 ? process.argv[index + 1] : 'premium') as Plan;
  const ok = (await reconcileFigures(plan)) && (await intakeFigures());
  if (!ok) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
