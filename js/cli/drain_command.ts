/**
 * @module cli/drain_command
 * `pipedrive-sync drain`: carries out the due outbox jobs with the engine of the config module, a progress bar on
 * stderr and a summary table on stdout. Exit code 0 when no job died, 3 when jobs went dead, 1 when the drain
 * failed (the store is down, the config is unusable).
 */

import { createPipedriveSync } from '../index';
import type { DrainReport } from '../types';
import { describeError, EXIT_FAILED, EXIT_OK, processIo, runCommand, type CommandIo } from '../terminal/command_io';
import { parseFlags } from '../terminal/flags';
import { DrainProgress } from '../terminal/progress_bar';
import { renderPairs } from '../terminal/table';
import { CONFIG_HELP, ConfigModuleError, loadConfig } from './load_config';

/** Usage text of the `drain` command. */
export const DRAIN_USAGE = `Usage: pipedrive-sync drain [--config PATH] [--limit N] [--concurrency N] [--lease-ms N]

Carries out the due jobs of the outbox (all of them, or --limit N) and prints a summary.
  --config       the config module (see below)
  --limit        stop after this many jobs
  --concurrency  jobs carried out at once (default: the engine's batchConcurrency, 5)
  --lease-ms     how long a claimed job stays leased to this process (default 300000)
Progress goes to stderr, the summary to stdout. Exit code: 0 no job died, 3 jobs went dead (see
\`pipedrive-sync status\`), 4 the drain stopped early (token refused or blocked, daily budget spent: the
rest waits in the queue), 1 the drain failed, 2 bad arguments.

${CONFIG_HELP}`;

/** Exit code when jobs went dead (`status` lists them). */
export const EXIT_DEAD = 3;
/** Exit code when the drain stopped early (a refused or blocked token, a spent daily budget). */
export const EXIT_STOPPED = 4;

/** Parsed flags of the `drain` command. */
export interface DrainFlags {
  config?: string;
  limit?: number;
  concurrency?: number;
  leaseMs?: number;
  help?: boolean;
}

/** Parses the `drain` flags; throws a `UsageError` (`js/terminal/flags.ts`) naming the bad flag. */
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

/**
 * The exit code of a finished drain: {@link EXIT_STOPPED} when it stopped early (the queue is not drained, and a
 * scheduler must see that), {@link EXIT_DEAD} when jobs went dead, else {@link EXIT_OK}.
 */
export function drainExitCode(report: DrainReport): number {
  if (report.stopped) return EXIT_STOPPED;
  return report.dead > 0 ? EXIT_DEAD : EXIT_OK;
}

/** Runs `drain` with the arguments after the command name; resolves the exit code. */
export function runDrainCommand(argv: string[], io: CommandIo = processIo()): Promise<number> {
  return runCommand({ name: 'drain', usage: DRAIN_USAGE, parse: parseDrainFlags, run: drain }, argv, io);
}

/** The drain itself, with flags that parsed and no `--help`. */
async function drain(flags: DrainFlags, io: CommandIo): Promise<number> {
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
