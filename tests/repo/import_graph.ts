/**
 * @module tests/repo/import_graph
 * The file-level import graphs of the Rust core (`use crate::…`, `super::…` and child-module paths, test modules
 * and comments left out) and of the TypeScript package (relative `import`/`export … from`, `import()` and
 * `require()`, type-only imports included), and their strongly connected components: an import circle is a
 * component of more than one file. Used by `layout.test.ts`.
 */

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/** File (relative to the root given) → the files it imports. */
export type Graph = Map<string, Set<string>>;

function walk(dir: string, ext: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const full = path.join(dir, d.name);
    if (d.isDirectory()) return d.name === 'node_modules' ? [] : walk(full, ext);
    return d.name.endsWith(ext) ? [full] : [];
  });
}

/** The module path of a Rust file: `src/a/b.rs` and `src/a/b/mod.rs` → `['a', 'b']`, `src/lib.rs` → `[]`. */
function rustModule(src: string, file: string): string[] {
  const parts = path.relative(src, file).replace(/\.rs$/, '').split(path.sep);
  const last = parts[parts.length - 1];
  if (last === 'mod' || (parts.length === 1 && last === 'lib')) parts.pop();
  return parts;
}

/** The file that holds the longest prefix of `segments` that is a module. */
function rustFile(src: string, segments: string[]): string | undefined {
  for (let n = segments.length; n >= 0; n--) {
    const base = path.join(src, ...segments.slice(0, n));
    if (n === 0) return path.join(src, 'lib.rs');
    if (existsSync(base + '.rs')) return base + '.rs';
    if (existsSync(path.join(base, 'mod.rs'))) return path.join(base, 'mod.rs');
  }
  return undefined;
}

/** The code of a Rust file without comments and without its `#[cfg(test)] mod tests` block. */
function rustCode(text: string): string {
  const tests = text.search(/#\[cfg\(test\)\]\s*mod tests\b/);
  const code = tests >= 0 ? text.slice(0, tests) : text;
  return code.split('\n').filter((line) => !line.trim().startsWith('//')).join('\n');
}

/** The import graph of the Rust files under `src` (paths relative to `root`). */
export function rustGraph(root: string): Graph {
  const src = path.join(root, 'src');
  const graph: Graph = new Map();
  for (const file of walk(src, '.rs')) {
    const code = rustCode(readFileSync(file, 'utf8'));
    const here = rustModule(src, file);
    const children = new Set([...code.matchAll(/^\s*(?:pub(?:\([a-z]+\))?\s+)?mod\s+([a-z_0-9]+)\s*;/gm)].map((m) => m[1]));
    const edges = new Set<string>();
    const add = (segments: string[]) => {
      const target = rustFile(src, segments);
      if (target && target !== file) edges.add(path.relative(root, target));
    };
    // `use` groups (`use crate::a::{b, c::d}`) name several paths; expand one level of braces.
    for (const m of code.matchAll(/\buse\s+([^;]+);/g)) {
      const flat = m[1].replace(/\s+/g, '');
      const brace = /^(.*?)::\{(.*)\}$/.exec(flat);
      const paths = brace ? splitTop(brace[2]).map((p) => `${brace[1]}::${p}`) : [flat];
      for (const p of paths) resolveRust(p.split('::'), here, children, add);
    }
    for (const m of code.matchAll(/\b((?:crate|super)(?:::[A-Za-z_0-9]+)+)/g)) resolveRust(m[1].split('::'), here, children, add);
    graph.set(path.relative(root, file), edges);
  }
  return graph;
}

function splitTop(list: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of list) {
    if (ch === '{') depth++;
    if (ch === '}') depth--;
    if (ch === ',' && depth === 0) {
      out.push(current);
      current = '';
    } else current += ch;
  }
  if (current) out.push(current);
  return out.map((p) => p.replace(/^(.*?)::\{.*\}$/, '$1'));
}

function resolveRust(segments: string[], here: string[], children: Set<string>, add: (s: string[]) => void): void {
  const [head, ...rest] = segments;
  if (head === 'crate') add(rest);
  else if (head === 'super') {
    let base = here.slice(0, -1);
    let tail = rest;
    while (tail[0] === 'super') {
      base = base.slice(0, -1);
      tail = tail.slice(1);
    }
    add([...base, ...tail]);
  } else if (head === 'self') add([...here, ...rest]);
  else if (children.has(head)) add([...here, ...segments]);
}

const TS_IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)['"](\.{1,2}\/[^'"]*)['"]/gm;

function tsFile(from: string, spec: string): string | undefined {
  const base = path.resolve(path.dirname(from), spec);
  for (const candidate of [base, base + '.ts', path.join(base, 'index.ts')]) {
    if (existsSync(candidate) && statSync(candidate).isFile() && candidate.endsWith('.ts')) return candidate;
  }
  return undefined;
}

/** The import graph of the TypeScript files under `dir` (paths relative to `root`). */
export function tsGraph(root: string, dir: string): Graph {
  const graph: Graph = new Map();
  for (const file of walk(path.join(root, dir), '.ts')) {
    const edges = new Set<string>();
    for (const m of readFileSync(file, 'utf8').matchAll(TS_IMPORT)) {
      const target = tsFile(file, m[1]);
      if (target && target !== file) edges.add(path.relative(root, target));
    }
    graph.set(path.relative(root, file), edges);
  }
  return graph;
}

/** The import circles of a graph: its strongly connected components of more than one file (Tarjan). */
export function circles(graph: Graph): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return found;
}

/** The graph between folders: a file's edges become its folder's edges to other folders. */
export function folderGraph(graph: Graph): Graph {
  const folders: Graph = new Map();
  for (const [file, edges] of graph) {
    const from = path.dirname(file);
    const set = folders.get(from) ?? new Set<string>();
    for (const target of edges) if (path.dirname(target) !== from) set.add(path.dirname(target));
    folders.set(from, set);
  }
  return folders;
}
