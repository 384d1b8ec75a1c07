/**
 * @module tests/repo/self_contained.test
 * The repository needs nothing outside itself: no file under `src/`, `js/`, `tests/`, `examples/` or `.ci/` (nor
 * `package.json`) refers to a path above the repository's root, and the copies of Pipedrive's OpenAPI files in
 * `tests/fixtures/pipedrive/` are the ones its README names, byte for byte.
 */

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { outsideReferences } from './outside_paths';

const ROOT = path.resolve(__dirname, '..', '..');
const SCANNED = ['src', 'js', 'tests', 'examples', '.ci', 'package.json'];
/** Generated or installed folders, never the project's own text. */
const SKIPPED_DIRS = new Set(['node_modules', '.next', 'vendor', 'target', 'screenshots']);
const TEXT = /\.(ts|tsx|js|mjs|cjs|rs|sh|json|toml|prisma|md|css)$|^[^.]+$/;
/** The detector's own cases (this suite) quote what they look for. */
const SELF = new Set([__filename, path.join(__dirname, 'outside_paths.ts')]);

function files(entry: string): string[] {
  const full = path.join(ROOT, entry);
  if (statSync(full).isFile()) return [full];
  return readdirSync(full, { withFileTypes: true }).flatMap((d) => {
    if (d.isDirectory()) return SKIPPED_DIRS.has(d.name) ? [] : files(path.join(entry, d.name));
    return TEXT.test(d.name) ? [path.join(full, d.name)] : [];
  });
}

describe('the repository is self-contained', () => {
  test('no source, test, example or CI file refers to a path outside the repository', () => {
    const scanned = SCANNED.flatMap(files).filter((f) => !SELF.has(f) && statSync(f).size < 1_000_000);
    assert.ok(scanned.length > 100, `scanned ${scanned.length} files`);
    const found = scanned.flatMap((file) =>
      outsideReferences(ROOT, file, readFileSync(file, 'utf8')).map((r) => `${path.relative(ROOT, file)}:${r.line}: ${r.why}: ${r.text}`),
    );
    assert.deepEqual(found, [], `paths outside the repository (a user's clone has nothing beside it):\n${found.join('\n')}`);
  });

  test('the OpenAPI files are the unchanged copies the fixtures README names', () => {
    const dir = path.join(ROOT, 'tests', 'fixtures', 'pipedrive');
    const readme = readFileSync(path.join(dir, 'README.md'), 'utf8');
    for (const name of ['openapi-v1.yaml', 'openapi-v2.yaml']) {
      const listed = new RegExp('`' + name.replace('.', '\\.') + '`[^\\n]*`([0-9a-f]{64})`').exec(readme)?.[1];
      assert.ok(listed, `README.md lists the sha256 of ${name}`);
      assert.equal(createHash('sha256').update(readFileSync(path.join(dir, name))).digest('hex'), listed, name);
    }
  });
});

describe('what counts as a path outside the repository', () => {
  const root = '/repo';
  const check = (file: string, source: string) => outsideReferences(root, path.join(root, file), source).map((r) => r.why);

  test('the sibling shared/ folder, however it is spelled', () => {
    const namesShared = (whys: string[]) => whys.includes('names the shared/ folder beside the repository');
    // Spelled in pieces, so that greps for outside paths do not take these cases for the real thing.
    const [up, shared] = ["'..'", "'shared'"];
    assert.ok(namesShared(check('tests/a.test.ts', `readFileSync('${'..'}/shared/pipedrive/openapi-v2.yaml')`)));
    assert.ok(namesShared(check('tests/x/b.ts', `path.resolve(__dirname, ${up}, ${up}, ${up}, ${shared}, 'pipedrive')`)));
    assert.ok(namesShared(check('tests/x/b.ts', `path.resolve(repoRoot, ${up}, ${shared}, 'pipedrive')`)));
    assert.deepEqual(check('src/a.rs', '//! See `shared/pipedrive/API-FACTS.md`.'), ['names the shared/ folder beside the repository']);
  });

  test('climbing above the root from the file (imports, includes) or from the working directory (other strings)', () => {
    assert.deepEqual(check('tests/x/b.ts', "import { a } from '../../../elsewhere/a';"), ["'../../../elsewhere/a' climbs above the repository's root"]);
    assert.equal(check('src/a.rs', 'const A: &str = include_str!("../../outside.txt");').length, 1);
    assert.equal(check('js/scripts/a.sh', 'cat "../notes.txt"').length, 1);
    assert.equal(check('tests/x/b.ts', `const f = path.resolve(__dirname, ${"'..', ".repeat(2)}'..');`).length, 1);
    assert.deepEqual(check('tests/x/b.ts', "path.resolve(repoRoot, '..', 'other')"), ["'..' after the repository's root"]);
  });

  test('paths inside the repository pass', () => {
    assert.deepEqual(check('tests/x/b.ts', "import { a } from '../../js/index';"), []);
    assert.deepEqual(check('js/engine/a.ts', "require.resolve('../../pkg/pipedrive_sync.js')"), []);
    assert.deepEqual(check('tests/x/b.ts', "const ROOT = path.resolve(__dirname, '..', '..');"), []);
    assert.deepEqual(check('src/a/b.rs', 'const A: &str = include_str!("../fixtures/a.json");'), []);
    assert.deepEqual(check('js/scripts/a.sh', 'cd "$(dirname "$0")/../.."'), []);
    assert.deepEqual(check('tests/x/b.ts', "path.join(ROOT, 'tests', 'fixtures', 'pipedrive')"), []);
    assert.deepEqual(check('tests/tsconfig.json', '"extends": "../tsconfig.json",'), []);
  });
});
