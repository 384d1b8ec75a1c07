/**
 * @module emulator/routes/validation
 * Strict request validation in the manner of API v2: no coercion (a boolean is `true`/`false`, never `1` or
 * `"true"`), no unknown fields (`Validation failed: <key>: Parameter '<key>' is not allowed for this request`, as
 * recorded), dates and times in their exact formats. Every message names the field and the rule.
 */

import { isDate, normaliseTime, parseRfc3339 } from '../wire/clock';
import { validationFailed } from '../wire/envelope';

/** The rule for one field of a request body. */
export type FieldSpec =
  | { kind: 'string'; nullable?: boolean; enum?: readonly string[]; format?: 'date' | 'time' | 'datetime'; nonEmpty?: boolean }
  | { kind: 'integer'; nullable?: boolean; enum?: readonly number[]; min?: number }
  | { kind: 'number'; nullable?: boolean; min?: number }
  | { kind: 'boolean'; nullable?: boolean }
  | { kind: 'array'; items: FieldSpec; maxItems?: number; nullable?: boolean }
  | { kind: 'object'; fields: Record<string, FieldSpec>; required?: readonly string[]; nullable?: boolean }
  | { kind: 'free-object'; nullable?: boolean }
  | { kind: 'rejected'; message: string };

/** The rules for a whole JSON body: known fields and, per field, its spec. */
export type BodySpec = Record<string, FieldSpec>;

/**
 * Checks a request body against a spec and returns it typed as a plain record. Throws a 400 `ApiError` naming
 * the first offending field.
 */
export function validateBody(body: unknown, spec: BodySpec): Record<string, unknown> {
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw validationFailed('request body must be a JSON object');
  }
  checkObjectFields(body as Record<string, unknown>, spec, '');
  return body as Record<string, unknown>;
}

function checkObjectFields(obj: Record<string, unknown>, fields: Record<string, FieldSpec>, prefix: string): void {
  for (const key of Object.keys(obj)) {
    const spec = fields[key];
    const name = prefix + key;
    // The wording v2 uses for a key outside the request schema (client-nodejs#651), read-only fields included.
    if (spec === undefined) throw validationFailed(`${name}: Parameter '${name}' is not allowed for this request`);
    checkValue(obj[key], spec, name);
  }
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function checkValue(value: unknown, spec: FieldSpec, name: string): void {
  if (spec.kind === 'rejected') throw validationFailed(`'${name}' ${spec.message}`);
  if (value === null) {
    if (spec.nullable) return;
    throw validationFailed(`'${name}' must not be null`);
  }
  switch (spec.kind) {
    case 'string': {
      if (typeof value !== 'string') throw validationFailed(`'${name}' must be a string, got ${typeName(value)}`);
      if (spec.nonEmpty && value.trim() === '') throw validationFailed(`'${name}' must not be empty`);
      if (spec.enum && !spec.enum.includes(value)) {
        throw validationFailed(`'${name}' must be one of ${spec.enum.join(', ')}, got '${value}'`);
      }
      if (spec.format === 'date' && !isDate(value)) throw validationFailed(`'${name}' must be a date in YYYY-MM-DD format, got '${value}'`);
      if (spec.format === 'time' && normaliseTime(value) === null) throw validationFailed(`'${name}' must be a time in HH:MM or HH:MM:SS format, got '${value}'`);
      if (spec.format === 'datetime' && parseRfc3339(value) === null) {
        throw validationFailed(`'${name}' is not a valid datetime: use RFC 3339 with whole seconds, e.g. 2025-01-01T10:20:00Z, got '${value}'`);
      }
      return;
    }
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) throw validationFailed(`'${name}' must be an integer, got ${typeName(value)}`);
      if (spec.enum && !spec.enum.includes(value)) throw validationFailed(`'${name}' must be one of ${spec.enum.join(', ')}, got ${value}`);
      if (spec.min !== undefined && value < spec.min) throw validationFailed(`'${name}' must be at least ${spec.min}, got ${value}`);
      return;
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw validationFailed(`'${name}' must be a number, got ${typeName(value)}`);
      if (spec.min !== undefined && value < spec.min) throw validationFailed(`'${name}' must be at least ${spec.min}, got ${value}`);
      return;
    case 'boolean':
      if (typeof value !== 'boolean') throw validationFailed(`'${name}' must be a boolean (true or false), got ${typeName(value)}`);
      return;
    case 'array':
      if (!Array.isArray(value)) throw validationFailed(`'${name}' must be an array, got ${typeName(value)}`);
      if (spec.maxItems !== undefined && value.length > spec.maxItems) throw validationFailed(`'${name}' accepts at most ${spec.maxItems} items, got ${value.length}`);
      value.forEach((item, i) => checkValue(item, spec.items, `${name}[${i}]`));
      return;
    case 'object': {
      if (typeof value !== 'object' || Array.isArray(value)) throw validationFailed(`'${name}' must be an object, got ${typeName(value)}`);
      const obj = value as Record<string, unknown>;
      for (const req of spec.required ?? []) {
        if (obj[req] === undefined) throw validationFailed(`'${name}.${req}' is required`);
      }
      checkObjectFields(obj, spec.fields, `${name}.`);
      return;
    }
    case 'free-object':
      if (typeof value !== 'object' || Array.isArray(value)) throw validationFailed(`'${name}' must be an object, got ${typeName(value)}`);
      return;
  }
}

