/**
 * @module errors
 * The error classes of the public API. Every error the package throws is a `PipedriveSyncError` with a stable
 * `code` to branch on and `details` with the machine-readable parts; its message never contains a secret.
 */

/** The stable error codes. Results that carry an error string start with one of them (`"NOT_FOUND: ..."`). */
export type ErrorCode =
  | 'CONFIG'
  | 'VALIDATION'
  | 'NOT_FOUND'
  | 'AUTH'
  | 'RATE_LIMITED'
  | 'UNAVAILABLE'
  | 'CONFLICT'
  | 'STORE'
  | 'INTERNAL';

/** Base class of every error the package throws. */
export class PipedriveSyncError extends Error {
  /** Stable code; the message may be reworded between versions, the code is not. */
  readonly code: ErrorCode;
  /** Machine-readable parts: `field` and `rule` for validation, `status` for HTTP, `retryAfterMs`, ... */
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.details = details;
  }
}

/** The configuration passed to `createPipedriveSync` is unusable; `details.field` names the setting. */
export class ConfigError extends PipedriveSyncError {}
/** Input broke a rule and nothing was sent; `details.field` and `details.rule` say which. */
export class ValidationError extends PipedriveSyncError {}
/** The record does not exist, locally or in Pipedrive. */
export class NotFoundError extends PipedriveSyncError {}
/** Pipedrive refused the token or the permission, or no token is configured. */
export class AuthError extends PipedriveSyncError {}
/** Pipedrive's rate limit or daily budget is exhausted; `details.retryAfterMs` says when to come back. */
export class RateLimitedError extends PipedriveSyncError {}
/** Pipedrive could not be reached or answered with something unusable. */
export class UnavailableError extends PipedriveSyncError {}
/** The local and Pipedrive versions of a record conflict and a decision is needed. */
export class ConflictError extends PipedriveSyncError {}
/** The CRM's store failed; the original error is the `cause`. */
export class StoreError extends PipedriveSyncError {}
/** A bug in the engine (for instance a panic); the engine has been re-created. */
export class InternalError extends PipedriveSyncError {}

const CLASSES: Record<ErrorCode, new (code: ErrorCode, message: string, details?: Record<string, unknown>, options?: { cause?: unknown }) => PipedriveSyncError> = {
  CONFIG: ConfigError,
  VALIDATION: ValidationError,
  NOT_FOUND: NotFoundError,
  AUTH: AuthError,
  RATE_LIMITED: RateLimitedError,
  UNAVAILABLE: UnavailableError,
  CONFLICT: ConflictError,
  STORE: StoreError,
  INTERNAL: InternalError,
};

/** Builds the typed error for `code`. */
export function makeError(code: ErrorCode, message: string, details: Record<string, unknown> = {}, cause?: unknown): PipedriveSyncError {
  return new CLASSES[code](code, message, details, cause === undefined ? undefined : { cause });
}

/** Whether `value` is one of the stable codes. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(CLASSES, value);
}
