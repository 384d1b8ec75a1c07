/**
 * @module engine/wasm_module
 * Loading the WebAssembly engine built by wasm-pack (`pkg/`). One instance is shared by every engine in the
 * process; after a panic it is replaced by a fresh instance, because a trapped instance may hold broken state.
 */

import type * as WasmBindings from '../../pkg/pipedrive_sync';

/** The generated bindings (`Engine`, `Task`, `setPanicReporter`). */
export type Wasm = typeof WasmBindings;

/** The current instance and its generation (bumped on every reload). */
export interface WasmInstance {
  wasm: Wasm;
  generation: number;
}

const MODULE_PATH = require.resolve('../../pkg/pipedrive_sync.js');
let current: WasmInstance | null = null;

/** The current instance, loaded on first use. */
export function currentWasm(): WasmInstance {
  if (!current) current = { wasm: require(MODULE_PATH) as Wasm, generation: 0 };
  return current;
}

/** Replaces the instance with a fresh one (unless another engine already did since `generation`). */
export function reloadWasm(generation: number): WasmInstance {
  const instance = currentWasm();
  if (instance.generation !== generation) return instance;
  // The bindings instantiate the module when they are required: dropping them from the cache gives a new one.
  delete require.cache[MODULE_PATH];
  current = { wasm: require(MODULE_PATH) as Wasm, generation: generation + 1 };
  return current;
}
