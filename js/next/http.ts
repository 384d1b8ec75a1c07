/**
 * @module next/http
 * HTTP plumbing of the route handlers: JSON answers, the status of each error code, request bodies read (JSON
 * only, at most 64 KB) with errors that name the field, and failures of our own answered without their details.
 */

import { randomUUID } from 'node:crypto';
import { PipedriveSyncError, type ErrorCode } from '../errors';

/** The largest request body a handler reads. */
export const MAX_BODY_BYTES = 64 * 1024;

/** What a handler logs about a failure of its own (store or internal): the details a 500 body never carries. */
export interface HandlerFailure {
  /** Also in the answer's body, to find this entry. */
  correlationId: string;
  code: ErrorCode;
  message: string;
  stack?: string;
}

/** The HTTP status for each error code. `AUTH` is Pipedrive refusing our token: an upstream failure (502), not
 * the caller's authentication (that is 401, decided by `authenticate`). */
export const STATUS_OF: Record<ErrorCode, number> = {
  CONFIG: 500,
  VALIDATION: 400,
  NOT_FOUND: 404,
  AUTH: 502,
  RATE_LIMITED: 429,
  UNAVAILABLE: 503,
  CONFLICT: 409,
  STORE: 500,
  INTERNAL: 500,
};

/** A JSON answer. */
export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}

/**
 * The answer for an error: `{success: false, error, code}` with the code's status (or `status` when the caller's
 * own authentication is at stake: 401, 403), and `Retry-After` for 429.
 */
export function errorResponse(code: ErrorCode, message: string, retryAfterMs?: number | null, status?: number): Response {
  const headers: Record<string, string> = {};
  if (code === 'RATE_LIMITED' && typeof retryAfterMs === 'number') headers['retry-after'] = String(Math.max(1, Math.ceil(retryAfterMs / 1000)));
  return json({ success: false, error: message, code }, status ?? STATUS_OF[code], headers);
}

/**
 * The answer for anything a handler threw: typed errors the caller can act on keep their code and message;
 * `STORE`, `INTERNAL`, `CONFIG` and anything untyped are a 500 with a generic message and a correlation id, the
 * details going to `log` (database host names and panic locations never reach a response body).
 */
export function thrownResponse(thrown: unknown, log: (failure: HandlerFailure) => void): Response {
  const code: ErrorCode = thrown instanceof PipedriveSyncError ? thrown.code : 'INTERNAL';
  if (thrown instanceof PipedriveSyncError && !['STORE', 'INTERNAL', 'CONFIG'].includes(code)) {
    return errorResponse(thrown.code, thrown.message, thrown.details.retryAfterMs as number | undefined);
  }
  const correlationId = randomUUID();
  const error = thrown instanceof Error ? thrown : new Error(String(thrown));
  log({ correlationId, code, message: error.message, stack: error.stack });
  return json(
    { success: false, error: `${code}: the request failed on our side; quote ${correlationId} when reporting it`, code, correlationId },
    500,
  );
}

/**
 * Reads a JSON object body: 415 unless the content type is JSON (a cross-site form or `text/plain` POST cannot
 * send one without a preflight), 413 beyond [`MAX_BODY_BYTES`] (read no further), 400 naming the problem when
 * it is not a JSON object. `maxBytes` raises the limit for one route (the webhook intake takes 1 MB).
 */
export async function readObject(request: Request, maxBytes = MAX_BODY_BYTES): Promise<Record<string, unknown> | Response> {
  const type = (request.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/json') {
    return errorResponse('VALIDATION', 'VALIDATION: content-type must be application/json', undefined, 415);
  }
  const text = await readLimited(request, maxBytes);
  if (text === null) {
    return errorResponse('VALIDATION', `VALIDATION: body must be at most ${maxBytes / 1024} KB`, undefined, 413);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return errorResponse('VALIDATION', 'VALIDATION: body must be a JSON object');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return errorResponse('VALIDATION', 'VALIDATION: body must be a JSON object');
  }
  return body as Record<string, unknown>;
}

/** A required string field of a body; a 400 answer naming the field when it is missing or not a string. */
export function requiredString(body: Record<string, unknown>, field: string): string | Response {
  const value = body[field];
  if (typeof value !== 'string' || value.trim() === '') {
    return errorResponse('VALIDATION', `VALIDATION: ${field} must be a non-empty string`);
  }
  return value;
}

/** The body as text, or `null` once it passes `maxBytes` (by its declared length or as it streams in). */
async function readLimited(request: Request, maxBytes: number): Promise<string | null> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > maxBytes) return null;
  if (!request.body) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
