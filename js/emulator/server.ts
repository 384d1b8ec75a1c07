/**
 * @module emulator/server
 * The HTTP front: one `node:http` server per emulator. Each request goes control path → auth → latency →
 * injected failure → rate limits → route (→ drop after apply) → journal, so faults and limits behave like the
 * gateway in front of the real API.
 */

import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleControl, CONTROL_PREFIX, type ControlTarget } from './control';
import type { Faults } from './faults';
import { redactedQuery, type Journal } from './journal';
import type { RateLimiter } from './limits/rate_limits';
import { tokenCost } from './limits/token_costs';
import type { EmulatorState } from './model/state';
import { ACTIVITIES } from './routes/activities';
import { registerActivityTypeRoutes } from './routes/activity_types';
import { DEALS } from './routes/deals';
import { registerEntityRoutes } from './routes/entities';
import { registerFieldRoutes } from './routes/fields';
import { ORGANIZATIONS } from './routes/organizations';
import { PERSONS } from './routes/persons';
import { Router } from './routes/router';
import { registerSearchRoutes } from './routes/search';
import { registerUserRoutes } from './routes/users';
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

const MAX_BODY = 1_000_000;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error('body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(chunks.length === 0 ? '' : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
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

/** Creates (but does not start) the HTTP server for one emulator. */
export function createEmulatorServer(parts: ServerParts): Server {
  const router = buildRouter();

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = (req.method ?? 'GET').toUpperCase();
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
    const query = new URLSearchParams(q < 0 ? '' : rawUrl.slice(q + 1));
    const text = await readBody(req);

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
      send(res, bodyError ? { status: 400, body: { ok: false, error: bodyError } } : handleControl(parts, method, path, body));
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
      result = r.handle({ method, path, params: match.params, query, body, user, state: parts.state, now: time });
    } catch (e) {
      result = e instanceof ApiError ? e.reply : failure(500, `Internal emulator error: ${e instanceof Error ? e.message : String(e)}`);
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
