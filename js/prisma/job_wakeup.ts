/**
 * @module prisma/job_wakeup
 * What the long-running worker (`sync.queue.run`) needs of the Prisma store to sleep well: when the next job falls
 * due (`nextJobDueAt`), and a wake-up when one is enqueued (`listenForJobs`: PostgreSQL `LISTEN` on the channel
 * `enqueueJob` notifies in its transaction). `LISTEN` needs a connection of its own, outside Prisma's pool: it is
 * opened with `pg` on the `listenUrl` given to `createPrismaStore`.
 */

import type { JobListener } from '../store/types';
import { instant } from './arguments';
import type { PrismaClientLike } from './client_shape';
import { splitPostgresSchema } from './migrate';
import { JOB_CHANNEL } from './outbox';
import { detectDialect, queryRows, sql, toIso } from './sql';
import { storeCall } from './store_error';

/** The store's wake-up methods over a Prisma client. */
export interface PrismaJobWakeupStore {
  /** When the next job falls due after `now`, or `null` (see {@link createPrismaJobWakeupStore}). */
  nextJobDueAt(now: string): Promise<string | null>;
  /** Calls `onJob` when a job is enqueued (see {@link createPrismaJobWakeupStore}). */
  listenForJobs(onJob: () => void): Promise<JobListener>;
}

/** A listener that hears nothing: the worker polls. */
const DEAF: JobListener = { live: false, stop: async () => undefined };

/**
 * The wake-up methods of the Prisma store.
 *
 * - `nextJobDueAt(now)`: the earliest instant after `now` at which a job becomes claimable: a PENDING job's
 *   `nextAttemptAt`, or a RUNNING job's `leaseUntil` (a crashed worker's job comes back then); `null` when none.
 * - `listenForJobs(onJob)`: on PostgreSQL with `listenUrl` (Prisma's URL form, `?schema=` honoured), one `pg`
 *   connection that `LISTEN`s on `pipedrive_sync_jobs` and calls `onJob` for notifications from the same schema;
 *   `live: true`. A lost connection calls `onJob` once (the worker then reads the queue) and is not reopened: the
 *   worker falls back to polling. Otherwise `live: false` and nothing is opened.
 */
export function createPrismaJobWakeupStore(prisma: PrismaClientLike, listenUrl?: string): PrismaJobWakeupStore {
  return {
    async nextJobDueAt(now) {
      const at = instant('nextJobDueAt', 'now', now);
      return storeCall('nextJobDueAt', async () => {
        const rows = await queryRows<{ due: unknown; lease: unknown }>(
          prisma,
          sql`SELECT (SELECT MIN("next_attempt_at") FROM "pipedrive_sync_jobs" WHERE "state" = 'PENDING' AND "next_attempt_at" > ${at}) AS "due",
            (SELECT MIN("lease_until") FROM "pipedrive_sync_jobs" WHERE "state" = 'RUNNING' AND "lease_until" >= ${at}) AS "lease"`,
        );
        const times = [toIso(rows[0]?.due), toIso(rows[0]?.lease)].filter((time): time is string => time !== null);
        return times.length === 0 ? null : times.sort()[0];
      });
    },

    async listenForJobs(onJob) {
      if (!listenUrl || (await detectDialect(prisma)) !== 'postgresql') return DEAF;
      const { connectionString, schema } = splitPostgresSchema(listenUrl);
      const { default: pg } = await import('pg');
      const client = new pg.Client({ connectionString });
      let stopped = false;
      client.on('notification', (message) => {
        if (message.channel === JOB_CHANNEL && (message.payload ?? '') === (schema ?? 'public')) onJob();
      });
      client.on('error', () => {
        if (!stopped) onJob();
      });
      await storeCall('listenForJobs', async () => {
        await client.connect();
        await client.query(`LISTEN ${JOB_CHANNEL}`);
      });
      return {
        live: true,
        async stop() {
          stopped = true;
          await client.end().catch(() => undefined);
        },
      };
    },
  };
}
