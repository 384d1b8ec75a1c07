/**
 * @module scripts/package_tarball
 * Builds the npm tarball of the package (`npm pack`) for the end-to-end tests, once per content: the suites
 * install it exactly as a user would.
 */

import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';

/** The repository root. */
export const ROOT = path.resolve(__dirname, '..', '..');
/** Scratch space for end-to-end tests (git-ignored). */
export const SCRATCH = path.join(ROOT, '.tmp');

let packed: string | null = null;

/** Packs the package (pkg/ and dist/ must be built) and returns the tarball's absolute path. */
export function packTarball(): string {
  if (packed) return packed;
  mkdirSync(SCRATCH, { recursive: true });
  const output = execFileSync('npm', ['pack', '--json', '--pack-destination', SCRATCH], { cwd: ROOT, encoding: 'utf8' });
  const [{ filename }] = JSON.parse(output) as Array<{ filename: string }>;
  packed = path.join(SCRATCH, path.basename(filename));
  return packed;
}

/** Runs a command and returns its stdout; its stderr goes to the test's output on failure. */
export function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): string {
  return execFileSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Like `run`, without blocking the event loop: for commands that talk to a server living in this process. */
export function runAsync(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, encoding: 'utf8', env: { ...process.env, ...env } }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(' ')} failed: ${error.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}
