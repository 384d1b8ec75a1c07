/**
 * @module tests/repo/layout.test
 * The tree shows the architecture and keeps it (DESIGN §2): no import circle among the Rust files or the
 * TypeScript files (nor between TypeScript folders), dependencies in `src/` pointing one way (`wasm/` →
 * `services/` → `outbox/` → `pipedrive/` and `store/` → the crate-wide leaves), `engine.rs` importing no file
 * that holds `impl Engine`, an `@module` doc header on every TypeScript module, and at most 8 files at the root of
 * `src/`.
 */

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { circles, folderGraph, rustGraph, tsGraph } from './import_graph';

const ROOT = path.resolve(__dirname, '..', '..');

/** The layer of a Rust file: a file may import its own layer or lower ones only. */
function layer(file: string): number {
  const top = file.split('/')[1];
  if (top === 'wasm') return 4;
  if (top === 'services') return 3;
  if (top === 'outbox') return 2;
  if (top === 'pipedrive' || top === 'store') return 1;
  return 0;
}

describe('the layout of src/ and js/', () => {
  const rust = rustGraph(ROOT);

  test('no import circle among the Rust files', () => {
    assert.deepEqual(circles(rust), []);
  });

  test('no import circle among the TypeScript files of js/, nor between its folders', () => {
    const ts = tsGraph(ROOT, 'js');
    assert.ok(ts.size > 50, `read ${ts.size} files`);
    assert.deepEqual(circles(ts), []);
    // The package root holds both the entry (index.ts) and crate-wide leaves (errors, types, config), as src/
    // does: between folders, the root is left out, and file-level circles through it are caught above.
    const folders = folderGraph(ts);
    folders.delete('js');
    for (const edges of folders.values()) edges.delete('js');
    assert.deepEqual(circles(folders), []);
  });

  test('Rust dependencies point one way: wasm → services → outbox → pipedrive, store → leaves', () => {
    // engine.rs holds the state of the layer below the flows (request builder, rate limits, caches of Pipedrive
    // types), so it may name pipedrive/ and store/ types; the next test keeps it clear of `impl Engine` files.
    const allowed = (file: string) => (file === 'src/engine.rs' ? 1 : layer(file));
    const upward = [...rust].flatMap(([file, edges]) =>
      [...edges].filter((target) => layer(target) > allowed(file)).map((target) => `${file} → ${target}`),
    );
    assert.deepEqual(upward, []);
  });

  test('engine.rs imports no file that holds impl Engine', () => {
    const holdsImpl = (file: string) => /impl<H: Host> Engine<H>/.test(readFileSync(path.join(ROOT, file), 'utf8'));
    const edges = [...(rust.get('src/engine.rs') ?? [])].filter(holdsImpl);
    assert.deepEqual(edges, []);
  });

  test('every TypeScript module of js/ opens with a /** @module */ header', () => {
    const header = /^(#!.*\n)?\/\*\*\n \* @module \S+\n/;
    const missing = [...tsGraph(ROOT, 'js').keys()].filter((file) => !header.test(readFileSync(path.join(ROOT, file), 'utf8')));
    assert.deepEqual(missing, []);
  });

  test('the root of src/ keeps at most 8 files', () => {
    const files = readdirSync(path.join(ROOT, 'src')).filter((name) => name.endsWith('.rs'));
    assert.ok(files.length <= 8, `src/ has ${files.length} files at its root: ${files.join(', ')}`);
  });
});
