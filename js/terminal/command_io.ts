/**
 * @module terminal/command_io
 * What every command of the CLI (and the demo run on its own) shares around its work: the streams and settings it
 * runs with ({@link CommandIo}), the exit codes, errors as one line, {@link runCommand} for the usage/help
 * handling before the work, and {@link exitWhenDone} for the entry point's exit once the output is flushed.
 */

import type { ProgressStream } from './progress_bar';

/** Exit code when the command did what it was asked (for `drain`: every job was done or rescheduled). */
export const EXIT_OK = 0;
/** Exit code when the command could not run or stopped on an error (e.g. the store is down, the config is unusable). */
export const EXIT_FAILED = 1;
/** Exit code for bad arguments. */
export const EXIT_USAGE = 2;

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

/** An error's stable code and message in one line: `STORE: claimJobs failed: ...`. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  const message = error.message.trim();
  return typeof code === 'string' && !message.startsWith(`${code}:`) ? `${code}: ${message}` : message;
}

/** A command as {@link runCommand} runs it: its name, its usage text, how it reads its flags and its work. */
export interface CommandSpec<F extends { help?: boolean }> {
  /** The name after `pipedrive-sync` in its messages (`drain` → `pipedrive-sync drain: ...`). */
  name: string;
  /** The usage text: on stdout for `--help`, on stderr after a usage mistake. */
  usage: string;
  /** Reads the arguments after the command name (`help: true` for `--help`); throws naming a bad one. */
  parse(argv: string[]): F;
  /** Does the command's work with the flags read; resolves the exit code. */
  run(flags: F, io: CommandIo): Promise<number>;
}

/**
 * Runs a command with the arguments after its name; resolves its exit code. Arguments that do not parse print
 * `pipedrive-sync NAME: <the error>`, a blank line and the usage on stderr ({@link EXIT_USAGE}); `--help` prints
 * the usage on stdout ({@link EXIT_OK}); otherwise the command's `run` does the work.
 */
export async function runCommand<F extends { help?: boolean }>(spec: CommandSpec<F>, argv: string[], io: CommandIo): Promise<number> {
  let flags: F;
  try {
    flags = spec.parse(argv);
  } catch (error) {
    io.stderr.write(`pipedrive-sync ${spec.name}: ${describeError(error)}\n\n${spec.usage}\n`);
    return EXIT_USAGE;
  }
  if (flags.help) {
    io.stdout.write(`${spec.usage}\n`);
    return EXIT_OK;
  }
  return spec.run(flags, io);
}

/** Resolves once everything written to `stream` so far has been handed to the operating system. */
function flushed(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => stream.write('', () => resolve()));
}

/**
 * For a command run as the entry point (`if (require.main === module)`): once `done` resolves the exit code and
 * stdout and stderr are flushed, exits the process with that code, rather than wait for what would keep it alive
 * (a config module's database pool, the engine's idle real-time budget timers).
 */
export function exitWhenDone(done: Promise<number>): void {
  void done.then(async (code) => {
    await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
    process.exit(code);
  });
}
