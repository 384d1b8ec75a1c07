/**
 * @module tests/emulator/openapi_schemas
 * Validates emulator responses against the official OpenAPI files (tests/fixtures/pipedrive/openapi-v{1,2}.yaml):
 * loads them with `yaml`, resolves `$ref`s, merges `allOf` objects, applies the errata of API-FACTS.md (and the
 * few more listed below), and compiles response schemas with ajv. Objects are closed (`additionalProperties:
 * false`) so a field the emulator invents is caught, not just a missing or mistyped one.
 */

import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';

/** Repository root (tests/emulator/../..). */
export const repoRoot = path.resolve(__dirname, '..', '..');
/** Folder of the official OpenAPI files (the repository's copy, with its README naming where they came from). */
export const specDir = path.resolve(repoRoot, 'tests', 'fixtures', 'pipedrive');

type Json = Record<string, unknown>;
type ApiVersion = 'v1' | 'v2';

const docs = new Map<ApiVersion, Json>();

/** The parsed OpenAPI document of one API version (cached). */
export function openapi(version: ApiVersion): Json {
  let doc = docs.get(version);
  if (!doc) {
    doc = YAML.parse(readFileSync(path.join(specDir, `openapi-${version}.yaml`), 'utf8'), { maxAliasCount: -1 }) as Json;
    docs.set(version, doc);
  }
  return doc;
}

/** The operation object for a method and path template, e.g. `('v2', 'get', '/persons/{id}')`. */
export function operation(version: ApiVersion, method: string, template: string): Json {
  const paths = openapi(version).paths as Record<string, Record<string, Json>>;
  const op = paths[template]?.[method.toLowerCase()];
  if (!op) throw new Error(`No ${method} ${template} in openapi-${version}.yaml`);
  return op;
}

function deref(doc: Json, ref: string): unknown {
  let node: unknown = doc;
  for (const part of ref.slice(2).split('/')) node = (node as Json)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  return node;
}

const DROP = new Set(['example', 'examples', 'description', 'title', 'nullable', 'deprecated', 'externalDocs', 'xml', 'readOnly', 'writeOnly']);

function isObjectLike(s: Json): boolean {
  const t = s.type;
  return t === 'object' || (Array.isArray(t) && t.includes('object')) || (t === undefined && s.properties !== undefined);
}

function isEmpty(s: Json): boolean {
  return Object.keys(s).length === 0;
}

/**
 * Converts an OpenAPI 3.0 schema to JSON Schema with the errata applied: every type also admits `null`
 * (Pipedrive returns null for unset fields), objects with listed properties are closed, `allOf` objects are merged.
 */
export function convert(doc: Json, schema: unknown, depth = 0): Json {
  if (depth > 40 || schema === null || typeof schema !== 'object') return {};
  let s = schema as Json;
  if (typeof s.$ref === 'string') return convert(doc, deref(doc, s.$ref), depth + 1);
  if (Array.isArray(s.allOf)) {
    const parts = (s.allOf as unknown[]).map((p) => convert(doc, p, depth + 1)).filter((p) => !isEmpty(p));
    const rest = { ...s };
    delete rest.allOf;
    const own = convert(doc, rest, depth + 1);
    if (!isEmpty(own)) parts.push(own);
    if (parts.length > 0 && parts.every(isObjectLike)) return mergeObjects(parts);
    return parts.length === 1 ? parts[0] : { allOf: parts };
  }
  const out: Json = {};
  for (const [k, v] of Object.entries(s)) {
    if (DROP.has(k) || k.startsWith('x-')) continue;
    if (k === 'properties') {
      out.properties = Object.fromEntries(Object.entries(v as Json).map(([pk, pv]) => [pk, convert(doc, pv, depth + 1)]));
    } else if (k === 'items' || k === 'not') {
      out[k] = convert(doc, v, depth + 1);
    } else if (k === 'additionalProperties' && typeof v === 'object') {
      out[k] = convert(doc, v, depth + 1);
    } else if (k === 'oneOf' || k === 'anyOf') {
      out[k] = (v as unknown[]).map((x) => convert(doc, x, depth + 1)).concat([{ type: 'null' }]);
    } else {
      out[k] = v;
    }
  }
  s = out;
  if (typeof s.type === 'string') s.type = [s.type, 'null'];
  if (Array.isArray(s.enum)) s.enum = [...(s.enum as unknown[]), null];
  if (s.properties !== undefined) {
    if (s.type === undefined) s.type = ['object', 'null'];
    if (s.additionalProperties === undefined) s.additionalProperties = false;
  }
  return s;
}

function mergeObjects(parts: Json[]): Json {
  const properties: Json = {};
  const required = new Set<string>();
  let open = false;
  for (const p of parts) {
    for (const [k, v] of Object.entries((p.properties as Json | undefined) ?? {})) {
      properties[k] = properties[k] === undefined ? v : { allOf: [properties[k], v] };
    }
    for (const r of (p.required as string[] | undefined) ?? []) required.add(r);
    if (p.properties === undefined || p.additionalProperties === true) open = true;
  }
  const out: Json = { type: ['object', 'null'], properties, additionalProperties: open && Object.keys(properties).length === 0 };
  if (required.size > 0) out.required = [...required];
  return out;
}

/** The `data` schema (or, for lists, its item schema) of a converted response schema. */
function dataOf(schema: Json): Json | undefined {
  const data = (schema.properties as Json | undefined)?.data as Json | undefined;
  if (!data) return undefined;
  return (data.items as Json | undefined) ?? data;
}

const nullable = (type: string): Json => ({ type: [type, 'null'] });

