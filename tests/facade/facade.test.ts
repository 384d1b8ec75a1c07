/**
 * @module tests/facade/facade.test
 * The public facade end to end through the wasm engine: configuration errors, the users service against a
 * local HTTP server, every failure class as a typed error without the token, and panic recovery.
 */

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  AuthError,
  ConfigError,
  createPipedriveSync,
  InternalError,
  NotFoundError,
  StoreError,
  UnavailableError,
  ValidationError,
  type PipedriveSyncConfig,
} from '../../js/index';
import { EngineHandle } from '../../js/engine/engine_handle';
import { bindHost } from '../../js/host/bind_host';
import { JsErrorRegistry } from '../../js/host/error_registry';
import { createFetchHttp } from '../../js/host/fetch_http';
import { sendJson, startLocalServer, USERS_BODY, type LocalServer } from './local_server';
import { createMemoryStore as memoryStore } from '../../js/store/memory';

const TOKEN = 'tok-7f3a9c-secret';

function config(baseUrl: string, extra: Partial<PipedriveSyncConfig> = {}): PipedriveSyncConfig {
  return { pipedrive: { apiToken: TOKEN, baseUrl }, store: memoryStore(), ...extra };
}

function assertNoToken(error: unknown): void {
  const text = `${String(error)} ${JSON.stringify((error as { details?: unknown }).details ?? {})}`;
  assert.ok(!text.includes(TOKEN), `the token leaked: ${text}`);
}

describe('configuration', () => {
  const cases: Array<[string, unknown, string]> = [
    ['missing token', { pipedrive: {}, store: memoryStore() }, 'pipedrive.apiToken'],
    ['malformed baseUrl', { pipedrive: { apiToken: TOKEN, baseUrl: 'api.pipedrive.com' }, store: memoryStore() }, 'pipedrive.baseUrl'],
    ['token in the baseUrl query', { pipedrive: { apiToken: TOKEN, baseUrl: 'https://x.pipedrive.com?api_token=1' }, store: memoryStore() }, 'pipedrive.baseUrl'],
    ['unknown option', { pipedrive: { apiToken: TOKEN }, store: memoryStore(), options: { maxRetrys: 3 } }, 'options.maxRetrys'],
    ['option of the wrong type', { pipedrive: { apiToken: TOKEN }, store: memoryStore(), options: { plan: 'gold' } }, 'options.plan'],
    ['unknown top-level key', { pipedrive: { apiToken: TOKEN }, store: memoryStore(), retries: 3 }, 'retries'],
    ['unknown pipedrive key', { pipedrive: { apiToken: TOKEN, apiKey: 'x' }, store: memoryStore() }, 'pipedrive.apiKey'],
    ['no store', { pipedrive: { apiToken: TOKEN } }, 'store'],
    ['store without a method', { pipedrive: { apiToken: TOKEN }, store: { findUserById: async () => null } }, 'store.findUserByEmail'],
    ['apiTokenFor not a function', { pipedrive: { apiTokenFor: 'x' }, store: memoryStore() }, 'apiTokenFor'],
    ['http not a function', { pipedrive: { apiToken: TOKEN }, store: memoryStore(), http: {} }, 'http'],
  ];
  for (const [name, input, field] of cases) {
    test(`${name} is a ConfigError naming ${field}`, async () => {
      await assert.rejects(createPipedriveSync(input as PipedriveSyncConfig), (error: unknown) => {
        assert.ok(error instanceof ConfigError, String(error));
        assert.equal(error.code, 'CONFIG');
        assert.equal(error.details.field, field);
        assert.match(error.message, new RegExp(`^CONFIG: ${field.replace('.', '\\.')} `));
        assertNoToken(error);
        return true;
      });
    });
  }

  test('describe() reports the defaults the engine computed', async () => {
    const sync = await createPipedriveSync(config('https://acme.pipedrive.com/'));
    assert.deepEqual(sync.describe(), {
      version: '0.1.0',
      baseUrl: 'https://acme.pipedrive.com',
      tokens: 'company',
      warmLeadThreshold: 4,
      warmLeadLabel: 'Warm Lead',
      maxRetries: 3,
      plan: 'lite',
    });
  });
});

