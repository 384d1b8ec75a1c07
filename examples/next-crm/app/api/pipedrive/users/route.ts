/**
 * @module next-crm/app/api/pipedrive/users/route
 * `GET /api/pipedrive/users?email=...`: the active Pipedrive user with that email, matched inside the engine.
 * Under the rule of the package's setup-user handler: a user may look up only their own email unless an admin.
 */

import { appRoute, failure, isOwnEmail } from '@/lib/app_route';

/** The engine is WebAssembly on Node (its .wasm is read from disk): not the Edge runtime. */
export const runtime = 'nodejs';
/** Never prerendered or cached: every answer depends on the caller. */
export const dynamic = 'force-dynamic';

/** `{success: true, user}`; 401 without a signed-in user, 403 for another user's email, 400 for a malformed one. */
export const GET = appRoute(async (user, request, sync) => {
  const email = new URL(request.url).searchParams.get('email') ?? '';
  if (!user.isAdmin && !isOwnEmail(user, email)) return failure('AUTH', 'AUTH: you may only look up your own Pipedrive user', 403);
  return Response.json({ success: true, user: await sync.users.findUserByEmail(email) });
});
