/**
 * @module emulator/webhooks/payload
 * One webhooks v2 body, built from a change-feed event for one subscription and attempt (guide-for-webhooks-v2,
 * API-FACTS §9, UPDATES-FACTS §2): `{meta, data, previous}`.
 * - `meta`: `id` (one uuid per event, the same on every retry and for every subscription: receivers dedupe on it),
 *   `action`, `entity`, `entity_id`, `company_id`, `user_id`, `webhook_id`, `webhook_owner_id` (ids as strings, as
 *   documented and observed), `change_source` (`api`|`app`), `timestamp` (ISO 8601 with milliseconds, the guide's
 *   example; its table says "10 character timestamp", so receivers should parse both), `attempt` (1..4, a number),
 *   `version: '2.0'`, `type: 'general'`, `is_bulk_edit: false`, `host`, `permitted_user_ids` (the active users: the
 *   emulator has no per-record permissions), `correlation_id` (shared by the two events of a merge [UNVERIFIED]),
 *   and `merged_to_id` on a merge's `delete` / `merged_from_id` on its `change` (strings).
 * - `data`: the webhook view of the record (`emulator/webhooks/webhook_data`); `null` for a delete.
 * - `previous`: `null` for a create; for a change only the changed fields (custom fields: only the changed keys); for
 *   a delete the last state.
 */

import type { RecordChange } from '../model/changes';
import type { EmulatorState } from '../model/state';
import type { WebhookSubscription } from '../model/webhook_subscriptions';
import { webhookView } from './webhook_data';

/** The `meta` block of a v2 webhook. */
export interface WebhookMeta {
  id: string;
  action: RecordChange['action'];
  entity: string;
  entity_id: string;
  company_id: string;
  user_id: string;
  webhook_id: string;
  webhook_owner_id: string;
  change_source: RecordChange['change_source'];
  timestamp: string;
  attempt: number;
  version: '2.0';
  type: 'general';
  is_bulk_edit: false;
  host: string;
  permitted_user_ids: string[];
  correlation_id: string;
  merged_to_id?: string;
  merged_from_id?: string;
}

/** A v2 webhook body. */
export interface WebhookPayload {
  meta: WebhookMeta;
  data: Record<string, unknown> | null;
  previous: Record<string, unknown> | null;
}

/** One event as the deliverer keeps it: the change plus its event and correlation ids. */
export interface WebhookEvent {
  /** `meta.id`. */
  id: string;
  /** `meta.correlation_id`. */
  correlationId: string;
  /** The change-feed event. */
  change: RecordChange;
}

function changedPrevious(state: EmulatorState, change: RecordChange, data: Record<string, unknown>): Record<string, unknown> {
  const previous = change.previous ?? {};
  const view = webhookView(state, change.entity, previous, Object.keys(previous));
  const before = view.custom_fields as Record<string, unknown> | undefined;
  const after = data.custom_fields as Record<string, unknown> | undefined;
  if (before && after) {
    view.custom_fields = Object.fromEntries(Object.entries(before).filter(([k, v]) => JSON.stringify(v) !== JSON.stringify(after[k])));
  }
  return view;
}

/** Builds the body of one delivery attempt. */
export function buildPayload(state: EmulatorState, event: WebhookEvent, sub: WebhookSubscription, attempt: number): WebhookPayload {
  const { change } = event;
  const data = change.data === null ? null : webhookView(state, change.entity, change.data);
  let previous: Record<string, unknown> | null = null;
  if (change.action === 'delete') previous = change.previous === null ? null : webhookView(state, change.entity, change.previous);
  else if (change.action === 'change' && data) previous = changedPrevious(state, change, data);
  const permitted = [...state.users.values()].filter((u) => u.active_flag && !u.is_deleted).map((u) => String(u.id));
  const meta: WebhookMeta = {
    id: event.id,
    action: change.action,
    entity: change.entity,
    entity_id: String(change.entity_id),
    company_id: String(state.company.company_id),
    user_id: String(change.user_id),
    webhook_id: String(sub.id),
    webhook_owner_id: String(sub.owner_id),
    change_source: change.change_source,
    timestamp: new Date(change.timestamp).toISOString(),
    attempt,
    version: '2.0',
    type: 'general',
    is_bulk_edit: false,
    host: `${state.company.company_domain}.pipedrive.com`,
    permitted_user_ids: permitted,
    correlation_id: event.correlationId,
    ...(change.merged_to_id !== undefined ? { merged_to_id: String(change.merged_to_id) } : {}),
    ...(change.merged_from_id !== undefined ? { merged_from_id: String(change.merged_from_id) } : {}),
  };
  return { meta, data, previous };
}
