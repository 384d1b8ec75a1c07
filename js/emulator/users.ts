//! v1 users (`/v1/users`, `/v1/users/find`, `/v1/users/me`, `/v1/users/{id}`): v2 has no user endpoints, so the
//! emulator answers these in v1 shape (BaseUser, `YYYY-MM-DD HH:MM:SS` times, `data: null` for no match).

import { v1Time } from './clock';
import { okV1, notFound, validationFailed } from './envelope';
import type { UserRecord } from './records';
import type { RequestContext, Router } from './router';
import { validateQuery } from './validation';

/** A user to seed: name and email at least; everything else has realistic defaults. */
export interface UserSeed extends Partial<UserRecord> {
  name: string;
  email: string;
  /** An API token for this user; requests with it act as this user and get their own burst window. */
  apiToken?: string;
  /** Gives the user admin access to every app (default false). */
  admin?: boolean;
}

/** Builds a full BaseUser from a seed. */
export function buildUser(seed: UserSeed, id: number, now: number): UserRecord {
  const { apiToken: _token, admin, ...fields } = seed;
  const isAdmin = admin ?? false;
  const created = v1Time(now - 90 * 86_400_000);
  const base: UserRecord = {
    id,
    name: seed.name,
    default_currency: 'USD',
    locale: 'en_US',
    lang: 1,
    email: seed.email,
    phone: null,
    activated: true,
    last_login: v1Time(now - 3_600_000),
    created,
    modified: created,
    has_created_company: isAdmin,
    access: [
      { app: 'sales', admin: isAdmin, permission_set_id: isAdmin ? '177a1b5c-7d5c-4a0f-9a4c-000000000001' : '177a1b5c-7d5c-4a0f-9a4c-000000000002' },
      { app: 'global', admin: isAdmin, permission_set_id: isAdmin ? '177a1b5c-7d5c-4a0f-9a4c-000000000003' : '177a1b5c-7d5c-4a0f-9a4c-000000000004' },
    ],
    active_flag: true,
    timezone_name: 'Europe/London',
    timezone_offset: '+00:00',
    role_id: 1,
    icon_url: null,
    is_deleted: false,
  };
  return { ...base, ...fields, id };
}

/**
 * The default users: an active admin (owner of the emulator's API token), an active regular user, an inactive
 * user and a deleted one, so user matching code meets the cases it must skip.
 */
export function defaultUsers(apiToken: string): UserSeed[] {
  return [
    { id: 1, name: 'Ada Admin', email: 'ada.admin@example.com', admin: true, apiToken },
    { id: 2, name: 'Sam Seller', email: 'sam.seller@example.com' },
    { id: 3, name: 'Ivy Inactive', email: 'ivy.inactive@example.com', active_flag: false, activated: false },
    { id: 4, name: 'Dee Deleted', email: 'dee.deleted@example.com', active_flag: false, is_deleted: true },
  ];
}

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
