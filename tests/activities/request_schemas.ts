/**
 * @module tests/activities/request_schemas
 * Checks the requests the engine sent (the emulator's journal) against the official OpenAPI v2 request schemas,
 * with the errata of API-FACTS.md: persons need `name` (not `title`), email/phone labels are strings, and
 * activities take no `person_id` (participants instead). Objects are closed, so an invented field fails.
 */

import assert from 'node:assert/strict';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';

import type { JournalEntry } from '../../js/emulator/index';
import { convert, openapi, operation } from '../emulator/openapi_schemas';

type Json = Record<string, unknown>;

const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);

/** The OpenAPI template of a v2 path: `/api/v2/persons/12` → `/persons/{id}`. */
function template(path: string): string {
  return path.replace(/^\/api\/v2/, '').replace(/\/\d+$/, '/{id}');
}

function requestSchema(method: string, path: string): Json {
  const op = operation('v2', method, template(path));
  const raw = (((op.requestBody as Json).content as Json)['application/json'] as Json).schema;
  const schema = convert(openapi('v2'), raw);
  const properties = (schema.properties ?? {}) as Json;
  if (template(path) === '/persons' && method === 'POST') schema.required = ['name'];
  for (const list of ['emails', 'phones']) {
    const item = ((properties[list] as Json | undefined)?.items as Json | undefined)?.properties as Json | undefined;
    if (item?.label) item.label = { type: ['string', 'null'] };
  }
  if (template(path).startsWith('/activities')) delete properties.person_id;
  return schema;
}

/** Asserts that every POST and PATCH the engine sent to API v2 conforms to its documented request schema. */
export function assertValidV2Requests(entries: readonly JournalEntry[]): void {
  const writes = entries.filter((entry) => (entry.method === 'POST' || entry.method === 'PATCH') && entry.path.startsWith('/api/v2/'));
  for (const entry of writes) {
    const validate = ajv.compile(requestSchema(entry.method, entry.path));
    const valid = validate(entry.body);
    assert.ok(valid, `${entry.method} ${entry.path} ${JSON.stringify(entry.body)}: ${ajv.errorsText(validate.errors)}`);
  }
}
