/**
 * @module host/fetch_http
 * The default HTTP host: the global `fetch`, with a per-request timeout covering the whole response, and every
 * failure resolved as a classified `TransportFailure` (never an unhandled rejection). Redirects are never followed
 * (`redirect: 'manual'`): a 3xx comes back as a response, so the `x-api-token` header never travels to another host.
 */

import type { HttpRequest, HttpResponse, HttpSend, TransportFailure } from './types';

/** An `HttpSend` over `fetchImpl` (default: the global `fetch`). */
export function createFetchHttp(fetchImpl: typeof fetch = globalThis.fetch): HttpSend {
  return async (request: HttpRequest): Promise<HttpResponse | TransportFailure> => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), request.timeoutMs);
    try {
      const response = await fetchImpl(request.url, {
        method: request.method,
        headers: request.headers,
        body: request.body,
        redirect: 'manual',
        signal: controller.signal,
      });
      const body = await response.text();
      const headers: Record<string, string> = {};
      response.headers.forEach((value, name) => {
        headers[name.toLowerCase()] = value;
      });
      return { status: response.status, headers, body };
    } catch (error) {
      if (controller.signal.aborted) {
        return { kind: 'timeout', message: `no complete response within ${request.timeoutMs} ms` };
      }
      return { kind: 'network', message: describeFetchFailure(error) };
    } finally {
      clearTimeout(timer);
    }
  };
}

/** `fetch failed` says little; the cause (`ECONNREFUSED 127.0.0.1:3000`) says what to fix. */
function describeFetchFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return typeof code === 'string' && !cause.message.includes(code) ? `${code}: ${cause.message}` : cause.message;
  }
  return error.message;
}
