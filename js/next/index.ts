/**
 * @module next/index
 * `pipedrive-sync/next`: route handlers for the spec's API endpoints (§8), for the Next.js App Router.
 *
 *     // lib/pipedrive.ts
 *     export const handlers = createRouteHandlers(await sync, { authenticate: async (request) => ... });
 *     // app/api/contacts/[id]/check-warm-lead/route.ts
 *     export const POST = handlers.checkWarmLead;
 *
 * Every handler answers 401 when `authenticate` finds no user, 403 for another user's record (fail closed: when
 * ownership cannot be established, admins only), 400 naming the field for a malformed body (JSON only, at most
 * 64 KB: 415, 413), 429 with `Retry-After` over the per-user throttle, 500 with a correlation id (never driver or
 * panic text) for failures of our own, and the spec's shapes otherwise. Work on a contact acts as its owner.
 */

import type { PipedriveSync } from '../index';
import { errorResponse, json, readObject, requiredString, STATUS_OF, thrownResponse, type HandlerFailure } from './http';
import { updateRoutes, type AuthorizeRemote } from './update_routes';
import { drainRoute, type DrainRouteOptions } from './drain_route';
import { webhookRoute } from './webhook_route';

export type { HandlerFailure } from './http';
export { DRAIN_BUDGET_MS, type DrainRouteOptions } from './drain_route';
export type { AuthorizeRemote, UpdateCaller, UpdateRecordType } from './update_routes';

/** Who is calling, as the app's own authentication knows it. */
export interface AuthenticatedUser {
  /** The CRM user id. */
  userId: string;
  /** The user's email, when known: a user may set up only their own email unless `isAdmin`. */
  email?: string;
  /** Admins may act on other users' records. */
  isAdmin?: boolean;
}

/** Options of `createRouteHandlers`. */
export interface RouteHandlerOptions {
  /** Resolves the calling user from the request (session cookie, bearer token...), or null when there is none. */
  authenticate(request: Request): Promise<AuthenticatedUser | null> | AuthenticatedUser | null;
  /** Who may act on a contact with no owner: `'admins'` (the default) or `'anyone'` signed in. */
  unownedContacts?: 'admins' | 'anyone';
  /** Where failures of our own are logged with their details (default: `console.error`). */
  onError?: (failure: HandlerFailure) => void;
  /** Who may update a Pipedrive record linked to no local record (default: admins only). */
  authorizeRemote?: AuthorizeRemote;
  /** `handlers.drain`: the scheduler's shared secret and the drain's time budget (see `drain_route`). */
  drain?: DrainRouteOptions;
}

/** The route context of the App Router; `params` is a promise in Next.js 15 and later. */
export interface RouteContext {
  params: Promise<Record<string, string | string[] | undefined>>;
}

/** A Next.js App Router handler. */
export type RouteHandler = (request: Request, context: RouteContext) => Promise<Response>;

/** The handlers, one per endpoint of the spec (§8). */
export interface RouteHandlers {
  /** `POST /api/contacts/[id]/check-warm-lead` → `CheckWarmLeadResponse` (spec §8.1). */
  checkWarmLead: RouteHandler;
  /** `POST /api/pipedrive/setup-user` with `{email}` → `SetupUserResponse` (spec §8.4). */
  setupUser: RouteHandler;
  /** `GET /api/activities/[id]/sync-status` → `ActivitySyncStatusResponse` (spec §8.2). */
  activitySyncStatus: RouteHandler;
  /** `PUT /api/pipedrive/activities/[id]` with `UpdateActivityData` → `UpdateResult` (spec §8.3). */
  updateActivity: RouteHandler;
  /** `PUT /api/pipedrive/people/[id]` with `UpdatePersonData` → `UpdateResult`. */
  updatePerson: RouteHandler;
  /** `PUT /api/pipedrive/organizations/[id]` with `UpdateOrganizationData` → `UpdateResult`. */
  updateOrganization: RouteHandler;
  /** `PUT /api/pipedrive/deals/[id]` with `UpdateDealData` → `UpdateResult`. */
  updateDeal: RouteHandler;
  /** `POST /api/pipedrive/batch-update` with `{updates: [{recordType, recordId, data}]}` (≤ 50) → `BatchUpdateResult`. */
  batchUpdate: RouteHandler;
  /**
   * `POST /api/pipedrive/webhook`: Pipedrive's webhooks v2 deliveries, authenticated by the subscription's Basic
   * auth (`config.webhooks`), not by a session → `{success, accepted, duplicate}` at once (see `webhook_route`).
   */
  webhook: (request: Request) => Promise<Response>;
  /**
   * `GET` or `POST /api/pipedrive/drain`, for a scheduler (cron): a drain bounded by `options.drain.budgetMs`
   * (default 50 s), authorised by `Authorization: Bearer <options.drain.secret>` → `{success, report}`.
   */
  drain: (request: Request) => Promise<Response>;
}

