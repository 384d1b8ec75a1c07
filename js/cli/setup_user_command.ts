/**
 * @module cli/setup_user_command
 * `pipedrive-sync setup-user EMAIL`: links the CRM user with that email to the active Pipedrive user with the same
 * email (`sync.users.setupUser`, spec §8.4) and says what happened.
 */

import { EXIT_FAILED, EXIT_OK, processIo, runCommand, type CommandIo } from '../terminal/command_io';
import { parseFlags, splitWords, UsageError } from '../terminal/flags';
import { withEngine } from './engine_command';
import { CONFIG_HELP } from './load_config';

/** Usage text of the `setup-user` command. */
export const SETUP_USER_USAGE = `Usage: pipedrive-sync setup-user EMAIL [--config PATH]

Stores the Pipedrive user id of the CRM user with EMAIL (the active Pipedrive user with the same email). Exit code
0 when linked, 1 when not (no such user here or in Pipedrive, or a failure), 2 bad arguments.

${CONFIG_HELP}`;

/** Parsed arguments of `setup-user`. */
export interface SetupUserFlags {
  email?: string;
  config?: string;
  help?: boolean;
}

/** Parses `setup-user` arguments. */
export function parseSetupUserFlags(argv: string[]): SetupUserFlags {
  const { words, flags } = splitWords(argv, 1);
  const f = parseFlags(flags, ['config'], {});
  if (f.help === true) return { help: true };
  if (!words[0] || !words[0].includes('@')) throw new UsageError('setup-user needs the user\'s EMAIL');
  return { email: words[0], config: f.config as string | undefined };
}

/** Runs `setup-user`; resolves the exit code. */
export function runSetupUserCommand(argv: string[], io: CommandIo = processIo()): Promise<number> {
  return runCommand({ name: 'setup-user', usage: SETUP_USER_USAGE, parse: parseSetupUserFlags, run: setupUser }, argv, io);
}

async function setupUser(flags: SetupUserFlags, io: CommandIo): Promise<number> {
  return withEngine('setup-user', flags.config, io, async (sync) => {
    const result = await sync.users.setupUser(flags.email as string);
    if (result.success) {
      io.stdout.write(`${flags.email} is Pipedrive user ${result.pipedriveUserId}.\n`);
      return EXIT_OK;
    }
    io.stderr.write(`pipedrive-sync setup-user: ${result.error ?? 'not linked'}\n`);
    return EXIT_FAILED;
  });
}
