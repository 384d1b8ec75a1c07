/**
 * @module cli/reconcile_command
 * `pipedrive-sync reconcile`: runs `sync.reconcile.run` with a progress bar per phase (every 100 records) on stderr and the report
 * table on stdout: per entity type, the linked records and each class found, then requests, tokens and time.
 */

import type { ReconcileReport } from '../two_way';
import { EXIT_OK, processIo, runCommand, type CommandIo } from '../terminal/command_io';
import { parseFlags, UsageError } from '../terminal/flags';
import { renderBar } from '../terminal/progress_bar';
import { renderPairs, renderTable } from '../terminal/table';
import { withEngine } from './engine_command';
import { CONFIG_HELP } from './load_config';

/** The record types reconcile walks. */
const ENTITIES = ['person', 'organization', 'activity'] as const;

/** Usage text of the `reconcile` command. */
export const RECONCILE_USAGE = `Usage: pipedrive-sync reconcile [--config PATH] [--entity person,organization,activity] [--since ISO]

Finds drift between the CRM and Pipedrive: each entity type from its stored cursor (or --since), every linked
local record classified (in step, changed here, changed in Pipedrive, both, deleted, merged, not visible).
Progress goes to stderr, the report to stdout. Exit code 0, 1 when it failed, 2 bad arguments.

${CONFIG_HELP}`;

/** Parsed flags of `reconcile`. */
export interface ReconcileFlags {
  config?: string;
  entities?: Array<(typeof ENTITIES)[number]>;
  since?: string;
  help?: boolean;
}

/** Parses the flags; `--entity` takes a comma list. */
export function parseReconcileFlags(argv: string[]): ReconcileFlags {
  const f = parseFlags(argv, ['config', 'entity', 'since'], {});
  const entities = typeof f.entity === 'string' ? f.entity.split(',').map((e) => e.trim()) : undefined;
  const unknown = entities?.find((e) => !(ENTITIES as readonly string[]).includes(e));
  if (unknown !== undefined) throw new UsageError(`--entity must name ${ENTITIES.join(', ')}; got '${unknown}'`);
  if (typeof f.since === 'string' && Number.isNaN(Date.parse(f.since))) throw new UsageError(`--since must be an ISO 8601 instant, got '${f.since}'`);
  return { config: f.config as string | undefined, entities: entities as ReconcileFlags['entities'], since: f.since as string | undefined, help: f.help === true };
}

/** The report as tables. */
export function reconcileReport(report: ReconcileReport): string {
  const columns = ['linked', 'listed', 'inStep', 'baselined', 'pending', 'changedLocally', 'changedRemotely', 'changedBoth', 'pulledFields', 'gone', 'hidden', 'merged'] as const;
  const table = renderTable(
    [{ header: 'entity' }, ...columns.map((c) => ({ header: c, align: 'right' as const }))],
    report.entities.map((e) => [e.entity, ...columns.map((c) => String(e[c]))]),
  );
  const totals = renderPairs([
    ['requests', String(report.requests)],
    ['tokens', String(report.tokens)],
    ['duration', `${(report.durationMs / 1000).toFixed(1)} s`],
  ]);
  return `Reconcile report\n${table}${totals}`;
}

/** Runs `reconcile`; resolves the exit code. */
export function runReconcileCommand(argv: string[], io: CommandIo = processIo()): Promise<number> {
  return runCommand({ name: 'reconcile', usage: RECONCILE_USAGE, parse: parseReconcileFlags, run: reconcile }, argv, io);
}

async function reconcile(flags: ReconcileFlags, io: CommandIo): Promise<number> {
  return withEngine('reconcile', flags.config, io, async (sync) => {
    const report = await sync.reconcile.run({
      entities: flags.entities,
      since: flags.since,
      onProgress: (p) => io.stderr.write(`${p.entity}: ${p.phase}${p.phase === 'listing' ? '' : ` ${renderBar(p.checked, p.linked)} ${p.checked}/${p.linked}`}\n`),
    });
    io.stdout.write(reconcileReport(report));
    return EXIT_OK;
  });
}
