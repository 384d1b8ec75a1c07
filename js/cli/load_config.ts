/**
 * @module cli/load_config
 * The config module of the commands that need an engine (`drain`, `status`): found at `--config PATH`, else
 * `$PIPEDRIVE_SYNC_CONFIG`, else `./pipedrive-sync.config.js` in the working directory; its default export (or
 * its `config` export) is the `createPipedriveSync` configuration, or a function (possibly async) returning it.
 */

import { existsSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { PipedriveSyncConfig } from '../types';

/** The config module's file name looked up in the working directory. */
export const DEFAULT_CONFIG_FILE = 'pipedrive-sync.config.js';
/** The environment variable naming the config module. */
export const CONFIG_ENV = 'PIPEDRIVE_SYNC_CONFIG';

/** An example config module, for the usage texts and the missing-config error. */
export const CONFIG_EXAMPLE = `  // pipedrive-sync.config.js
  const { createPrismaStore } = require('pipedrive-sync/prisma');
  const { prisma } = require('./lib/prisma'); // your app's Prisma client

  module.exports = {
    pipedrive: { apiToken: process.env.PIPEDRIVE_API_TOKEN, baseUrl: process.env.PIPEDRIVE_BASE_URL },
    store: createPrismaStore(prisma),
    options: { plan: 'growth' },
  };`;

/** How the config module is found and what it exports, for the usage texts. */
export const CONFIG_HELP = `The config module is --config PATH, else $${CONFIG_ENV}, else ./${DEFAULT_CONFIG_FILE}. Its default
export (module.exports) or its \`config\` export is the createPipedriveSync configuration, or a function (async
or not) returning it. Any format Node can import works (.js, .cjs, .mjs; .ts under tsx). Example:

${CONFIG_EXAMPLE}`;

/** The config module could not be found or used; the message says what to do. */
export class ConfigModuleError extends Error {
  /** `CONFIG_MISSING` (no such file) or `CONFIG_INVALID` (it failed to load or exports no configuration). */
  readonly code: 'CONFIG_MISSING' | 'CONFIG_INVALID';

  /** @param code which problem; @param message what to do about it; @param options the underlying error. */
  constructor(code: 'CONFIG_MISSING' | 'CONFIG_INVALID', message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConfigModuleError';
    this.code = code;
  }
}

/** Where the config module is, and which setting named it. */
export interface ConfigLocation {
  /** Absolute path. */
  path: string;
  /** `--config`, `$PIPEDRIVE_SYNC_CONFIG` or `default`. */
  source: '--config' | typeof CONFIG_ENV | 'default';
}

/** The config module's path: `flag`, else the environment variable, else the default file in `cwd`. */
export function resolveConfigPath(flag: string | undefined, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): ConfigLocation {
  if (flag !== undefined && flag !== '') return { path: path.resolve(cwd, flag), source: '--config' };
  const fromEnv = env[CONFIG_ENV]?.trim();
  if (fromEnv) return { path: path.resolve(cwd, fromEnv), source: CONFIG_ENV };
  return { path: path.resolve(cwd, DEFAULT_CONFIG_FILE), source: 'default' };
}

function missingMessage(location: ConfigLocation): string {
  const how =
    location.source === 'default'
      ? `No config module: ${location.path} does not exist (pass --config PATH or set $${CONFIG_ENV} to use another file).`
      : `No config module at ${location.path} (from ${location.source}).`;
  return `${how}\nCreate ${location.source === 'default' ? DEFAULT_CONFIG_FILE : 'it'}, exporting the createPipedriveSync configuration, for example:\n\n${CONFIG_EXAMPLE}\n`;
}

/** Whether a value looks like a configuration (rather than a module namespace wrapping one). */
function looksLikeConfig(value: unknown): boolean {
  return typeof value === 'object' && value !== null && ('pipedrive' in value || 'store' in value);
}

/**
 * The configuration (or the function returning it) a loaded module exports: the default export, else `config`;
 * module namespaces of CommonJS and transpiled ES modules (`default` inside `default`) are unwrapped.
 */
export function pickExport(mod: unknown): unknown {
  let value = mod;
  for (let depth = 0; depth < 4; depth++) {
    if (typeof value === 'function' || looksLikeConfig(value)) return value;
    if (typeof value !== 'object' || value === null) return value;
    const record = value as Record<string, unknown>;
    if (record.default !== undefined && record.default !== null) value = record.default;
    else if (record.config !== undefined && record.config !== null) value = record.config;
    else return value;
  }
  return value;
}

/** A loaded configuration and where it came from. */
export interface LoadedConfig {
  config: PipedriveSyncConfig;
  location: ConfigLocation;
}

/**
 * Finds, imports and evaluates the config module. Throws a {@link ConfigModuleError} saying what to create when
 * there is none, and naming the file when it fails to load or exports no configuration object.
 */
export async function loadConfig(flag: string | undefined, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Promise<LoadedConfig> {
  const location = resolveConfigPath(flag, env, cwd);
  if (!existsSync(location.path) || !statSync(location.path).isFile()) throw new ConfigModuleError('CONFIG_MISSING', missingMessage(location));
  let mod: unknown;
  try {
    mod = await import(pathToFileURL(location.path).href);
  } catch (error) {
    throw new ConfigModuleError('CONFIG_INVALID', `The config module ${location.path} failed to load: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  let exported = pickExport(mod);
  try {
    if (typeof exported === 'function') exported = await (exported as () => unknown)();
  } catch (error) {
    throw new ConfigModuleError('CONFIG_INVALID', `The config function of ${location.path} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  exported = pickExport(exported);
  if (typeof exported !== 'object' || exported === null || Array.isArray(exported)) {
    throw new ConfigModuleError(
      'CONFIG_INVALID',
      `The config module ${location.path} exports no configuration object (got ${exported === null ? 'null' : typeof exported}).\n` +
        `Export the createPipedriveSync configuration as the default export or as \`config\`, for example:\n\n${CONFIG_EXAMPLE}\n`,
    );
  }
  return { config: exported as PipedriveSyncConfig, location };
}