function addProps(target: Json | undefined, props: Json): void {
  if (!target) return;
  target.properties = { ...((target.properties as Json | undefined) ?? {}), ...props };
}

/** Walks every schema node. */
function walk(node: unknown, fn: (s: Json) => void): void {
  if (node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    node.forEach((n) => walk(n, fn));
    return;
  }
  fn(node as Json);
  for (const v of Object.values(node as Json)) walk(v, fn);
}

/**
 * The errata beyond "everything is nullable", from API-FACTS.md plus what these tests found:
 * - emails/phones `label` is a string (facts page);
 * - addresses have `subpremise` (official SDK model `organization-item-address.ts`);
 * - v2 organizations may carry `website`, `linkedin`, `industry`, `annual_revenue`, `employee_count` (2026 fields);
 * - v1 times are `YYYY-MM-DD HH:MM:SS`, not RFC 3339 `date-time` as the v1 file says for fields and activity types;
 *   except `/webhooks`, a separate service whose spec example (`2019-10-25T08:25:27.000Z`) is kept [UNVERIFIED];
 * - v1 paginated lists put `{start, limit, more_items_in_collection, next_start}` under `additional_data.pagination`;
 * - v2 deals carry `archive_time` and `creator_user_id` (recorded GET /api/v2/deals/{id}, API-FACTS S-OBS), and
 *   `products_count` when asked for with `include_fields` (a documented value of the parameter, absent from the
 *   response schema);
 * - v2 error envelopes carry a machine `code` and the gateway's 401 an `errorCode` (facts §7, n8n-io/n8n#31684).
 */
function applyErrata(version: ApiVersion, template: string, schema: Json): void {
  walk(schema, (s) => {
    const props = s.properties as Json | undefined;
    if (!props) return;
    if (props.value && props.primary && props.label) props.label = nullable('string');
    if (props.admin_area_level_1 && !props.subpremise) props.subpremise = nullable('string');
    if (version === 'v1' && !template.startsWith('/webhooks')) {
      for (const k of ['add_time', 'update_time']) {
        const p = props[k] as Json | undefined;
        if (p && p.format === 'date-time') {
          delete p.format;
          p.pattern = '^\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}$';
        }
      }
    }
  });
  if (version === 'v2' && template.startsWith('/organizations') && !template.includes('search')) {
    addProps(dataOf(schema), {
      website: nullable('string'), linkedin: nullable('string'), industry: nullable('integer'),
      annual_revenue: nullable('number'), employee_count: nullable('integer'),
    });
  }
  if (version === 'v2' && template.startsWith('/deals')) {
    addProps(dataOf(schema), { archive_time: nullable('string'), creator_user_id: nullable('integer'), products_count: nullable('integer') });
  }
  if (version === 'v1' && /Fields$/.test(template)) {
    const props = schema.properties as Json;
    props.additional_data = {
      type: ['object', 'null'],
      additionalProperties: false,
      properties: {
        pagination: {
          type: 'object',
          additionalProperties: false,
          required: ['start', 'limit', 'more_items_in_collection'],
          properties: { start: { type: 'integer' }, limit: { type: 'integer' }, more_items_in_collection: { type: 'boolean' }, next_start: { type: 'integer' } },
        },
      },
    };
  }
}

/** The error envelope of the v2 file (its one documented error body), extended with `code` and `errorCode`. */
function errorEnvelope(): Json {
  const op = operation('v2', 'get', '/deals/{id}/convert/status/{conversion_id}');
  const schema = convert(openapi('v2'), ((op.responses as Json)['404'] as Json).content && (((op.responses as Json)['404'] as Json).content as Json)['application/json']
    ? (((((op.responses as Json)['404'] as Json).content as Json)['application/json'] as Json).schema)
    : {});
  addProps(schema, { code: nullable('string'), errorCode: nullable('integer') });
  schema.required = ['success', 'error'];
  (schema.properties as Json).success = { const: false };
  return schema;
}

const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
const compiled = new Map<string, ValidateFunction>();

/** The converted, errata-patched JSON schema of one documented response (or the error envelope for errors). */
export function responseSchema(version: ApiVersion, method: string, template: string, status: number): Json {
  const op = operation(version, method, template);
  const responses = op.responses as Json;
  const documented = (responses[String(status)] ?? (status < 400 ? responses['200'] ?? responses['201'] : undefined)) as Json | undefined;
  const content = documented?.content as Json | undefined;
  const raw = (content?.['application/json'] as Json | undefined)?.schema;
  if (status >= 400) {
    const env = errorEnvelope();
    if (raw) addProps(env, (convert(openapi(version), raw).properties as Json | undefined) ?? {});
    (env.properties as Json).success = { const: false };
    return env;
  }
  if (!raw) throw new Error(`${method} ${template} documents no JSON response for ${status}`);
  const schema = convert(openapi(version), raw);
  applyErrata(version, template, schema);
  return schema;
}

/** Validates a response body; returns ajv's error text, or `null` when it conforms. */
export function checkResponse(version: ApiVersion, method: string, template: string, status: number, body: unknown): string | null {
  const key = `${version} ${method} ${template} ${status >= 400 ? 'error' : status}`;
  let validate = compiled.get(key);
  if (!validate) {
    validate = ajv.compile(responseSchema(version, method, template, status));
    compiled.set(key, validate);
  }
  if (validate(body)) return null;
  return (validate.errors ?? [])
    .map((e) => `${e.instancePath || '/'} ${e.message}${e.params && 'additionalProperty' in e.params ? ` '${String(e.params.additionalProperty)}'` : ''}`)
    .join('\n');
}
