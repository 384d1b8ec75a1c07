/**
 * @module emulator/control_input
 * Reading control-path bodies strictly: a JSON object with only the fields the endpoint knows, every number finite,
 * whole where it must be and inside a sane range (`advanceMs` 0..31 days, `count` 1..10,000, latency `ms`
 * 0..10 minutes, ...), fault paths as a prefix (`path`) or a glob (`glob`), never a regex. Every refusal is a
 * `ControlInputError` whose message names the field and the rule, answered 400.
 */

import { MAX_GLOB_LENGTH, PathGlob } from './path_match';
import type { FaultMatch } from './faults';

/** A control body the endpoint refuses; the message names the field and the rule. */
export class ControlInputError extends Error {}

/** A control body: the parsed JSON object. */
export type ControlBody = Record<string, unknown>;

/** An integer range with a phrase for messages. */
export interface IntRange {
  /** Smallest value accepted. */
  min: number;
  /** Largest value accepted. */
  max: number;
  /** How the range reads to a person, e.g. `0..31 days`; default `min..max`. */
  label?: string;
}

/** The largest `count` of a fault rule. */
export const MAX_FAULT_COUNT = 10_000;
/** The longest injected latency: 10 minutes. */
export const MAX_LATENCY_MS = 600_000;
/** The furthest one `POST /clock` may move the clock: 31 days. */
export const MAX_ADVANCE_MS = 31 * 86_400_000;
/** The largest daily budget one `POST /limits` may set. */
export const MAX_DAILY_REMAINING = 1_000_000_000;
/** The largest id a seeded record or user may carry (Pipedrive ids are 32-bit). */
export const MAX_ID = 2_147_483_647;
/** How deep a seed body may nest. */
const MAX_SEED_DEPTH = 16;

/** Fields that look like a regex and are refused on the control path. */
const REGEX_FIELDS = ['pathRegex', 'regex', 'pattern'];

/** Refuses a body that is present but not a JSON object; an absent body reads as `{}`. */
export function objectBody(raw: unknown): ControlBody {
  if (raw === undefined) return {};
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new ControlInputError('the request body must be a JSON object');
  return raw as ControlBody;
}

/** Refuses any field not in `allowed`; a regex-like field gets its own message. */
export function onlyFields(body: ControlBody, allowed: readonly string[]): void {
  for (const key of Object.keys(body)) {
    if (allowed.includes(key)) continue;
    if (REGEX_FIELDS.includes(key)) {
      throw new ControlInputError(`'${key}' is not accepted: the control path takes no regular expressions; use 'path' (a prefix) or 'glob' (* = any characters except '/', ** = anything)`);
    }
    throw new ControlInputError(`unknown field '${key}' (allowed: ${allowed.join(', ') || 'none'})`);
  }
}

function describe(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return `'${value.length > 40 ? `${value.slice(0, 40)}...` : value}'`;
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
}

/** Checks one number: finite, whole and inside the range. */
export function checkInt(field: string, value: unknown, range: IntRange): number {
  const label = range.label ?? `${range.min}..${range.max}`;
  if (typeof value !== 'number' || !Number.isFinite(value) || !Number.isInteger(value) || value < range.min || value > range.max) {
    throw new ControlInputError(`'${field}' must be an integer in ${label}, got ${describe(value)}`);
  }
  return value;
}

/** A required integer field. */
export function requiredInt(body: ControlBody, field: string, range: IntRange): number {
  if (body[field] === undefined) throw new ControlInputError(`'${field}' is required: an integer in ${range.label ?? `${range.min}..${range.max}`}`);
  return checkInt(field, body[field], range);
}

/** An optional integer field. */
export function optionalInt(body: ControlBody, field: string, range: IntRange): number | undefined {
  return body[field] === undefined ? undefined : checkInt(field, body[field], range);
}

