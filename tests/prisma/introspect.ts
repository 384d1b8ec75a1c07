/**
 * @module tests/prisma/introspect
 * Reads back the tables a migrated database really has (columns, indexes, foreign keys) in the shape of
 * `schema_model.ts`'s `ExpectedTable`, for the drift tests: SQLite through `PRAGMA`s, PostgreSQL through the catalog.
 */

import pg from 'pg';
import type { ExpectedColumn, ExpectedForeignKey, ExpectedIndex, ExpectedTable } from './schema_model';

/** The slice of better-sqlite3 used here (the package ships no types of its own). */
interface SqliteDatabase {
  prepare(sql: string): { all(...params: unknown[]): unknown[] };
  close(): void;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const Database = require('better-sqlite3') as new (
  file: string,
  options?: { readonly?: boolean; fileMustExist?: boolean },
) => SqliteDatabase;

/** Tables that belong to the migration machinery, not to the schema. */
const BOOKKEEPING_TABLES = new Set(['_prisma_migrations']);

const byName = <T extends { name: string }>(a: T, b: T) => a.name.localeCompare(b.name);

/** Normalizes a table for comparison: everything sorted by name. */
export function normalizeTables(tables: ExpectedTable[]): ExpectedTable[] {
  return tables
    .map((t) => ({
      name: t.name,
      columns: [...t.columns].sort(byName),
      indexes: [...t.indexes].sort(byName),
      foreignKeys: [...t.foreignKeys].sort(byName),
    }))
    .sort(byName);
}

/** The tables of a SQLite file (`_prisma_migrations` and SQLite's own excluded). */
export function introspectSqlite(file: string): ExpectedTable[] {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const tables = db
      .prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
      .all() as { name: string; sql: string }[];
    return tables
      .filter((t) => !BOOKKEEPING_TABLES.has(t.name))
      .map(({ name, sql }) => {
        const columns = (
          db.prepare(`PRAGMA table_info("${name}")`).all() as {
            name: string;
            type: string;
            notnull: number;
            dflt_value: string | null;
            pk: number;
          }[]
        ).map(
          (c): ExpectedColumn => ({
            name: c.name,
            type: c.type,
            notNull: c.notnull === 1,
            default: c.dflt_value,
            primaryKey: c.pk > 0,
            autoincrement: new RegExp(`"${c.name}"[^,]*PRIMARY KEY AUTOINCREMENT`).test(sql),
          }),
        );
        const indexes = (
          db.prepare(`PRAGMA index_list("${name}")`).all() as { name: string; unique: number; origin: string }[]
        )
          .filter((i) => i.origin !== 'pk')
          .map(
            (i): ExpectedIndex => ({
              name: i.name,
              unique: i.unique === 1,
              columns: (db.prepare(`PRAGMA index_info("${i.name}")`).all() as { seqno: number; name: string }[])
                .sort((a, b) => a.seqno - b.seqno)
                .map((c) => c.name),
            }),
          );
        const constraintNames = new Map<string, string>();
        for (const m of sql.matchAll(/CONSTRAINT "([^"]+)" FOREIGN KEY \(([^)]*)\)/g)) {
          constraintNames.set(m[2].replace(/"/g, '').replace(/\s+/g, ''), m[1]);
        }
        const fkRows = db.prepare(`PRAGMA foreign_key_list("${name}")`).all() as {
          id: number;
          seq: number;
          table: string;
          from: string;
          to: string;
          on_update: string;
          on_delete: string;
        }[];
        const foreignKeys = [...new Set(fkRows.map((r) => r.id))].map((id): ExpectedForeignKey => {
          const rows = fkRows.filter((r) => r.id === id).sort((a, b) => a.seq - b.seq);
          const columns = rows.map((r) => r.from);
          return {
            name: constraintNames.get(columns.join(',')) ?? `(unnamed foreign key on ${columns.join(', ')})`,
            columns,
            referencedTable: rows[0].table,
            referencedColumns: rows.map((r) => r.to),
            onDelete: rows[0].on_delete,
            onUpdate: rows[0].on_update,
          };
        });
        return { name, columns, indexes, foreignKeys };
      });
  } finally {
    db.close();
  }
}

const PG_ACTIONS: Record<string, string> = { a: 'NO ACTION', r: 'RESTRICT', c: 'CASCADE', n: 'SET NULL', d: 'SET DEFAULT' };

/** The tables of a PostgreSQL schema (`_prisma_migrations` excluded). */
export async function introspectPostgres(connectionString: string, schema: string): Promise<ExpectedTable[]> {
  // search_path = the schema, so that defaults such as nextval('x_seq') come back unqualified, as in a migration.
  const client = new pg.Client({ connectionString, options: `-c search_path=${schema}` });
  await client.connect();
  try {
    const tables = (
      await client.query<{ table_name: string }>(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE'`,
        [schema],
      )
    ).rows
      .map((r) => r.table_name)
      .filter((t) => !BOOKKEEPING_TABLES.has(t));
    const columns = (
      await client.query<{
        table_name: string;
        column_name: string;
        data_type: string;
        is_nullable: string;
        column_default: string | null;
        datetime_precision: number | null;
      }>(
        `SELECT table_name, column_name, data_type, is_nullable, column_default, datetime_precision
           FROM information_schema.columns WHERE table_schema = $1`,
        [schema],
      )
    ).rows;
    const indexes = (
      await client.query<{ table: string; name: string; unique: boolean; primary: boolean; columns: string[] }>(
        `SELECT c.relname AS "table", i.relname AS name, ix.indisunique AS "unique", ix.indisprimary AS "primary",
                array(SELECT a.attname FROM unnest(ix.indkey) WITH ORDINALITY AS k(attnum, ord)
                        JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum ORDER BY k.ord)::text[] AS columns
           FROM pg_index ix
           JOIN pg_class c ON c.oid = ix.indrelid
           JOIN pg_class i ON i.oid = ix.indexrelid
           JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = $1`,
        [schema],
      )
    ).rows;
    const foreignKeys = (
      await client.query<{
        name: string;
        table: string;
        ref_table: string;
        on_delete: string;
        on_update: string;
        columns: string[];
        ref_columns: string[];
      }>(
        `SELECT con.conname AS name, cl.relname AS "table", ref.relname AS ref_table,
                con.confdeltype AS on_delete, con.confupdtype AS on_update,
                array(SELECT a.attname FROM unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
                        JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum ORDER BY k.ord)::text[] AS columns,
                array(SELECT a.attname FROM unnest(con.confkey) WITH ORDINALITY AS k(attnum, ord)
                        JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum ORDER BY k.ord)::text[] AS ref_columns
           FROM pg_constraint con
           JOIN pg_class cl ON cl.oid = con.conrelid
           JOIN pg_class ref ON ref.oid = con.confrelid
           JOIN pg_namespace n ON n.oid = cl.relnamespace
          WHERE con.contype = 'f' AND n.nspname = $1`,
        [schema],
      )
    ).rows;
    return tables.map((table) => {
      const primary = new Set(indexes.filter((i) => i.table === table && i.primary).flatMap((i) => i.columns));
      return {
        name: table,
        columns: columns
          .filter((c) => c.table_name === table)
          .map(
            (c): ExpectedColumn => ({
              name: c.column_name,
              // Prisma's DateTime is TIMESTAMP(3): report any other precision so that it shows in the diff.
              type:
                c.data_type === 'timestamp without time zone' && c.datetime_precision !== 3
                  ? `${c.data_type}(${c.datetime_precision})`
                  : c.data_type,
              notNull: c.is_nullable === 'NO',
              default: c.column_default,
              primaryKey: primary.has(c.column_name),
              autoincrement: c.column_default?.startsWith('nextval(') ?? false,
            }),
          ),
        indexes: indexes
          .filter((i) => i.table === table && !i.primary)
          .map((i): ExpectedIndex => ({ name: i.name, columns: i.columns, unique: i.unique })),
        foreignKeys: foreignKeys
          .filter((f) => f.table === table)
          .map(
            (f): ExpectedForeignKey => ({
              name: f.name,
              columns: f.columns,
              referencedTable: f.ref_table,
              referencedColumns: f.ref_columns,
              onDelete: PG_ACTIONS[f.on_delete] ?? f.on_delete,
              onUpdate: PG_ACTIONS[f.on_update] ?? f.on_update,
            }),
          ),
      };
    });
  } finally {
    await client.end();
  }
}