describe('users service over HTTP', () => {
  let server: LocalServer;
  let answer: (url: string) => [number, unknown] | 'hang' | 'html' = () => [200, USERS_BODY];
  before(async () => {
    server = await startLocalServer((request, response) => {
      const planned = answer(request.url ?? '');
      if (planned === 'hang') return; // never answers: the client's timeout must fire
      if (planned === 'html') {
        response.writeHead(200, { 'content-type': 'text/html' });
        response.end('<html><body>Scheduled maintenance</body></html>');
        return;
      }
      sendJson(response, planned[0], planned[1]);
    });
  });
  after(() => server.close());

  test('finds active users case-insensitively, with the token in the header and the list cached', async () => {
    answer = () => [200, USERS_BODY];
    const before = server.requests.length;
    const sync = await createPipedriveSync(config(server.url));
    assert.deepEqual(await sync.users.findUserByEmail('  SAM@acme.test '), { id: 104, name: 'Sam Sales', email: 'Sam@Acme.test', active: true, isAdmin: false });
    assert.equal(await sync.users.findUserByEmail('ivan@acme.test'), null, 'inactive users never match');
    assert.equal(await sync.users.findUserByEmail('dora@acme.test'), null, 'deleted users never match');
    assert.equal(await sync.users.findUserByEmail('nobody@acme.test'), null);
    const seen = server.requests.slice(before);
    assert.equal(seen.length, 1, 'one GET /v1/users serves every lookup while the cache is fresh');
    assert.equal(seen[0].url, '/v1/users');
    assert.equal(seen[0].headers['x-api-token'], TOKEN);
    assert.ok(!seen[0].url.includes('api_token'));
  });

  test('an email that is not an email is a ValidationError and sends nothing', async () => {
    const before = server.requests.length;
    const sync = await createPipedriveSync(config(server.url));
    for (const bad of ['not-an-email', '', 'a@b', 42]) {
      await assert.rejects(sync.users.findUserByEmail(bad as string), (error: unknown) => {
        assert.ok(error instanceof ValidationError, String(error));
        assert.equal(error.details.field, 'email');
        return true;
      });
    }
    assert.equal(server.requests.length, before);
  });

  const failures: Array<[string, ReturnType<typeof answer>, Function, RegExp]> = [
    ['a 401', [401, { success: false, error: 'unauthorized access', errorCode: 401, error_info: 'Please check developers.pipedrive.com' }], AuthError, /unauthorized access/],
    ['a 500', [500, { success: false, error: 'Internal server error' }], UnavailableError, /500/],
    ['a non-JSON body', 'html', UnavailableError, /not a JSON object/],
    ['a JSON body that is not an envelope', [200, ['not', 'an', 'object']], UnavailableError, /not a JSON object/],
  ];
  for (const [name, planned, type, message] of failures) {
    test(`${name} is a typed error without the token`, async () => {
      answer = () => planned;
      // A refused token is paused for the whole process, so the 401 case gets a token of its own; fast retries
      // keep the 5xx case short (the retry policy has its own tests).
      const sync = await createPipedriveSync({
        ...config(server.url),
        pipedrive: { apiToken: `${TOKEN}-${name.replace(/\W/g, '')}`, baseUrl: server.url },
        options: { baseDelayMs: 5, maxDelayMs: 20 },
      });
      await assert.rejects(sync.users.findUserByEmail('ann@acme.test'), (error: unknown) => {
        assert.ok(error instanceof type, String(error));
        assert.match(String(error), message);
        assertNoToken(error);
        return true;
      });
    });
  }

  test('a timeout is an UnavailableError naming the time budget', async () => {
    answer = () => 'hang';
    const sync = await createPipedriveSync(config(server.url, { options: { requestTimeoutMs: 200 } }));
    await assert.rejects(sync.users.findUserByEmail('ann@acme.test'), (error: unknown) => {
      assert.ok(error instanceof UnavailableError, String(error));
      assert.match(String(error), /within 200 ms/);
      return true;
    });
  });

  test('setupUser links the CRM user and answers failures with codes', async () => {
    answer = () => [200, USERS_BODY];
    const store = memoryStore([
      { id: 'u-ann', email: 'Ann@Acme.test', name: 'Ann', pipedriveUserId: null },
      { id: 'u-ivan', email: 'ivan@acme.test', name: 'Ivan', pipedriveUserId: null },
    ]);
    const sync = await createPipedriveSync({ ...config(server.url), store });
    assert.deepEqual(await sync.users.setupUser('ann@acme.test'), { success: true, pipedriveUserId: 101 });
    assert.equal(store.users[0].pipedriveUserId, 101);
    const inactive = await sync.users.setupUser('ivan@acme.test');
    assert.equal(inactive.success, false);
    assert.equal(inactive.code, 'NOT_FOUND');
    assert.match(inactive.error ?? '', /^NOT_FOUND: no active Pipedrive user has the email ivan@acme\.test/);
    assert.equal(store.users[1].pipedriveUserId, null);
    assert.equal((await sync.users.setupUser('ghost@acme.test')).code, 'NOT_FOUND');
    assert.equal((await sync.users.setupUser('nope')).code, 'VALIDATION');
  });

  test('storeUserPipedriveId: a missing user is a NotFoundError, a bad id a ValidationError', async () => {
    const store = memoryStore([{ id: 'u1', email: 'a@acme.test', name: null, pipedriveUserId: null }]);
    const sync = await createPipedriveSync({ ...config(server.url), store });
    await sync.users.storeUserPipedriveId('u1', 104);
    assert.equal(store.users[0].pipedriveUserId, 104);
    await assert.rejects(sync.users.storeUserPipedriveId('u2', 104), NotFoundError);
    await assert.rejects(sync.users.storeUserPipedriveId('u1', -1), (error: unknown) => error instanceof ValidationError && error.details.field === 'pipedriveUserId');
  });

  test('a store failure is a StoreError whose cause is the original error', async () => {
    const store = memoryStore([{ id: 'u1', email: 'a@acme.test', name: null, pipedriveUserId: null }]);
    const original = new Error('SQLITE_BUSY: database is locked');
    store.failWith = original;
    const sync = await createPipedriveSync({ ...config(server.url), store });
    await assert.rejects(sync.users.storeUserPipedriveId('u1', 5), (error: unknown) => {
      assert.ok(error instanceof StoreError, String(error));
      assert.match(error.message, /setUserPipedriveId failed: SQLITE_BUSY/);
      assert.equal((error as Error).cause, original);
      return true;
    });
  });

  test('the logger receives events and never the token', async () => {
    answer = () => [200, USERS_BODY];
    const events: Array<[string, string, Record<string, unknown>]> = [];
    const store = memoryStore([{ id: 'u-ann', email: 'ann@acme.test', name: null, pipedriveUserId: null }]);
    const sync = await createPipedriveSync({ ...config(server.url), store, logger: (level, event, fields) => events.push([level, event, fields]) });
    await sync.users.setupUser('ann@acme.test');
    assert.ok(events.some(([, event]) => event === 'pipedrive.response'));
    assert.ok(events.some(([level, event, fields]) => level === 'info' && event === 'users.linked' && fields.pipedriveUserId === 101));
    assert.ok(!JSON.stringify(events).includes(TOKEN));
  });
});

