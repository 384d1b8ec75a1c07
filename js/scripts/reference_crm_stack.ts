/**
 * @module scripts/reference_crm_stack
 * The reference CRM running against the emulator, as `npm run app` and the browser tests use it: an emulator
 * seeded with the Pipedrive half of the app's seed (`examples/next-crm/lib/seed/seed_data.ts`), a fresh SQLite
 * database that the app migrates and seeds with the CRM half on start, and `next start` of the built app with the
 * emulator as Pipedrive, webhooks v2 registered back to the app (Basic auth), and an in-process drain.
 */

import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';

import { startPipedriveEmulator, type PipedriveEmulator } from '../emulator';
import { pipedriveSeed } from '../../examples/next-crm/lib/seed/seed_data';
import { startReferenceCrm, type RunningCrm } from './reference_crm_build';

/** What to start. */
export interface ReferenceStackOptions {
  /** The folder of the app's SQLite file (emptied first). */
  databaseDir: string;
  /** The app's port (default a free one). */
  port?: number;
  /** How often the app drains the outbox, ms (default 1,000). */
  drainIntervalMs?: number;
  /** More environment for the app (e.g. `CRM_CONFLICT_STRATEGY`). */
  env?: NodeJS.ProcessEnv;
}

/** The running pair. */
export interface ReferenceStack {
  emulator: PipedriveEmulator;
  crm: RunningCrm;
  /** The webhook subscription's Basic auth (random per run). */
  webhookAuth: { username: string; password: string };
  /** Stops the app, then the emulator. */
  stop(): Promise<void>;
}

/** Starts the emulator and the built app (build it first with `buildReferenceCrm`). */
export async function startReferenceStack(options: ReferenceStackOptions): Promise<ReferenceStack> {
  const apiToken = randomBytes(20).toString('hex');
  const { users, seed } = pipedriveSeed(apiToken);
  const emulator = await startPipedriveEmulator({ plan: 'growth', users, seed, apiToken });
  rmSync(options.databaseDir, { recursive: true, force: true });
  mkdirSync(options.databaseDir, { recursive: true });
  const webhookAuth = { username: 'pipedrive', password: randomBytes(16).toString('hex') };
  let crm: RunningCrm;
  try {
    crm = await startReferenceCrm(
      {
        DATABASE_URL: `file:${path.join(options.databaseDir, 'crm.db')}`,
        PIPEDRIVE_API_TOKEN: apiToken,
        PIPEDRIVE_BASE_URL: emulator.url,
        CRM_EMULATOR_URL: emulator.url,
        CRM_SESSION_SECRET: randomBytes(32).toString('hex'),
        CRM_WEBHOOK_USER: webhookAuth.username,
        CRM_WEBHOOK_PASSWORD: webhookAuth.password,
        CRM_DRAIN_INTERVAL_MS: String(options.drainIntervalMs ?? 1_000),
        ...options.env,
      },
      '/auth/signin',
      90_000,
      options.port,
    );
  } catch (error) {
    await emulator.close();
    throw error;
  }
  return {
    emulator,
    crm,
    webhookAuth,
    stop: async () => {
      crm.stop();
      await emulator.close();
    },
  };
}
