//! `pipedrive-sync`: keep Pipedrive in step with a Node CRM. `createPipedriveSync(config)` validates the
//! configuration, builds the host (HTTP, store, clock, logger) and returns the services, each backed by the Rust
//! engine compiled to WebAssembly.

import { splitConfig } from './config';
import { EngineHandle } from './engine/engine_handle';
import { bindHost } from './host/bind_host';
import { JsErrorRegistry } from './host/error_registry';
import type { EngineDescription, PipedriveSyncConfig, PipedriveUser, SetupUserResponse } from './types';

export * from './errors';
export type * from './types';
export type { HttpRequest, HttpResponse, HttpSend, Logger, LogLevel, TransportFailure } from './host/types';
export type { LocalUser, SyncStore } from './store/types';
export { createFetchHttp } from './host/fetch_http';

/** The users service (spec §4.5.1, §8.4). */
export interface UsersService {
  /** The active Pipedrive user with this email (case-insensitive), or `null`. Throws `ValidationError` for a malformed email. */
  findUserByEmail(email: string): Promise<PipedriveUser | null>;
  /** Stores the Pipedrive user id on the CRM user; throws `NotFoundError` when the CRM user does not exist. */
  storeUserPipedriveId(userId: string, pipedriveUserId: number): Promise<void>;
  /** Finds the Pipedrive user with the CRM user's email and stores the link; failures are answered, not thrown. */
  setupUser(email: string): Promise<SetupUserResponse>;
}

/** The object `createPipedriveSync` returns: the services, grouped under the spec's names. */
export interface PipedriveSync {
  users: UsersService;
  /** What the engine runs with (no secrets). */
  describe(): EngineDescription;
}

/**
 * Creates a sync engine. Throws a `ConfigError` naming the setting when the configuration is unusable (a
 * missing token, a malformed `baseUrl`, an unknown option, a store without the required methods).
 */
export async function createPipedriveSync(config: PipedriveSyncConfig): Promise<PipedriveSync> {
  const { engineConfig, hostFunctions } = splitConfig(config);
  const registry = new JsErrorRegistry();
  const engine = new EngineHandle(engineConfig, bindHost(hostFunctions, registry), registry);
  return {
    users: {
      findUserByEmail: (email) => engine.run((wasm) => wasm.findUserByEmail(email)),
      storeUserPipedriveId: async (userId, pipedriveUserId) => {
        await engine.run((wasm) => wasm.storeUserPipedriveId(userId, pipedriveUserId));
      },
      setupUser: (email) => engine.run((wasm) => wasm.setupUser(email)),
    },
    describe: () => engine.call((wasm) => wasm.describe() as EngineDescription),
  };
}
