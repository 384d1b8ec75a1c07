/**
 * @module tests/emulator/token_costs_table
 * The generator of `js/emulator/limits/token_costs.ts`: every operation's `x-token-cost` in the repository's copy
 * of the official OpenAPI files (`tests/fixtures/pipedrive/`), v2 then v1, in the files' order.
 * `token_costs.test.ts` checks the committed table against it; `node --import tsx tests/emulator/token_costs_table.ts
 * --write` rewrites the table after the fixtures are replaced by a newer snapshot.
 */

import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { openapi, repoRoot } from './openapi_schemas';

/** Where the generated table lives. */
export const TABLE_FILE = path.join(repoRoot, 'js', 'emulator', 'limits', 'token_costs.ts');

const HEADER = `/**
 * @module emulator/limits/token_costs
 * Token cost per endpoint, generated once from the \`x-token-cost\` values of the official OpenAPI files
 * (openapi-v2.yaml and openapi-v1.yaml, 2025-10 snapshot). Regenerate rather than hand-edit: the daily budget
 * accounting is only as faithful as this table.
 */

/**
 * Cost in API tokens of one call, keyed by \`METHOD /api/v2/path\` or \`METHOD /v1/path\` with OpenAPI path
 * templates (\`{id}\`). \`/api/v1/...\` requests use the \`/v1/...\` keys.
 */
export const TOKEN_COSTS: Readonly<Record<string, number>> = {
`;

const FOOTER = `};

/** Cost charged for a route missing from the table (the generic "get single" cost of the docs). */
export const DEFAULT_TOKEN_COST = 2;

/** Looks up the cost of a route key such as \`GET /api/v2/persons/{id}\`. */
export function tokenCost(routeKey: string): number {
  return TOKEN_COSTS[routeKey] ?? DEFAULT_TOKEN_COST;
}
`;

/** The text of `js/emulator/limits/token_costs.ts` as the OpenAPI files give it. */
export function generateTokenCostsModule(): string {
  const rows: string[] = [];
  for (const [version, prefix] of [['v2', '/api/v2'], ['v1', '/v1']] as const) {
    const paths = openapi(version).paths as Record<string, Record<string, unknown>>;
    for (const [template, operations] of Object.entries(paths)) {
      for (const [method, op] of Object.entries(operations)) {
        const cost = (op as Record<string, unknown> | null)?.['x-token-cost'];
        if (typeof cost === 'number') rows.push(`  '${method.toUpperCase()} ${prefix}${template}': ${cost},`);
      }
    }
  }
  return HEADER + rows.join('\n') + '\n' + FOOTER;
}

if (require.main === module) {
  if (process.argv.includes('--write')) {
    writeFileSync(TABLE_FILE, generateTokenCostsModule());
    console.log(`wrote ${path.relative(process.cwd(), TABLE_FILE)}`);
  } else {
    process.stdout.write(generateTokenCostsModule());
  }
}
