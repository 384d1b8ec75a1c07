/**
 * @module engine/engine_handle
 * Runs engine operations. Each operation is a wasm `Task` polled here inside `try/catch`; when the engine
 * panics, the call rejects with an `InternalError` carrying the panic message, operations in flight on that
 * engine are rejected too, and the engine is re-created on a fresh module instance.
 */

import { InternalError, isErrorCode, makeError, PipedriveSyncError } from '../errors';
import type { EngineHost } from '../host/bind_host';
import type { JsErrorRegistry } from '../host/error_registry';
import type { TaskOf } from '../../pkg/pipedrive_sync';
import { currentWasm, reloadWasm, type Wasm, type WasmInstance } from './wasm_module';

type WasmEngine = InstanceType<Wasm['Engine']>;

/** An engine that survives its own panics. */
export class EngineHandle {
  private instance!: WasmInstance;
  private engine!: WasmEngine;
  private lastPanic: string | null = null;
  private readonly inFlight = new Set<(error: Error) => void>();

  /** Creates the engine; throws a `ConfigError` naming the setting when `engineConfig` is invalid. */
  constructor(
    private readonly engineConfig: unknown,
    private readonly host: EngineHost,
    private readonly registry: JsErrorRegistry,
  ) {
    this.start(currentWasm());
  }

  private start(instance: WasmInstance): void {
    this.instance = instance;
    instance.wasm.setPanicReporter((message: string) => {
      this.lastPanic = message;
    });
    try {
      this.engine = new instance.wasm.Engine(this.engineConfig, this.host);
    } catch (thrown) {
      throw this.toError(thrown);
    }
  }

  /** The engine on the current module instance (re-created if another engine's panic replaced the instance). */
  private current(): WasmEngine {
    const latest = currentWasm();
    if (latest.generation !== this.instance.generation) this.start(latest);
    return this.engine;
  }

  /** Synchronous engine calls (no host access). */
  call<T>(operation: (engine: WasmEngine) => T): T {
    try {
      return operation(this.current());
    } catch (thrown) {
      throw this.toError(thrown);
    }
  }

  /** Starts the operation's task and drives it to its answer, typed by the task (`TaskOf<T>` in the wasm types). */
  run<T>(operation: (engine: WasmEngine) => TaskOf<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let task: TaskOf<T>;
      try {
        task = operation(this.current());
      } catch (thrown) {
        reject(this.toError(thrown));
        return;
      }
      let finished = false;
      const settle = () => {
        finished = true;
        this.inFlight.delete(abandon);
      };
      const abandon = (error: Error) => {
        if (!finished) {
          settle();
          reject(error);
        }
      };
      this.inFlight.add(abandon);
      const step = () => {
        if (finished) return;
        let answer: { ok: boolean; value?: unknown; error?: unknown } | undefined;
        try {
          answer = task.poll(wake) as typeof answer;
        } catch (thrown) {
          settle();
          reject(this.toError(thrown));
          return;
        }
        if (answer === undefined) return;
        settle();
        task.free();
        if (answer.ok) resolve(answer.value as T);
        else reject(this.toError(answer.error));
      };
      const wake = () => queueMicrotask(step);
      step();
    });
  }

  /**
   * Runs an operation that may answer before it settles (the real-time calls: at the end of their budget they
   * answer, and their attempt goes on): resolves with the first of the late answer and the result. A failure
   * after the late answer has nobody left to reject, so it goes to `onBackgroundError`.
   */
  runWithLateAnswer<T>(
    operation: (engine: WasmEngine, onLate: (answer: T) => void) => TaskOf<T>,
    onBackgroundError: (error: Error) => void,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let answered = false;
      const onLate = (answer: T) => {
        answered = true;
        resolve(answer);
      };
      this.run((engine) => operation(engine, onLate)).then(resolve, (error: Error) => {
        if (answered) onBackgroundError(error);
        else reject(error);
      });
    });
  }

  /** The typed error for anything the engine threw or answered with; a trap re-creates the engine. */
  private toError(thrown: unknown): Error {
    if (thrown instanceof WebAssembly.RuntimeError) return this.recoverFromPanic(thrown);
    if (thrown instanceof PipedriveSyncError) return thrown;
    if (thrown instanceof Error && isErrorCode((thrown as { code?: unknown }).code)) {
      const { code, details } = thrown as Error & { code: Parameters<typeof makeError>[0]; details?: Record<string, unknown> };
      const cause = details && 'jsErrorId' in details ? this.registry.take(details.jsErrorId) : undefined;
      return makeError(code, thrown.message, details ?? {}, cause);
    }
    return new InternalError('INTERNAL', `INTERNAL: the engine failed unexpectedly: ${String(thrown)}`);
  }

  private recoverFromPanic(trap: WebAssembly.RuntimeError): Error {
    // The hook's text is "panicked at file:line:col:\nmessage"; one line reads better in logs.
    const panic = (this.lastPanic ?? trap.message).replace(/\s*\n\s*/g, ' ');
    this.lastPanic = null;
    const error = new InternalError('INTERNAL', `INTERNAL: the sync engine panicked (${panic}); it has been re-created, so the operation can be retried`, { panic }, { cause: trap });
    const abandoned = [...this.inFlight];
    this.inFlight.clear();
    this.start(reloadWasm(this.instance.generation));
    for (const reject of abandoned) {
      reject(new InternalError('INTERNAL', 'INTERNAL: the operation was abandoned because the sync engine panicked and was re-created; retry it', { panic }));
    }
    return error;
  }
}
