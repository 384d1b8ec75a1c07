/**
 * @module emulator/wire/envelope
 * Response envelopes exactly as Pipedrive shapes them: `{success, data, additional_data}` on success and
 * `{success:false, error, error_info, data:null, additional_data:null}` (plus `code`/`errorCode`) on failure,
 * and the non-JSON Cloudflare page served to clients that ignore 429s.
 */

/** What a handler answers: a status and a JSON body, or a raw text body with its own content type. */
export interface Reply {
  /** HTTP status code. */
  status: number;
  /** JSON body (serialised by the server); ignored when `text` is set. */
  body?: unknown;
  /** Raw body, e.g. the Cloudflare HTML page. */
  text?: string;
  /** Content type of `text`; JSON replies are always `application/json`. */
  contentType?: string;
  /** Extra response headers. */
  headers?: Record<string, string>;
}

/** The `error_info` Pipedrive puts in every error envelope. */
export const ERROR_INFO = 'Please check developers.pipedrive.com';

/** A handler failure carrying the exact reply to send; thrown so validation can stop deep inside a handler. */
export class ApiError extends Error {
  /** The reply the server sends for this error. */
  readonly reply: Reply;
  constructor(reply: Reply, message?: string) {
    super(message ?? String((reply.body as { error?: string } | undefined)?.error ?? reply.status));
    this.reply = reply;
  }
}

/** A success envelope; `additional_data` is `null` unless the route has pagination data. */
export function ok(data: unknown, additionalData: unknown = null, status = 200): Reply {
  return { status, body: { success: true, data, additional_data: additionalData } };
}

/** A v1 success envelope for unpaginated data: v1 sends no `additional_data` there. */
export function okV1(data: unknown): Reply {
  return { status: 200, body: { success: true, data } };
}

/** A failure envelope; `code` is the v2 machine-readable code (`ERR_...`) when the real API sends one. */
export function failure(status: number, error: string, code?: string): Reply {
  const body: Record<string, unknown> = { success: false, error };
  if (code !== undefined) body.code = code;
  body.error_info = ERROR_INFO;
  body.data = null;
  body.additional_data = null;
  return { status, body };
}

/** 400 for a v2 body or query that fails strict validation; the message names the field and the rule. */
export function validationFailed(message: string): ApiError {
  return new ApiError(failure(400, `Validation failed: ${message}`, 'ERR_SCHEMA_VALIDATION_FAILED'));
}

/** 400 for a request that is well-typed but not allowed (e.g. writing a read-only field). */
export function badRequest(message: string): ApiError {
  return new ApiError(failure(400, message, 'ERR_BAD_REQUEST'));
}

/** 404 for a missing (or soft-deleted) record, e.g. `Person not found`. */
export function notFound(what: string): ApiError {
  return new ApiError(failure(404, `${what} not found`, 'ERR_NOT_FOUND'));
}

/** The gateway's 401 for a missing or unknown API token. */
export function unauthorized(): Reply {
  return {
    status: 401,
    body: { success: false, error: 'unauthorized access', errorCode: 401, error_info: ERROR_INFO, data: null, additional_data: null },
  };
}

/** The 429 body for a burst window, the search window or an exhausted daily budget. */
export function overLimit(): Reply {
  return { status: 429, body: { success: false, error: 'Request over limit', error_info: ERROR_INFO, data: null, additional_data: null } };
}

/** 404 for a path the emulator does not serve. */
export function unknownRoute(method: string, path: string): Reply {
  return failure(404, `Unknown route: ${method} ${path}`, 'ERR_NOT_FOUND');
}

/** 405 for a known path with a method it does not take. */
export function methodNotAllowed(method: string, path: string): Reply {
  return failure(405, `Method ${method} is not allowed on ${path}`, 'ERR_METHOD_NOT_ALLOWED');
}

/**
 * The Cloudflare-style block page sent (403, `text/html`) to a token that keeps sending after 429s; clients must
 * recognise it as "stop", not as a permission error, so it is deliberately not JSON.
 */
export function cloudflareBlock(rayId: string): Reply {
  const text = `<!DOCTYPE html>
<!--[if lt IE 7]> <html class="no-js ie6 oldie" lang="en-US"> <![endif]-->
<html class="no-js" lang="en-US">
<head>
<title>Attention Required! | Cloudflare</title>
<meta charset="UTF-8" />
</head>
<body>
<div id="cf-wrapper">
  <div id="cf-error-details" class="cf-error-details-wrapper">
    <h1 data-translate="block_headline">Sorry, you have been blocked</h1>
    <h2 class="cf-subheadline"><span data-translate="unable_to_access">You are unable to access</span> pipedrive.com</h2>
    <p>This website is using a security service to protect itself from online attacks.</p>
    <p>Cloudflare Ray ID: <strong class="font-semibold">${rayId}</strong></p>
  </div>
</div>
</body>
</html>
`;
  return { status: 403, text, contentType: 'text/html; charset=UTF-8', headers: { server: 'cloudflare', 'cf-ray': rayId } };
}

/** A generic error reply for an injected fault with the given status, unless the test supplied its own body. */
export function faultReply(status: number, body?: unknown): Reply {
  if (typeof body === 'string') {
    return { status, text: body, contentType: body.trimStart().startsWith('<') ? 'text/html; charset=UTF-8' : 'text/plain' };
  }
  if (body !== undefined) return { status, body };
  return failure(status, STATUS_TEXT[status] ?? `Injected failure ${status}`);
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad request',
  401: 'unauthorized access',
  402: 'Company account is not open',
  403: 'You do not have permission to perform this action',
  404: 'Not found',
  409: 'Conflict',
  410: 'Gone',
  422: 'Unprocessable entity',
  429: 'Request over limit',
  500: 'Internal server error',
  502: 'Bad gateway',
  503: 'Service unavailable',
  504: 'Gateway timeout',
};
