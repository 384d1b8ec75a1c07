//! `pipedrive-sync drain`: carries out the due outbox jobs with the engine of the config module, a progress bar on
//! stderr and a summary table on stdout. Exit code 0 when no job died, 3 when jobs went dead, 1 when the drain
//! failed (the store is down, the config is unusable).

import { createPipedriveSync } from '../index';
import type { DrainReport } from '../types';
import { CONFIG_HELP, ConfigModuleError, loadConfig } from './load_config';
import { DrainProgress, type ProgressStream } from './progress_bar';
import { renderPairs } from './table';

/** Usage text of the `drain` command. */
export const DRAIN_USAGE = `Usage: pipedrive-sync drain [--config PATH] [--limit N] [--concurrency N] [--lease-ms N]

Carries out the due jobs of the outbox (all of them, or --limit N) and prints a summary.
  --config       the config module (see below)
  --limit        stop after this many jobs
  --concurrency  jobs carried out at once (default: the engine's batchConcurrency, 5)
  --lease-ms     how long a claimed job stays leased to this process (default 300000)
Progress goes to stderr, the summary to stdout. Exit code: 0 no job died, 3 jobs went dead (see
\`pipedrive-sync status\`), 1 the drain failed, 2 bad arguments.

${CONFIG_HELP}`;

/** Exit code when every job was done or rescheduled. */
export const EXIT_OK = 0;
/** Exit code when the drain could not run or stopped on an error (e.g. the store is down). */
export const EXIT_FAILED = 1;
/** Exit code for bad arguments. */
export const EXIT_USAGE = 2;
/** Exit code when jobs went dead. */
export const EXIT_DEAD = 3;

/** Parsed flags of the `drain` command. */
export interface DrainFlags {
  config?: string;
  limit?: number;
  concurrency?: number;
  leaseMs?: number;
  help?: boolean;
}

/** A usage mistake (unknown flag, bad value): reported with the usage text and exit code 2. */
export class UsageError extends Error {}

/** Reads `--name value` and `--name=value` pairs; `integers` maps flag names to their allowed ranges. */
export function parseFlags(
  argv: string[],
  strings: string[],
  integers: Record<string, [number, number]>,
  booleans: string[] = [],
): Record<string, string | number | boolean> {
  const flags: Record<string, string | number | boolean> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') {
      flags.help = true;
      continue;
    }
    if (!arg.startsWith('--')) throw new UsageError(`Unexpected argument '${arg}'`);
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    if (booleans.includes(name)) {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      flags[name] = true;
      continue;
    }
    if (!strings.includes(name) && !(name in integers)) throw new UsageError(`Unknown flag --${name}`);
    const value = eq < 0 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined || value === '') throw new UsageError(`--${name} needs a value`);
    if (name in integers) {
      const [min, max] = integers[name];
      if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
        throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, got '${value}'`);
      }
      flags[name] = Number(value);
    } else {
      flags[name] = value;
    }
  }
  return flags;
}

/** Parses the `drain` flags; throws a {@link UsageError} naming the bad flag. */
export function parseDrainFlags(argv: string[]): DrainFlags {
  const f = parseFlags(argv, ['config'], { limit: [1, 4_294_967_295], concurrency: [1, 64], 'lease-ms': [100, 86_400_000] });
  return {
    config: f.config as string | undefined,
    limit: f.limit as number | undefined,
    concurrency: f.concurrency as number | undefined,
    leaseMs: f['lease-ms'] as number | undefined,
    help: f.help === true,
  };
}

/** An error's stable code and message in one line: `STORE: claimJobs failed: ...`. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  const message = error.message.trim();
  return typeof code === 'string' && !message.startsWith(`${code}:`) ? `${code}: ${message}` : message;
}

/** The summary table of a drain report. */
export function drainSummary(report: DrainReport): string {
  const seconds = report.durationMs / 1000;
  const pairs: Array<[string, string]> = [
    ['processed', String(report.processed)],
    ['succeeded', String(report.succeeded)],
    ['rescheduled', String(report.rescheduled)],
    ['dead', String(report.dead)],
    ['lease lost', String(report.leaseLost)],
    ['requests', String(report.requests)],
    ['429s', String(report.rateLimited)],
    ['duration', `${seconds.toFixed(1)} s`],
    ['jobs/s', seconds > 0 ? (report.processed / seconds).toFixed(1) : '-'],
  ];
  if (report.stopped) pairs.push(['stopped', report.stopped]);
  return `Drain summary\n${renderPairs(pairs)}`;
}

/** The exit code of a finished drain: {@link EXIT_DEAD} when jobs went dead, else {@link EXIT_OK}. */
export function drainExitCode(report: DrainReport): number {
  return report.dead > 0 ? EXIT_DEAD : EXIT_OK;
}

/** The streams and settings a command runs with (the process's by default; tests can pass their own). */
export interface CommandIo {
  stdout: ProgressStream;
  stderr: ProgressStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** The process's streams, environment and working directory. */
export function processIo(): CommandIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
}

/** Runs `drain` with the arguments after the command name; resolves the exit code. */
export async function runDrainCommand(argv: string[], io: CommandIo = processIo()): Promise<number> {
  let flags: DrainFlags;
  try {
    flags = parseDrainFlags(argv);
  } catch (error) {
    io.stderr.write(`pipedrive-sync drain: ${describeError(error)}\n\n${DRAIN_USAGE}\n`);
    return EXIT_USAGE;
  }
  if (flags.help) {
    io.stdout.write(`${DRAIN_USAGE}\n`);
    return EXIT_OK;
  }
  let progress: DrainProgress | undefined;
  try {
    const { config } = await loadConfig(flags.config, io.env, io.cwd);
    const sync = await createPipedriveSync(config);
    const due = (await sync.queue.stats()).due;
    progress = new DrainProgress(io.stderr, { total: flags.limit === undefined ? due : Math.min(due, flags.limit), now: config.now });
    const report = await sync.queue.drain({
      limit: flags.limit,
      concurrency: flags.concurrency,
      leaseMs: flags.leaseMs,
      onProgress: (p) => progress?.update(p),
    });
    progress.finish(report);
    progress = undefined;
    io.stdout.write(drainSummary(report));
    if (report.dead > 0) {
      io.stdout.write(
        `\n${report.dead} job${report.dead === 1 ? '' : 's'} went dead: \`pipedrive-sync status\` lists them with their errors; ` +
          `replay them with sync.queue.retryDead() once the cause is fixed.\n`,
      );
    }
    return drainExitCode(report);
  } catch (error) {
    progress?.finish();
    if (error instanceof ConfigModuleError) {
      io.stderr.write(`pipedrive-sync drain: ${error.message}\n`);
    } else {
      io.stderr.write(`pipedrive-sync drain: the drain failed: ${describeError(error)}\n`);
    }
    return EXIT_FAILED;
  }
}
