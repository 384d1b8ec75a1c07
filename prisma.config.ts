//! Prisma CLI configuration (Prisma 7) for the default SQLite database: where the schema and the migrations live and
//! which database `prisma migrate deploy` targets. The PostgreSQL variant is `prisma/postgresql/prisma.config.ts`.
//!
//! `DATABASE_URL` defaults to `file:./prisma/dev.db` (resolved from the repo root). This machine applies the
//! migrations with `js/scripts/db_migrate.ts` (no schema engine download); the files stay in Prisma's format so that
//! `prisma migrate deploy` accepts them where the engine is available.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: {
    path: 'prisma/migrations',
  },
  datasource: {
    url: process.env.DATABASE_URL ?? 'file:./prisma/dev.db',
  },
});
