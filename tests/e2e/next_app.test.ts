/**
 * @module tests/e2e/next_app.test
 * The Next.js example app (examples/next-crm) with the package installed from its `npm pack` tarball:
 * `next build`, `next start`, and real requests whose answers were computed inside the wasm engine. Every route
 * needs a signed-in user (the app's demo sessions, `examples/next-crm/lib/session.ts`): 401 without one, before
 * anything reaches Pipedrive; 403 for a non-admin acting on someone else's email, as the package's handlers rule.
 */

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { signSession, type Session } from '../../examples/next-crm/lib/session';
import { sendJson, startLocalServer, USERS_BODY, type LocalServer } from '../facade/local_server';
import { packTarball, ROOT, run } from './package_tarball';

const APP = path.join(ROOT, 'examples', 'next-crm');
const TOKEN = 'next-app-token-5521';
/** The app's session secret for this run. */
const SECRET = randomBytes(32).toString('hex');
const HOUR_MS = 3_600_000;
/** A non-admin (Sam, whose email is Pipedrive user 104's) and an admin. */
const SAM: Session = { userId: 'user-sam', email: 'sam@acme.test', isAdmin: false, expiresAt: Date.now() + HOUR_MS };
const ANN: Session = { userId: 'user-ann', email: 'ann@acme.test', isAdmin: true, expiresAt: Date.now() + HOUR_MS };

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
    env: {
      ...process.env, NEXT_TELEMETRY_DISABLED: '1', PIPEDRIVE_API_TOKEN: TOKEN, PIPEDRIVE_BASE_URL: pipedrive.url, CRM_SESSION_SECRET: SECRET,
    },
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

/** Calls the app as `session`, signed with this run's secret. */
function call(method: string, route: string, session: Session, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { authorization: `Bearer ${signSession(session, SECRET)}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  return fetch(`${appUrl}${route}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

/** Every route of the app, with a request it would otherwise answer. */
const ROUTES: Array<[method: string, route: string, body?: unknown]> = [
  ['GET', '/api/engine'],
  ['GET', '/api/pipedrive/users?email=sam@acme.test'],
  ['POST', '/api/pipedrive/setup-user', { email: 'sam@acme.test' }],
  ['POST', '/api/contacts/contact-1/check-warm-lead'],
  ['GET', '/api/activities/activity-1/sync-status'],
];

test('the list of routes covers every route file of the app', () => {
  const files = readdirSync(path.join(APP, 'app'), { recursive: true, encoding: 'utf8' }).filter((file) => /(^|\/)route\.ts$/.test(file));
  assert.equal(files.length, ROUTES.length, files.join(', '));
  for (const file of files) {
    const template = new RegExp(`^/${path.dirname(file).split(path.sep).join('/').replace(/\[[^\]]+\]/g, '[^/]+')}(\\?|$)`);
    assert.ok(ROUTES.some(([, route]) => template.test(route)), `no request of ROUTES goes to ${file}`);
  }
});

test('every route answers 401 without a valid session, and nothing reaches Pipedrive', async () => {
  const seen = pipedrive.requests.length;
  const forged = signSession(SAM, 'another-secret-'.padEnd(40, 'x'));
  const expired = signSession({ ...SAM, expiresAt: Date.now() - 1 }, SECRET);
  const tampered = signSession(SAM, SECRET).replace(/^[^.]+/, Buffer.from(JSON.stringify({ ...SAM, isAdmin: true })).toString('base64url'));
  for (const [method, route, body] of ROUTES) {
    for (const authorization of [undefined, `Bearer ${forged}`, `Bearer ${expired}`, `Bearer ${tampered}`, 'Basic c2FtOnNhbQ==']) {
      const headers: Record<string, string> = { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) };
      const response = await fetch(`${appUrl}${route}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      assert.equal(response.status, 401, `${method} ${route} with ${authorization ?? 'no authorization'}\n${output}`);
      assert.deepEqual(await response.json(), { success: false, error: 'AUTH: sign in to use this endpoint', code: 'AUTH' });
    }
  }
  assert.equal(pipedrive.requests.length, seen, 'an unauthenticated request reached Pipedrive');
});

test('a route handler answers a signed-in user with what the wasm engine computed from its configuration', async () => {
  const response = await call('GET', '/api/engine', SAM);
  assert.equal(response.status, 200, output);
  const body = (await response.json()) as { success: boolean; engine: { baseUrl: string; warmLeadThreshold: number; version: string } };
  assert.equal(body.success, true);
  assert.equal(body.engine.baseUrl, pipedrive.url);
  assert.equal(body.engine.warmLeadThreshold, 4);
  assert.equal(body.engine.version, '0.1.0');
});

test('a signed-in user finds their own Pipedrive user through the engine over real HTTP', async () => {
  const response = await call('GET', '/api/pipedrive/users?email=SAM@acme.test', SAM);
  assert.equal(response.status, 200, output);
  const body = (await response.json()) as { user: { id: number } };
  assert.equal(body.user.id, 104);
  assert.ok(pipedrive.requests.some((request) => request.url === '/v1/users' && request.headers['x-api-token'] === TOKEN));
});

test("a non-admin gets 403 for another user's email; an admin may look anyone up", async () => {
  const forbidden = await call('GET', '/api/pipedrive/users?email=ann@acme.test', SAM);
  assert.equal(forbidden.status, 403);
  assert.equal(((await forbidden.json()) as { code: string }).code, 'AUTH');
  const admin = await call('GET', '/api/pipedrive/users?email=sam@acme.test', ANN);
  assert.equal(admin.status, 200, output);
  assert.equal(((await admin.json()) as { user: { id: number } }).user.id, 104);
});

test('bad input reaches the caller as a 400 with the field named', async () => {
  const response = await call('GET', '/api/pipedrive/users?email=not-an-email', ANN);
  assert.equal(response.status, 400);
  const body = (await response.json()) as { code: string; error: string };
  assert.equal(body.code, 'VALIDATION');
  assert.match(body.error, /email must be an email address/);
});

test("the package's handlers serve the spec's routes: 403 for someone else's email, the engine's answer otherwise", async () => {
  const forbidden = await call('POST', '/api/pipedrive/setup-user', SAM, { email: 'ann@acme.test' });
  assert.equal(forbidden.status, 403);
  assert.match(((await forbidden.json()) as { error: string }).error, /only set up your own Pipedrive user/);
  const unknownContact = await call('POST', '/api/contacts/contact-1/check-warm-lead', SAM);
  assert.equal(unknownContact.status, 404, output);
  assert.equal(((await unknownContact.json()) as { code: string }).code, 'NOT_FOUND');
  const unknownActivity = await call('GET', '/api/activities/activity-1/sync-status', SAM);
  assert.equal(unknownActivity.status, 404, output);
});
