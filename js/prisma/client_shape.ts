/**
 * @module prisma/client_shape
 * The part of a Prisma client the Prisma store uses, declared structurally.
 *
 * The package never imports a generated client: the CRM passes its own instance (SQLite or PostgreSQL, generated
 * from the reference schema or from a schema with the same models), and any object with these members will do.
 * Keep this surface minimal: every member added here is one more thing a CRM's client must have.
 */

/** The columns of a `User` row the store reads. */
export interface PrismaUserRow {
  /** `User.id` */
  id: string;
  /** `User.email`, as stored. */
  email: string;
  /** `User.name` */
  name: string | null;
  /** `User.pipedriveUserId` */
  pipedriveUserId: number | null;
}

/** The `select` the store passes when it reads a user: exactly the fields of {@link PrismaUserRow}. */
export const USER_SELECT = { id: true, email: true, name: true, pipedriveUserId: true } as const;

/** The slice of `prisma.user` the store calls. */
export interface PrismaUserDelegateLike {
  /** `prisma.user.findUnique({ where: { id }, select })` */
  findUnique(args: { where: { id: string }; select: typeof USER_SELECT }): PromiseLike<PrismaUserRow | null>;
  /** `prisma.user.updateMany({ where: { id }, data })`: resolves the number of rows changed, 0 for a missing user. */
  updateMany(args: { where: { id: string }; data: { pipedriveUserId: number } }): PromiseLike<{ count: number }>;
}

/**
 * The raw-SQL part of a Prisma client, which its interactive-transaction clients (`tx` in
 * `prisma.$transaction(async (tx) => ...)`) have too: the outbox runs its SQL through it (see `outbox.ts`).
 */
export interface PrismaRawClientLike {
  /** `prisma.$queryRaw\`...\``: values are sent as parameters, never spliced into the SQL. */
  $queryRaw(query: TemplateStringsArray, ...values: unknown[]): PromiseLike<unknown>;
  /** `prisma.$executeRaw\`...\``: resolves the number of rows the statement changed. */
  $executeRaw(query: TemplateStringsArray, ...values: unknown[]): PromiseLike<number>;
}

/**
 * What `createPrismaStore` needs of a Prisma client: the `user` model delegate, tagged-template `$queryRaw` and
 * `$executeRaw` (used where Prisma's query API has no portable form, see `users.ts` and `outbox.ts`) and interactive
 * `$transaction`. A generated `PrismaClient` of the reference schema satisfies it, on SQLite and on PostgreSQL.
 */
export interface PrismaClientLike extends PrismaRawClientLike {
  /** The `User` model (table `users`). */
  user: PrismaUserDelegateLike;
  /** `prisma.$transaction(async (tx) => ...)`: runs `work` in one database transaction, committed when it resolves. */
  $transaction<R>(work: (tx: PrismaRawClientLike) => Promise<R>): Promise<R>;
}
