/**
 * @module tests/prisma/schema_model
 * Reads `prisma/schema.prisma` into the tables, columns, indexes and foreign keys a migration must create, in the
 * names and SQL types Prisma Migrate uses, for the schema/migration drift tests.
 *
 * A small parser for the subset of the Prisma schema language the reference schema uses (models, scalar and
 * relation fields, `@id @default @unique @map @updatedAt @relation`, `@@index @@unique @@map`). It throws on
 * anything it does not understand, so a schema change it cannot check fails loudly instead of passing.
 */

import { readFileSync } from 'node:fs';
import * as path from 'node:path';

/** A field of a model, as written in the schema. */
export interface SchemaField {
  name: string;
  /** Column name (`@map`), or the field name. */
  dbName: string;
  /** `String`, `Int`, ... or a model name for relation fields. */
  type: string;
  kind: 'scalar' | 'object';
  optional: boolean;
  list: boolean;
  isId: boolean;
  unique: boolean;
  updatedAt: boolean;
  /** The `@default(...)` argument, verbatim (`"SYNCED"`, `0`, `false`, `now()`, `cuid()`, `autoincrement()`). */
  default?: string;
  /** For the owning side of a relation: `@relation(fields: [...], references: [...], onDelete, onUpdate)`. */
  relation?: { fields: string[]; references: string[]; onDelete?: string; onUpdate?: string };
}

/** A model, as written in the schema. */
export interface SchemaModel {
  name: string;
  /** Table name (`@@map`), or the model name. */
  dbName: string;
  fields: SchemaField[];
  /** `@@index` and `@@unique` (field names). */
  blockIndexes: { fields: string[]; unique: boolean }[];
}

const SCALAR_TYPES = new Set(['String', 'Int', 'BigInt', 'Float', 'Decimal', 'Boolean', 'DateTime', 'Json', 'Bytes']);

/** The reference schema file. */
export const SCHEMA_PATH = path.resolve(__dirname, '..', '..', 'prisma', 'schema.prisma');

/** Splits `a, b(c, d), e` at top-level commas. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(' || ch === '[') depth++;
    if (ch === ')' || ch === ']') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current.trim());
      current = '';
    } else {
      current += ch;
    }
  }
  if (current.trim()) parts.push(current.trim());
  return parts;
}

/** `[a, b]` → `['a', 'b']` */
function parseList(text: string): string[] {
  const match = /^\[(.*)\]$/.exec(text.trim());
  if (!match) throw new Error(`schema_model: expected a [list], got '${text}'`);
  return match[1].split(',').map((s) => s.trim()).filter(Boolean);
}

/** `@name(args)` occurrences in an attribute string, with balanced parentheses. */
function parseAttributes(text: string, prefix: '@' | '@@'): { name: string; args?: string }[] {
  const result: { name: string; args?: string }[] = [];
  let i = 0;
  while (i < text.length) {
    if (text[i] === ' ' || text[i] === '\t') {
      i++;
      continue;
    }
    const head = new RegExp(`^${prefix}([A-Za-z.]+)`).exec(text.slice(i));
    if (!head) throw new Error(`schema_model: cannot read attributes at '${text.slice(i)}'`);
    i += head[0].length;
    let args: string | undefined;
    if (text[i] === '(') {
      let depth = 0;
      const start = i;
      for (; i < text.length; i++) {
        if (text[i] === '(') depth++;
        if (text[i] === ')' && --depth === 0) break;
      }
      args = text.slice(start + 1, i);
      i++;
    }
    result.push({ name: head[1], args });
  }
  return result;
}

/** Parses the named arguments of `@relation(...)`. */
function parseNamedArgs(args: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of splitTopLevel(args)) {
    const match = /^(\w+)\s*:\s*(.+)$/.exec(part);
    if (!match) throw new Error(`schema_model: unexpected argument '${part}'`);
    out[match[1]] = match[2].trim();
  }
  return out;
}