/** Builds the handlers over one engine. */
export function createRouteHandlers(sync: PipedriveSync, options: RouteHandlerOptions): RouteHandlers {
  const log = options.onError ?? ((failure: HandlerFailure) => console.error('pipedrive-sync handler failed', failure));
  /** Authenticates, applies the per-user throttle, runs `body`, and maps thrown errors to statuses. */
  const handler = (body: (user: AuthenticatedUser, request: Request, context: RouteContext) => Promise<Response>): RouteHandler => {
    return async (request, context) => {
      try {
        const user = await options.authenticate(request);
        if (!user || typeof user.userId !== 'string' || user.userId === '') {
          return errorResponse('AUTH', 'AUTH: sign in to use this endpoint', undefined, 401);
        }
        sync.rateLimit.allowUser(user.userId);
        return await body(user, request, context);
      } catch (thrown) {
        return thrownResponse(thrown, log);
      }
    };
  };

  const updates = updateRoutes(sync, options.authorizeRemote);
  const byId = (update: (user: AuthenticatedUser, id: string, request: Request) => Promise<Response>) =>
    handler(async (user, request, context) => {
      const id = routeId(await context.params);
      return id instanceof Response ? id : update(user, id, request);
    });
  return {
    webhook: webhookRoute(sync, log),
    drain: drainRoute(sync, options.drain ?? {}, log),
    updateActivity: byId(updates.updateActivity),
    updatePerson: byId(updates.updatePerson),
    updateOrganization: byId(updates.updateOrganization),
    updateDeal: byId(updates.updateDeal),
    batchUpdate: handler((user, request) => updates.batchUpdate(user, request)),
    checkWarmLead: handler(async (user, _request, context) => {
      const id = routeId(await context.params);
      if (id instanceof Response) return id;
      const contact = await sync.store.findContact(id);
      if (!contact) return errorResponse('NOT_FOUND', `NOT_FOUND: there is no contact with id ${id}`);
      if (contact.ownerId ? contact.ownerId !== user.userId && !user.isAdmin : !user.isAdmin && options.unownedContacts !== 'anyone') {
        const whose = contact.ownerId ? 'belongs to another user' : 'has no owner: only admins may act on it';
        return errorResponse('AUTH', `AUTH: this contact ${whose}`, undefined, 403);
      }
      // Act as the contact's owner (their token, their Pipedrive user), whoever is asking.
      return json(await sync.warmLeads.checkWarmLead(id, contact.ownerId ?? user.userId));
    }),
    activitySyncStatus: handler(async (user, _request, context) => {
      const id = routeId(await context.params);
      if (id instanceof Response) return id;
      const activity = await sync.store.findActivity(id);
      if (!activity) return errorResponse('NOT_FOUND', `NOT_FOUND: there is no activity with id ${id}`);
      if (activity.userId !== user.userId && !user.isAdmin) {
        return errorResponse('AUTH', 'AUTH: this activity belongs to another user', undefined, 403);
      }
      return json(await sync.activities.syncStatus(id));
    }),
    setupUser: handler(async (user, request) => {
      const body = await readObject(request);
      if (body instanceof Response) return body;
      const email = requiredString(body, 'email');
      if (email instanceof Response) return email;
      // Fail closed: without a known email of their own, only admins may set up users.
      if (!user.isAdmin && (!user.email || user.email.trim().toLowerCase() !== email.trim().toLowerCase())) {
        return errorResponse('AUTH', 'AUTH: you may only set up your own Pipedrive user', undefined, 403);
      }
      const result = await sync.users.setupUser(email);
      const status = result.success ? 200 : (STATUS_OF[result.code as keyof typeof STATUS_OF] ?? 500);
      return json(result, status);
    }),
  };
}

/** The `[id]` segment of the route, trimmed once: the ownership check and the action name the same record. */
function routeId(params: Record<string, string | string[] | undefined>): string | Response {
  const id = typeof params.id === 'string' ? params.id.trim() : '';
  if (id === '') return errorResponse('VALIDATION', 'VALIDATION: id must be a non-empty path segment');
  return id;
}
