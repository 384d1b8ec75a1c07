/**
 * @module tests/emulator/cli.test
 * The CLI: `pipedrive-sync emulator` prints its URL and token and serves until SIGTERM; unknown commands print the
 * usage on stderr and exit 2.
 */

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, test } from 'node:test';
import { parseEmulatorFlags } from '../../js/cli/emulator_command';

const main = path.resolve(__dirname, '..', '..', 'js', 'cli', 'main.ts');

function run(args: string[], onStdout?: (text: string, kill: () => void) => void): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', main, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PIPEDRIVE_EMULATOR_TOKEN: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
      onStdout?.(stdout, () => child.kill('SIGTERM'));
    });
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

describe('pipedrive-sync CLI', () => {
  test('unknown command: usage on stderr, exit code 2', async () => {
    const r = await run(['frobnicate']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /Unknown command 'frobnicate'/);
    assert.match(r.stderr, /emulator/);
  });

  test('emulator --port 0 --plan lite: prints URL and token, serves the API, stops on SIGTERM', { timeout: 20_000 }, async () => {
    let checked: Promise<void> | undefined;
    const r = await run(['emulator', '--port', '0', '--plan', 'lite', '--seats', '2'], (out, kill) => {
      const url = /PIPEDRIVE_BASE_URL=(\S+)/.exec(out)?.[1];
      const token = /PIPEDRIVE_API_TOKEN=(\S+)/.exec(out)?.[1];
      if (!url || !token || checked) return;
      checked = (async () => {
        const res = await fetch(`${url}/v1/users/me`, { headers: { 'x-api-token': token } });
        assert.equal(res.status, 200);
        assert.equal(res.headers.get('x-ratelimit-limit'), '20');
        assert.equal(res.headers.get('x-daily-ratelimit-token-limit'), '60000');
        assert.equal((await fetch(`${url}/__emulator/health`)).status, 200);
      })().finally(kill);
    });
    await checked;
    assert.match(r.stdout, /token source: generated/);
    assert.match(r.stdout, /Pipedrive emulator stopped/);
    assert.equal(r.code, 0);
  });

  test('flag parsing rejects bad values with a clear message', () => {
    assert.deepEqual(parseEmulatorFlags(['--port=4010', '--plan', 'Premium', '--seats', '3']), { port: 4010, plan: 'Premium', seats: 3, host: '127.0.0.1' });
    assert.throws(() => parseEmulatorFlags(['--plan', 'gold']), /Unknown plan 'gold'/);
    assert.throws(() => parseEmulatorFlags(['--port', 'abc']), /--port must be an integer/);
    assert.throws(() => parseEmulatorFlags(['--seats']), /--seats needs a value/);
    assert.throws(() => parseEmulatorFlags(['--verbose', '1']), /Unknown flag --verbose/);
  });
});
