/**
 * @module tests/bench/chaos
 * Many seeded chaos runs (`tests/delivery/chaos.ts`; `npm test` runs three seeds): each prints its fault schedule
 * and whether every promise held; a failing seed prints what broke and the command to repeat it. Exits 1 when any
 * seed failed.
 *
 * Run: `node --import tsx tests/bench/chaos.ts [--seeds 200] [--from 1]`; on PostgreSQL too when
 * `TEST_POSTGRES_URL` is set.
 */

import { startPipedriveEmulator } from '../../js/emulator/index';
import { runChaos } from '../delivery/chaos';
import { createTestDatabase, testPostgresUrl, type DatabaseName } from '../prisma/databases';

/** The value after `--name` on the command line, as a whole number. */
function flag(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index >= 0 ? Number(process.argv[index + 1]) : fallback;
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} must be a whole number`);
  return value;
}

async function main(): Promise<void> {
  const seeds = flag('seeds', 200);
  const from = flag('from', 1);
  const databases: DatabaseName[] = testPostgresUrl() ? ['sqlite', 'postgresql'] : ['sqlite'];
  const emulator = await startPipedriveEmulator({ plan: 'premium' });
  const failures: string[] = [];
  let runs = 0;
  const started = Date.now();
  try {
    for (const name of databases) {
      const db = await createTestDatabase(name);
      try {
        for (let seed = from; seed < from + seeds; seed++) {
          runs++;
          try {
            const report = await runChaos(seed, db.prisma, emulator);
            console.log(`ok   ${name} seed ${seed} (${report.elapsedMs} ms, ${report.requests} requests): ${report.schedule.join('; ') || 'no faults'}`);
          } catch (error) {
            const message = error instanceof Error ? error.message : String(error);
            failures.push(`${name} seed ${seed}: ${message.split('\n')[0]}`);
            console.log(`FAIL ${name} seed ${seed}: ${message}\n     repeat (CHAOS_LOGS=1 adds the logs): node --import tsx tests/bench/chaos.ts --from ${seed} --seeds 1`);
          }
        }
      } finally {
        await db.close();
      }
    }
  } finally {
    await emulator.close();
  }
  const minutes = ((Date.now() - started) / 60_000).toFixed(1);
  console.log(`\nchaos: ${runs} runs in ${minutes} min, ${failures.length} failed; checked each time: one Pipedrive record per recorded local record, every job DONE (none RUNNING), warm-lead labels, the token in no log line, answer, error or outbox row`);
  if (failures.length > 0) {
    console.log(failures.map((line) => `  ${line}`).join('\n'));
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
