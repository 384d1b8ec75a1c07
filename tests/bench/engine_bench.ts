/**
 * @module tests/bench/engine_bench
 * Benchmark (prints figures; not a test): the engine's footprint (DESIGN §9: the gzipped `.wasm` under 250 KB,
 * creating an engine under 20 ms). Run after a build: `node --import tsx tests/bench/engine_bench.ts`.
 */

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

import { createMemoryStore, createPipedriveSync } from '../../js/index';

async function main(): Promise<void> {
  const wasm = readFileSync(path.resolve(__dirname, '..', '..', 'pkg', 'pipedrive_sync_bg.wasm'));
  const gzipped = gzipSync(wasm, { level: 9 }).length;
  const config = { pipedrive: { apiToken: 'bench-token', baseUrl: 'http://127.0.0.1:9' }, store: createMemoryStore() };
  const firstStart = performance.now();
  await createPipedriveSync(config); // includes loading and compiling the module once
  const first = performance.now() - firstStart;
  const runs = 200;
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await createPipedriveSync(config);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(runs / 2)];
  const p95 = times[Math.floor(runs * 0.95)];
  const rows: Array<[string, string, string]> = [
    ['wasm, raw', `${(wasm.length / 1024).toFixed(0)} KB`, ''],
    ['wasm, gzipped', `${(gzipped / 1024).toFixed(0)} KB`, gzipped < 250 * 1024 ? 'met (< 250 KB)' : 'MISSED (< 250 KB)'],
    ['first engine (module load + compile)', `${first.toFixed(1)} ms`, first < 20 ? 'met (< 20 ms)' : 'over 20 ms (one-off)'],
    [`engine creation, median of ${runs}`, `${median.toFixed(2)} ms`, median < 20 ? 'met (< 20 ms)' : 'MISSED (< 20 ms)'],
    [`engine creation, p95 of ${runs}`, `${p95.toFixed(2)} ms`, ''],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  for (const [name, value, target] of rows) console.log(`${name.padEnd(width)}  ${value.padStart(9)}  ${target}`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
