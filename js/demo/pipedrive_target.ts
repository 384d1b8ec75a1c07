/**
 * @module demo/pipedrive_target
 * Which Pipedrive the demo talks to: the emulator started in this process (the default; seeded with the demo's
 * Pipedrive records), or real Pipedrive when `PIPEDRIVE_API_TOKEN` is set (at `PIPEDRIVE_BASE_URL`, default
 * https://api.pipedrive.com; never seeded), announced loudly before anything is sent.
 */

import { writeFileSync } from 'node:fs';
import { startPipedriveEmulator, type PipedriveEmulator } from '../emulator/index';
import type { Plan } from '../emulator/limits/rate_limits';
import type { SeedData } from '../emulator/model/state';

/** Real Pipedrive's API host. */
export const REAL_PIPEDRIVE_URL = 'https://api.pipedrive.com';
/** The emulator's plan when `--plan` is not given: growth (40 requests per 2 s). */
export const DEFAULT_DEMO_PLAN: Plan = 'growth';

/** The Pipedrive the demo runs against. */
export type PipedriveTarget =
  | { kind: 'emulator'; baseUrl: string; apiToken: string; plan: Plan; emulator: PipedriveEmulator }
  | { kind: 'pipedrive'; baseUrl: string; apiToken: string; plan: Plan | undefined };

/** Whether the environment points the demo at real Pipedrive. */
export function usesRealPipedrive(env: NodeJS.ProcessEnv): boolean {
  return (env.PIPEDRIVE_API_TOKEN ?? '').trim() !== '';
}

/** The plan named by `--plan` (case-insensitive), or a usage error naming the choices. */
export function parseDemoPlan(name: string): Plan {
  const plan = name.trim().toLowerCase();
  if (plan === 'lite' || plan === 'growth' || plan === 'premium' || plan === 'ultimate') return plan;
  throw new RangeError(`--plan must be lite, growth, premium or ultimate, got '${name}'`);
}

/** Starts the emulator with `seed`, or returns real Pipedrive's settings (the seed is ignored there). */
export async function openPipedriveTarget(env: NodeJS.ProcessEnv, plan: Plan | undefined, seed: SeedData | null): Promise<PipedriveTarget> {
  if (usesRealPipedrive(env)) {
    const baseUrl = env.PIPEDRIVE_BASE_URL?.trim() || REAL_PIPEDRIVE_URL;
    return { kind: 'pipedrive', baseUrl, apiToken: (env.PIPEDRIVE_API_TOKEN ?? '').trim(), plan };
  }
  const emulator = await startPipedriveEmulator({ plan: plan ?? DEFAULT_DEMO_PLAN, seed: seed ?? undefined });
  return { kind: 'emulator', baseUrl: emulator.url, apiToken: emulator.apiToken, plan: emulator.plan, emulator };
}

/**
 * The banner saying where the demo's requests go; for real Pipedrive a warning that names what it will create (up
 * to `warmLeads` persons and `activities` activities).
 */
export function describeTarget(target: PipedriveTarget, warmLeads: number, activities = 0): string {
  if (target.kind === 'emulator') {
    return `Pipedrive: the emulator at ${target.baseUrl} (plan ${target.plan}, seeded with the demo's Pipedrive records)\n`;
  }
  const rule = '!'.repeat(78);
  return (
    `${rule}\n` +
    `!! PIPEDRIVE_API_TOKEN is set: this demo talks to REAL Pipedrive at ${target.baseUrl}\n` +
    `!! It will create up to ${warmLeads} persons (labelled "Warm Lead"), their organizations and up to\n` +
    `!! ${activities} activities in that account, and spend its API tokens. Nothing is seeded or deleted there.\n` +
    `!! Unset PIPEDRIVE_API_TOKEN to use the local emulator instead.\n` +
    `${rule}\n`
  );
}

/**
 * Writes the emulator's records (persons, organizations, activities), limits and request journal as JSON (for
 * checking a run); no-op for real Pipedrive.
 */
export function dumpEmulator(target: PipedriveTarget, file: string): void {
  if (target.kind !== 'emulator') return;
  const { emulator } = target;
  // The snapshot's per-token windows are keyed by the token itself: leave them out.
  const { tokens: _tokens, ...limits } = emulator.limits.snapshot();
  const dump = {
    url: emulator.url,
    plan: emulator.plan,
    persons: [...emulator.state.persons.values()],
    organizations: [...emulator.state.organizations.values()],
    activities: [...emulator.state.activities.values()],
    limits,
    journal: emulator.journal.entries(),
  };
  writeFileSync(file, `${JSON.stringify(dump, null, 2)}\n`);
}

/** Stops the emulator, if the demo started one. */
export async function closePipedriveTarget(target: PipedriveTarget): Promise<void> {
  if (target.kind === 'emulator') await target.emulator.close();
}
