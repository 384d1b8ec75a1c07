/**
 * @module next-crm/app/api/pipedrive/setup-user/route
 * `POST /api/pipedrive/setup-user` with `{email}` (spec §8.4): the package's handler; a user may set up only their
 * own email unless an admin.
 */

import { packageRoute } from '@/lib/app_route';

/** The engine is WebAssembly on Node (its .wasm is read from disk): not the Edge runtime. */
export const runtime = 'nodejs';
/** Never prerendered or cached: every answer depends on the caller. */
export const dynamic = 'force-dynamic';

/** `{success, pipedriveUserId?, error?, code?}`; 401, 403 for another user's email, 400/415/413 for a bad body. */
export const POST = packageRoute((handlers) => handlers.setupUser);
