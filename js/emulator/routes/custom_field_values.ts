/**
 * @module emulator/routes/custom_field_values
 * `custom_fields` in v2 bodies and responses (UPDATES-FACTS §1.3): keys are the 40-character hashes of the
 * company's custom fields for that entity (an unknown key is a 400); a PATCH with a subset of keys changes only
 * those ("PATCH semantics and the examples imply it", [UNVERIFIED; low risk]); `null` clears a value; a
 * multi-option (`set`) field refuses `[]` ("use null to clear"). Value shapes per type, with no coercion:
 * text/phone/autocomplete a string, numeric a number, monetary `{value, currency}`, address `{value, ...subfields}`
 * (replaced whole, omitted subfields null), single option an option id, multiple options an array of ids, date
 * `YYYY-MM-DD`, daterange `{value, until}`, time `HH:MM[:SS]`, user/person/org an id of a live one. Responses carry
 * every custom field of the entity, `null` when unset (or `custom_fields: null` on a deal when the company has none).
 */

import { addressFrom } from '../model/builders';
import type { FieldRecord, LabelledKind } from '../model/records';
import type { EmulatorState } from '../model/state';
import { isDate, normaliseTime } from '../wire/clock';
import { validationFailed } from '../wire/envelope';
import { ADDRESS_SPEC } from './contact_fields';
import { validateBody } from './validation';

/** Values to write: a key per field sent, `null` meaning "clear". */
export type CustomFieldWrites = Record<string, unknown>;

function typeName(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
}

function optionIds(field: FieldRecord): Set<number> {
  return new Set((field.options ?? []).map((o) => o.id));
}

function plainObject(value: unknown, name: string, shape: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw validationFailed(`'${name}' must be an object ${shape}, got ${typeName(value)}`);
  return value as Record<string, unknown>;
}

function onlyKeys(obj: Record<string, unknown>, keys: readonly string[], name: string): void {
  for (const k of Object.keys(obj)) {
    if (!keys.includes(k)) throw validationFailed(`${name}.${k}: Parameter '${name}.${k}' is not allowed for this request`);
  }
}

