/**
 * @module emulator/server
 * The HTTP front: one `node:http` server per emulator. Each request goes body (at most 1 MB, else 413 and the
 * connection closed) → path check (a malformed percent-escape is a 400 envelope, never a 500) → control path
 * (guarded by `emulator/control_access`) → auth → latency → injected failure → rate limits → route
 * (→ drop after apply) → journal, so faults and limits behave like the gateway in front of the real API. Errors of
 * v2 routes are sent in the v2 envelope `{success: false, error, code}`.
 */

import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { controlError, handleControl, CONTROL_PREFIX, type ControlTarget } from './control';
import { checkControlAccess, type ControlAccessOptions } from './control_access';
import type { Faults } from './faults';
import { redactedQuery, type Journal } from './journal';
import type { RateLimiter } from './limits/rate_limits';
import { tokenCost } from './limits/token_costs';
import type { EmulatorState } from './model/state';
import { ACTIVITIES } from './routes/activities';
import { registerActivityTypeRoutes } from './routes/activity_types';
import { registerCurrencyRoutes } from './routes/currencies';
import { DEALS } from './routes/deals';
import { registerEntityRoutes } from './routes/entities';
import { registerFieldRoutes } from './routes/fields';
import { ORGANIZATIONS } from './routes/organizations';
import { PERSONS } from './routes/persons';
import { registerPipelineRoutes } from './routes/pipelines';
import { Router } from './routes/router';
import { registerSearchRoutes } from './routes/search';
import { registerMergeRoutes } from './routes/merges';
import { registerUserRoutes } from './routes/users';
import { registerWebhookRoutes } from './routes/webhooks';
import type { EmulatorClock } from './wire/clock';
import {
  ApiError, cloudflareBlock, failure, methodNotAllowed, overLimit, unauthorized, unknownRoute, validationFailed, type Reply,
} from './wire/envelope';

/** Builds the route table of the emulated API. */
export function buildRouter(): Router {
  const router = new Router();
  registerSearchRoutes(router);
  registerEntityRoutes(router, PERSONS);
  registerEntityRoutes(router, ORGANIZATIONS);
  registerEntityRoutes(router, ACTIVITIES);
  registerEntityRoutes(router, DEALS);
  registerUserRoutes(router);
  registerFieldRoutes(router);
  registerActivityTypeRoutes(router);
  registerCurrencyRoutes(router);
  registerPipelineRoutes(router);
  registerMergeRoutes(router);
  registerWebhookRoutes(router);
  return router;
}

/** The parts a server serves. */
export interface ServerParts extends ControlTarget {
  state: EmulatorState;
  faults: Faults;
  journal: Journal;
  limits: RateLimiter;
  clock: EmulatorClock;
}

/** The largest request body accepted (1 MB); a larger one is answered 413. */
export const MAX_BODY = 1_000_000;
/** How much of an oversized body is read and discarded so the 413 can be answered and the connection closed cleanly. */
const MAX_DRAIN = 64 * MAX_BODY;

/** A request body as read: its text (empty when too large), its size, and whether it was over the limit. */
interface ReadBody {
  text: string;
  bytes: number;
  tooLarge: boolean;
  /** The client went away before the body ended; nothing can be answered. */
  aborted: boolean;
}

/**
 * Reads the body, keeping at most `MAX_BODY` bytes. An oversized body is read to its end and discarded (up to
 * `MAX_DRAIN`), so the 413 reaches a client that is still sending instead of a connection reset.
 */
function readBody(req: IncomingMessage): Promise<ReadBody> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    let settled = false;
    const done = (aborted: boolean): void => {
      if (settled) return;
      settled = true;
      const tooLarge = bytes > MAX_BODY;
      resolve({ text: tooLarge || chunks.length === 0 ? '' : Buffer.concat(chunks).toString('utf8'), bytes, tooLarge, aborted });
    };
    req.on('data', (c: Buffer) => {
      bytes += c.length;
      if (bytes <= MAX_BODY) chunks.push(c);
      else chunks.length = 0;
      // Past the drain limit, answer now; the connection is closed after the 413.
      if (bytes > MAX_DRAIN) done(false);
    });
    req.on('end', () => done(false));
    req.on('error', () => done(true));
    req.on('close', () => done(!req.complete));
  });
}

/** Whether every percent-escape of a path decodes (`%zz`, a lone `%` or a broken UTF-8 sequence do not). */
function decodablePath(path: string): boolean {
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
}

function malformedPath(): Reply {
  return failure(400, 'Bad request: the request path contains a malformed percent-escape', 'ERR_BAD_REQUEST');
}

function bodyTooLarge(): Reply {
  return failure(413, `Request body too large: at most ${MAX_BODY} bytes are accepted`, 'ERR_PAYLOAD_TOO_LARGE');
}

/** Closes the connection after an oversized body, so nothing left unread is taken for the next request. */
const CLOSE = { connection: 'close' };