describe('hosts', () => {
  test('a network failure is an UnavailableError with the cause in words', async () => {
    const closed = await startLocalServer(() => undefined);
    await closed.close();
    const sync = await createPipedriveSync(config(closed.url));
    await assert.rejects(sync.users.findUserByEmail('ann@acme.test'), (error: unknown) => {
      assert.ok(error instanceof UnavailableError, String(error));
      assert.match(String(error), /ECONNREFUSED/);
      assertNoToken(error);
      return true;
    });
  });

  test('a custom http host that throws is a failure, not a crash', async () => {
    const sync = await createPipedriveSync(config('https://pd.test', {
      http: async () => {
        throw new Error(`proxy refused ${TOKEN}`);
      },
    }));
    await assert.rejects(sync.users.findUserByEmail('ann@acme.test'), (error: unknown) => {
      assert.ok(error instanceof UnavailableError, String(error));
      assert.match(String(error), /proxy refused <redacted>/);
      return true;
    });
  });

  test('a redirect is never followed: the token stays with Pipedrive, and the error names the status', async () => {
    const elsewhere = await startLocalServer((_, response) => sendJson(response, 200, USERS_BODY));
    const redirecting = await startLocalServer((_, response) => {
      response.writeHead(301, { location: `${elsewhere.url}/v1/users` });
      response.end();
    });
    try {
      const sync = await createPipedriveSync(config(redirecting.url));
      await assert.rejects(sync.users.findUserByEmail('ann@acme.test'), (error: unknown) => {
        assert.match(String(error), /redirect \(301 to http:\/\/127\.0\.0\.1:\d+\)/);
        assertNoToken(error);
        return true;
      });
      assert.equal(redirecting.requests.length, 1, 'not retried');
      assert.equal(elsewhere.requests.length, 0, 'the other host never saw the token');
    } finally {
      await Promise.all([elsewhere.close(), redirecting.close()]);
    }
  });

  test('a token from apiTokenFor is scrubbed like the company token', async () => {
    const userToken = 'user-token-5e9b1d7a';
    const logs: string[] = [];
    const store = memoryStore([{ id: 'u1', email: 'ann@acme.test', name: null, pipedriveUserId: null }]);
    const sync = await createPipedriveSync({
      pipedrive: { apiTokenFor: async () => userToken, baseUrl: 'https://pd.test' },
      store,
      http: async () => {
        throw new Error(`proxy refused ${userToken}`);
      },
      logger: (level, event, fields) => logs.push(`${level} ${event} ${JSON.stringify(fields)}`),
    });
    const answer = await sync.users.setupUser('ann@acme.test').catch((error: unknown) => error);
    assert.ok(!JSON.stringify(answer).includes(userToken) && !String(answer).includes(userToken), String(answer));
    assert.match(`${String(answer)} ${JSON.stringify(answer)}`, /<redacted>/, 'the failure was reported, scrubbed');
    assert.ok(logs.length > 0 && logs.every((line) => !line.includes(userToken)), logs.join('\n'));
  });

  test('a custom http host that never answers is cut off by the engine at timeoutMs plus a grace second', async () => {
    const sync = await createPipedriveSync(config('https://pd.test', {
      http: () => new Promise(() => undefined),
      options: { requestTimeoutMs: 1000, maxRetries: 0 },
    }));
    const started = Date.now();
    await assert.rejects(sync.users.findUserByEmail('ann@acme.test'), (error: unknown) => {
      assert.ok(error instanceof UnavailableError, String(error));
      assert.match(String(error), /did not answer GET \/v1\/users within 1000 ms/);
      return true;
    });
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 1900 && elapsed < 10_000, `freed after the grace second, not hung (${elapsed} ms)`);
  });

  test('NaN or Infinity as a warmness score is refused with VALIDATION naming the field, nothing stored', async () => {
    const store = memoryStore();
    const sync = await createPipedriveSync({ pipedrive: { apiToken: TOKEN, baseUrl: 'https://pd.test' }, store });
    for (const warmnessScore of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      await assert.rejects(sync.warmLeads.checkAndCreateWarmLead({ contactId: 'c1', userId: 'u1', warmnessScore }), (error: unknown) => {
        assert.ok(error instanceof ValidationError, String(error));
        assert.equal((error as ValidationError).details.field, 'warmnessScore');
        return true;
      });
    }
    assert.equal(store.jobs.length, 0);
  });

  test('the fetch host classifies failures instead of rejecting', async () => {
    const http = createFetchHttp();
    const answer = await http({ method: 'GET', url: 'http://127.0.0.1:1/v1/users', headers: {}, timeoutMs: 1000 });
    assert.equal('kind' in answer && answer.kind, 'network');
  });
});