/** The optional `count` of a fault rule: 1..10,000. */
export function faultCount(body: ControlBody): number | undefined {
  return optionalInt(body, 'count', { min: 1, max: MAX_FAULT_COUNT });
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Reads `method`, `path` (a prefix) and `glob` of a fault rule; refuses regexes and non-strings. */
export function faultMatch(body: ControlBody): FaultMatch {
  const m: FaultMatch = {};
  if (body.method !== undefined) {
    if (typeof body.method !== 'string' || !/^[A-Za-z]{1,16}$/.test(body.method)) {
      throw new ControlInputError(`'method' must be an HTTP method name (letters only), got ${describe(body.method)}`);
    }
    m.method = body.method;
  }
  if (body.path !== undefined) {
    if (typeof body.path !== 'string' || !body.path.startsWith('/') || body.path.length > 2048) {
      throw new ControlInputError(`'path' must be a path prefix string starting with '/' (at most 2048 characters), got ${describe(body.path)}`);
    }
    m.path = body.path;
  }
  if (body.glob !== undefined) {
    if (typeof body.glob !== 'string' || !body.glob.startsWith('/')) {
      throw new ControlInputError(`'glob' must be a string starting with '/' (at most ${MAX_GLOB_LENGTH} characters), got ${describe(body.glob)}`);
    }
    try {
      new PathGlob(body.glob);
    } catch (e) {
      throw new ControlInputError(`'glob' is not usable: ${e instanceof Error ? e.message : String(e)}`);
    }
    m.glob = body.glob;
  }
  return m;
}

/** Reads the optional `headers` of an injected failure: an object of header names to string values. */
export function faultHeaders(body: ControlBody): Record<string, string> | undefined {
  const raw = body.headers;
  if (raw === undefined) return undefined;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new ControlInputError(`'headers' must be an object of header names to strings`);
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (!TOKEN.test(name)) throw new ControlInputError(`'headers' has an invalid header name ${describe(name)}`);
    if (typeof value !== 'string' || /[\r\n\0]/.test(value)) {
      throw new ControlInputError(`'headers.${name}' must be a string without line breaks, got ${describe(value)}`);
    }
    out[name.toLowerCase()] = value;
  }
  return out;
}

/** Whether a key holds an id (`id`, `owner_id`, ...) or a list of ids (`label_ids`). */
function idKind(key: string): 'id' | 'ref' | 'ids' | null {
  if (key === 'id') return 'id';
  if (key.endsWith('_id')) return 'ref';
  if (key.endsWith('_ids')) return 'ids';
  return null;
}

function walkNumbers(value: unknown, where: string, depth: number, ids: boolean): void {
  if (depth > MAX_SEED_DEPTH) throw new ControlInputError(`'${where}' is nested more than ${MAX_SEED_DEPTH} levels deep`);
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || Math.abs(value) > Number.MAX_SAFE_INTEGER) {
      throw new ControlInputError(`'${where}' must be a finite number of at most ${Number.MAX_SAFE_INTEGER} in size, got ${value}`);
    }
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const isArray = Array.isArray(value);
  const entries: [string, unknown][] = isArray ? value.map((v, i) => [String(i), v]) : Object.entries(value);
  for (const [key, v] of entries) {
    const path = isArray ? `${where}[${key}]` : where === '' ? key : `${where}.${key}`;
    const kind = isArray || !ids ? null : idKind(key);
    if (kind === 'id') checkInt(path, v, { min: 1, max: MAX_ID });
    else if (kind === 'ref' && typeof v === 'number') checkInt(path, v, { min: 0, max: MAX_ID });
    else if (kind === 'ids' && Array.isArray(v)) {
      v.forEach((x, i) => (typeof x === 'number' ? checkInt(`${path}[${i}]`, x, { min: 0, max: MAX_ID }) : walkNumbers(x, `${path}[${i}]`, depth + 2, ids)));
    } else walkNumbers(v, path, depth + 1, ids);
  }
}

/**
 * Checks every number in a seed or user body: finite and at most 2^53 in size, and ids whole numbers
 * (`id` 1..2147483647, numeric `*_id` and `*_ids` entries 0..2147483647); refuses nesting deeper than 16 levels.
 */
export function checkSeedNumbers(body: unknown): void {
  walkNumbers(body, '', 0, true);
}

/** Checks every number in free-form JSON (e.g. an injected failure's `body`): finite and at most 2^53 in size. */
export function checkFiniteNumbers(value: unknown, field: string): void {
  walkNumbers(value, field, 0, false);
}
