/**
 * @module emulator/model/changes
 * The record change feed: one event per create, change or delete of a person, organization, activity or deal,
 * whether made through the API (`change_source: 'api'`) or "in the Pipedrive UI" through `editInUi`
 * (`change_source: 'app'`). This is the hook point for webhooks v2: an event carries what a v2 webhook's `meta`,
 * `data` and `previous` are built from (`previous` holds only the fields that changed, as in webhooks v2). The
 * webhook deliverer (`emulator/webhooks/delivery`) listens here, and so may tests. Listeners survive `reset()`. A
 * PATCH that changes nothing emits nothing. A merge emits a `delete` of the merged record carrying `merged_to_id`
 * and a `change` of the survivor carrying `merged_from_id`, sharing a `correlation_id`.
 */

import type { EntityKind } from './records';

/** Who made a change: the API, or a user in the web app. */
export type ChangeSource = 'api' | 'app';

/** One record change. */
export interface RecordChange {
  /** `create`, `change` or `delete`, the v2 webhook actions. */
  action: 'create' | 'change' | 'delete';
  /** The entity kind. */
  entity: EntityKind;
  /** The record's id. */
  entity_id: number;
  /** `api` for API writes, `app` for edits made through `editInUi`. */
  change_source: ChangeSource;
  /** The user who made the change. */
  user_id: number;
  /** Emulator clock time of the change, epoch ms. */
  timestamp: number;
  /** The record after the change (as stored); `null` for a delete. */
  data: Record<string, unknown> | null;
  /** For a change, the previous values of the changed fields only; for a delete, the last state; `null` for a create. */
  previous: Record<string, unknown> | null;
  /** On the `delete` of a merge: the id of the record it was merged into. */
  merged_to_id?: number;
  /** On the survivor's `change` of a merge: the id of the record merged into it. */
  merged_from_id?: number;
  /** Shared by events of one operation (a merge); webhooks carry it as `meta.correlation_id`. */
  correlation_id?: string;
}

/** A change listener; an exception it throws is swallowed so it cannot break the write that caused it. */
export type ChangeListener = (change: RecordChange) => void;

/** The feed of record changes. */
export class ChangeFeed {
  private readonly listeners = new Set<ChangeListener>();

  /** Calls `listener` for every later change; returns the function that unsubscribes it. */
  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** @internal Tells every listener about a change (each gets its own copy). */
  emit(change: RecordChange): void {
    for (const listener of this.listeners) {
      try {
        listener(structuredClone(change));
      } catch {
        // A listener's failure must not undo or fail the write.
      }
    }
  }
}

/** The top-level fields whose values differ between two versions of a record, with their old values. */
export function changedFields(before: object, after: object): Record<string, unknown> {
  const a = before as Record<string, unknown>;
  const b = after as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (JSON.stringify(a[key]) !== JSON.stringify(b[key])) out[key] = structuredClone(a[key]) ?? null;
  }
  return out;
}
