/**
 * @module tests/delivery/chaos.test
 * A few seeded chaos runs (`chaos.ts`) on SQLite and PostgreSQL; `tests/bench/chaos.ts` runs hundreds. Each run
 * prints the fault schedule it ran and what it checked.
 */

import { after, before, test } from 'node:test';

import { startPipedriveEmulator, type PipedriveEmulator } from '../../js/emulator/index';
import { describeEachDatabase } from '../prisma/databases';
import { runChaos } from './chaos';

const SEEDS = [11, 23, 47];

describeEachDatabase('chaos', (db) => {
  let emulator: PipedriveEmulator;
  before(async () => {
    emulator = await startPipedriveEmulator({ plan: 'premium' });
  });
  after(() => emulator.close());

  for (const seed of SEEDS) {
    test(`seed ${seed}: one Pipedrive record per local record, every job done, the token nowhere`, { timeout: 120_000 }, async (t) => {
      const report = await runChaos(seed, db().prisma, emulator);
      t.diagnostic(`schedule: ${report.schedule.join('; ') || 'no faults'}`);
      t.diagnostic(`checked: ${report.checks.join('; ')}`);
      t.diagnostic(`${report.requests} requests in ${report.elapsedMs} ms`);
    });
  }
});
