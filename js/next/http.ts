//! HTTP plumbing of the route handlers: JSON answers, the status of each error code, and request bodies read
//! with errors that name the field.

import { PipedriveSyncError, type ErrorCode } from '../errors';

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

/** The answer for anything a handler threw: typed errors keep their code; anything else is a 500 without details. */
export function thrownResponse(thrown: unknown): Response {
  if (thrown instanceof PipedriveSyncError) {
    return errorResponse(thrown.code, thrown.message, thrown.details.retryAfterMs as number | undefined);
  }
  return errorResponse('INTERNAL', 'INTERNAL: the request failed unexpectedly');
}

/** Reads a JSON object body; a 400 answer naming the problem when it is not one. */
export async function readObject(request: Request): Promise<Record<string, unknown> | Response> {
  let body: unknown;
  try {
    body = await request.json();
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
