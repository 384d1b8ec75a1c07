/**
 * @module emulator/routes/users
 * v1 users (`/v1/users`, `/v1/users/find`, `/v1/users/me`, `/v1/users/{id}`): v2 has no user endpoints, so the
 * emulator answers these in v1 shape (BaseUser, `YYYY-MM-DD HH:MM:SS` times, `data: null` for no match).
 */

import type { UserRecord } from '../model/records';
import { okV1, notFound, validationFailed } from '../wire/envelope';
import type { RequestContext, Router } from './router';
import { validateQuery } from './validation';

function present(user: UserRecord, ctx: RequestContext): UserRecord & { is_you: boolean } {
  return { ...user, is_you: user.id === ctx.user.id };
}

/** Registers the v1 user routes. */
export function registerUserRoutes(router: Router): void {
  router.addV1('GET', '/users', (ctx) => {
    validateQuery(ctx.query, {});
    return okV1([...ctx.state.users.values()].map((u) => present(u, ctx)));
  });

  router.addV1('GET', '/users/find', (ctx) => {
    const q = validateQuery(ctx.query, { term: { kind: 'string' }, search_by_email: { kind: 'string', enum: ['0', '1'] } });
    if (typeof q.term !== 'string' || q.term.trim() === '') throw validationFailed(`query parameter 'term' is required`);
    const term = q.term.trim().toLowerCase();
    const byEmail = q.search_by_email === '1';
    const found = [...ctx.state.users.values()].filter((u) =>
      byEmail ? u.email.toLowerCase().includes(term) : u.name.toLowerCase().includes(term),
    );
    // Pipedrive answers "no match" with `data: null`, not an empty list; clients must handle both.
    return okV1(found.length === 0 ? null : found.map((u) => present(u, ctx)));
  });

  router.addV1('GET', '/users/me', (ctx) => {
    validateQuery(ctx.query, {});
    return okV1({
      ...present(ctx.user, ctx),
      ...ctx.state.company,
      language: { language_code: 'en', country_code: 'US' },
    });
  });

  router.addV1('GET', '/users/{id}', (ctx) => {
    validateQuery(ctx.query, {});
    const user = /^\d+$/.test(ctx.params.id) ? ctx.state.users.get(Number(ctx.params.id)) : undefined;
    if (!user) throw notFound('User');
    return okV1(present(user, ctx));
  });
}
