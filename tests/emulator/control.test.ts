/**
 * @module tests/emulator/control.test
 * The control path's defences and the search lag feature, one test per rule: JSON only and no foreign Origin or
 * Host (CSRF and DNS rebinding), no regexes (prefix or linear glob instead), every number checked, malformed
 * percent-escapes answered 400, oversized bodies answered 413 without a reset, a warning when bound beyond
 * loopback, and `searchLag` hiding fresh records from search only.
 */

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import path from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { PathGlob, startPipedriveEmulator } from '../../js/emulator';
import { startTestEmulator, type TestEmulator } from './helpers';

let t: TestEmulator;
before(async () => {
  t = await startTestEmulator({ plan: 'ultimate', burstLimit: 10_000 });
});
beforeEach(() => t.emu.reset());
after(() => t.emu.close());

/** A raw HTTP answer. */
interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  body: any;
}

/**
 * One request through `node:http`, so the test controls every header (`Host`, `Origin`) and the exact path bytes;
 * rejects on a connection error (e.g. a reset).
 */
function raw(method: string, rawPath: string, opts: { headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: t.emu.port, method, path: rawPath, headers: opts.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          body = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

function json(body: unknown, extra: Record<string, string> = {}): { headers: Record<string, string>; body: string } {
  return { headers: { 'content-type': 'application/json', ...extra }, body: JSON.stringify(body) };
}

async function control(method: string, p: string, body?: unknown): Promise<RawResponse> {
  return raw(method, `/__emulator${p}`, body === undefined ? {} : json(body));
}

describe('control path access', () => {
  test('a body must be application/json (415), an Origin must be the emulator\'s own and Host must be loopback or the bound host (403)', async () => {
    const before = t.emu.clock.now();
    // The cross-site "simple request" a web page can send without a preflight.
    const plain = await raw('POST', '/__emulator/clock', { headers: { 'content-type': 'text/plain' }, body: '{"advanceMs":86400000}' });
    assert.equal(plain.status, 415);
    assert.match(plain.body.error, /application\/json/);
    const form = await raw('POST', '/__emulator/reset', { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1' });
    assert.equal(form.status, 415);

    const foreign = await raw('POST', '/__emulator/clock', json({ advanceMs: 1000 }, { origin: 'http://evil.example' }));
    assert.equal(foreign.status, 403);
    assert.match(foreign.body.error, /origin/i);
    assert.equal((await raw('POST', '/__emulator/reset', { headers: { origin: 'null' } })).status, 403, 'an opaque origin is foreign too');
    assert.equal((await raw('GET', '/__emulator/state', { headers: { origin: 'http://localhost:3000' } })).status, 403, 'reads as well');

    // DNS rebinding: evil.example resolves to 127.0.0.1, so the browser sends its own name as Host (and no Origin on GET).
    const rebound = await raw('GET', '/__emulator/state', { headers: { host: `evil.example:${t.emu.port}` } });
    assert.equal(rebound.status, 403);
    assert.match(rebound.body.error, /loopback/);
    assert.equal(t.emu.clock.now(), before, 'nothing refused had any effect');

    // What keeps working: Node's fetch (no Origin), the emulator's own origin, loopback names.
    assert.equal((await fetch(`${t.emu.url}/__emulator/health`)).status, 200);
    const own = await raw('POST', '/__emulator/clock', json({ advanceMs: 1000 }, { origin: `http://127.0.0.1:${t.emu.port}` }));
    assert.equal(own.status, 200);
    assert.equal((await raw('GET', '/__emulator/health', { headers: { host: `localhost:${t.emu.port}` } })).status, 200);
    assert.equal((await raw('POST', '/__emulator/reset')).status, 200, 'a body-less POST needs no content type');
    assert.equal((await raw('POST', '/__emulator/clock', json({ advanceMs: 1 }, { 'content-type': 'application/json; charset=utf-8' }))).status, 200);
    // The API itself is unaffected by the control-path rules.
    assert.equal((await raw('GET', '/v1/users/me', { headers: { 'x-api-token': t.emu.apiToken, origin: 'http://evil.example' } })).status, 200);
  });
});

describe('control path fault paths', () => {
  test('regexes are refused (400 naming the field); prefixes and globs work, matched linearly', async () => {
    const started = performance.now();
    const regex = await control('POST', '/faults/fail-next', { pathRegex: '^/(a+)+$', status: 503 });
    assert.equal(regex.status, 400);
    assert.match(regex.body.error, /'pathRegex'/);
    assert.equal(t.emu.faults.list().failNext.length, 0);
    assert.equal((await control('POST', '/faults/latency', { path: { $regex: 'x' }, ms: 1 })).status, 400, 'path must be a string');
    const badGlob = await control('POST', '/faults/drop-after-apply', { glob: 'no-slash' });
    assert.equal(badGlob.status, 400);
    assert.match(badGlob.body.error, /'glob'/);

    assert.equal((await control('POST', '/faults/fail-next', { method: 'GET', glob: '/api/v2/persons/*', status: 503, count: 5 })).status, 200);
    assert.equal((await t.call('GET', '/api/v2/persons')).status, 200);
    assert.equal((await t.call('GET', '/api/v2/persons/3')).status, 503);
    assert.deepEqual((await control('GET', '/faults')).body.faults.failNext, [{ method: 'GET', path: null, glob: '/api/v2/persons/*', status: 503, remaining: 4 }]);

    // The pattern that froze the regex version, as a glob, against a long non-matching path.
    const evil = new PathGlob(`/${'*a'.repeat(200)}b`);
    assert.equal(evil.test(`/${'a'.repeat(8000)}`), false);
    assert.equal(new PathGlob('/**/**/**/**/**/x').test(`/${'a/'.repeat(4000)}y`), false);
    assert.equal(new PathGlob('/a/**/c').test('/a/b/b/c'), true);
    assert.equal(new PathGlob('/a/*/c').test('/a/b/b/c'), false);
    assert.ok(performance.now() - started < 2000, 'no backtracking blow-up');
  });
});

describe('control path numbers', () => {
  test('every number is checked: finite, whole, in range; 400 names the field and the rule', async () => {
    const cases: [string, unknown, RegExp][] = [
      ['/clock', { advanceMs: 1e308 }, /'advanceMs' must be an integer in 0\.\.2678400000 \(31 days\), got 1e\+308/],
      ['/clock', { advanceMs: -1 }, /'advanceMs'/],
      ['/clock', { advanceMs: 1.5 }, /'advanceMs' must be an integer/],
      ['/clock', { advanceMs: '1000' }, /'advanceMs' must be an integer/],
      ['/clock', {}, /'advanceMs' is required/],
      ['/faults/fail-next', { status: 503, count: 0 }, /'count' must be an integer in 1\.\.10000/],
      ['/faults/fail-next', { status: 503, count: 1e9 }, /'count'/],
      ['/faults/fail-next', { status: 99 }, /'status' must be an integer in 200\.\.599/],
      ['/faults/latency', { ms: 600_001 }, /'ms' must be an integer in 0\.\.600000 \(10 minutes\)/],
      ['/faults/drop-after-apply', { count: 2.5 }, /'count'/],
      ['/limits', { dailyRemaining: -5 }, /'dailyRemaining' must be an integer/],
      ['/search-lag', { ms: 86_400_001 }, /'ms' must be an integer in 0\.\.86400000 \(1 day\)/],
      ['/seed', { persons: [{ id: 1e308, name: 'Huge' }] }, /'persons\[0\]\.id' must be an integer in 1\.\.2147483647/],
      ['/seed', { persons: [{ name: 'Half', owner_id: 0.5 }] }, /'persons\[0\]\.owner_id'/],
      ['/users', { name: 'U', email: 'u@example.com', id: -3 }, /'id' must be an integer/],
    ];
    for (const [p, body, message] of cases) {
      const r = await control('POST', p, body);
      assert.equal(r.status, 400, `${p} ${JSON.stringify(body)}`);
      assert.match(r.body.error, message, `${p} ${JSON.stringify(body)}`);
    }
    // JSON's 1e400 parses to Infinity.
    const inf = await raw('POST', '/__emulator/clock', { headers: { 'content-type': 'application/json' }, body: '{"advanceMs":1e400}' });
    assert.equal(inf.status, 400);
    assert.match(inf.body.error, /got Infinity/);
    const deal = await raw('POST', '/__emulator/seed', { headers: { 'content-type': 'application/json' }, body: '{"deals":[{"title":"D","value":1e400}]}' });
    assert.equal(deal.status, 400);
    assert.match(deal.body.error, /'deals\[0\]\.value' must be a finite number/);
    const injected = await raw('POST', '/__emulator/faults/fail-next', { headers: { 'content-type': 'application/json' }, body: '{"status":500,"body":{"n":-1e999}}' });
    assert.equal(injected.status, 400);
    assert.match(injected.body.error, /'body\.n' must be a finite number/);

    assert.equal(t.emu.clock.now(), t.clock.t, 'the clock never moved');
    assert.equal(t.emu.faults.list().failNext.length, 0);
    assert.equal(t.emu.state.persons.size, 0);
    assert.equal((await control('POST', '/clock', { advanceMs: 31 * 86_400_000 })).status, 200, 'the bounds themselves are accepted');
  });
});

describe('malformed percent-escapes', () => {
  test('answer 400 with a Pipedrive error envelope on API and control paths, never 500', async () => {
    for (const p of ['/api/v2/persons/%zz', '/api/v2/persons/%E0%A4%A', '/v1/users/%', '/__emulator/%zz', '/__emulator/faults/%C3']) {
      const r = await raw('GET', p, { headers: { 'x-api-token': t.emu.apiToken } });
      assert.equal(r.status, 400, p);
      assert.equal(r.body.success, false, p);
      assert.equal(r.body.code, 'ERR_BAD_REQUEST', p);
      assert.match(r.body.error, /percent-escape/, p);
      assert.equal(r.body.data, null);
    }
    const unauth = await raw('GET', '/api/v2/persons/%zz');
    assert.equal(unauth.status, 400, 'decided before auth');
    assert.equal((await raw('GET', '/api/v2/persons/%31', { headers: { 'x-api-token': t.emu.apiToken } })).status, 404, 'valid escapes still decode');
  });
});

describe('oversized bodies', () => {
  test('a body over 1 MB answers 413 and closes the connection cleanly, on the API and the control path', async () => {
    const big = Buffer.alloc(1_500_000, 'a');
    const api = await raw('POST', '/api/v2/persons', { headers: { 'content-type': 'application/json', 'x-api-token': t.emu.apiToken }, body: big });
    assert.equal(api.status, 413);
    assert.equal(api.body.success, false);
    assert.match(api.body.error, /too large/);
    assert.equal(api.headers.connection, 'close');
    const ctl = await raw('POST', '/__emulator/seed', { headers: { 'content-type': 'application/json' }, body: big });
    assert.equal(ctl.status, 413);
    assert.match(ctl.body.error, /too large/);
    assert.equal(ctl.headers.connection, 'close');
    // Chunked, with no Content-Length to go by, through fetch.
    const stream = new ReadableStream({
      start(c) {
        for (let i = 0; i < 30; i++) c.enqueue(new Uint8Array(100_000));
        c.close();
      },
    });
    const viaFetch = await fetch(`${t.emu.url}/api/v2/persons`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-api-token': t.emu.apiToken }, body: stream, duplex: 'half',
    } as RequestInit);
    assert.equal(viaFetch.status, 413);
    assert.equal(t.emu.state.persons.size, 0);
    assert.equal((await t.call('POST', '/api/v2/persons', { name: 'x'.repeat(200) })).status, 200, 'the server still serves');
  });
});

describe('binding beyond loopback', () => {
  test('warns once that the control path is reachable from the network; loopback binds stay quiet', async () => {
    const warnings: string[] = [];
    const exposed = await startPipedriveEmulator({ host: '0.0.0.0', onWarning: (m) => warnings.push(m) });
    const quiet = await startPipedriveEmulator({ host: '127.0.0.1', onWarning: (m) => warnings.push(m) });
    try {
      assert.equal(warnings.length, 1);
      assert.match(warnings[0], /non-loopback address '0\.0\.0\.0'/);
      assert.match(warnings[0], /control path \/__emulator\/.*reachable from the network/);
      assert.equal((await fetch(`${exposed.url}/__emulator/health`)).status, 200);
    } finally {
      await Promise.all([exposed.close(), quiet.close()]);
    }
  });

  test('pipedrive-sync emulator --host 0.0.0.0 prints the warning once on stderr', { timeout: 20_000 }, async () => {
    const command = path.resolve(__dirname, '..', '..', 'js', 'cli', 'emulator_command.ts');
    const script = `require(${JSON.stringify(command)}).runEmulatorCommand(['--host', '0.0.0.0', '--port', '0'])`;
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
      if (stdout.includes('Stop with Ctrl+C')) child.kill('SIGTERM');
    });
    await closed;
    assert.match(stdout, /listening on http:\/\/127\.0\.0\.1:\d+/);
    const lines = stderr.split('\n').filter((l) => l.includes('reachable from the network'));
    assert.equal(lines.length, 1, stderr);
    assert.match(lines[0], /^Warning: Pipedrive emulator bound to non-loopback address '0\.0\.0\.0'/);
  });
});

describe('search lag', () => {
  test('records created or renamed less than the lag ago are not found by search; GET and list see them at once', async () => {
    const lag = await control('POST', '/search-lag', { ms: 5000 });
    assert.deepEqual(lag.body, { ok: true, searchLag: { ms: 5000 } });
    assert.deepEqual((await control('GET', '/search-lag')).body, { ok: true, searchLag: { ms: 5000 } });

    const created = await t.call('POST', '/api/v2/persons', { name: 'Fresh Person', emails: [{ value: 'fresh@example.com', primary: true }] });
    const org = await t.call('POST', '/api/v2/organizations', { name: 'Fresh Org' });
    const id = created.body.data.id;
    const search = async (): Promise<number[]> =>
      (await t.call('GET', '/api/v2/persons/search?term=fresh&fields=name,email')).body.data.items.map((i: { item: { id: number } }) => i.item.id);
    const orgSearch = async (): Promise<number> => (await t.call('GET', '/api/v2/organizations/search?term=fresh')).body.data.items.length;

    assert.equal((await t.call('GET', `/api/v2/persons/${id}`)).status, 200, 'GET sees it at once');
    assert.deepEqual((await t.call('GET', '/api/v2/persons')).body.data.map((p: { id: number }) => p.id), [id], 'so does the list');
    assert.deepEqual(await search(), [], 'search does not yet');
    assert.equal(await orgSearch(), 0);

    t.clock.advance(4999);
    assert.deepEqual(await search(), [], 'still within the lag');
    t.clock.advance(1);
    assert.deepEqual(await search(), [id], 'indexed once the lag has passed (emulator clock)');
    assert.equal(await orgSearch(), 1);

    assert.equal((await t.call('PATCH', `/api/v2/persons/${id}`, { name: 'Fresher Person' })).status, 200);
    assert.deepEqual(await search(), [], 'a rename re-indexes');
    await control('POST', '/clock', { advanceMs: 5000 });
    assert.deepEqual(await search(), [id]);
    assert.equal((await t.call('PATCH', `/api/v2/persons/${id}`, { visible_to: 1 })).status, 200);
    assert.deepEqual(await search(), [id], 'a change search does not look at does not');

    t.emu.state.seed({ persons: [{ id: 50, name: 'Fresh Seeded' }] });
    assert.deepEqual(await search(), [id, 50], 'seeded records are indexed from the start');

    assert.deepEqual(t.emu.searchLag({ ms: 0 }), { ms: 0 });
    await t.call('POST', '/api/v2/organizations', { name: 'Fresh Org Two' });
    assert.equal(await orgSearch(), 2, 'no lag: search sees everything at once');
    assert.equal(org.status, 200);
  });

  test('the searchLagMs option sets the start-up lag, and reset returns to it', async () => {
    const lagged = await startTestEmulator({ searchLagMs: 1000 });
    try {
      assert.equal(lagged.emu.state.searchIndex.lagMs, 1000);
      await lagged.call('POST', '/api/v2/persons', { name: 'Option Lag' });
      const found = async (): Promise<number> => (await lagged.call('GET', '/api/v2/persons/search?term=option')).body.data.items.length;
      assert.equal(await found(), 0);
      lagged.clock.advance(1000);
      assert.equal(await found(), 1);
      lagged.emu.searchLag({ ms: 0 });
      lagged.emu.reset();
      assert.equal(lagged.emu.state.searchIndex.lagMs, 1000);
      assert.throws(() => lagged.emu.searchLag({ ms: Number.POSITIVE_INFINITY }), /'ms' must be an integer/);
    } finally {
      await lagged.emu.close();
    }
    await assert.rejects(startPipedriveEmulator({ searchLagMs: -1 }), /'searchLagMs' must be an integer/);
    assert.equal(t.emu.state.searchIndex.lagMs, 0, 'the default is no lag');
  });
});
