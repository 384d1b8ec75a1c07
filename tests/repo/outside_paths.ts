/**
 * @module tests/repo/outside_paths
 * Finds the places in a source file that refer to a path outside the repository: a relative path that climbs above
 * the repository's root (resolved from the file's folder for imports, `include_str!` and config files, from the
 * root for other strings, which scripts and tests resolve against the working directory), `path.resolve(__dirname, '..', ...)`
 * calls with more `'..'` than the file is deep, a `'..'` after the root itself, and the sibling `shared/` folder
 * named in any form. Used by `self_contained.test.ts`.
 */

import path from 'node:path';

/** One reference to a path outside the repository. */
export interface OutsideReference {
  line: number;
  text: string;
  why: string;
}

/** Imports, Rust includes and every path in a config file (JSON, TOML) resolve from the file's folder; other
 * strings from the repository root. */
const CONFIG_FILE = /\.(json|toml)$/;
const FROM_FILE = /(?:\bfrom\s+|\bimport\s*\(\s*|\brequire(?:\.resolve)?\s*\(\s*|\binclude_(?:str|bytes)!\s*\(\s*|#\[path\s*=\s*)$/;
/** A quoted relative path that climbs: `'../x'`, `"../../y"` (a bare `'..'` segment is judged by the call it is in). */
const RELATIVE_STRING = /(['"`])(\.\.\/[^'"`\s]*)\1/g;
const DIRNAME_UPS = /__dirname\s*,\s*((?:['"]\.\.['"]\s*,?\s*)+)/g;
const ROOT_UP = /\b\w*[Rr]oot\w*\s*,\s*['"]\.\.['"]/;
const SIBLING = /\.\.\/shared\b|['"]\.\.['"]\s*,\s*['"]shared['"]|(?:^|[\s`'"(])shared\/(?:pipedrive|spec|hooks|DESIGN\.md|STYLE)/;

function escapes(root: string, from: string, relative: string): boolean {
  const target = path.resolve(from, relative);
  return target !== root && !target.startsWith(root + path.sep);
}

/** Every reference to a path outside `root` in `source`, the text of the file at `file` (absolute). */
export function outsideReferences(root: string, file: string, source: string): OutsideReference[] {
  const dir = path.dirname(file);
  const found: OutsideReference[] = [];
  source.split('\n').forEach((text, index) => {
    const add = (why: string) => found.push({ line: index + 1, text: text.trim(), why });
    if (SIBLING.test(text)) add('names the shared/ folder beside the repository');
    for (const m of text.matchAll(RELATIVE_STRING)) {
      const fromFile = CONFIG_FILE.test(file) || FROM_FILE.test(text.slice(0, m.index));
      if (escapes(root, fromFile ? dir : root, m[2])) add(`'${m[2]}' climbs above the repository's root`);
    }
    for (const m of text.matchAll(DIRNAME_UPS)) {
      const ups = (m[1].match(/\.\./g) ?? []).length;
      if (escapes(root, dir, Array(ups).fill('..').join('/'))) add(`${ups} '..' from ${path.relative(root, dir) || '.'} leave the repository`);
    }
    if (ROOT_UP.test(text)) add("'..' after the repository's root");
  });
  return found;
}
