/**
 * @module tests/e2e/package.test
 * The published shape: the `npm pack` tarball installed into an empty project, then used from there through
 * every entry point, from CommonJS and from an ES module, against a local HTTP server.
 */

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { sendJson, startLocalServer, USERS_BODY, type LocalServer } from '../facade/local_server';
import { packTarball, run, runAsync } from '../../js/scripts/package_tarball';

let project: string;
let server: LocalServer;

before(async () => {
  server = await startLocalServer((_request, response) => sendJson(response, 200, USERS_BODY));
  project = mkdtempSync(path.join(tmpdir(), 'pipedrive-sync-consumer-'));
  writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
  // The package has no runtime dependencies, so installing the tarball needs no registry.
  run('npm', ['install', '--offline', '--no-audit', '--no-fund', packTarball()], project);
});

after(() => server.close());

test('the tarball ships the engine, the typings and every entry point, and nothing of the sources', () => {
  const installed = path.join(project, 'node_modules', 'pipedrive-sync');
  for (const file of ['pkg/pipedrive_sync_bg.wasm', 'pkg/pipedrive_sync.js', 'dist/index.js', 'dist/index.d.ts', 'dist/prisma/index.js', 'dist/emulator/index.js', 'dist/cli/main.js', 'README.md']) {
    assert.ok(existsSync(path.join(installed, file)), `${file} is missing from the tarball`);
  }
  for (const file of ['src', 'tests', 'Cargo.toml', 'js']) {
    assert.ok(!existsSync(path.join(installed, file)), `${file} should not be in the tarball`);
  }
  const manifest = JSON.parse(readFileSync(path.join(installed, 'package.json'), 'utf8')) as { dependencies?: object };
  assert.equal(Object.keys(manifest.dependencies ?? {}).length, 0, 'no runtime dependencies');
});

test('CommonJS: createPipedriveSync finds a user through the wasm engine', async () => {
  const script = `
    const { createPipedriveSync, createMemoryStore, ConfigError } = require('pipedrive-sync');
    const store = createMemoryStore();
    (async () => {
      const sync = await createPipedriveSync({ pipedrive: { apiToken: 'consumer-token', baseUrl: process.env.PD_URL }, store });
      const user = await sync.users.findUserByEmail('ANN@acme.test');
      let configError = null;
      try { await createPipedriveSync({ pipedrive: {}, store }); } catch (e) { configError = { isConfigError: e instanceof ConfigError, field: e.details.field }; }
      console.log(JSON.stringify({ user, described: sync.describe().baseUrl, configError }));
    })().catch((e) => { console.error(e); process.exit(1); });
  `;
  writeFileSync(path.join(project, 'check.cjs'), script);
  const output = JSON.parse(await runAsync('node', ['check.cjs'], project, { PD_URL: server.url }));
  assert.equal(output.user.id, 101);
  assert.equal(output.described, server.url);
  assert.deepEqual(output.configError, { isConfigError: true, field: 'pipedrive.apiToken' });
});

test('ES module: named imports of every entry point resolve', () => {
  const script = `
    import { createPipedriveSync } from 'pipedrive-sync';
    import { createPrismaStore } from 'pipedrive-sync/prisma';
    import { startPipedriveEmulator } from 'pipedrive-sync/emulator';
    console.log(JSON.stringify([typeof createPipedriveSync, typeof createPrismaStore, typeof startPipedriveEmulator]));
  `;
  writeFileSync(path.join(project, 'check.mjs'), script);
  assert.deepEqual(JSON.parse(run('node', ['check.mjs'], project)), ['function', 'function', 'function']);
});

test('TypeScript consumers get the declarations', () => {
  const typings = readFileSync(path.join(project, 'node_modules', 'pipedrive-sync', 'dist', 'index.d.ts'), 'utf8');
  assert.match(typings, /createPipedriveSync\(config: PipedriveSyncConfig\): Promise<PipedriveSync>/);
});