/** The models of a schema text. */
export function parseSchema(source: string): SchemaModel[] {
  const text = source.replace(/\/\/.*$/gm, '');
  const models: SchemaModel[] = [];
  for (const block of text.matchAll(/^model\s+(\w+)\s*\{([\s\S]*?)^\}/gm)) {
    const model: SchemaModel = { name: block[1], dbName: block[1], fields: [], blockIndexes: [] };
    for (const rawLine of block[2].split('\n')) {
      const line = rawLine.trim();
      if (!line) continue;
      if (line.startsWith('@@')) {
        for (const attr of parseAttributes(line, '@@')) {
          if (attr.name === 'map') model.dbName = JSON.parse(attr.args ?? '');
          else if (attr.name === 'index' || attr.name === 'unique') {
            model.blockIndexes.push({ fields: parseList(splitTopLevel(attr.args ?? '')[0]), unique: attr.name === 'unique' });
          } else throw new Error(`schema_model: unsupported block attribute @@${attr.name} in ${model.name}`);
        }
        continue;
      }
      const match = /^(\w+)\s+(\w+)(\[\])?(\?)?\s*(.*)$/.exec(line);
      if (!match) throw new Error(`schema_model: cannot read field line '${line}' in ${model.name}`);
      const field: SchemaField = {
        name: match[1],
        dbName: match[1],
        type: match[2],
        kind: SCALAR_TYPES.has(match[2]) ? 'scalar' : 'object',
        optional: match[4] === '?',
        list: match[3] === '[]',
        isId: false,
        unique: false,
        updatedAt: false,
      };
      for (const attr of parseAttributes(match[5], '@')) {
        switch (attr.name) {
          case 'id':
            field.isId = true;
            break;
          case 'unique':
            field.unique = true;
            break;
          case 'updatedAt':
            field.updatedAt = true;
            break;
          case 'map':
            field.dbName = JSON.parse(attr.args ?? '');
            break;
          case 'default':
            field.default = attr.args;
            break;
          case 'relation': {
            const named = parseNamedArgs(attr.args ?? '');
            if (named.fields) {
              field.relation = {
                fields: parseList(named.fields),
                references: parseList(named.references ?? ''),
                onDelete: named.onDelete,
                onUpdate: named.onUpdate,
              };
            }
            break;
          }
          default:
            throw new Error(`schema_model: unsupported attribute @${attr.name} on ${model.name}.${field.name}`);
        }
      }
      model.fields.push(field);
    }
    models.push(model);
  }
  if (models.length === 0) throw new Error('schema_model: no models found');
  return models;
}

/** The models of `prisma/schema.prisma`. */
export function readSchemaModels(): SchemaModel[] {
  return parseSchema(readFileSync(SCHEMA_PATH, 'utf8'));
}

/** The databases the drift tests compare against. */
export type Dialect = 'sqlite' | 'postgresql';

/** A column as a migration must create it. */
export interface ExpectedColumn {
  name: string;
  /** SQLite: declared type (`TEXT`); PostgreSQL: `information_schema` data type (`text`). */
  type: string;
  notNull: boolean;
  /** Default expression as the database reports it, or `null`. */
  default: string | null;
  primaryKey: boolean;
  /** SQLite `AUTOINCREMENT` / PostgreSQL `SERIAL` (a `nextval` default). */
  autoincrement: boolean;
}

/** An index as a migration must create it (primary keys excluded). */
export interface ExpectedIndex {
  name: string;
  columns: string[];
  unique: boolean;
}

/** A foreign key as a migration must create it. */
export interface ExpectedForeignKey {
  name: string;
  columns: string[];
  referencedTable: string;
  referencedColumns: string[];
  /** `CASCADE`, `SET NULL`, `RESTRICT`, `NO ACTION`, `SET DEFAULT` */
  onDelete: string;
  onUpdate: string;
}

/** A table as a migration must create it. */
export interface ExpectedTable {
  name: string;
  columns: ExpectedColumn[];
  indexes: ExpectedIndex[];
  foreignKeys: ExpectedForeignKey[];
}

