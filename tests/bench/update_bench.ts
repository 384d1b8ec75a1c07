/**
 * @module tests/bench/update_bench
 * Benchmark (prints figures; not a test): record updates against the emulator with the Prisma store on SQLite
 * (DESIGN §9). A batch of 50 person updates with conflict detection on, per plan: requests (target 51: one `ids=`
 * pre-read and 50 PATCHes), API tokens (target ≤ 260), 429s (target 0), and the wall time as a ratio of the floor
 * (requests ÷ burst limit × 2 s; target ≤ 1.1 × the floor plus one round trip). And one single update: its round
 * trips (target 2: read and PATCH).
 *
 * Run: `node --import tsx tests/bench/update_bench.ts [--plan lite]`.
 */

import { createPipedriveSync } from '../../js/index';
import { PLANS, startPipedriveEmulator } from '../../js/emulator/index';
import { WINDOW_MS } from '../../js/emulator/limits/rate_limits';
import { createPrismaStore } from '../../js/prisma/index';
import { createTestDatabase } from '../prisma/databases';

type Plan = keyof typeof PLANS;
const BATCH = 50;
const FIRST_ID = 20_000;

async function measure(plan: Plan): Promise<boolean> {
  const emulator = await startPipedriveEmulator({ plan });
  const db = await createTestDatabase('sqlite');
  try {
    emulator.state.seed({ persons: Array.from({ length: BATCH + 1 }, (_, i) => ({ id: FIRST_ID + i, name: `Person ${i}` })) });
    const sync = await createPipedriveSync({
      pipedrive: { apiToken: emulator.apiToken, baseUrl: emulator.url },
      store: createPrismaStore(db.prisma),
      options: { plan, conflictStrategy: 'manual' },
    });
    const budgetBefore = emulator.limits.snapshot().dailyRemaining;
    const from = emulator.journal.length;
    const started = performance.now();
    const result = await sync.updates.batchUpdate(
      Array.from({ length: BATCH }, (_, i) => ({ recordType: 'person' as const, recordId: FIRST_ID + i, data: { name: `Renamed ${i}` } })),
    );
    const seconds = (performance.now() - started) / 1000;
    const journal = emulator.journal.entries().slice(from);
    const tokens = budgetBefore - emulator.limits.snapshot().dailyRemaining;
    const tooMany = journal.filter((entry) => entry.status === 429).length;
    const floor = (journal.length / PLANS[plan].burst) * (WINDOW_MS / 1000);

    const singleFrom = emulator.journal.length;
    const single = await sync.updates.updatePerson(FIRST_ID + BATCH, { name: 'One alone' });
    const roundTrips = emulator.journal.length - singleFrom;

    console.log(
      `updates, ${plan} plan (burst ${PLANS[plan].burst} per 2 s): batch of ${BATCH} ${result.summary.successful}/${BATCH} ok, ` +
        `${journal.length} requests (target ${BATCH + 1}), ${tokens} tokens (target ≤ 260), ${tooMany} 429s, ` +
        `${seconds.toFixed(1)} s = ${(seconds / floor).toFixed(2)}× the floor (${floor.toFixed(1)} s); ` +
        `one update: ${roundTrips} round trips (target 2), ${single.success ? 'ok' : single.error}`,
    );
    return result.success && tooMany === 0 && single.success;
  } finally {
    await emulator.close();
    await db.close();
  }
}

async function main(): Promise<void> {
  const index = process.argv.indexOf('--plan');
  const plans: Plan[] = index >= 0 ? [process.argv[index + 1] as Plan] : ['lite', 'growth', 'premium'];
  let ok = true;
  for (const plan of plans) ok = (await measure(plan)) && ok;
  if (!ok) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
