/**
 * @module emulator/webhooks/delivery_entry
 * What one webhook delivery attempt leaves in the journal, and the journal as the deliverer sees it (one method),
 * so that the deliverer does not depend on the emulator's root modules.
 */

/** One webhook delivery attempt (or an event lost to a ban). */
export interface WebhookDeliveryEntry {
  /** The subscription's id. */
  webhookId: number;
  /** Where it was POSTed. */
  url: string;
  /** `meta.id` of the event (the same on every attempt). */
  eventId: string;
  /** `meta.action`. */
  action: string;
  /** `meta.entity`. */
  entity: string;
  /** `meta.entity_id` as a number. */
  entityId: number;
  /** 1 for the first attempt, 2..4 for the retries. */
  attempt: number;
  /** Emulator clock time of the attempt, epoch ms. */
  time: number;
  /** The receiver's HTTP status; `null` after a connection error, a timeout or a ban. */
  status: number | null;
  /** What went wrong without a status (`timeout after 10000 ms`, a connection error, `banned: event lost`); else `null`. */
  error: string | null;
  /** Whether the receiver answered 2xx. */
  ok: boolean;
  /** Whether a Basic auth header was sent. */
  basicAuth: boolean;
  /** The JSON body sent (`{meta, data, previous}`). */
  payload: unknown;
}

/** Where the deliverer records its attempts (the emulator's journal). */
export interface DeliveryLog {
  /** Appends one attempt. */
  recordDelivery(entry: WebhookDeliveryEntry): void;
}