/**
 * A v2 endpoint's error as v2 shapes it: `{success: false, error, code}`, without v1's `error_info`, `data` and
 * `additional_data` (n8n-io/n8n#31684, client-nodejs#651; UPDATES-FACTS §1.1). Gateway answers (401, 429, the block
 * page, injected faults, unknown routes) keep their own shape.
 */
function v2Error(reply: Reply): Reply {
  const { error_info: _info, data: _data, additional_data: _extra, ...rest } = (reply.body ?? {}) as Record<string, unknown>;
  return { ...reply, body: rest };
}

function send(res: ServerResponse, reply: Reply, extraHeaders?: Record<string, string>): void {
  const headers: Record<string, string> = { ...extraHeaders, ...reply.headers };
  let payload: string;
  if (reply.text !== undefined) {
    payload = reply.text;
    headers['content-type'] = reply.contentType ?? 'text/plain';
  } else {
    payload = JSON.stringify(reply.body ?? null);
    headers['content-type'] = 'application/json';
  }
  headers['content-length'] = String(Buffer.byteLength(payload));
  res.writeHead(reply.status, headers);
  res.end(payload);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Creates (but does not start) the HTTP server for one emulator; `access` says which hosts the control path answers. */
export function createEmulatorServer(parts: ServerParts, access: ControlAccessOptions = { boundHost: '127.0.0.1' }): Server {
  const router = buildRouter();

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = (req.method ?? 'GET').toUpperCase();
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
    const query = new URLSearchParams(q < 0 ? '' : rawUrl.slice(q + 1));
    const read = await readBody(req);
    if (read.aborted) return;
    const text = read.text;
    const pathOk = decodablePath(path);

    let body: unknown;
    let bodyError: string | null = null;
    if (text !== '') {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
        bodyError = 'request body is not valid JSON';
      }
    }

    if (path.startsWith(CONTROL_PREFIX)) {
      const denied = checkControlAccess(req.headers, read.bytes > 0, access);
      const extra = read.tooLarge ? CLOSE : undefined;
      if (!pathOk) return send(res, malformedPath(), extra);
      if (denied) return send(res, controlError(denied.status, denied.message), extra);
      if (read.tooLarge) return send(res, controlError(413, `control request body too large: at most ${MAX_BODY} bytes`), CLOSE);
      send(res, bodyError ? controlError(400, bodyError) : await handleControl(parts, method, path, body));
      return;
    }

    const time = parts.clock.now();
    const header = req.headers['x-api-token'];
    const token = (Array.isArray(header) ? header[0] : header) ?? query.get('api_token') ?? '';
    const user = token === '' ? undefined : parts.state.userForToken(token);
    const journal = (status: number, dropped = false): void => {
      parts.journal.record({
        method, path, query: redactedQuery(query), body, status, time, userId: user?.id ?? null, ...(dropped ? { dropped } : {}),
      });
    };
    const reply = (r: Reply, headers?: Record<string, string>): void => {
      journal(r.status);
      send(res, r, headers);
    };

    // Decided before auth, like the gateway in front of the real API.
    if (!pathOk) return reply(malformedPath(), read.tooLarge ? CLOSE : undefined);
    if (read.tooLarge) return reply(bodyTooLarge(), CLOSE);
    if (!user) return reply(unauthorized());

    const delay = parts.faults.takeLatency(method, path);
    if (delay > 0) await sleep(delay);

    const injected = parts.faults.takeFailure(method, path);
    if (injected) return reply(injected);

    const match = router.match(method, path);
    const route = match.kind === 'route' ? match.route : undefined;
    const decision = parts.limits.check(token, route?.search ?? false, route ? tokenCost(route.costKey) : 1);
    if (decision.kind === 'blocked') return reply(cloudflareBlock(randomBytes(8).toString('hex')));
    if (decision.kind === 'limited') return reply(overLimit(), decision.headers);
    const headers = decision.headers;

    if (match.kind === 'none') return reply(unknownRoute(method, path), headers);
    if (match.kind === 'method-not-allowed') return reply(methodNotAllowed(method, path), headers);
    const r = match.route;

    const drop = parts.faults.takeDrop(method, path);
    let result: Reply;
    try {
      if (text !== '' && path.startsWith('/api/v2/') && !String(req.headers['content-type'] ?? '').includes('application/json')) {
        throw validationFailed(`API v2 accepts only JSON bodies: send Content-Type: application/json`);
      }
      if (bodyError) throw validationFailed(bodyError);
      result = r.handle({ method, path, params: match.params, query, body, user, state: parts.state, now: time, changeSource: 'api' });
    } catch (e) {
      result = e instanceof ApiError
        ? (path.startsWith('/api/v2/') ? v2Error(e.reply) : e.reply)
        : failure(500, `Internal emulator error: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (drop) {
      journal(0, true);
      res.socket?.destroy();
      return;
    }
    reply(result, headers);
  };

  return createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) send(res, failure(500, `Internal emulator error: ${e instanceof Error ? e.message : String(e)}`));
      else res.destroy();
    });
  });
}

/** Starts listening; resolves with the bound port. */
export function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
