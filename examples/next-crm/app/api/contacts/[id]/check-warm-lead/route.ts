/**
 * @module next-crm/app/api/contacts/[id]/check-warm-lead/route
 * `POST /api/contacts/[id]/check-warm-lead` (spec §8.1): the package's handler, for the contact's owner or an admin.
 */

import { packageRoute } from '@/lib/app_route';

/** The engine is WebAssembly on Node (its .wasm is read from disk): not the Edge runtime. */
export const runtime = 'nodejs';
/** Never prerendered or cached: every answer depends on the caller. */
export const dynamic = 'force-dynamic';

/** `{success, isWarmLead, pipedrivePersonId?, pipedriveOrgId?, reason?}`; 401, 403 for another user's contact, 404. */
export const POST = packageRoute((handlers) => handlers.checkWarmLead);
