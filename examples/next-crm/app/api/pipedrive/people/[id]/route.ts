/**
 * @module next-crm/app/api/pipedrive/people/[id]/route
 * `PUT /api/pipedrive/people/[id]` (spec §8.3): the package's handler. A record linked to a local one: its owner or an admin; an
 * unlinked Pipedrive record: admins only.
 */

import { packageRoute } from '@/lib/app_route';

/** The engine is WebAssembly on Node (its .wasm is read from disk): not the Edge runtime. */
export const runtime = 'nodejs';
/** Never prerendered or cached: every answer depends on the caller. */
export const dynamic = 'force-dynamic';

/** `UpdateResult`; 401, 403, 400 naming the field. */
export const PUT = packageRoute((handlers) => handlers.updatePerson);