describe('panics', () => {
  function handle(store = memoryStore(), http = createFetchHttp()) {
    const registry = new JsErrorRegistry();
    const host = bindHost({ http, store, now: Date.now, sleep: (ms) => new Promise((r) => setTimeout(r, ms)), random: Math.random, logger: () => undefined, secrets: [] }, registry);
    return new EngineHandle({ pipedrive: { apiToken: TOKEN, baseUrl: 'https://pd.test', perUserTokens: false } }, host, registry);
  }

  test('a panic inside an async flow rejects with its message and the engine is re-created', async () => {
    const store = memoryStore([{ id: 'u1', email: 'a@acme.test', name: null, pipedriveUserId: null }]);
    const engine = handle(store);
    await assert.rejects(engine.run((wasm) => wasm.debugPanic('invariant broken: test panic')), (error: unknown) => {
      assert.ok(error instanceof InternalError, String(error));
      assert.match(error.message, /panicked .*invariant broken: test panic/);
      assert.match(error.message, /re-created/);
      return true;
    });
    await engine.run((wasm) => wasm.storeUserPipedriveId('u1', 9));
    assert.equal(store.users[0].pipedriveUserId, 9, 'the re-created engine works');
  });

  test('operations in flight when the engine panics are rejected, not left hanging', async () => {
    let release: () => void = () => undefined;
    const slowHttp = () => new Promise<never>((_, reject) => { release = () => reject(new Error('released')); });
    const engine = handle(memoryStore(), slowHttp);
    const inFlight = engine.run((wasm) => wasm.findUserByEmail('ann@acme.test'));
    await assert.rejects(engine.run((wasm) => wasm.debugPanic('second panic')), InternalError);
    await assert.rejects(inFlight, (error: unknown) => error instanceof InternalError && /abandoned/.test(error.message));
    release();
  });
});
