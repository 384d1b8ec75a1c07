/**
 * @module next-crm/app/api/pipedrive/batch-update/route
 * `POST /api/pipedrive/batch-update` (spec §8.3): the package's handler. Up to 50 `{recordType, recordId, data}` in
 * `{updates}`; each item is authorised like its single route.
 */

import { packageRoute } from '@/lib/app_route';

/** The engine is WebAssembly on Node (its .wasm is read from disk): not the Edge runtime. */
export const runtime = 'nodejs';
/** Never prerendered or cached: every answer depends on the caller. */
export const dynamic = 'force-dynamic';

/** `BatchUpdateResult` (results in input order, `summary`); 400 for 51 updates, nothing sent. */
export const POST = packageRoute((handlers) => handlers.batchUpdate);
