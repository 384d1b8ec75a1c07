/**
 * @module tests/emulator/webhook_receiver
 * A real local HTTP server that receives the emulator's webhooks: it keeps every request (headers and parsed JSON
 * body) and answers with what the test says: a status, `hang` (hold the request until `release()`), or `destroy`
 * (drop the connection).
 */

import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the receiver got. */
export interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body. */
  body: any;
}

/** How the receiver answers a request. */
export type Answer = number | 'hang' | 'destroy';

/** A started receiver. */
export interface WebhookReceiver {
  /** Base URL, e.g. `http://127.0.0.1:4711`. */
  url: string;
  /** Every request received, oldest first. */
  received: Received[];
  /** Decides each answer (default: 200). */
  answer: (r: Received) => Answer;
  /** Answers every held (`hang`) request with 200. */
  release(): void;
  /** Resolves once `n` requests have arrived (rejects after `ms`). */
  waitFor(n: number, ms?: number): Promise<void>;
  /** Forgets requests, answers 200 again, releases held ones. */
  clear(): void;
  close(): Promise<void>;
}

/** Starts a receiver on a free loopback port. */
export async function startReceiver(): Promise<WebhookReceiver> {
  const held: ServerResponse[] = [];
  const waiters: (() => void)[] = [];
  const r: WebhookReceiver = {
    url: '',
    received: [],
    answer: () => 200,
    release() {
      for (const res of held.splice(0)) if (!res.writableEnded && !res.destroyed) res.writeHead(200).end('ok');
    },
    waitFor(n, ms = 5_000) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          if (r.received.length < n) return false;
          resolve();
          return true;
        };
        if (check()) return;
        const timer = setTimeout(() => reject(new Error(`receiver got ${r.received.length} of ${n} requests in ${ms} ms`)), ms);
        waiters.push(() => {
          if (check()) clearTimeout(timer);
        });
      });
    },
    clear() {
      r.received.length = 0;
      r.answer = () => 200;
      r.release();
    },
    close: () =>
      new Promise((resolve) => {
        r.release();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
      const got: Received = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body };
      r.received.push(got);
      for (const w of waiters.slice()) w();
      const answer = r.answer(got);
      if (answer === 'hang') held.push(res);
      else if (answer === 'destroy') res.socket?.destroy();
      else res.writeHead(answer).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return r;
}
