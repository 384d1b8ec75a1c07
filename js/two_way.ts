/**
 * @module two_way
 * Two-way sync (DESIGN §12): `sync.reconcile` (drift found cheaply, per entity type from a stored cursor) and
 * `sync.webhooks` (webhooks v2 taken in, subscriptions registered once). The engine decides everything; these are
 * its typed doors.
 */

import type { EngineHandle } from './engine/engine_handle';
import type {
  EnsureWebhooksAnswer,
  ReconcileProgressAnswer,
  ReconcileReportAnswer,
  WebhookReceiptAnswer,
} from '../pkg/pipedrive_sync';

/** `ReconcileReport`: per entity type (linked, listed, and each class), requests, tokens and time. */
export type ReconcileReport = ReconcileReportAnswer;
/** Where a reconcile run is. */
export type ReconcileProgress = ReconcileProgressAnswer;
/** What `sync.webhooks.receive` did. */
export type WebhookReceipt = WebhookReceiptAnswer;
/** What `sync.webhooks.ensure` found and created. */
export type EnsureWebhooksResult = EnsureWebhooksAnswer;

/** `sync.reconcile`. */
export interface ReconcileService {
  /**
   * Walks `entities` (default person, organization, activity) from `since` (RFC 3339) or each type's stored
   * cursor: records in step, first seen (baselined), changed locally and not pushed (an update job queued),
   * changed in Pipedrive (drift; `options.pullFields` written locally), changed on both sides (an update job for
   * the strategy), deleted (`REMOTE_DELETED`), no longer visible (flagged), merged (the link moves to the survivor).
   */
  run(options?: { entities?: Array<'person' | 'organization' | 'activity'>; since?: string | Date; onProgress?: (progress: ReconcileProgress) => void }): Promise<ReconcileReport>;
}

/** `sync.webhooks`. */
export interface WebhooksService {
  /**
   * Takes in one webhooks v2 delivery: `AuthError` unless `authorization` is the configured Basic auth (nothing
   * stored), `ValidationError` naming the field for a body that is not a v2 event; else the event and its job
   * are stored in one transaction (`duplicate: true` for a re-delivery, nothing new). The job does the work.
   */
  receive(event: unknown, options: { authorization?: string | null }): Promise<WebhookReceipt>;
  /** Creates the v2 subscriptions missing for `url` (default every action on persons, organizations, activities, deals). */
  ensure(options: { url: string; username: string; password: string; events?: string[] }): Promise<EnsureWebhooksResult>;
  /** The account's webhooks, without passwords. */
  list(): Promise<Array<Record<string, unknown>>>;
  /** Deletes a webhook by id. */
  remove(id: number | string): Promise<void>;
}

/** The two-way services over `engine`. */
export function createTwoWayServices(engine: EngineHandle): { reconcile: ReconcileService; webhooks: WebhooksService } {
  return {
    reconcile: {
      run: (options = {}) => {
        const since = options.since instanceof Date ? options.since.toISOString() : options.since;
        const request = { entities: options.entities, since };
        const onProgress = options.onProgress
          ? (progress: ReconcileProgress) => {
              try {
                options.onProgress?.(progress);
              } catch {
                // A failing progress callback must not stop the run.
              }
            }
          : undefined;
        return engine.run((wasm) => wasm.reconcile(request, onProgress));
      },
    },
    webhooks: {
      receive: (event, options) => engine.run((wasm) => wasm.receiveWebhook(event, options?.authorization ?? null)),
      ensure: (options) => engine.run((wasm) => wasm.ensureWebhooks(options)),
      list: () => engine.run((wasm) => wasm.listWebhooks()),
      remove: async (id) => {
        await engine.run((wasm) => wasm.removeWebhook(id));
      },
    },
  };
}
