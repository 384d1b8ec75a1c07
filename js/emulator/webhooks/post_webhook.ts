/**
 * @module emulator/webhooks/post_webhook
 * One webhook POST: the JSON body, `Authorization: Basic base64(user:password)` when the subscription has an
 * `http_auth_user`, a timeout in real ms, redirects not followed (a 3xx is a failure, as Pipedrive wants URLs that
 * do not redirect), and only `http:`/`https:` URLs (checked again here, whatever was stored). Never throws: the
 * outcome is the status, or `null` with what went wrong (`timeout after N ms`, the connection error's code).
 */

import type { WebhookPayload } from './payload';
import { isDelivered } from './retry_policy';
import type { WebhookSubscription } from '../model/webhook_subscriptions';

/** What one POST came to. */
export interface PostOutcome {
  /** The receiver's status; `null` without an answer. */
  status: number | null;
  /** Why it failed (`HTTP 500`, `timeout after 10000 ms`, `ECONNREFUSED`, ...); `null` on a 2xx. */
  error: string | null;
}

/** The Basic auth header value of a subscription, or `undefined` when it has no user. */
export function basicAuthHeader(sub: Pick<WebhookSubscription, 'http_auth_user' | 'http_auth_password'>): string | undefined {
  if (sub.http_auth_user === null) return undefined;
  return `Basic ${Buffer.from(`${sub.http_auth_user}:${sub.http_auth_password ?? ''}`).toString('base64')}`;
}

/** POSTs `body` to the subscription's URL; `controller` lets the caller abort it (e.g. on reset). */
export async function postWebhook(sub: WebhookSubscription, body: WebhookPayload, timeoutMs: number, controller: AbortController): Promise<PostOutcome> {
  let url: URL;
  try {
    url = new URL(sub.subscription_url);
  } catch {
    return { status: null, error: 'invalid subscription_url' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { status: null, error: `refused: ${url.protocol} URLs are not delivered to` };
  const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'Pipedrive-Emulator-Webhooks/2.0' };
  const auth = basicAuthHeader(sub);
  if (auth !== undefined) headers.authorization = auth;
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  try {
    const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body), redirect: 'manual', signal: controller.signal });
    await res.body?.cancel().catch(() => undefined);
    return { status: res.status, error: isDelivered(res.status) ? null : `HTTP ${res.status}` };
  } catch (e) {
    if (timedOut) return { status: null, error: `timeout after ${timeoutMs} ms` };
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    return { status: null, error: cause?.code ?? cause?.message ?? (e instanceof Error ? e.message : String(e)) };
  } finally {
    clearTimeout(timer);
  }
}
