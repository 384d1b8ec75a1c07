/**
 * @module config
 * The JavaScript half of configuration checking: the function-valued settings (store, http, clocks,
 * `apiTokenFor`) and unknown keys. The data settings are validated by the Rust core.
 */

import { ConfigError } from './errors';
import type { HostFunctions } from './host/bind_host';
import { zoneOffsetMinutes } from './host/bind_host';
import { createFetchHttp } from './host/fetch_http';
import { REQUIRED_STORE_METHODS } from './store/types';
import type { PipedriveSyncConfig } from './types';

const TOP_LEVEL = ['pipedrive', 'store', 'http', 'now', 'sleep', 'random', 'logger', 'options', 'webhooks'];
const PIPEDRIVE = ['apiToken', 'apiTokenFor', 'baseUrl'];

/** The config split into what the Rust engine validates and the host functions (defaults applied). */
export interface SplitConfig {
  engineConfig: { pipedrive: { apiToken?: unknown; baseUrl?: unknown; perUserTokens: boolean }; options?: unknown; webhooks?: unknown };
  hostFunctions: HostFunctions;
}

function fail(field: string, rule: string): never {
  throw new ConfigError('CONFIG', `CONFIG: ${field} ${rule}`, { field, rule });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalFunction<T>(config: Record<string, unknown>, field: string, fallback: T): T {
  const value = config[field];
  if (value === undefined) return fallback;
  if (typeof value !== 'function') fail(field, 'must be a function');
  return value as T;
}

/**
 * `options.sharedPacing` as the engine gets it (DESIGN §13): on by default when the store can share pacing
 * (`swapPacing`, as the Prisma store does), off for a store without it (the memory store paces per process); `true`
 * with such a store is refused. `undefined` leaves a malformed `options` to the engine's checks.
 */
function sharedPacingFor(options: unknown, store: Record<string, unknown>): boolean | undefined {
  if (options !== undefined && !isObject(options)) return undefined;
  const asked = options?.sharedPacing;
  const canShare = typeof store.swapPacing === 'function';
  if (asked === undefined) return canShare;
  if (asked === true && !canShare) fail('options.sharedPacing', 'needs a store with swapPacing (the Prisma store has it; the memory store paces per process)');
  return typeof asked === 'boolean' ? asked : undefined;
}

/** Checks the JS-only parts of `config` and applies the default hosts. Throws a `ConfigError` naming the key. */
export function splitConfig(config: PipedriveSyncConfig): SplitConfig {
  if (!isObject(config)) fail('config', 'must be an object');
  const unknownKey = Object.keys(config).find((key) => !TOP_LEVEL.includes(key));
  if (unknownKey) fail(unknownKey, `is not a known setting (known: ${TOP_LEVEL.join(', ')})`);
  const pipedrive = (config as { pipedrive?: unknown }).pipedrive;
  if (!isObject(pipedrive)) fail('pipedrive', 'is required: pass { apiToken } or { apiTokenFor }');
  const unknownPipedriveKey = Object.keys(pipedrive).find((key) => !PIPEDRIVE.includes(key));
  if (unknownPipedriveKey) fail(`pipedrive.${unknownPipedriveKey}`, `is not a known setting (known: ${PIPEDRIVE.join(', ')})`);
  const apiTokenFor = optionalFunction<HostFunctions['apiTokenFor']>(pipedrive, 'apiTokenFor', undefined);
  const store = (config as { store?: unknown }).store;
  if (!isObject(store)) fail('store', 'is required: pass createPrismaStore(prisma) or your own SyncStore');
  for (const method of REQUIRED_STORE_METHODS) {
    if (typeof store[method] !== 'function') fail(`store.${method}`, 'must be a function (see the SyncStore interface)');
  }
  const record = config as unknown as Record<string, unknown>;
  const hostFunctions: HostFunctions = {
    http: optionalFunction(record, 'http', createFetchHttp()),
    store: config.store,
    apiTokenFor,
    now: optionalFunction(record, 'now', Date.now),
    sleep: optionalFunction(record, 'sleep', (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))),
    // An injected clock (tests, simulations) drives deadlines too; else they are real, cancellable timers.
    deadline: optionalFunction<HostFunctions['deadline']>(record, 'sleep', undefined),
    random: optionalFunction(record, 'random', Math.random),
    logger: optionalFunction(record, 'logger', () => undefined),
    secrets: [pipedrive.apiToken, (config.webhooks as { password?: unknown } | undefined)?.password]
      .filter((secret): secret is string => typeof secret === 'string' && secret.trim() !== '')
      .map((secret) => secret.trim()),
  };
  const engineConfig: SplitConfig['engineConfig'] = {
    pipedrive: { apiToken: pipedrive.apiToken, baseUrl: pipedrive.baseUrl, perUserTokens: apiTokenFor !== undefined },
  };
  const timeZone = (config.options as { timeZone?: unknown } | undefined)?.timeZone;
  // Only the host has a time-zone database, so the zone's existence is checked here (its type in the engine).
  if (typeof timeZone === 'string' && zoneOffsetMinutes(timeZone, Date.now()) === null) {
    fail('options.timeZone', `must be an IANA time zone such as 'Europe/Tallinn' or 'UTC' ('${timeZone}' is unknown)`);
  }
  if (config.options !== undefined) engineConfig.options = config.options;
  const sharedPacing = sharedPacingFor(config.options, store);
  if (sharedPacing !== undefined) engineConfig.options = { ...(config.options as object | undefined), sharedPacing };
  if (config.webhooks !== undefined) engineConfig.webhooks = config.webhooks;
  return { engineConfig, hostFunctions };
}
