/**
 * @module tests/cli/queue_commands.test
 * `pipedrive-sync drain` and `pipedrive-sync status`, the real CLI (`node --import tsx js/cli/main.ts ...`) against
 * the emulator with a Prisma SQLite database: the summary and progress, the exit codes (0 done, 3 dead, 4 stopped,
 * 1 failed),
 * the missing-config error, the config module found by flag, environment variable or default name, and the dead
 * jobs with their errors in `status`.
 */

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, beforeEach, describe, test } from 'node:test';

import { startPipedriveEmulator, type PipedriveEmulator } from '../../js/emulator/index';
import { createPrismaStore } from '../../js/prisma/index';
import type { SyncStore } from '../../js/store/types';
import { createTestDatabase, type TestDatabase } from '../prisma/databases';
import { enqueueRenames, idRange, newName, originalName, personPath, ROOT, seedPersons } from '../queue/helpers';

const MAIN = path.join(ROOT, 'js', 'cli', 'main.ts');
// An absolute loader URL: the CLI runs in temp directories where `--import tsx` would not resolve.
const TSX = pathToFileURL(path.join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in `cwd` and collects its output; killed after 30 s. */
function cli(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', TSX, MAIN, ...args], {
      cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PIPEDRIVE_SYNC_CONFIG: '', ...env },
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The value on a `label  value` line of a summary. */
function field(output: string, label: string): string | undefined {
  return new RegExp(`^\\s*${label}\\s{2,}(.+)$`, 'm').exec(output)?.[1].trim();
}

let emulator: PipedriveEmulator;
let db: TestDatabase;
let store: SyncStore;
let dir: string;
let nextId = 7_000;

/** A config module (TypeScript, run under tsx) whose default export is an async function returning the config. */
function writeTsConfig(file: string, dbUrl: string): string {
  const target = path.join(dir, file);
  writeFileSync(
    target,
    `import { createPrismaStore } from ${JSON.stringify(path.join(ROOT, 'js', 'prisma', 'index'))};\n` +
      `import { openPrismaClient } from ${JSON.stringify(path.join(ROOT, 'tests', 'queue', 'helpers'))};\n` +
      `const prisma = openPrismaClient({ name: 'sqlite', url: ${JSON.stringify(dbUrl)} });\n` +
      `export default async () => ({\n` +
      `  pipedrive: { apiToken: ${JSON.stringify(emulator.apiToken)}, baseUrl: ${JSON.stringify(emulator.url)} },\n` +
      `  store: createPrismaStore(prisma),\n` +
      `  options: { plan: 'growth', baseDelayMs: 5, maxDelayMs: 20 },\n` +
      `});\n`,
  );
  return target;
}

/** A CommonJS config module with a `config` export (the form a plain Node app would write). */
function writeCjsConfig(file: string, dbUrl: string): string {
  const target = path.join(dir, file);
  writeFileSync(
    target,
    `const { createPrismaStore } = require(${JSON.stringify(path.join(ROOT, 'js', 'prisma', 'index.ts'))});\n` +
      `const { openPrismaClient } = require(${JSON.stringify(path.join(ROOT, 'tests', 'queue', 'helpers.ts'))});\n` +
      `exports.config = {\n` +
      `  pipedrive: { apiToken: ${JSON.stringify(emulator.apiToken)}, baseUrl: ${JSON.stringify(emulator.url)} },\n` +
      `  store: createPrismaStore(openPrismaClient({ name: 'sqlite', url: ${JSON.stringify(dbUrl)} })),\n` +
      `  options: { plan: 'growth' },\n` +
      `};\n`,
  );
  return target;
}

before(async () => {
  emulator = await startPipedriveEmulator({ plan: 'growth' });
  db = await createTestDatabase('sqlite');
  store = createPrismaStore(db.prisma);
  dir = mkdtempSync(path.join(tmpdir(), 'pipedrive-sync-cli-'));
});
after(async () => {
  await db?.close();
  await emulator?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  emulator.faults.clear();
  // Each test starts from an empty outbox.
  await db.prisma.syncJob.deleteMany();
});

describe('pipedrive-sync drain', () => {
  test('drains the due jobs: progress on stderr, the summary on stdout, exit code 0', { timeout: 40_000 }, async () => {
    const ids = idRange(nextId, 5);
    nextId += 5;
    seedPersons(emulator, ids);
    await enqueueRenames(store, ids);
    const config = writeTsConfig('drain.config.ts', db.url);

    const r = await cli(['drain', '--config', config, '--concurrency', '2'], dir);

    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Drain summary$/m);
    assert.equal(field(r.stdout, 'processed'), '5');
    assert.equal(field(r.stdout, 'succeeded'), '5');
    assert.equal(field(r.stdout, 'dead'), '0');
    assert.equal(field(r.stdout, 'requests'), '5');
    assert.equal(field(r.stdout, '429s'), '0');
    assert.match(field(r.stdout, 'duration') ?? '', /^\d+\.\d s$/);
    assert.match(field(r.stdout, 'jobs/s') ?? '', /^\d+\.\d$/);
    assert.equal(field(r.stdout, 'stopped'), undefined);
    // Not a terminal: plain lines, no redraw codes; the last one is the final state.
    assert.doesNotMatch(r.stderr, /\r|\x1b\[/);
    assert.match(r.stderr.trimEnd().split('\n').at(-1) ?? '', /^\[██████████\] 5\/5 jobs · 0 rescheduled · 0 dead · \d+\.\d jobs\/s$/);
    for (const id of ids) assert.equal(emulator.state.persons.get(id)?.name, newName(id));
  });

  test('--limit stops after that many jobs', { timeout: 40_000 }, async () => {
    const ids = idRange(nextId, 3);
    nextId += 3;
    seedPersons(emulator, ids);
    await enqueueRenames(store, ids);
    const r = await cli(['drain', '--config', writeTsConfig('limit.config.ts', db.url), '--limit', '2', '--concurrency', '1'], dir);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(field(r.stdout, 'processed'), '2');
    assert.match(r.stderr, /2\/2 jobs/);
    assert.equal((await store.queueStats(new Date().toISOString())).counts.PENDING, 1);
  });

  test('jobs gone dead: exit code 3, said so; `status` lists them with their errors', { timeout: 40_000 }, async () => {
    const [ok, bad] = idRange(nextId, 2);
    nextId += 2;
    seedPersons(emulator, [ok, bad]);
    await enqueueRenames(store, [ok, bad]);
    emulator.faults.failNext({ method: 'PATCH', path: personPath(bad), status: 400 });
    const config = writeTsConfig('dead.config.ts', db.url);

    const r = await cli(['drain', '--config', config], dir);

    assert.equal(r.code, 3, r.stderr);
    assert.equal(field(r.stdout, 'succeeded'), '1');
    assert.equal(field(r.stdout, 'dead'), '1');
    assert.match(r.stdout, /1 job went dead: `pipedrive-sync status` lists them with their errors/);
    assert.equal(emulator.state.persons.get(bad)?.name, originalName(bad));

    const status = await cli(['status', '--config', config], dir);
    assert.equal(status.code, 0, status.stderr);
    assert.equal(field(status.stdout, 'dead'), '1');
    assert.equal(field(status.stdout, 'done'), '1');
    assert.equal(field(status.stdout, 'pending'), '0');
    assert.equal(field(status.stdout, 'oldest pending'), 'none');
    const deadRow = status.stdout.split('\n').find((line) => line.includes(`person ${bad}`));
    assert.ok(deadRow, `a row for the dead job:\n${status.stdout}`);
    assert.match(deadRow, /update_record\s+person \d+\s+1\s+\d+ seconds? ago\s+VALIDATION: Pipedrive rejected the request \(400\)/);
    assert.match(status.stdout, /^\s*id\s+kind\s+record\s+attempts\s+died\s+last error$/m);

    const json = await cli(['status', '--config', config, '--json'], dir);
    assert.equal(json.code, 0, json.stderr);
    const stats = JSON.parse(json.stdout) as { counts: Record<string, number>; dead: Array<{ recordId: string; lastError: string }>; rateLimits: unknown };
    assert.deepEqual(stats.counts, { PENDING: 0, RUNNING: 0, DONE: 1, DEAD: 1 });
    assert.equal(stats.dead[0].recordId, String(bad));
    assert.match(stats.dead[0].lastError, /^VALIDATION: /);
    assert.ok(stats.rateLimits && typeof stats.rateLimits === 'object');
  });

  test('a refused token stops the drain: exit code 4, the reason said, the jobs still queued', { timeout: 40_000 }, async () => {
    const ids = idRange(nextId, 2);
    nextId += 2;
    seedPersons(emulator, ids);
    await enqueueRenames(store, ids);
    const config = writeTsConfig('refused.config.ts', db.url);
    writeFileSync(config, readFileSync(config, 'utf8').replace(JSON.stringify(emulator.apiToken), JSON.stringify('not-a-valid-token-0000')));

    const r = await cli(['drain', '--config', config], dir);

    assert.equal(r.code, 4, r.stderr);
    assert.match(field(r.stdout, 'stopped') ?? '', /^AUTH: /);
    const left = await db.prisma.syncJob.count({ where: { state: 'PENDING' } });
    assert.equal(left, 2, 'nothing is lost: both jobs wait for a valid token');
  });

  test('status: pending jobs with the oldest one\'s age in words', { timeout: 40_000 }, async () => {
    const ids = idRange(nextId, 2);
    nextId += 2;
    await enqueueRenames(store, ids);
    const r = await cli(['status', '--config', writeTsConfig('status.config.ts', db.url)], dir);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(field(r.stdout, 'pending'), '2');
    assert.equal(field(r.stdout, 'due now'), '2');
    assert.match(field(r.stdout, 'oldest pending') ?? '', /^created \d+ seconds? ago \(\d{4}-\d\d-\d\dT/);
    assert.match(r.stdout, /^Dead jobs: none$/m);
    assert.match(field(r.stdout, 'daily budget') ?? '', /not known yet/);
  });

  test('the store is down: exit code 1 with the error\'s code and message', { timeout: 40_000 }, async () => {
    // A database without the package's tables: every outbox call fails.
    const config = writeTsConfig('broken.config.ts', `file:${path.join(dir, 'unmigrated.db')}`);
    const r = await cli(['drain', '--config', config], dir);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /pipedrive-sync drain: the drain failed: STORE: .*queueStats failed: .*pipedrive_sync_jobs/);
    assert.equal(r.stdout, '');
  });

  test('no config module: a clear error saying what to create, with an example', { timeout: 40_000 }, async () => {
    const empty = mkdtempSync(path.join(dir, 'empty-'));
    const r = await cli(['drain'], empty);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`No config module: ${path.join(empty, 'pipedrive-sync.config.js').replace(/[/.]/g, '\\$&')} does not exist`));
    assert.match(r.stderr, /pass --config PATH or set \$PIPEDRIVE_SYNC_CONFIG/);
    assert.match(r.stderr, /Create pipedrive-sync\.config\.js, exporting the createPipedriveSync configuration, for example:/);
    assert.match(r.stderr, /store: createPrismaStore\(prisma\)/);
    const named = await cli(['status', '--config', 'nowhere.js'], empty);
    assert.equal(named.code, 1);
    assert.match(named.stderr, /No config module at .*nowhere\.js \(from --config\)/);
  });

  test('the config module from $PIPEDRIVE_SYNC_CONFIG (CommonJS, `config` export) and from ./pipedrive-sync.config.js', { timeout: 40_000 }, async () => {
    const ids = idRange(nextId, 2);
    nextId += 2;
    seedPersons(emulator, ids);
    await enqueueRenames(store, [ids[0]]);
    const fromEnv = await cli(['drain'], dir, { PIPEDRIVE_SYNC_CONFIG: writeCjsConfig('env.config.cjs', db.url) });
    assert.equal(fromEnv.code, 0, fromEnv.stderr);
    assert.equal(field(fromEnv.stdout, 'succeeded'), '1');

    await enqueueRenames(store, [ids[1]]);
    const app = mkdtempSync(path.join(dir, 'app-'));
    writeFileSync(path.join(app, 'pipedrive-sync.config.js'), `module.exports = require(${JSON.stringify(writeCjsConfig('default.config.cjs', db.url))}).config;\n`);
    const byDefault = await cli(['drain'], app);
    assert.equal(byDefault.code, 0, byDefault.stderr);
    assert.equal(field(byDefault.stdout, 'succeeded'), '1');
    for (const id of ids) assert.equal(emulator.state.persons.get(id)?.name, newName(id));
  });

  test('bad flags: exit code 2 with the usage', async () => {
    const r = await cli(['drain', '--concurrency', '0'], dir);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--concurrency must be a whole number from 1 to 64, got '0'/);
    assert.match(r.stderr, /Usage: pipedrive-sync drain/);
    const help = await cli(['--help'], dir);
    assert.match(help.stdout, /drain\s+carry out the due outbox jobs/);
    assert.match(help.stdout, /status\s+show the outbox/);
  });
});