/** Checks one value against its field's type and returns it as stored. */
function checkValue(state: EmulatorState, field: FieldRecord, value: unknown, name: string, defaultCurrency: string): unknown {
  switch (field.field_type) {
    case 'varchar': case 'varchar_auto': case 'text': case 'phone':
      if (typeof value !== 'string') throw validationFailed(`'${name}' must be a string, got ${typeName(value)}`);
      return value;
    case 'double':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw validationFailed(`'${name}' must be a number, got ${typeName(value)}`);
      return value;
    case 'monetary': {
      const obj = plainObject(value, name, '{value, currency}');
      onlyKeys(obj, ['value', 'currency'], name);
      if (typeof obj.value !== 'number' || !Number.isFinite(obj.value)) throw validationFailed(`'${name}.value' must be a number, got ${typeName(obj.value)}`);
      // A missing currency takes the user's default one: [UNVERIFIED], the migration guide shows both keys.
      const currency = obj.currency ?? defaultCurrency;
      if (typeof currency !== 'string' || !state.activeCurrency(currency)) {
        throw validationFailed(`'${name}.currency' must be the code of one of the company's currencies (GET /v1/currencies), got ${typeName(currency) === 'string' ? `'${String(currency)}'` : typeName(currency)}`);
      }
      return { value: obj.value, currency };
    }
    case 'address': {
      validateBody({ [name]: value }, { [name]: ADDRESS_SPEC });
      const address = addressFrom(value)!;
      return { ...address, formatted_address: address.value };
    }
    case 'enum':
      if (typeof value !== 'number' || !Number.isInteger(value)) throw validationFailed(`'${name}' must be an option id (an integer), got ${typeName(value)}`);
      if (!optionIds(field).has(value)) throw validationFailed(`'${name}' must be an option of the field '${field.name}', got ${value}`);
      return value;
    case 'set': {
      if (!Array.isArray(value)) throw validationFailed(`'${name}' must be an array of option ids, got ${typeName(value)}`);
      if (value.length === 0) throw validationFailed(`'${name}': an empty array is not supported; use null to clear the selection`);
      const ids = optionIds(field);
      value.forEach((id, i) => {
        if (typeof id !== 'number' || !Number.isInteger(id)) throw validationFailed(`'${name}[${i}]' must be an option id (an integer), got ${typeName(id)}`);
        if (!ids.has(id)) throw validationFailed(`'${name}[${i}]' must be an option of the field '${field.name}', got ${id}`);
      });
      return [...new Set(value as number[])];
    }
    case 'date':
      if (typeof value !== 'string' || !isDate(value)) throw validationFailed(`'${name}' must be a date in YYYY-MM-DD format, got ${typeName(value) === 'string' ? `'${String(value)}'` : typeName(value)}`);
      return value;
    case 'daterange': {
      const obj = plainObject(value, name, '{value, until}');
      onlyKeys(obj, ['value', 'until'], name);
      for (const k of ['value', 'until']) {
        if (typeof obj[k] !== 'string' || !isDate(obj[k] as string)) throw validationFailed(`'${name}.${k}' must be a date in YYYY-MM-DD format`);
      }
      if ((obj.until as string) < (obj.value as string)) throw validationFailed(`'${name}.until' must not be before '${name}.value'`);
      return { value: obj.value, until: obj.until };
    }
    case 'time': {
      const t = typeof value === 'string' ? normaliseTime(value) : null;
      if (t === null) throw validationFailed(`'${name}' must be a time in HH:MM or HH:MM:SS format`);
      return t;
    }
    case 'user':
      if (typeof value !== 'number' || !Number.isInteger(value)) throw validationFailed(`'${name}' must be a user id (an integer), got ${typeName(value)}`);
      state.requireActiveUser(value, name);
      return value;
    case 'people': case 'org':
      if (typeof value !== 'number' || !Number.isInteger(value)) throw validationFailed(`'${name}' must be an id (an integer), got ${typeName(value)}`);
      state.requireLive(field.field_type === 'people' ? 'person' : 'organization', value, name);
      return value;
    default:
      throw validationFailed(`'${name}' is a ${field.field_type} field, which the emulator cannot write`);
  }
}

/**
 * Checks a `custom_fields` object against the company's custom fields of `kind` and returns the values to write
 * (`null` = clear). `undefined` or `null` for the whole object writes nothing (a PATCH refuses `null` earlier).
 */
export function checkCustomFieldValues(state: EmulatorState, kind: LabelledKind, raw: unknown, defaultCurrency: string): CustomFieldWrites {
  if (raw === null || raw === undefined) return {};
  const fields = new Map(state.customFields(kind).map((f) => [f.key, f]));
  const out: CustomFieldWrites = {};
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    const field = fields.get(key);
    const name = `custom_fields.${key}`;
    if (!field) throw validationFailed(`'${name}' is not a custom field of this company's ${kind === 'person' ? 'persons' : `${kind}s`}`);
    out[key] = value === null ? null : checkValue(state, field, value, name, defaultCurrency);
  }
  return out;
}

/** Writes checked values into a record's `custom_fields`: the keys sent change, the others stay; `null` clears. */
export function applyCustomFieldValues(rec: { custom_fields: Record<string, unknown> | null }, writes: CustomFieldWrites): void {
  const keys = Object.keys(writes);
  if (keys.length === 0) return;
  const next = { ...(rec.custom_fields ?? {}) };
  for (const key of keys) {
    if (writes[key] === null) delete next[key];
    else next[key] = writes[key];
  }
  rec.custom_fields = next;
}

/** `custom_fields` as served: every custom field of the kind, `null` when unset; as stored when the kind has none. */
export function presentCustomFields(state: EmulatorState, kind: LabelledKind, stored: Record<string, unknown> | null): Record<string, unknown> | null {
  const fields = state.customFields(kind);
  if (fields.length === 0) return stored;
  return Object.fromEntries(fields.map((f) => [f.key, stored?.[f.key] ?? null]));
}
