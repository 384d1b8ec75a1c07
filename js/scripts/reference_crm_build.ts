/**
 * @module scripts/reference_crm_build
 * The reference CRM (examples/next-crm) built for the end-to-end suites, once per content: the package's `npm pack`
 * tarball installed into it (again only when the tarball changed), its Prisma clients generated from the shipped
 * schema, and `next build`, skipped when neither the tarball nor the app's sources changed since the last build.
 * Also starts `next start` of that build on a free port.
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';

import { packTarball, ROOT, run } from './package_tarball';

/** The app's folder. */
export const APP = path.join(ROOT, 'examples', 'next-crm');
/** What is not the app's source: installed, generated or built. */
const NOT_SOURCE = new Set(['node_modules', '.next', 'vendor', 'generated', 'next-env.d.ts', 'tsconfig.tsbuildinfo']);

/** The sha256 of the app's sources (paths and contents) and `extra`. */
function sourceHash(extra: string): string {
  const hash = createHash('sha256').update(extra);
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      if (NOT_SOURCE.has(name) || name.endsWith('.db') || name.endsWith('.db-journal')) continue;
      const file = path.join(dir, name);
      if (statSync(file).isDirectory()) walk(file);
      else hash.update(path.relative(APP, file)).update(readFileSync(file));
    }
  };
  walk(APP);
  return hash.digest('hex');
}

/** Reads a stamp file, or ''. */
function stamp(file: string): string {
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}

/**
 * Installs the current tarball into the app and builds it, each step only when its inputs changed; `progress`
 * hears each step that runs (the launcher prints them, the tests stay quiet).
 */
export function buildReferenceCrm(progress: (step: string) => void = () => {}): void {
  progress('packing pipedrive-sync (npm pack)');
  const tarball = readFileSync(packTarball());
  const tarballHash = createHash('sha256').update(tarball).update(readFileSync(path.join(APP, 'package.json'))).digest('hex');
  const installStamp = path.join(APP, 'node_modules', '.e2e-installed-from');
  if (stamp(installStamp) !== tarballHash) {
    progress('installing the tarball and the app\'s packages into examples/next-crm (npm install)');
    mkdirSync(path.join(APP, 'vendor'), { recursive: true });
    copyFileSync(packTarball(), path.join(APP, 'vendor', 'pipedrive-sync.tgz'));
    // A fresh tarball must replace the installed copy: npm keys file: dependencies by path, not content.
    rmSync(path.join(APP, 'node_modules', 'pipedrive-sync'), { recursive: true, force: true });
    run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], APP);
    writeFileSync(installStamp, tarballHash);
  }
  run('bash', ['scripts/prisma_generate.sh'], APP);
  const buildHash = sourceHash(tarballHash);
  const buildStamp = path.join(APP, '.next', '.e2e-built-from');
  if (stamp(buildStamp) !== buildHash || !existsSync(path.join(APP, '.next', 'BUILD_ID'))) {
    progress('building the app (next build, about a minute)');
    run('npx', ['next', 'build'], APP, { NEXT_TELEMETRY_DISABLED: '1' });
    writeFileSync(buildStamp, buildHash);
  }
}

/** A free loopback port. */
export function freePort(): Promise<number> {
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

/** A running `next start` of the built app. */
export interface RunningCrm {
  url: string;
  /** Everything the server printed so far. */
  output(): string;
  /** Stops the server (its whole process group). */
  stop(): void;
}

/**
 * Starts `next start` with `env` on `port` (default a free one) and waits until `probePath` answers. The app hears
 * its own URL as `CRM_PUBLIC_URL` (for the webhook subscription it registers).
 */
export async function startReferenceCrm(env: NodeJS.ProcessEnv, probePath = '/auth/signin', timeoutMs = 60_000, port?: number): Promise<RunningCrm> {
  port ??= await freePort();
  const url = `http://127.0.0.1:${port}`;
  let output = '';
  const child: ChildProcess = spawn('npx', ['next', 'start', '-p', String(port), '-H', '127.0.0.1'], {
    cwd: APP,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', CRM_PUBLIC_URL: url, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const stop = () => {
    if (!child.pid) return;
    try {
      process.kill(-child.pid, 'SIGTERM'); // the whole group: npx and the next server under it
    } catch {
      // already gone
    }
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await fetch(`${url}${probePath}`);
      return { url, output: () => output, stop };
    } catch {
      if (Date.now() > deadline || child.exitCode !== null) {
        stop();
        throw new Error(`next start did not answer within ${timeoutMs} ms; its output:\n${output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}
