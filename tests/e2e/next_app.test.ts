/**
 * @module tests/e2e/next_app.test
 * The Next.js example app (examples/next-crm) with the package installed from its `npm pack` tarball:
 * `next build`, `next start`, and real requests whose answers were computed inside the wasm engine. Every route
 * needs a signed-in user (the app's demo sessions, `examples/next-crm/lib/session.ts`): 401 without one, before
 * anything reaches Pipedrive; 403 for a non-admin acting on someone else's email, as the package's handlers rule.
 */

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { signSession, type Session } from '../../examples/next-crm/lib/session';
import { sendJson, startLocalServer, USERS_BODY, type LocalServer } from '../facade/local_server';
import { ROOT, SCRATCH } from '../../js/scripts/package_tarball';
import { buildReferenceCrm, startReferenceCrm, type RunningCrm } from '../../js/scripts/reference_crm_build';

const APP = path.join(ROOT, 'examples', 'next-crm');
const TOKEN = 'next-app-token-5521';
/** The app's session secret for this run. */
const SECRET = randomBytes(32).toString('hex');
const HOUR_MS = 3_600_000;
/** A non-admin (Sam, whose email is Pipedrive user 104's) and an admin. */
const SAM: Session = { userId: 'user-sam', email: 'sam@acme.test', isAdmin: false, expiresAt: Date.now() + HOUR_MS };
const ANN: Session = { userId: 'user-ann', email: 'ann@acme.test', isAdmin: true, expiresAt: Date.now() + HOUR_MS };

let pipedrive: LocalServer;
let crm: RunningCrm | undefined;
let appUrl = '';
/** The app's database for this run: a fresh SQLite file, seeded by the app on start. */
const databaseDir = path.join(SCRATCH, `next-app-${process.pid}`);
/** What the server printed, for failure messages. */
const output = (): string => crm?.output() ?? '';

before(async () => {
  pipedrive = await startLocalServer((request, response) => {
    if (request.headers['x-api-token'] !== TOKEN) return sendJson(response, 401, { success: false, error: 'unauthorized access', errorCode: 401 });
    sendJson(response, 200, USERS_BODY);
  });
  // The same build as the browser suite's (reference_crm.test.ts): built once per content.
  buildReferenceCrm();
  rmSync(databaseDir, { recursive: true, force: true });
  mkdirSync(databaseDir, { recursive: true });
  crm = await startReferenceCrm(
    {
      DATABASE_URL: `file:${path.join(databaseDir, 'crm.db')}`, PIPEDRIVE_API_TOKEN: TOKEN, PIPEDRIVE_BASE_URL: pipedrive.url, CRM_SESSION_SECRET: SECRET,
      // This Pipedrive serves users only, and the 401 test counts every request that reaches it.
      CRM_RECONCILE_ON_START: '0',
    },
    '/api/engine',
  );
  appUrl = crm.url;
});

after(async () => {
  crm?.stop();
  await pipedrive?.close();
  rmSync(databaseDir, { recursive: true, force: true });
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
  ['PUT', '/api/pipedrive/activities/701', { subject: 'Renamed' }],
  ['PUT', '/api/pipedrive/people/501', { name: 'Renamed' }],
  ['PUT', '/api/pipedrive/organizations/301', { name: 'Renamed' }],
  ['PUT', '/api/pipedrive/deals/1', { title: 'Renamed' }],
  ['POST', '/api/pipedrive/batch-update', { updates: [{ recordType: 'person', recordId: 501, data: { name: 'Renamed' } }] }],
];

/** Routes authenticated otherwise than by a session: Pipedrive's webhook deliveries carry Basic auth (tested in reference_crm.test.ts). */
const NOT_SESSION_ROUTES = ['api/pipedrive/webhook/route.ts'];

test('the list of routes covers every route file of the app', () => {
  const files = readdirSync(path.join(APP, 'app'), { recursive: true, encoding: 'utf8' })
    .filter((file) => /(^|\/)route\.ts$/.test(file))
    .filter((file) => !NOT_SESSION_ROUTES.includes(file.split(path.sep).join('/')));
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
      assert.equal(response.status, 401, `${method} ${route} with ${authorization ?? 'no authorization'}\n${output()}`);
      assert.deepEqual(await response.json(), { success: false, error: 'AUTH: sign in to use this endpoint', code: 'AUTH' });
    }
  }
  assert.equal(pipedrive.requests.length, seen, 'an unauthenticated request reached Pipedrive');
});

test('a route handler answers a signed-in user with what the wasm engine computed from its configuration', async () => {
  const response = await call('GET', '/api/engine', SAM);
  assert.equal(response.status, 200, output());
  const body = (await response.json()) as { success: boolean; engine: { baseUrl: string; warmLeadThreshold: number; version: string } };
  assert.equal(body.success, true);
  assert.equal(body.engine.baseUrl, pipedrive.url);
  assert.equal(body.engine.warmLeadThreshold, 4);
  assert.equal(body.engine.version, '0.1.0');
});

test('a signed-in user finds their own Pipedrive user through the engine over real HTTP', async () => {
  const response = await call('GET', '/api/pipedrive/users?email=SAM@acme.test', SAM);
  assert.equal(response.status, 200, output());
  const body = (await response.json()) as { user: { id: number } };
  assert.equal(body.user.id, 104);
  assert.ok(pipedrive.requests.some((request) => request.url === '/v1/users' && request.headers['x-api-token'] === TOKEN));
});

test("a non-admin gets 403 for another user's email; an admin may look anyone up", async () => {
  const forbidden = await call('GET', '/api/pipedrive/users?email=ann@acme.test', SAM);
  assert.equal(forbidden.status, 403);
  assert.equal(((await forbidden.json()) as { code: string }).code, 'AUTH');
  const admin = await call('GET', '/api/pipedrive/users?email=sam@acme.test', ANN);
  assert.equal(admin.status, 200, output());
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
  assert.equal(unknownContact.status, 404, output());
  assert.equal(((await unknownContact.json()) as { code: string }).code, 'NOT_FOUND');
  const unknownActivity = await call('GET', '/api/activities/activity-1/sync-status', SAM);
  assert.equal(unknownActivity.status, 404, output());
});
