/**
 * @module next-crm/app/api/engine/route
 * `GET /api/engine`: what the wasm engine runs with (no secrets; computed inside the engine from the validated
 * configuration), for any signed-in user.
 */

import { appRoute } from '@/lib/app_route';

/** The engine is WebAssembly on Node (its .wasm is read from disk): not the Edge runtime. */
export const runtime = 'nodejs';
/** Never prerendered or cached: every answer depends on the caller. */
export const dynamic = 'force-dynamic';

/** The engine's description: `{success: true, engine}`; 401 without a signed-in user. */
export const GET = appRoute(async (_user, _request, sync) => Response.json({ success: true, engine: sync.describe() }));
