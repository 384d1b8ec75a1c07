/**
 * @module next-crm/app/api/pipedrive/webhook/route
 * `POST /api/pipedrive/webhook`: Pipedrive's webhooks v2 deliveries, through the package's handler. Authenticated
 * by the subscription's Basic auth (`CRM_WEBHOOK_USER`/`CRM_WEBHOOK_PASSWORD`, the engine's `config.webhooks`), not
 * by a session: the event and its job are stored at once, and the queue does the work.
 */

import { getHandlers } from '@/lib/sync';

/** The engine is WebAssembly on Node (its .wasm is read from disk): not the Edge runtime. */
export const runtime = 'nodejs';
/** Never prerendered or cached. */
export const dynamic = 'force-dynamic';

/** `{success, accepted, duplicate}`; 401 without the configured Basic auth. */
export async function POST(request: Request): Promise<Response> {
  return (await getHandlers()).webhook(request);
}
