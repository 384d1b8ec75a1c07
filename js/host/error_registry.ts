/**
 * @module host/error_registry
 * Keeps JavaScript errors raised by the store on the JS side while the engine handles the failure: only an id
 * crosses into Rust, and the original error (with its stack) becomes the `cause` of the error the caller sees.
 */

/** How many errors are kept at most; the oldest are dropped first (an id that was never claimed must not leak). */
const CAPACITY = 256;

/** A bounded map from ids to thrown values. */
export class JsErrorRegistry {
  private readonly errors = new Map<number, unknown>();
  private nextId = 1;

  /** Stores `error` and returns its id. */
  put(error: unknown): number {
    const id = this.nextId++;
    this.errors.set(id, error);
    if (this.errors.size > CAPACITY) {
      const oldest = this.errors.keys().next().value;
      if (oldest !== undefined) this.errors.delete(oldest);
    }
    return id;
  }

  /** Removes and returns the error stored under `id`, if it is still there. */
  take(id: unknown): unknown {
    if (typeof id !== 'number') return undefined;
    const error = this.errors.get(id);
    this.errors.delete(id);
    return error;
  }
}

/** A one-line description of any thrown value. */
export function describeThrown(thrown: unknown): string {
  if (thrown instanceof Error) {
    const code = (thrown as { code?: unknown }).code;
    return typeof code === 'string' && !thrown.message.includes(code) ? `${code}: ${thrown.message}` : thrown.message;
  }
  return typeof thrown === 'string' ? thrown : `non-Error value thrown: ${String(thrown)}`;
}
