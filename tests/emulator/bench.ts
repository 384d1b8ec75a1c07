/**
 * @module tests/emulator/bench
 * Benchmark (not a test): requests per second the emulator sustains on this machine. The emulator runs in a child
 * process so the load generator does not share its event loop. Run: `node --import tsx tests/emulator/bench.ts`
 * (optional: `--seconds 5 --concurrency 32`).
 */

import { fork } from 'node:child_process';
import { Agent, request } from 'node:http';
import { startPipedriveEmulator } from '../../js/emulator';

interface Ready {
  url: string;
  apiToken: string;
}

async function serve(): Promise<void> {
  const emu = await startPipedriveEmulator({
    plan: 'ultimate', burstLimit: 1e12, searchLimit: 1e12, dailyBudget: 1e15, journalLimit: 10_000,
    seed: { organizations: [{ id: 1, name: 'Bench Org' }], persons: [{ id: 1, name: 'Bench Person', org_id: 1, emails: [{ value: 'bench@example.com', primary: true, label: 'work' }] }] },
  });
  process.send!({ url: emu.url, apiToken: emu.apiToken } satisfies Ready);
  process.on('disconnect', () => void emu.close().then(() => process.exit(0)));
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

async function load(ready: Ready, label: string, method: string, path: string, body: string | undefined, seconds: number, concurrency: number): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const url = new URL(ready.url);
  const headers: Record<string, string> = { 'x-api-token': ready.apiToken };
  if (body) headers['content-type'] = 'application/json';
  const one = (): Promise<number> =>
    new Promise((resolve, reject) => {
      const req = request({ host: url.hostname, port: url.port, path, method, headers, agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end(body);
    });
  const deadline = performance.now() + seconds * 1000;
  let ok = 0;
  let failed = 0;
  const latencies: number[] = [];
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      const status = await one();
      latencies.push(performance.now() - t0);
      if (status >= 200 && status < 300) ok++;
      else failed++;
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - start) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const p = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))].toFixed(2);
  console.log(
    `${label.padEnd(34)} ${(ok / elapsed).toFixed(0).padStart(7)} req/s  (${ok} ok, ${failed} non-2xx in ${elapsed.toFixed(1)} s; p50 ${p(0.5)} ms, p99 ${p(0.99)} ms)`,
  );
}

async function main(): Promise<void> {
  if (process.argv.includes('--serve')) return serve();
  const seconds = arg('seconds', 5);
  const concurrency = arg('concurrency', 32);
  const child = fork(__filename, ['--serve'], { execArgv: process.execArgv });
  const ready = await new Promise<Ready>((resolve) => child.once('message', (m) => resolve(m as Ready)));
  console.log(`Pipedrive emulator benchmark: ${seconds} s per scenario, ${concurrency} concurrent keep-alive connections, emulator in a child process`);
  await load(ready, 'GET /api/v2/persons/1', 'GET', '/api/v2/persons/1', undefined, seconds, concurrency);
  await load(ready, 'GET /v1/users/me', 'GET', '/v1/users/me', undefined, seconds, concurrency);
  await load(ready, 'PATCH /api/v2/persons/1', 'PATCH', '/api/v2/persons/1', JSON.stringify({ name: 'Bench Renamed' }), seconds, concurrency);
  await load(ready, 'POST /api/v2/activities', 'POST', '/api/v2/activities', JSON.stringify({ subject: 'Bench', type: 'call', due_date: '2026-03-10', participants: [{ person_id: 1, primary: true }] }), seconds, concurrency);
  console.log('Target: at least 2,000 simple requests per second.');
  child.disconnect();
}

void main();
