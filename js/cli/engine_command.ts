/**
 * @module cli/engine_command
 * What the commands that act through an engine share: the config module loaded, the engine created, the work
 * run, and a failure reported as one line on stderr (`pipedrive-sync NAME: ...`, exit 1), the config module's own
 * errors with their advice.
 */

import { createPipedriveSync, type PipedriveSync } from '../index';
import type { PipedriveSyncConfig } from '../types';
import { describeError, EXIT_FAILED, type CommandIo } from '../terminal/command_io';
import { ConfigModuleError, loadConfig } from './load_config';

/** Runs `work` with an engine over the config module at `configFlag`; resolves its exit code. */
export async function withEngine(
  name: string,
  configFlag: string | undefined,
  io: CommandIo,
  work: (sync: PipedriveSync, config: PipedriveSyncConfig) => Promise<number>,
): Promise<number> {
  try {
    const { config } = await loadConfig(configFlag, io.env, io.cwd);
    return await work(await createPipedriveSync(config), config);
  } catch (error) {
    const message = error instanceof ConfigModuleError ? error.message : `failed: ${describeError(error)}`;
    io.stderr.write(`pipedrive-sync ${name}: ${message}\n`);
    return EXIT_FAILED;
  }
}