/** The rule for one query parameter (always a string on the wire). */
export type QuerySpec =
  | { kind: 'integer'; min?: number; max?: number }
  | { kind: 'boolean' }
  | { kind: 'string'; enum?: readonly string[]; minLength?: number }
  | { kind: 'datetime' }
  | { kind: 'id-list'; max: number }
  | { kind: 'csv-enum'; values: readonly string[] };

/** Parsed query parameters: integers, booleans and lists already converted. */
export type ParsedQuery = Record<string, string | number | boolean | number[] | string[] | undefined>;

/**
 * Validates query parameters against their specs. Unknown parameters are rejected (except `api_token`, the legacy
 * auth parameter) so a mistyped filter fails loudly instead of silently returning everything.
 */
export function validateQuery(query: URLSearchParams, spec: Record<string, QuerySpec>): ParsedQuery {
  const out: ParsedQuery = {};
  for (const [key, raw] of query) {
    if (key === 'api_token') continue;
    const s = spec[key];
    if (s === undefined) throw validationFailed(`query parameter '${key}' is not supported by this endpoint`);
    if (out[key] !== undefined) throw validationFailed(`query parameter '${key}' was given more than once`);
    out[key] = parseQueryValue(key, raw, s);
  }
  return out;
}

const INTEGER = /^-?\d+$/;

function parseQueryValue(key: string, raw: string, s: QuerySpec): string | number | boolean | number[] | string[] {
  switch (s.kind) {
    case 'integer': {
      if (!INTEGER.test(raw)) throw validationFailed(`query parameter '${key}' must be an integer, got '${raw}'`);
      const n = Number(raw);
      if (s.min !== undefined && n < s.min) throw validationFailed(`query parameter '${key}' must be at least ${s.min}, got ${n}`);
      if (s.max !== undefined && n > s.max) throw validationFailed(`query parameter '${key}' must be at most ${s.max}, got ${n}`);
      return n;
    }
    case 'boolean':
      if (raw !== 'true' && raw !== 'false') throw validationFailed(`query parameter '${key}' must be true or false, got '${raw}'`);
      return raw === 'true';
    case 'string':
      if (s.enum && !s.enum.includes(raw)) throw validationFailed(`query parameter '${key}' must be one of ${s.enum.join(', ')}, got '${raw}'`);
      if (s.minLength !== undefined && raw.length < s.minLength) {
        throw validationFailed(`query parameter '${key}' must be at least ${s.minLength} characters long`);
      }
      return raw;
    case 'datetime':
      if (parseRfc3339(raw) === null) {
        throw validationFailed(`query parameter '${key}' is not a valid datetime: use RFC 3339 with whole seconds, e.g. 2025-01-01T10:20:00Z, got '${raw}'`);
      }
      return raw;
    case 'id-list': {
      const parts = raw.split(',');
      if (parts.length > s.max) throw validationFailed(`query parameter '${key}' accepts at most ${s.max} ids, got ${parts.length}`);
      return parts.map((p) => {
        const t = p.trim();
        if (!/^\d+$/.test(t)) throw validationFailed(`query parameter '${key}' must be a comma-separated list of integers, got '${raw}'`);
        return Number(t);
      });
    }
    case 'csv-enum': {
      const parts = raw.split(',').map((p) => p.trim());
      if (s.values.length === 0) throw validationFailed(`query parameter '${key}' is not supported by the emulator for this endpoint`);
      for (const p of parts) {
        if (!s.values.includes(p)) throw validationFailed(`query parameter '${key}' must be a comma-separated list of ${s.values.join(', ')}, got '${p}'`);
      }
      return parts;
    }
  }
}
