/**
 * @module host/types
 * The host capabilities a CRM can replace (DESIGN §3): HTTP, clock, timer, randomness and logging.
 */

/** One HTTP request the engine wants sent. The `x-api-token` header carries the token; the URL never does. */
export interface HttpRequest {
  method: string;
  url: string;
  /** Lowercase header names. */
  headers: Record<string, string>;
  /** JSON text, when the request has a body. */
  body?: string;
  /** Give up (with a `timeout` failure) when the whole response has not arrived within this many ms. */
  timeoutMs: number;
}

/** An HTTP response of any status. */
export interface HttpResponse {
  status: number;
  /** Lowercase header names. */
  headers: Record<string, string>;
  /** The body as text. */
  body: string;
}

/** A request that produced no response: the connection failed (`network`) or took too long (`timeout`). */
export interface TransportFailure {
  kind: 'network' | 'timeout';
  message: string;
}

/**
 * Sends one request. Resolves a response for every HTTP status, and a `TransportFailure` when there is none;
 * it may also throw, which counts as a network failure.
 */
export type HttpSend = (request: HttpRequest) => Promise<HttpResponse | TransportFailure>;

/** Severity of a log event. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Receives the engine's structured events. Fields never contain a secret. */
export type Logger = (level: LogLevel, event: string, fields: Record<string, unknown>) => void;
