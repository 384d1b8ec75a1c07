/**
 * @module next-crm/lib/sync
 * The app's one pipedrive-sync engine over the Prisma store (`createPrismaStore` on `lib/database.ts`), created on
 * first use and shared by every page, action and route, and the package's route handlers over it (spec §8),
 * authenticated by `lib/auth.ts`. Configured from the environment:
 *
 * | variable | meaning |
 * |---|---|
 * | `PIPEDRIVE_API_TOKEN`, `PIPEDRIVE_BASE_URL` | the company token and Pipedrive (or the emulator) |
 * | `CRM_WEBHOOK_USER`, `CRM_WEBHOOK_PASSWORD` | the Basic auth Pipedrive's webhook deliveries must carry |
 * | `CRM_CONFLICT_STRATEGY` | `manual` (default here: conflicts wait on /conflicts), `last-write-wins`, `auto-merge` |
 * | `CRM_USER_THROTTLE` | user-initiated Pipedrive calls per minute per user (default the spec's 10) |
 * | `CRM_PLAN` | the Pipedrive plan until headers tell (default `growth`) |
 */

import { createPipedriveSync, type PipedriveSync, type SyncOptions } from 'pipedrive-sync';
import { createRouteHandlers, type RouteHandlers } from 'pipedrive-sync/next';
import { createPrismaStore } from 'pipedrive-sync/prisma';

import { currentUser } from './auth';
import { getPrisma } from './database';

/** What the process keeps across Next.js module reloads. */
const shared = globalThis as typeof globalThis & { crmSync?: Promise<PipedriveSync>; crmHandlers?: Promise<RouteHandlers> };

/** The conflict strategy from `CRM_CONFLICT_STRATEGY` (default `manual`). */
function conflictStrategy(): SyncOptions['conflictStrategy'] {
  const value = process.env.CRM_CONFLICT_STRATEGY?.trim();
  return value === 'last-write-wins' || value === 'auto-merge' ? value : 'manual';
}

/** The plan from `CRM_PLAN` (default `growth`). */
function plan(): SyncOptions['plan'] {
  const value = process.env.CRM_PLAN?.trim();
  return value === 'lite' || value === 'premium' || value === 'ultimate' ? value : 'growth';
}

/** The webhook Basic auth, when both halves are configured. */
function webhookAuth(): { username: string; password: string } | undefined {
  const username = process.env.CRM_WEBHOOK_USER ?? '';
  const password = process.env.CRM_WEBHOOK_PASSWORD ?? '';
  return username && password ? { username, password } : undefined;
}

/** The engine; a failed start is not remembered, so fixing the environment and retrying works. */
export function getSync(): Promise<PipedriveSync> {
  shared.crmSync ??= (async () => {
    const prisma = await getPrisma();
    const throttle = Number(process.env.CRM_USER_THROTTLE);
    return createPipedriveSync({
      pipedrive: { apiToken: process.env.PIPEDRIVE_API_TOKEN ?? '', baseUrl: process.env.PIPEDRIVE_BASE_URL },
      store: createPrismaStore(prisma),
      webhooks: webhookAuth(),
      logger: (level, event, fields) => {
        if (level === 'warn' || level === 'error') console[level](`pipedrive-sync ${event}`, fields);
      },
      options: {
        conflictStrategy: conflictStrategy(),
        plan: plan(),
        // Names, emails and phones changed in Pipedrive come back to the CRM (webhooks, reconcile).
        pullFields: { person: ['name', 'email', 'phone'] },
        ...(Number.isInteger(throttle) && throttle > 0 ? { userThrottle: { requests: throttle, perMs: 60_000 } } : {}),
      },
    });
  })().catch((error: unknown) => {
    shared.crmSync = undefined;
    throw error;
  });
  return shared.crmSync;
}

/** The package's route handlers over the engine, every one authenticated by `currentUser`. */
export function getHandlers(): Promise<RouteHandlers> {
  shared.crmHandlers ??= getSync().then(
    (engine) => createRouteHandlers(engine, { authenticate: currentUser }),
    (error: unknown) => {
      shared.crmHandlers = undefined;
      throw error;
    },
  );
  return shared.crmHandlers;
}

/** The Pipedrive web page of a record, for links (`CRM_PIPEDRIVE_APP_URL`, default the API's base URL). */
export function pipedriveLink(entity: 'person' | 'organization' | 'activity', id: number): string {
  const base = (process.env.CRM_PIPEDRIVE_APP_URL ?? process.env.PIPEDRIVE_BASE_URL ?? 'https://app.pipedrive.com').replace(/\/+$/, '');
  return `${base}/${entity}/${id}`;
}