const SQL_TYPES: Record<Dialect, Record<string, string>> = {
  sqlite: { String: 'TEXT', Int: 'INTEGER', Boolean: 'BOOLEAN', DateTime: 'DATETIME', Float: 'REAL', BigInt: 'BIGINT' },
  postgresql: {
    String: 'text',
    Int: 'integer',
    Boolean: 'boolean',
    DateTime: 'timestamp without time zone',
    Float: 'double precision',
    BigInt: 'bigint',
  },
};

const REFERENTIAL_ACTIONS: Record<string, string> = {
  Cascade: 'CASCADE',
  SetNull: 'SET NULL',
  Restrict: 'RESTRICT',
  NoAction: 'NO ACTION',
  SetDefault: 'SET DEFAULT',
};

function expectedDefault(field: SchemaField, table: string, dialect: Dialect): string | null {
  const value = field.default;
  if (value === undefined || value === 'cuid()' || value === 'uuid()') return null;
  if (value === 'autoincrement()') return dialect === 'postgresql' ? `nextval('${table}_${field.dbName}_seq'::regclass)` : null;
  if (value === 'now()') return 'CURRENT_TIMESTAMP';
  if (value.startsWith('"')) {
    const literal = `'${(JSON.parse(value) as string).replace(/'/g, "''")}'`;
    return dialect === 'postgresql' ? `${literal}::text` : literal;
  }
  if (/^-?\d+$/.test(value) || value === 'true' || value === 'false') return value;
  throw new Error(`schema_model: unsupported default ${value} on ${table}.${field.dbName}`);
}

/** The tables Prisma Migrate would create for `models` on `dialect`, with Prisma's naming conventions. */
export function expectedTables(models: SchemaModel[], dialect: Dialect): ExpectedTable[] {
  const byName = new Map(models.map((m) => [m.name, m]));
  return models.map((model) => {
    const table = model.dbName;
    const column = (fieldName: string): string => {
      const field = model.fields.find((f) => f.name === fieldName);
      if (!field) throw new Error(`schema_model: ${model.name} has no field ${fieldName}`);
      return field.dbName;
    };
    const columns = model.fields
      .filter((f) => f.kind === 'scalar')
      .map((f) => {
        const type = SQL_TYPES[dialect][f.type];
        if (!type) throw new Error(`schema_model: no ${dialect} type for ${f.type}`);
        return {
          name: f.dbName,
          type,
          notNull: !f.optional,
          default: expectedDefault(f, table, dialect),
          primaryKey: f.isId,
          autoincrement: f.default === 'autoincrement()',
        };
      });
    const indexes: ExpectedIndex[] = [
      ...model.fields.filter((f) => f.unique).map((f) => ({ columns: [f.dbName], unique: true })),
      ...model.blockIndexes.map((index) => ({ columns: index.fields.map(column), unique: index.unique })),
    ].map((index) => ({ ...index, name: `${table}_${index.columns.join('_')}_${index.unique ? 'key' : 'idx'}` }));
    const foreignKeys = model.fields
      .filter((f) => f.kind === 'object' && f.relation)
      .map((f) => {
        const relation = f.relation!;
        const target = byName.get(f.type);
        if (!target) throw new Error(`schema_model: ${model.name}.${f.name} references unknown model ${f.type}`);
        const targetColumn = (name: string) => target.fields.find((tf) => tf.name === name)?.dbName ?? name;
        const columnsOf = relation.fields.map(column);
        return {
          name: `${table}_${columnsOf.join('_')}_fkey`,
          columns: columnsOf,
          referencedTable: target.dbName,
          referencedColumns: relation.references.map(targetColumn),
          onDelete: REFERENTIAL_ACTIONS[relation.onDelete ?? (f.optional ? 'SetNull' : 'Restrict')],
          onUpdate: REFERENTIAL_ACTIONS[relation.onUpdate ?? 'Cascade'],
        };
      });
    return { name: table, columns, indexes, foreignKeys };
  });
}
