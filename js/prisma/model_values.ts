/**
 * @module prisma/model_values
 * The allowed values of the reference schema's String status columns (SQLite has no enums, so the schema stores
 * Strings and the store validates them), with type guards for the store's later methods and for CRMs.
 */

/** `Activity.type` values (the seed's `ActivityType`). */
export const ACTIVITY_TYPES = ['CALL', 'EMAIL', 'MEETING', 'LINKEDIN', 'REFERRAL', 'CONFERENCE'] as const;
/** One of {@link ACTIVITY_TYPES}. */
export type ActivityType = (typeof ACTIVITY_TYPES)[number];

/**
 * `updateSyncStatus` values on activities, contacts and organizations: `REMOTE_DELETED` once the linked Pipedrive
 * record is gone (the column is a String, so a new value needs no migration).
 */
export const UPDATE_SYNC_STATUSES = ['SYNCED', 'PENDING', 'FAILED', 'CONFLICT', 'REMOTE_DELETED'] as const;
/** One of {@link UPDATE_SYNC_STATUSES}. */
export type UpdateSyncStatus = (typeof UPDATE_SYNC_STATUSES)[number];

/** `SyncJob.state` values: the outbox life cycle. */
export const SYNC_JOB_STATES = ['PENDING', 'RUNNING', 'DONE', 'DEAD'] as const;
/** One of {@link SYNC_JOB_STATES}. */
export type SyncJobState = (typeof SYNC_JOB_STATES)[number];

/** `SyncConflict.status` values. */
export const SYNC_CONFLICT_STATUSES = ['OPEN', 'RESOLVED'] as const;
/** One of {@link SYNC_CONFLICT_STATUSES}. */
export type SyncConflictStatus = (typeof SYNC_CONFLICT_STATUSES)[number];

/** Whether `value` is an {@link ActivityType}. */
export function isActivityType(value: unknown): value is ActivityType {
  return (ACTIVITY_TYPES as readonly unknown[]).includes(value);
}

/** Whether `value` is an {@link UpdateSyncStatus}. */
export function isUpdateSyncStatus(value: unknown): value is UpdateSyncStatus {
  return (UPDATE_SYNC_STATUSES as readonly unknown[]).includes(value);
}

/** Whether `value` is a {@link SyncJobState}. */
export function isSyncJobState(value: unknown): value is SyncJobState {
  return (SYNC_JOB_STATES as readonly unknown[]).includes(value);
}

/** Whether `value` is a {@link SyncConflictStatus}. */
export function isSyncConflictStatus(value: unknown): value is SyncConflictStatus {
  return (SYNC_CONFLICT_STATUSES as readonly unknown[]).includes(value);
}
