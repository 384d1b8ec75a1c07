/**
 * @module tests/e2e/next_app.test
 * The Next.js example app (examples/next-crm) with the package installed from its `npm pack` tarball:
 * `next build`, `next start`, and real requests whose answers were computed inside the wasm engine.
 */

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { sendJson, startLocalServer, USERS_BODY, type LocalServer } from '../facade/local_server';
import { packTarball, ROOT, run } from './package_tarball';

const APP = path.join(ROOT, 'examples', 'next-crm');
const TOKEN = 'next-app-token-5521';

let pipedrive: LocalServer;
let next: ChildProcess | null = null;
let appUrl = '';
let output = '';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

async function waitUntilUp(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      await fetch(url);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  throw new Error(`next start did not answer within ${timeoutMs} ms; its output:\n${output}`);
}

before(async () => {
  pipedrive = await startLocalServer((request, response) => {
    if (request.headers['x-api-token'] !== TOKEN) return sendJson(response, 401, { success: false, error: 'unauthorized access', errorCode: 401 });
    sendJson(response, 200, USERS_BODY);
  });
  mkdirSync(path.join(APP, 'vendor'), { recursive: true });
  copyFileSync(packTarball(), path.join(APP, 'vendor', 'pipedrive-sync.tgz'));
  // A fresh tarball must replace the installed copy: npm keys file: dependencies by path, not content.
  rmSync(path.join(APP, 'node_modules', 'pipedrive-sync'), { recursive: true, force: true });
  run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], APP);
  run('npx', ['next', 'build'], APP, { NEXT_TELEMETRY_DISABLED: '1' });
  const port = await freePort();
  appUrl = `http://127.0.0.1:${port}`;
  next = spawn('npx', ['next', 'start', '-p', String(port), '-H', '127.0.0.1'], {
    cwd: APP,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', PIPEDRIVE_API_TOKEN: TOKEN, PIPEDRIVE_BASE_URL: pipedrive.url },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  next.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  next.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await waitUntilUp(`${appUrl}/api/engine`, 60_000);
});

after(async () => {
  if (next?.pid) {
    try {
      process.kill(-next.pid, 'SIGTERM'); // the whole group: npx and the next server under it
    } catch {
      // already gone
    }
  }
  await pipedrive?.close();
});

test('a route handler answers with what the wasm engine computed from its configuration', async () => {
  const response = await fetch(`${appUrl}/api/engine`);
  assert.equal(response.status, 200, output);
  const body = (await response.json()) as { success: boolean; engine: { baseUrl: string; warmLeadThreshold: number; version: string } };
  assert.equal(body.success, true);
  assert.equal(body.engine.baseUrl, pipedrive.url);
  assert.equal(body.engine.warmLeadThreshold, 4);
  assert.equal(body.engine.version, '0.1.0');
});

test('a route handler finds a Pipedrive user through the engine over real HTTP', async () => {
  const response = await fetch(`${appUrl}/api/pipedrive/users?email=SAM@acme.test`);
  assert.equal(response.status, 200, output);
  const body = (await response.json()) as { user: { id: number } };
  assert.equal(body.user.id, 104);
  assert.ok(pipedrive.requests.some((request) => request.url === '/v1/users' && request.headers['x-api-token'] === TOKEN));
});

test('bad input reaches the caller as a 400 with the field named', async () => {
  const response = await fetch(`${appUrl}/api/pipedrive/users?email=not-an-email`);
  assert.equal(response.status, 400);
  const body = (await response.json()) as { code: string; error: string };
  assert.equal(body.code, 'VALIDATION');
  assert.match(body.error, /email must be an email address/);
});
