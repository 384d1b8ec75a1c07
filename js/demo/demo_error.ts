/**
 * @module demo/demo_error
 * The demo's own failure: something the person running it can fix (a missing generated client, a database that
 * is not the demo's), reported as one line with exit code 1.
 */

/** A demo failure whose message says what to do. */
export class DemoError extends Error {
  /** @param message what went wrong and what to do; @param options the underlying error. */
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DemoError';
  }
}
