/**
 * @module tests/facade/local_server
 * A local HTTP server for tests that need Pipedrive to answer in a particular (often broken) way.
 */

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as the server saw it. */
export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
}

/** A running server: its URL, the requests it saw, and `close`. */
export interface LocalServer {
  url: string;
  requests: SeenRequest[];
  close(): Promise<void>;
}

/** Starts a server on a free port; `handle` answers each request. */
export async function startLocalServer(handle: (request: IncomingMessage, response: ServerResponse) => void): Promise<LocalServer> {
  const requests: SeenRequest[] = [];
  const server = createServer((request, response) => {
    requests.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers });
    handle(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Answers with a JSON body. */
export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

/** The `GET /v1/users` answer used across tests: one admin, one inactive, one deleted user. */
export const USERS_BODY = {
  success: true,
  data: [
    { id: 101, name: 'Ann Admin', email: 'ann@acme.test', active_flag: true, is_admin: 1, is_deleted: false },
    { id: 102, name: 'Ivan Inactive', email: 'ivan@acme.test', active_flag: false, is_admin: 0 },
    { id: 103, name: 'Dora Deleted', email: 'dora@acme.test', active_flag: true, is_deleted: true },
    { id: 104, name: 'Sam Sales', email: 'Sam@Acme.test', active_flag: true, is_admin: 0 },
  ],
  additional_data: null,
};
