/**
 * @module next/webhook_route
 * `handlers.webhook`: the route Pipedrive's webhooks v2 deliver to (DESIGN §12). It takes no session: Pipedrive
 * authenticates with the subscription's Basic auth, which the engine compares in constant time. A JSON body of
 * at most 1 MB; the event and its job are stored in one transaction and the answer is 200 at once (a
 * re-delivery too, with `duplicate: true`), so Pipedrive's 10 s limit and its retry schedule never come into
 * play for work the job does later. Wrong or missing auth: 401 with a `WWW-Authenticate` challenge, nothing
 * stored; a body that is not a v2 event: 400 naming the field.
 */

import type { PipedriveSync } from '../index';
import { AuthError } from '../errors';
import { errorResponse, json, readObject, thrownResponse, type HandlerFailure } from './http';

/** The largest webhook body taken in. */
export const WEBHOOK_MAX_BYTES = 1024 * 1024;

/** The webhook intake over `sync`; `log` receives failures of our own. */
export function webhookRoute(sync: PipedriveSync, log: (failure: HandlerFailure) => void): (request: Request) => Promise<Response> {
  return async (request) => {
    try {
      const body = await readObject(request, WEBHOOK_MAX_BYTES);
      if (body instanceof Response) return body;
      const receipt = await sync.webhooks.receive(body, { authorization: request.headers.get('authorization') });
      return json({ success: true, ...receipt });
    } catch (thrown) {
      if (thrown instanceof AuthError) {
        const response = errorResponse('AUTH', 'AUTH: the delivery does not carry the webhook credentials', undefined, 401);
        response.headers.set('www-authenticate', 'Basic realm="pipedrive-sync"');
        return response;
      }
      return thrownResponse(thrown, log);
    }
  };
}
