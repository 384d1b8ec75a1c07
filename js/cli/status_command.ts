/**
 * @module cli/status_command
 * `pipedrive-sync status`: the outbox at a glance with the engine of the config module: jobs per state, due jobs,
 * the oldest pending job's age, the dead jobs with their errors, and the rate budget as this process sees it.
 * `--json` prints the raw `sync.queue.stats()` instead.
 */

import { createPipedriveSync } from '../index';
import type { QueueStats } from '../store/types';
import type { RateLimitSnapshot } from '../types';
import { describeError, EXIT_FAILED, EXIT_OK, processIo, runCommand, type CommandIo } from '../terminal/command_io';
import { parseFlags } from '../terminal/flags';
import { renderPairs, renderTable } from '../terminal/table';
import { CONFIG_HELP, ConfigModuleError, loadConfig } from './load_config';

/** Usage text of the `status` command. */
export const STATUS_USAGE = `Usage: pipedrive-sync status [--config PATH] [--json]

Shows the outbox: jobs per state, due jobs, the oldest pending job, the dead jobs with their errors, and the
rate budget as last seen by this process.
  --config  the config module (see below)
  --json    print the raw stats (sync.queue.stats()) as JSON

${CONFIG_HELP}`;

/** What `sync.queue.stats()` answers. */
export type StatusStats = QueueStats & { rateLimits: RateLimitSnapshot };

/** A duration in words: `45 seconds`, `3 minutes`, `5 hours`, `2 days`. */
export function durationInWords(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  const unit = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (seconds < 60) return unit(seconds, 'second');
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return unit(minutes, 'minute');
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return unit(hours, 'hour');
  return unit(Math.floor(hours / 24), 'day');
}

/** The human-readable status report. */
export function renderStatus(stats: StatusStats, now: number): string {
  const { counts } = stats;
  const oldest =
    stats.oldestPendingAt === null
      ? 'none'
      : `created ${durationInWords(now - Date.parse(stats.oldestPendingAt))} ago (${stats.oldestPendingAt})`;
  let out = 'Outbox\n';
  out += renderPairs([
    ['pending', String(counts.PENDING)],
    ['running', String(counts.RUNNING)],
    ['done', String(counts.DONE)],
    ['dead', String(counts.DEAD)],
    ['due now', String(stats.due)],
    ['oldest pending', oldest],
  ]);
  out += '\n';
  if (stats.dead.length === 0) {
    out += 'Dead jobs: none\n';
  } else {
    out += `Dead jobs (${stats.dead.length === counts.DEAD ? 'all' : `latest ${stats.dead.length} of ${counts.DEAD}`}, newest first; replay with sync.queue.retryDead())\n`;
    out += renderTable(
      [
        { header: 'id', align: 'right' }, { header: 'kind' }, { header: 'record' }, { header: 'attempts', align: 'right' },
        { header: 'died' }, { header: 'last error', maxWidth: 100 },
      ],
      stats.dead.map((job) => [
        String(job.id), job.kind, `${job.recordType} ${job.recordId}`, String(job.attempts),
        `${durationInWords(now - Date.parse(job.updatedAt))} ago`, job.lastError ?? '',
      ]),
      '  ',
    );
  }
  out += '\nRate budget (as last seen by this process)\n';
  const { dailyBudget, tokens } = stats.rateLimits;
  const daily =
    dailyBudget.remaining === null
      ? 'not known yet (no Pipedrive response seen by this process)'
      : `${dailyBudget.remaining}${dailyBudget.limit === null ? '' : ` of ${dailyBudget.limit}`} tokens left` +
        (dailyBudget.resetsAt === null ? '' : `, resets ${new Date(dailyBudget.resetsAt).toISOString()}`);
  out += renderPairs([['daily budget', daily]]);
  if (tokens.length > 0) {
    out += renderTable(
      [{ header: 'token' }, { header: 'burst used', align: 'right' }, { header: 'search used', align: 'right' }, { header: 'paused until' }],
      tokens.map((t) => [
        t.token, `${t.burst.used}/${t.burst.limit}`, `${t.search.used}/${t.search.limit}`,
        t.pausedUntil === null ? '-' : new Date(t.pausedUntil).toISOString(),
      ]),
      '  ',
    );
  }
  return out;
}

/** Parsed flags of the `status` command. */
export interface StatusFlags {
  config?: string;
  json: boolean;
  help: boolean;
}

/** Parses the `status` flags; throws a `UsageError` (`js/terminal/flags.ts`) naming the bad flag. */
export function parseStatusFlags(argv: string[]): StatusFlags {
  const f = parseFlags(argv, ['config'], {}, ['json']);
  return { config: f.config as string | undefined, json: f.json === true, help: f.help === true };
}

/** Runs `status` with the arguments after the command name; resolves the exit code. */
export function runStatusCommand(argv: string[], io: CommandIo = processIo()): Promise<number> {
  return runCommand({ name: 'status', usage: STATUS_USAGE, parse: parseStatusFlags, run: status }, argv, io);
}

/** The status report itself, with flags that parsed and no `--help`. */
async function status(flags: StatusFlags, io: CommandIo): Promise<number> {
  try {
    const { config } = await loadConfig(flags.config, io.env, io.cwd);
    const sync = await createPipedriveSync(config);
    const stats = (await sync.queue.stats()) as StatusStats;
    io.stdout.write(flags.json ? `${JSON.stringify(stats, null, 2)}\n` : renderStatus(stats, (config.now ?? Date.now)()));
    return EXIT_OK;
  } catch (error) {
    const message = error instanceof ConfigModuleError ? error.message : `could not read the outbox: ${describeError(error)}`;
    io.stderr.write(`pipedrive-sync status: ${message}\n`);
    return EXIT_FAILED;
  }
}
