/**
 * @module prisma/store_error
 * The error the Prisma store rejects with when the database fails (connection lost, table missing, constraint
 * violated), so that a real failure is never mistaken for "not found".
 */

/** A database failure inside a store method; `operation` names the method, `cause` is Prisma's error. */
export class PrismaStoreError extends Error {
  /** The store method that failed, e.g. `findUserByEmail`. */
  readonly operation: string;

  /**
   * @param operation the store method that failed.
   * @param cause the error Prisma (or the driver) rejected with.
   */
  constructor(operation: string, cause: unknown) {
    super(`${operation} failed: ${reasonOf(cause)}`, { cause });
    this.name = 'PrismaStoreError';
    this.operation = operation;
  }
}

/** Runs one database call for `operation`, turning any rejection into a {@link PrismaStoreError}. */
export async function storeCall<T>(operation: string, call: () => PromiseLike<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw error instanceof PrismaStoreError ? error : new PrismaStoreError(operation, error);
  }
}

/** Prisma's messages span many lines (the failing call, an arrow, the reason): keep the reason. */
function reasonOf(cause: unknown): string {
  const message = cause instanceof Error ? cause.message : String(cause);
  const lines = message.split('\n').map((line) => line.trim()).filter(Boolean);
  // Prisma puts the reason last, after the echo of the call that failed.
  return lines.length > 0 ? lines[lines.length - 1] : 'unknown error';
}
