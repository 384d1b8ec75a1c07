#!/usr/bin/env node
/**
 * @module cli/main
 * The `pipedrive-sync` command line: a table of commands, each a module exporting `run*Command(argv)`.
 */

import { runDemoCommand } from '../demo/demo_command';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, exitWhenDone } from '../terminal/command_io';
import { runDrainCommand } from './drain_command';
import { runEmulatorCommand } from './emulator_command';
import { runConflictsCommand } from './conflicts_command';
import { runReconcileCommand } from './reconcile_command';
import { runSetupUserCommand } from './setup_user_command';
import { runStatusCommand } from './status_command';
import { runWebhooksCommand } from './webhooks_command';
import { runWorkerCommand } from './worker_command';

/** One CLI command. */
interface Command {
  /** One-line description for the usage text. */
  summary: string;
  /** Runs the command with the arguments after its name; resolves its exit code (0 when it resolves nothing). */
  run(argv: string[]): Promise<number | void>;
}

/** The commands, by name. Add new commands here. */
const COMMANDS: Record<string, Command> = {
  emulator: { summary: 'run a local Pipedrive emulator (--port, --plan, --seats)', run: runEmulatorCommand },
  drain: { summary: 'carry out the due outbox jobs, with progress and a summary (--config, --limit, --concurrency, --lease-ms)', run: runDrainCommand },
  worker: {
    summary: 'run the queue worker until SIGTERM/SIGINT: jobs as they come, a status line per minute, a report at the end (--config, --concurrency, --lease-ms)',
    run: runWorkerCommand,
  },
  status: { summary: 'show the outbox: jobs per state, due, oldest pending, dead jobs and errors, rate budget (--config, --json)', run: runStatusCommand },
  reconcile: { summary: 'find drift between the CRM and Pipedrive, with progress and a report (--config, --entity, --since)', run: runReconcileCommand },
  webhooks: { summary: 'manage the webhooks v2 subscriptions: ensure --url URL, list, remove ID (--config)', run: runWebhooksCommand },
  'setup-user': { summary: "link a CRM user to the Pipedrive user with the same email: setup-user EMAIL (--config)", run: runSetupUserCommand },
  conflicts: { summary: 'the conflicts held for a person: list [--status], resolve ID local|pipedrive|--field NAME=... (--config)', run: runConflictsCommand },
  demo: {
    summary: "sync a seeded CRM's warm leads to the emulator (or real Pipedrive with PIPEDRIVE_API_TOKEN), with progress and a summary (--plan, --contacts, --concurrency, --seed, --dump-emulator)",
    run: runDemoCommand,
  },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `Usage: pipedrive-sync <command> [options]\n\nCommands:\n${lines.join('\n')}\n`;
}

/** Dispatches `argv` (without node and script) to a command; returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? process.stderr : process.stdout).write(usage());
    return name === undefined ? EXIT_USAGE : EXIT_OK;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`Unknown command '${name}'.\n\n${usage()}`);
    return EXIT_USAGE;
  }
  try {
    return (await command.run(rest)) ?? EXIT_OK;
  } catch (e) {
    process.stderr.write(`pipedrive-sync ${name}: ${e instanceof Error ? e.message : String(e)}\n`);
    return EXIT_FAILED;
  }
}

// Exit when the command is done: a config module's database pool (e.g. PostgreSQL) would keep the process alive.
if (require.main === module) exitWhenDone(main(process.argv.slice(2)));
