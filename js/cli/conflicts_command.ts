/**
 * @module cli/conflicts_command
 * `pipedrive-sync conflicts list|resolve`: the conflicts the `manual` strategy holds for a person
 * (`sync.conflicts.list`), and a decision applied and synced (`sync.conflicts.resolve`): `local`, `pipedrive`, or
 * per field with `--field name=local|pipedrive|<JSON value>`.
 */

import { EXIT_FAILED, EXIT_OK, processIo, runCommand, type CommandIo } from '../terminal/command_io';
import { parseFlags, splitWords, UsageError } from '../terminal/flags';
import { renderTable } from '../terminal/table';
import type { ConflictDecision } from '../updates';
import { withEngine } from './engine_command';
import { CONFIG_HELP } from './load_config';

/** Usage text of the `conflicts` command. */
export const CONFLICTS_USAGE = `Usage: pipedrive-sync conflicts list [--status OPEN|RESOLVED] [--json] [--config PATH]
       pipedrive-sync conflicts resolve ID local|pipedrive [--config PATH]
       pipedrive-sync conflicts resolve ID --field NAME=local|pipedrive|JSON [--field ...] [--config PATH]

list shows the conflicts held for a person, newest first; resolve applies a decision and syncs it (fields not
named keep Pipedrive's value). Exit code 0, 1 when it failed, 2 bad arguments.

${CONFIG_HELP}`;

/** Parsed arguments of `conflicts`. */
export interface ConflictsFlags {
  action?: 'list' | 'resolve';
  id?: number;
  decision?: ConflictDecision;
  status?: 'OPEN' | 'RESOLVED';
  json?: boolean;
  config?: string;
  help?: boolean;
}

/** Parses `conflicts` arguments; `--field` may repeat. */
export function parseConflictsFlags(argv: string[]): ConflictsFlags {
  const { words, flags: rest } = splitWords(argv, 3);
  const fields: Record<string, unknown> = {};
  const flags: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === '--field') {
      const pair = rest[++i] ?? '';
      const eq = pair.indexOf('=');
      if (eq <= 0) throw new UsageError(`--field takes NAME=local|pipedrive|JSON, got '${pair}'`);
      const value = pair.slice(eq + 1);
      try {
        fields[pair.slice(0, eq)] = value === 'local' || value === 'pipedrive' ? value : JSON.parse(value);
      } catch {
        throw new UsageError(`--field ${pair.slice(0, eq)}: '${value}' is neither local, pipedrive nor JSON`);
      }
    } else flags.push(rest[i]);
  }
  const f = parseFlags(flags, ['config', 'status'], {}, ['json']);
  if (f.help === true) return { help: true };
  const [action, id, decision] = words;
  const config = f.config as string | undefined;
  if (action === 'list') {
    if (id !== undefined) throw new UsageError(`Unexpected argument '${id}'`);
    if (f.status !== undefined && f.status !== 'OPEN' && f.status !== 'RESOLVED') throw new UsageError('--status must be OPEN or RESOLVED');
    return { action, status: f.status as ConflictsFlags['status'], json: f.json === true, config };
  }
  if (action !== 'resolve') throw new UsageError("the first argument must be 'list' or 'resolve'");
  if (!/^\d+$/.test(id ?? '')) throw new UsageError('resolve needs the conflict id, a whole number');
  const named = Object.keys(fields).length > 0;
  if (named === (decision !== undefined)) throw new UsageError('resolve takes local, pipedrive, or --field NAME=... (one of them)');
  if (decision !== undefined && decision !== 'local' && decision !== 'pipedrive') throw new UsageError(`the decision must be local or pipedrive, got '${decision}'`);
  return { action, id: Number(id), decision: named ? fields : (decision as 'local' | 'pipedrive'), config };
}

/** Runs `conflicts`; resolves the exit code. */
export function runConflictsCommand(argv: string[], io: CommandIo = processIo()): Promise<number> {
  return runCommand({ name: 'conflicts', usage: CONFLICTS_USAGE, parse: parseConflictsFlags, run: conflicts }, argv, io);
}

async function conflicts(flags: ConflictsFlags, io: CommandIo): Promise<number> {
  return withEngine('conflicts', flags.config, io, async (sync) => {
    if (flags.action === 'list') {
      const list = await sync.conflicts.list(flags.status ? { status: flags.status } : undefined);
      if (flags.json) io.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
      else if (list.length === 0) io.stdout.write('No conflicts.\n');
      else {
        io.stdout.write(renderTable(
          [{ header: 'id', align: 'right' }, { header: 'record' }, { header: 'pipedrive id', align: 'right' }, { header: 'status' }, { header: 'fields', maxWidth: 50 }, { header: 'created' }],
          list.map((c) => [String(c.id), c.recordType, String(c.pipedriveId ?? ''), c.status, Object.keys(c.fields).join(', '), c.createdAt]),
        ));
      }
      return EXIT_OK;
    }
    const result = await sync.conflicts.resolve(flags.id as number, flags.decision as ConflictDecision);
    if (!result.success) {
      io.stderr.write(`pipedrive-sync conflicts: ${result.error ?? 'not resolved'}\n`);
      return EXIT_FAILED;
    }
    io.stdout.write(`Conflict ${flags.id} resolved; ${Object.entries(result.fields).map(([f, d]) => `${f} ${d}`).join(', ') || 'nothing to send'}.\n`);
    return EXIT_OK;
  });
}
