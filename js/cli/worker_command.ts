/**
 * @module cli/worker_command
 * `pipedrive-sync worker`: the long-running queue worker (`sync.queue.run`, DESIGN §13) with the engine of the
 * config module. A status line per minute and a final report on stdout. SIGTERM or SIGINT stops it cleanly: nothing
 * more is claimed, the jobs in hand are finished, and it exits 0; a second signal exits at once (the leases then
 * bring the unfinished jobs back after they expire).
 */

import { createPipedriveSync } from '../index';
import { describeError, EXIT_FAILED, EXIT_OK, processIo, runCommand, type CommandIo } from '../terminal/command_io';
import { parseFlags } from '../terminal/flags';
import { renderPairs } from '../terminal/table';
import type { WorkerReport } from '../worker/queue_worker';
import { CONFIG_HELP, ConfigModuleError, loadConfig } from './load_config';

/** Usage text of the `worker` command. */
export const WORKER_USAGE = `Usage: pipedrive-sync worker [--config PATH] [--concurrency N] [--lease-ms N]

Runs the queue worker until SIGTERM or SIGINT: carries out due jobs as they come (woken by PostgreSQL
LISTEN/NOTIFY when the store has a listenUrl, else polling every second), prints a status line per minute
and a report at the end. On SIGTERM/SIGINT it claims nothing more, finishes the jobs in hand and exits 0.
  --config       the config module (see below)
  --concurrency  jobs carried out at once (default: the engine's batchConcurrency, 5)
  --lease-ms     how long a claimed job stays leased to this process (default 300000)

${CONFIG_HELP}`;

/** Parsed flags of the `worker` command. */
export interface WorkerFlags {
  config?: string;
  concurrency?: number;
  leaseMs?: number;
  help?: boolean;
}

/** Parses the `worker` flags; throws a `UsageError` naming the bad flag. */
export function parseWorkerFlags(argv: string[]): WorkerFlags {
  const f = parseFlags(argv, ['config'], { concurrency: [1, 64], 'lease-ms': [100, 86_400_000] });
  return {
    config: f.config as string | undefined,
    concurrency: f.concurrency as number | undefined,
    leaseMs: f['lease-ms'] as number | undefined,
    help: f.help === true,
  };
}

/** One status line: totals and the rate so far. */
export function workerStatusLine(report: WorkerReport): string {
  const seconds = report.durationMs / 1000;
  const rate = seconds > 0 ? (report.processed / seconds).toFixed(1) : '0.0';
  return `worker: ${report.processed} jobs (${report.succeeded} done, ${report.rescheduled} rescheduled, ${report.dead} dead), ` +
    `${report.requests} requests, ${report.rateLimited} 429s, ${rate} jobs/s over ${seconds.toFixed(0)} s\n`;
}

/** The final report table. */
export function workerSummary(report: WorkerReport): string {
  const pairs: Array<[string, string]> = [
    ['processed', String(report.processed)],
    ['succeeded', String(report.succeeded)],
    ['rescheduled', String(report.rescheduled)],
    ['dead', String(report.dead)],
    ['lease lost', String(report.leaseLost)],
    ['requests', String(report.requests)],
    ['429s', String(report.rateLimited)],
    ['wake-ups', String(report.wakeups)],
    ['duration', `${(report.durationMs / 1000).toFixed(1)} s`],
  ];
  if (report.stopped) pairs.push(['last stop', report.stopped]);
  return `Worker report\n${renderPairs(pairs)}`;
}

/** Runs `worker` with the arguments after the command name; resolves the exit code. */
export function runWorkerCommand(argv: string[], io: CommandIo = processIo()): Promise<number> {
  return runCommand({ name: 'worker', usage: WORKER_USAGE, parse: parseWorkerFlags, run: work }, argv, io);
}

/** The worker itself, with flags that parsed and no `--help`. */
async function work(flags: WorkerFlags, io: CommandIo): Promise<number> {
  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (stop.signal.aborted) {
      io.stderr.write(`pipedrive-sync worker: ${signal} again, exiting now\n`);
      process.exit(EXIT_FAILED);
    }
    io.stderr.write(`pipedrive-sync worker: ${signal}: finishing the jobs in hand, claiming no more\n`);
    stop.abort();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  try {
    const { config } = await loadConfig(flags.config, io.env, io.cwd);
    const sync = await createPipedriveSync(config);
    io.stdout.write('worker: started\n');
    const report = await sync.queue.run({
      signal: stop.signal,
      concurrency: flags.concurrency,
      leaseMs: flags.leaseMs,
      onStatus: (status) => io.stdout.write(workerStatusLine(status)),
    });
    io.stdout.write(workerSummary(report));
    return EXIT_OK;
  } catch (error) {
    const message = error instanceof ConfigModuleError ? error.message : `the worker failed: ${describeError(error)}`;
    io.stderr.write(`pipedrive-sync worker: ${message}\n`);
    return EXIT_FAILED;
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
}
