#!/usr/bin/env node
//! The `pipedrive-sync` command line: a table of commands, each a module exporting `run*Command(argv)`.

import { runEmulatorCommand } from './emulator_command';

/** One CLI command. */
interface Command {
  /** One-line description for the usage text. */
  summary: string;
  /** Runs the command with the arguments after its name. */
  run(argv: string[]): Promise<void>;
}

/** The commands, by name. Add new commands here. */
const COMMANDS: Record<string, Command> = {
  emulator: { summary: 'run a local Pipedrive emulator (--port, --plan, --seats)', run: runEmulatorCommand },
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
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`Unknown command '${name}'.\n\n${usage()}`);
    return 2;
  }
  try {
    await command.run(rest);
    return 0;
  } catch (e) {
    process.stderr.write(`pipedrive-sync ${name}: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
