//! Prisma CLI configuration (Prisma 7) for PostgreSQL: the schema written from `prisma/schema.prisma` by
//! `js/scripts/prisma_generate.sh` (run it first) and the PostgreSQL migrations beside this file.
//!
//! Use it as `prisma migrate deploy --config prisma/postgresql/prisma.config.ts` with `DATABASE_URL` set to a
//! `postgresql://` URL (add `?schema=NAME` for a schema other than `public`). On this machine the migrations are
//! applied by `js/scripts/db_migrate.ts`, which records them in `_prisma_migrations` exactly as Prisma does.
import { defineConfig } from 'prisma/config';

const url = process.env.DATABASE_URL;

export default defineConfig({
  schema: '../generated/postgresql/schema.prisma',
  migrations: {
    path: 'migrations',
  },
  ...(url ? { datasource: { url } } : {}),
});
