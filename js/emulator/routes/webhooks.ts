/**
 * @module emulator/routes/webhooks
 * The webhooks management API (`openapi-v1.yaml` `/webhooks`, UPDATES-FACTS §2): `GET /v1/webhooks` lists the
 * company's subscriptions, `POST /v1/webhooks` creates one (201; 400 `{errors: {<field>: [...]}}` naming the field;
 * 422 past 40 per user), `DELETE /v1/webhooks/{id}` removes one (404 when unknown) and with it its pending retries.
 * Replies carry v1's `status: 'ok'|'error'` beside `success`. Token costs come from the generated table (10, 10, 6).
 * Delivery itself is `emulator/webhooks/delivery`.
 */

import { readSubscriptionBody, SubscriptionBodyError } from '../model/webhook_subscription_body';
import { ApiError, ERROR_INFO, type Reply } from '../wire/envelope';
import type { RequestContext, Router } from './router';
import { validateQuery } from './validation';

/** The most subscriptions one user may own (API-FACTS §9: 422 beyond). */
export const MAX_WEBHOOKS_PER_USER = 40;

function webhookError(status: number, error: string, errors?: Record<string, string[]>): ApiError {
  return new ApiError({
    status,
    body: { success: false, status: 'error', error, ...(errors ? { errors } : {}), error_info: ERROR_INFO, data: null, additional_data: null },
  });
}

function create(ctx: RequestContext): Reply {
  validateQuery(ctx.query, {});
  const hooks = ctx.state.webhooks;
  let body;
  try {
    body = readSubscriptionBody(ctx.body, hooks.ownAddress);
  } catch (e) {
    if (e instanceof SubscriptionBodyError) throw webhookError(400, `Validation failed: ${e.message}`, { [e.field]: [e.message] });
    throw e;
  }
  const userId = body.user_id ?? ctx.user.id;
  const user = ctx.state.users.get(userId);
  if (!user || user.is_deleted || !user.active_flag) {
    const message = `'user_id' refers to user ${userId}, which does not exist or is not active`;
    throw webhookError(400, `Validation failed: ${message}`, { user_id: [message] });
  }
  if (hooks.countOwnedBy(ctx.user.id) >= MAX_WEBHOOKS_PER_USER) {
    throw webhookError(422, `A user may have at most ${MAX_WEBHOOKS_PER_USER} webhooks`);
  }
  const sub = hooks.add({ ...body, user_id: userId, owner_id: ctx.user.id, company_id: ctx.state.company.company_id }, ctx.now);
  return { status: 201, body: { status: 'ok', success: true, data: sub } };
}

/** Registers `GET|POST /v1/webhooks` and `DELETE /v1/webhooks/{id}`. */
export function registerWebhookRoutes(router: Router): void {
  router.addV1('GET', '/webhooks', (ctx) => {
    validateQuery(ctx.query, {});
    return { status: 200, body: { status: 'ok', success: true, data: ctx.state.webhooks.list() } };
  });

  router.addV1('POST', '/webhooks', create);

  router.addV1('DELETE', '/webhooks/{id}', (ctx) => {
    validateQuery(ctx.query, {});
    const id = /^\d+$/.test(ctx.params.id) ? Number(ctx.params.id) : NaN;
    if (!ctx.state.webhooks.remove(id)) throw webhookError(404, 'Webhook not found');
    return { status: 200, body: { status: 'ok', success: true } };
  });
}
