/**
 * @module next-crm/app/api/activities/[id]/sync-status/route
 * `GET /api/activities/[id]/sync-status` (spec §8.2): the package's handler, for the activity's user or an admin.
 */

import { packageRoute } from '@/lib/app_route';

/** The engine is WebAssembly on Node (its .wasm is read from disk): not the Edge runtime. */
export const runtime = 'nodejs';
/** Never prerendered or cached: every answer depends on the caller. */
export const dynamic = 'force-dynamic';

/** `{success, synced, pipedriveActivityId?, syncAttempts, lastAttempt?, updateSyncStatus}`; 401, 403, 404. */
export const GET = packageRoute((handlers) => handlers.activitySyncStatus);
