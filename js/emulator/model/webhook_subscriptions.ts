/**
 * @module emulator/model/webhook_subscriptions
 * The webhook subscriptions of one emulated company (`/v1/webhooks`), stored in the `BaseWebhook` shape of
 * `openapi-v1.yaml`, and which of them an event goes to: `event_action` and `event_object` each match exactly or by
 * `*`, only active `2.0` subscriptions are delivered (a `1.0` one is stored and listed, never delivered: the
 * emulator speaks webhooks v2 only), and a banned one (10 first-attempt failures, API-FACTS §9) is skipped until its
 * ban ends. Subscriptions are data: `reset()` removes them.
 */

import { WEBHOOK_VERSIONS, type OwnAddress, type WebhookVersion } from './webhook_subscription_body';

export { WEBHOOK_VERSIONS, type WebhookVersion };


/** One subscription, as `GET /v1/webhooks` serves it. */
export interface WebhookSubscription {
  /** The webhook id. */
  id: number;
  /** The company it belongs to. */
  company_id: number;
  /** The user who created it. */
  owner_id: number;
  /** The user whose permissions events are checked against (default: the creator). */
  user_id: number;
  /** `create`, `change`, `delete` or `*` (v2); `added`, `updated`, `deleted`, `merged` or `*` (v1). */
  event_action: string;
  /** `person`, `organization`, `deal`, `activity`, ... or `*`. */
  event_object: string;
  /** Where events are POSTed. */
  subscription_url: string;
  /** `2.0` (delivered) or `1.0` (stored only). */
  version: WebhookVersion;
  /** 1 while active. */
  is_active: 0 | 1;
  /** Creation time, ISO 8601 (see `webhookTime`). */
  add_time: string;
  /** Removal time; always `null` here (a deleted subscription is gone). */
  remove_time: string | null;
  /** Always `general`: app webhooks need OAuth, which the emulator does not have. */
  type: 'general';
  /** Basic auth user sent with every delivery, or `null`. */
  http_auth_user: string | null;
  /** Basic auth password sent with every delivery, or `null`. */
  http_auth_password: string | null;
  /** Why it was removed; always `null` here. */
  remove_reason: string | null;
  /** Emulator time of the last delivery attempt (see `webhookTime`), or `null`. */
  last_delivery_time: string | null;
  /** HTTP status of the last delivery attempt (`null` before the first one or after a connection error). */
  last_http_status: number | null;
  /** The admin who created it (the creator). */
  admin_id: number;
  /** The webhook's name. */
  name: string;
}

/** What a new subscription is made of (a validated `POST /v1/webhooks` body plus who sent it). */
export interface NewSubscription {
  subscription_url: string;
  event_action: string;
  event_object: string;
  name: string;
  version: WebhookVersion;
  user_id: number;
  http_auth_user: string | null;
  http_auth_password: string | null;
  /** The user creating it. */
  owner_id: number;
  company_id: number;
}

/** How many first-attempt failures in a row ban a subscription (API-FACTS §9). */
export const BAN_AFTER_FAILURES = 10;
/** How long a ban lasts: 30 minutes of emulator time; events in that time are lost. */
export const BAN_MS = 30 * 60_000;

/**
 * A time as the webhooks API writes it: `2019-10-25T08:25:27.000Z` (the spec's example; the webhooks service, unlike
 * the rest of v1, uses ISO 8601 with milliseconds [UNVERIFIED beyond the example]), whole seconds.
 */
export function webhookTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString();
}

/** Whether a subscription's `event_action` and `event_object` (each exact or `*`) cover an event. */
export function subscriptionMatches(sub: Pick<WebhookSubscription, 'event_action' | 'event_object'>, action: string, entity: string): boolean {
  return (sub.event_action === '*' || sub.event_action === action) && (sub.event_object === '*' || sub.event_object === entity);
}

/** The subscriptions of one company, with the delivery bookkeeping Pipedrive keeps per webhook. */
export class WebhookRegistry {
  /** The emulator's own address, refused as a `subscription_url`; set once the server listens. */
  ownAddress: OwnAddress | undefined;
  private readonly subs = new Map<number, WebhookSubscription>();
  private readonly failures = new Map<number, number>();
  private readonly bannedUntil = new Map<number, number>();
  private nextId = 1;

  /** Every subscription, oldest first (copies). */
  list(): WebhookSubscription[] {
    return [...this.subs.values()].map((s) => ({ ...s }));
  }

  /** One subscription (the stored object), or `undefined`. */
  get(id: number): WebhookSubscription | undefined {
    return this.subs.get(id);
  }

  /** How many subscriptions a user owns (Pipedrive allows 40). */
  countOwnedBy(userId: number): number {
    return [...this.subs.values()].filter((s) => s.owner_id === userId).length;
  }

  /** Stores a new subscription at emulator time `now`; returns it. */
  add(input: NewSubscription, now: number): WebhookSubscription {
    const sub: WebhookSubscription = {
      id: this.nextId++, company_id: input.company_id, owner_id: input.owner_id, user_id: input.user_id,
      event_action: input.event_action, event_object: input.event_object, subscription_url: input.subscription_url,
      version: input.version, is_active: 1, add_time: webhookTime(now), remove_time: null,
      type: 'general', http_auth_user: input.http_auth_user, http_auth_password: input.http_auth_password, remove_reason: null,
      last_delivery_time: null, last_http_status: null, admin_id: input.owner_id, name: input.name,
    };
    this.subs.set(sub.id, sub);
    return { ...sub };
  }

  /** Removes a subscription; `false` when there was none. Its pending retries are dropped by the deliverer. */
  remove(id: number): boolean {
    this.failures.delete(id);
    this.bannedUntil.delete(id);
    return this.subs.delete(id);
  }

  /** The active v2 subscriptions an event goes to (banned ones included: check `isBanned`). */
  matching(action: string, entity: string): WebhookSubscription[] {
    return [...this.subs.values()].filter((s) => s.version === '2.0' && s.is_active === 1 && subscriptionMatches(s, action, entity));
  }

  /** Whether a subscription is banned at `now`. */
  isBanned(id: number, now: number): boolean {
    const until = this.bannedUntil.get(id);
    if (until === undefined) return false;
    if (now < until) return true;
    this.bannedUntil.delete(id);
    return false;
  }

  /**
   * Notes the outcome of one delivery attempt: the last status and time, and for first attempts the ban counter
   * (10 failures ban the webhook for 30 minutes; retries do not count, a success resets it).
   */
  noteAttempt(id: number, attempt: number, status: number | null, ok: boolean, now: number): void {
    const sub = this.subs.get(id);
    if (!sub) return;
    sub.last_delivery_time = webhookTime(now);
    sub.last_http_status = status;
    if (ok) {
      this.failures.delete(id);
      return;
    }
    if (attempt !== 1) return;
    const count = (this.failures.get(id) ?? 0) + 1;
    if (count >= BAN_AFTER_FAILURES) {
      this.failures.delete(id);
      this.bannedUntil.set(id, now + BAN_MS);
    } else this.failures.set(id, count);
  }

  /** Removes every subscription and ban; ids start again at 1. */
  reset(): void {
    this.subs.clear();
    this.failures.clear();
    this.bannedUntil.clear();
    this.nextId = 1;
  }
}
