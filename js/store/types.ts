/**
 * @module store/types
 * The `SyncStore` contract: what the engine asks of the CRM's database.
 *
 * The Prisma store (`pipedrive-sync/prisma`) is the reference implementation; a CRM with other models implements
 * this interface itself. Every method may reject: the engine turns a rejection into a `STORE` error and keeps the
 * original error as its `cause`.
 */

/** A local CRM user as the sync engine sees it. */
export interface LocalUser {
  /** The CRM's own id for the user. */
  id: string;
  /** The user's email address, as stored. Matching against Pipedrive is case-insensitive. */
  email: string;
  /** The user's display name, if the CRM has one. */
  name: string | null;
  /** The Pipedrive user id this user maps to, once known (spec §4.1). */
  pipedriveUserId: number | null;
}

/** A CRM organization as the sync engine sees it. */
export interface LocalOrganization {
  id: string;
  name: string;
  industry: string | null;
  country: string | null;
  /** Street address as one line. */
  address: string | null;
  /** The linked Pipedrive organization, once known. */
  pipedriveOrgId: number | null;
}

/** A CRM contact with its organization, as the warm-lead flow reads it. */
export interface LocalContact {
  id: string;
  name: string;
  email: string | null;
  phone: string | null;
  warmnessScore: number;
  /** The CRM user who owns the contact (route handlers refuse other users' contacts). */
  ownerId: string | null;
  pipedrivePersonId: number | null;
  pipedriveOrgId: number | null;
  /** SYNCED | PENDING | FAILED | CONFLICT | REMOTE_DELETED */
  updateSyncStatus: string;
  organization: LocalOrganization | null;
}

/** The CRM's activity types (spec §2.1). */
export type CrmActivityType = 'CALL' | 'EMAIL' | 'MEETING' | 'LINKEDIN' | 'REFERRAL' | 'CONFERENCE';

/** A CRM activity with what replication needs of its contact (spec §4.2, §7.2). Times are ISO 8601. */
export interface LocalActivity {
  id: string;
  contactId: string;
  /** The CRM user who logged it (its Pipedrive user owns the Pipedrive activity). */
  userId: string;
  type: CrmActivityType;
  subject: string;
  note: string | null;
  /** The due instant; for an all-day activity, an instant on its calendar day in the CRM's time zone. */
  dueDate: string | null;
  /** A date-only activity: Pipedrive gets a due date and no time. */
  allDay: boolean;
  done: boolean;
  pipedriveActivityId: number | null;
  replicatedToPipedrive: boolean;
  pipedriveSyncAttempts: number;
  lastPipedriveSyncAttempt: string | null;
  /** SYNCED | PENDING | FAILED | CONFLICT | REMOTE_DELETED */
  updateSyncStatus: string;
  /** When the activity was logged. */
  createdAt: string;
  /** The contact's Pipedrive ids. */
  contact: { pipedrivePersonId: number | null; pipedriveOrgId: number | null };
}

/**
 * The sync state of a local record (spec §7): `CONFLICT` while a person must decide, `REMOTE_DELETED` once its
 * Pipedrive record is gone (the local record is kept, never deleted).
 */
export type UpdateSyncStatus = 'SYNCED' | 'PENDING' | 'FAILED' | 'CONFLICT' | 'REMOTE_DELETED';

/** The Pipedrive record types a local record can be linked to (`markLinkedRecord`). */
export type LinkedRecordType = 'person' | 'organization' | 'activity' | 'deal';

/** The record types the CRM's edit hooks enqueue updates for: a contact, an organization, an activity. */
export type EditedRecordType = 'person' | 'organization' | 'activity';

/**
 * A local contact's changed fields (the spec's `UpdatePersonData`, §3.2), for `contactEdited`. Ids may be numbers or
 * strings; `null` clears a field. Only these keys are accepted; what each value must be is checked by the engine.
 */
export interface UpdatePersonData {
  name?: string | null;
  email?: string[] | null;
  phone?: string[] | null;
  /** The organization by name: found or created in Pipedrive when the update runs. */
  org_name?: string | null;
  label_ids?: Array<number | string> | null;
  owner_id?: number | string | null;
  visible_to?: number | string | null;
}

/** A local organization's changed fields (the spec's `UpdateOrganizationData`, §3.2), for `organizationEdited`. */
export interface UpdateOrganizationData {
  name?: string | null;
  industry?: string | null;
  country?: string | null;
  address?: string | null;
  visible_to?: number | string | null;
}

/** A local activity's changed fields (the spec's `UpdateActivityData`, §3.2), for `activityEdited`. */
export interface UpdateActivityData {
  subject?: string | null;
  type?: string | null;
  /** `YYYY-MM-DD`. */
  due_date?: string | null;
  /** `HH:MM`. */
  due_time?: string | null;
  note?: string | null;
  person_id?: number | string | null;
  user_id?: number | string | null;
  done?: boolean | null;
}

/** The options of the CRM's edit hooks (`contactEdited`, `organizationEdited`, `activityEdited`). */
export interface RecordEditOptions {
  /** The CRM's interactive-transaction client: the status change and the job commit or roll back with the edit. */
  tx?: unknown;
  /** The CRM user who made the change (whose token the update may use), or `null`. */
  userId?: string | null;
  /** When the change was made (ISO 8601 with an offset); default now. `last-write-wins` compares it. */
  changedAt?: string;
}

/** A local record linked to a Pipedrive record, as `findLinkedRecord` answers it. */
export interface LinkedRecord {
  /** The local record's id. */
  localId: string;
  /** The CRM user it belongs to, when it has one. */
  ownerId: string | null;
  /** Its `updateSyncStatus` (a webhook pulls nothing over a local edit still PENDING). */
  status?: UpdateSyncStatus;
  /** Its values, as {@link LinkedRecordState.fields}. */
  fields?: Record<string, unknown>;
}

/** A local record linked to a Pipedrive record, with its current values: reconcile compares them with the snapshot. */
export interface LinkedRecordState {
  localId: string;
  pipedriveId: number;
  /** Its `updateSyncStatus`. */
  status: UpdateSyncStatus;
  /**
   * Its values in the spec's `Update*Data` form, only the columns that hold one: a person (contact) `{name, email:
   * [email], phone: [phone]}`, an organization `{name, industry, country, address}`, an activity `{subject, note,
   * done}` (dates are left out).
   */
  fields: Record<string, unknown>;
}

/** A webhooks v2 delivery as `receiveWebhookEvent` stores it. */
export interface WebhookEventInput {
  /** `meta.id`: unique per event, the same on every re-delivery (at most 200 characters). */
  eventId: string;
  /** `meta.entity`: any object, also those not synced (at most 50 characters). */
  recordType: string;
  action: 'create' | 'change' | 'delete';
  /** `meta.entity_id`. */
  pipedriveId: number;
  /** What the job needs (the event's `meta`, the changed field names): the `webhook_event` job's payload. */
  payload: Record<string, unknown>;
  /** When it arrived (ISO 8601). */
  receivedAt: string;
}

/** What `markLinkedRecord` writes on the local record linked to a Pipedrive record. */
export interface LinkedRecordMark {
  /** The new `updateSyncStatus`, e.g. `SYNCED` after an update, `REMOTE_DELETED` when the record is gone. */
  status: UpdateSyncStatus;
  /** When it was synced (ISO 8601), stored as `lastPipedriveUpdate`; `null` leaves that unchanged. */
  syncedAt: string | null;
}

/** The last-synced values of a linked record: the base of three-way conflict detection. */
export interface SyncSnapshot {
  /** `person`, `organization`, `activity`, `deal`. */
  recordType: string;
  /** The local record, when there is one. */
  localId: string | null;
  pipedriveId: number;
  /** Field values in Pipedrive's wire format, as last synced. */
  fields: Record<string, unknown>;
  /** Pipedrive's `update_time` of that version (RFC 3339), when known. */
  remoteUpdateTime: string | null;
  /** When it was synced (ISO 8601). */
  syncedAt: string;
}

/** A conflict is OPEN until a person decides, then RESOLVED. */
export type SyncConflictStatus = 'OPEN' | 'RESOLVED';

/** A recorded conflict, as `listConflicts` and `findConflict` return it. Times are ISO 8601. */
export interface SyncConflict {
  id: number;
  /** `person`, `organization`, `activity`, `deal`. */
  recordType: string;
  /** The local record, when there is one. */
  localId: string | null;
  /** The Pipedrive record, or `null` for a conflict about no single record (e.g. an ambiguous match). */
  pipedriveId: number | null;
  /** What conflicts, as recorded (see {@link NewSyncConflict.fields}). */
  fields: Record<string, unknown>;
  status: SyncConflictStatus;
  /** The decision, parsed from its JSON (e.g. `'local'`, `'pipedrive'`, a per-field choice); `null` while OPEN. */
  decision: unknown;
  /** When it was found. */
  createdAt: string;
  /** When it was resolved; `null` while OPEN. */
  resolvedAt: string | null;
}

/** A decision a person must make, e.g. two Pipedrive persons with the contact's email. */
export interface NewSyncConflict {
  recordType: string;
  localId: string | null;
  /** The Pipedrive record, when one is concerned. */
  pipedriveId: number | null;
  /** What conflicts: per field `{local, remote, base}`, or `{candidates: [...ids]}` for ambiguous matches. */
  fields: Record<string, unknown>;
  /** When it was found (ISO 8601). */
  now: string;
}

/** The life of an outbox job: waiting, being worked on by a leased worker, finished, or given up. */
export type SyncJobState = 'PENDING' | 'RUNNING' | 'DONE' | 'DEAD';

/** A unit of sync work to record in the outbox. */
export interface NewSyncJob {
  /** What to do, e.g. `update_record`, `warm_lead`, `replicate_activity`. */
  kind: string;
  /** What the job is about, e.g. `person`, `contact`, `activity`: with `recordId`, the unit of strict ordering. */
  recordType: string;
  /** The id of that record (local or Pipedrive, as the kind defines). */
  recordId: string;
  /** At most one PENDING job per key: a newer change to the same record merges into the waiting job. */
  dedupeKey: string;
  /**
   * JSON data of the job (never a secret). On a merge, the new payload's keys overwrite the waiting job's (a `null`
   * never replacing a known value), except `data`, merged field by field, and `changedAt`, the later kept (see
   * `SyncStore.enqueueJob`).
   */
  payload: Record<string, unknown>;
  /** Higher runs first: interactive work (10) before background work (0). Default 0; a merge keeps the higher. */
  priority?: number;
  /** Not before this instant (ISO 8601); default now. A merge keeps the waiting job's schedule. */
  nextAttemptAt?: string;
}

/** A job as stored in the outbox. Times are ISO 8601 strings. */
export interface SyncJob {
  id: number;
  kind: string;
  recordType: string;
  recordId: string;
  dedupeKey: string;
  payload: Record<string, unknown>;
  state: SyncJobState;
  priority: number;
  /** Attempts started (incremented by each claim). */
  attempts: number;
  nextAttemptAt: string;
  leaseOwner: string | null;
  leaseUntil: string | null;
  /** The last failure, in words, with its code (`UNAVAILABLE: ...`). */
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
  doneAt: string | null;
  /**
   * Set on claim: the previous attempt's worker lost its lease (it crashed or stalled) without completing or
   * failing the job, so that attempt's outcome is unknown and must be looked up before acting again.
   */
  recovered?: boolean;
  /**
   * The fencing token of the current claim: the job's lease generation, raised by one with every claim (0 before
   * the first). Every write about the job names it, and is refused once a newer claim exists.
   */
  leaseToken: number;
  /**
   * When an attempt first marked the job in doubt (about to send a create whose outcome might stay unknown), or
   * `null`. Kept until the job is done, replays included: every later attempt looks the record up first.
   */
  inDoubtSince: string | null;
}

/** A claim of a job: the worker and the claim's `leaseToken`. Writes about the job are accepted only with it. */
export interface JobLease {
  workerId: string;
  token: number;
}

/** A link write made by a job: accepted only while that claim holds the job (`false` and no change otherwise). */
export interface JobFence extends JobLease {
  jobId: number;
}

/** What a worker asks for when it claims jobs. */
export interface ClaimRequest {
  /** The claiming worker; only it may complete or fail the jobs it gets. */
  workerId: string;
  /** At most this many jobs. */
  limit: number;
  /** The lease: the jobs come back to the queue when the worker has not finished them by `now + leaseMs`. */
  leaseMs: number;
  /** The engine's clock (ISO 8601), so tests can move time. */
  now: string;
  /** Only jobs with at least this priority (e.g. to let interactive work through while background work waits). */
  minPriority?: number;
}

/** How a failed attempt ends. */
export interface JobFailure {
  /** The error, in words, with its code. */
  error: string;
  /** When to try again (ISO 8601), or `null` to give up: the job becomes DEAD and stays replayable. */
  retryAt: string | null;
  /** The engine's clock (ISO 8601). */
  now: string;
}

/** The outbox at a glance. */
export interface QueueStats {
  /** Jobs per state. */
  counts: Record<SyncJobState, number>;
  /** Jobs PENDING whose time has come (nextAttemptAt <= now). */
  due: number;
  /** The oldest PENDING job's creation time, or null. */
  oldestPendingAt: string | null;
  /** The most recent DEAD jobs (at most 20), newest first. */
  dead: Array<Pick<SyncJob, 'id' | 'kind' | 'recordType' | 'recordId' | 'attempts' | 'lastError' | 'updatedAt'>>;
}

/** A subscription of `listenForJobs`. */
export interface JobListener {
  /** Whether enqueues are heard at all (false: the worker must poll). */
  live: boolean;
  /** Ends the subscription (closes its connection). */
  stop(): Promise<void>;
}

/** What `swapPacing` is asked: write `state` over the row's `version` (0: no row yet), or read (`state: null`). */
export interface PacingSwapRequest {
  /** The version the engine read (0 when there was no row). */
  version: number;
  /** The new state (the engine's JSON text, never a token), or `null` to read only. */
  state: string | null;
  /** The engine's clock, epoch milliseconds (stored as the row's `updatedAt`). */
  nowMs: number;
}

/** What `swapPacing` answers. */
export interface PacingSwap {
  /** Whether `state` was written. */
  swapped: boolean;
  /** The row's version now: the new one after a swap, else the current one (0 when there is no row). */
  version: number;
  /** The current state when not swapped (`null` when there is no row); `null` after a swap. */
  state: string | null;
}

/**
 * The CRM's data, as the sync engine reads and writes it.
 *
 * Methods resolve `null` (or `false`) for "no such record" and reject only for real failures
 * (connection lost, constraint violated): the engine treats a rejection as an error, never as "not found".
 */
export interface SyncStore {
  /** The local user with this id, or `null`. */
  findUserById(userId: string): Promise<LocalUser | null>;
  /** The local user whose email matches, compared case-insensitively after trimming, or `null`. */
  findUserByEmail(email: string): Promise<LocalUser | null>;
  /** Stores `pipedriveUserId` on the local user; resolves `false` when there is no user with that id. */
  setUserPipedriveId(userId: string, pipedriveUserId: number): Promise<boolean>;

  /** The contact with its organization, or `null`. */
  findContact(contactId: string): Promise<LocalContact | null>;
  /**
   * Links the contact to its Pipedrive person (and organization) and marks it `SYNCED` at `syncedAt`
   * (`lastPipedriveUpdate`); `false` when there is no such contact, or when `fence` is given and that claim no
   * longer holds its job (then nothing changes: the check and the write are one atomic step).
   */
  linkContact(
    contactId: string,
    link: { pipedrivePersonId: number; pipedriveOrgId: number | null; syncedAt: string; fence?: JobFence },
  ): Promise<boolean>;
  /** Links the organization to its Pipedrive organization, `SYNCED` at `syncedAt`; `false` when there is none. */
  linkOrganization(organizationId: string, link: { pipedriveOrgId: number; syncedAt: string }): Promise<boolean>;
  /** Sets the contact's `updateSyncStatus`; `false` when there is no such contact. */
  setContactSyncStatus(contactId: string, status: UpdateSyncStatus): Promise<boolean>;
  /**
   * The CRM's hook for a warmness change: stores `score` and, when it reaches `threshold` (default 4) for a
   * contact without a Pipedrive person, records a `warm_lead` job (dedupe key `warm_lead:<contactId>`, payload
   * `{contactId, userId}`, priority 10) in the same transaction (`tx`, or the store's own). `queueJob: false`
   * stores the score only (the engine passes it when the user definitely has no token). A merge into a pending
   * job never replaces a known `userId` with `null`.
   */
  updateWarmness(
    contactId: string,
    score: number,
    options?: { tx?: unknown; threshold?: number; userId?: string | null; queueJob?: boolean },
  ): Promise<{ updated: boolean; jobId: number | null }>;
  /** Stores the snapshot, replacing the one of the same `recordType` and `pipedriveId`. */
  saveSnapshot(snapshot: SyncSnapshot): Promise<void>;
  /**
   * The snapshot `saveSnapshot` stored for this `recordType` and `pipedriveId` (the last one saved), with its
   * `fields` parsed; `null` when there is none. Rejects (a `RangeError` naming the field) for an empty `recordType`
   * or a `pipedriveId` that is not an integer from 1.
   */
  findSnapshot(recordType: string, pipedriveId: number): Promise<SyncSnapshot | null>;
  /** Records an OPEN conflict; resolves its id. */
  recordConflict(conflict: NewSyncConflict): Promise<number>;
  /**
   * The recorded conflicts (all, or those with `filter.status`), newest first (`createdAt`, then id, descending), at
   * most 500; `fields` and `decision` parsed, `pipedriveId: null` for a conflict about no single record. Rejects (a
   * `RangeError` naming it) for a status other than OPEN and RESOLVED.
   */
  listConflicts(filter?: { status?: SyncConflictStatus }): Promise<SyncConflict[]>;
  /** The conflict with this id, as `listConflicts` returns it, or `null`. */
  findConflict(conflictId: number): Promise<SyncConflict | null>;
  /**
   * Resolves an OPEN conflict: status RESOLVED, `decision` stored as JSON (any JSON value but `null`), `resolvedAt`.
   * `true` only when the conflict was OPEN; `false` (and no change) when it is missing or already RESOLVED. The check
   * and the write are one atomic step: of two concurrent resolves of one conflict, exactly one resolves `true`.
   */
  resolveConflict(conflictId: number, resolution: { decision: unknown; resolvedAt: string }): Promise<boolean>;
  /**
   * Marks the local record linked to a Pipedrive record after the engine dealt with that record (an update
   * written, the record found deleted): `updateSyncStatus = status` and, when `syncedAt` is not `null`,
   * `lastPipedriveUpdate = syncedAt`. The link: `person` → contacts with that `pipedrivePersonId`, `organization` →
   * organizations with that `pipedriveOrgId`, `activity` → the activity with that `pipedriveActivityId` (every local
   * record linked to it, should two share it). `deal` has no local model in the reference schema: `false`, nothing
   * written. Resolves whether a local record was linked (and so marked). Rejects (a `RangeError` naming the field)
   * for another record type, a status not in `UpdateSyncStatus`, a bad id or time.
   */
  markLinkedRecord(recordType: LinkedRecordType, pipedriveId: number, mark: LinkedRecordMark): Promise<boolean>;
  /**
   * The local record linked to a Pipedrive record, with whose it is (a contact's `ownerId`, an activity's
   * `userId`; organizations have no owner in the reference schema: `null`), or `null` when none is linked (deals
   * included). For the update route handlers' ownership check; optional for a CRM's own store (without it, only
   * admins may update through the handlers).
   */
  findLinkedRecord(recordType: LinkedRecordType, pipedriveId: number): Promise<LinkedRecord | null>;
  /**
   * The local records of `recordType` linked to Pipedrive (their Pipedrive id column is set), ordered by local id,
   * those after `page.after` (`null`: from the start), at most `page.limit` (1..1,000): reconcile's walk.
   */
  listLinkedRecords(recordType: EditedRecordType, page: { after: string | null; limit: number }): Promise<LinkedRecordState[]>;
  /**
   * A Pipedrive merge moved `fromPipedriveId` into `toPipedriveId`: every local record of the type linked to `from`
   * is linked to `to` (for organizations, the contacts' `pipedriveOrgId` too), and the snapshot of `from` is deleted
   * (the engine saves the survivor's), in one transaction. Resolves how many local records moved; `deal`: 0.
   */
  relinkRecord(recordType: LinkedRecordType, fromPipedriveId: number, toPipedriveId: number): Promise<number>;
  /**
   * The store hook that writes values pulled from Pipedrive (`options.pullFields`) on a local record: no job is
   * enqueued and `updateSyncStatus` is left alone, since a pulled value is not a local edit and must not echo back.
   * `fields` in `Update*Data` form: a person's `name`, `email` and `phone` (lists: the first is kept), an
   * organization's `name`, `industry`, `country`, `address`, an activity's `subject`, `note`, `done`; another key
   * is refused naming it. `options.tx`: the caller's transaction. Resolves whether the record exists.
   */
  applyRemoteChanges(recordType: EditedRecordType, localId: string, fields: Record<string, unknown>, options?: { tx?: unknown }): Promise<boolean>;
  /** Reconcile's cursor of a record type (the `updated_since` of its next run), or `null`. */
  getReconcileCursor(recordType: LinkedRecordType): Promise<string | null>;
  /** Stores it (one per record type). */
  saveReconcileCursor(recordType: LinkedRecordType, cursor: string): Promise<void>;
  /**
   * A webhook delivery stored in the inbox together with its `webhook_event` job, in one transaction; an
   * `eventId` received before (a re-delivery, two at once included) answers `{duplicate: true, jobId: null}` and
   * writes nothing.
   */
  receiveWebhookEvent(event: WebhookEventInput): Promise<{ duplicate: boolean; jobId: number | null }>;
  /** The activity with its contact's Pipedrive ids, or `null`. */
  findActivity(activityId: string): Promise<LocalActivity | null>;
  /** The contact's activities not yet in Pipedrive, oldest first (`createdAt`, then id). */
  listUnreplicatedActivities(contactId: string): Promise<LocalActivity[]>;
  /**
   * Counts an attempt to replicate the activity (spec §4.2): `pipedriveSyncAttempts + 1`,
   * `lastPipedriveSyncAttempt = at`, `updateSyncStatus = status`; `false` when there is no such activity.
   */
  recordActivityAttempt(activityId: string, attempt: { at: string; status: UpdateSyncStatus }): Promise<boolean>;
  /**
   * The activity is in Pipedrive: `pipedriveActivityId`, `replicatedToPipedrive = true`, `lastPipedriveUpdate =
   * syncedAt`, `updateSyncStatus = 'SYNCED'`; `false` when there is no such activity, or when `fence` is given
   * and that claim no longer holds its job (nothing changes then).
   */
  markActivityReplicated(activityId: string, link: { pipedriveActivityId: number; syncedAt: string; fence?: JobFence }): Promise<boolean>;
  /**
   * The CRM's hook for a logged activity: records a `replicate_activity` job (dedupe key
   * `replicate_activity:<activityId>`, payload `{activityId, userId}`, priority 10) and sets the activity's
   * `updateSyncStatus` to 'PENDING', in the same transaction as the insert (`tx`, or the store's own) — when the
   * activity's contact has a Pipedrive person; otherwise nothing (the warm-lead backfill replicates it later).
   * Resolves the job id, or `null`.
   */
  activityLogged(activityId: string, options?: { tx?: unknown; userId?: string | null }): Promise<number | null>;

  /**
   * The CRM's hook for an edited contact (DESIGN §4 "Ids", §11), called in the CRM's own transaction (`tx`, or the
   * store's own) after the change is written. When the contact is linked (`pipedrivePersonId` set, read in that
   * transaction), it enqueues through `enqueueJob` `{kind: 'update_record', recordType: 'person', recordId:
   * '<pipedrivePersonId>', dedupeKey: 'update_record:person:<pipedrivePersonId>', payload: {entity: 'person', id:
   * <pipedrivePersonId>, data: changes, changedAt: <changedAt or now, ISO 8601 UTC>, localId: contactId, userId:
   * <userId or null>}, priority: 0}`, sets the contact's `updateSyncStatus` to PENDING and resolves the job id.
   * A newer edit of the same Pipedrive record merges into the job still PENDING (same id): `data` field by field
   * (the newer value wins, `null` included), the later `changedAt`, a known `userId` never replaced by `null`; a job
   * already RUNNING gets a successor. Resolves `null` and changes nothing for an unlinked or missing contact, and
   * for `changes` with no field (nothing to send).
   *
   * `changes` must be a plain object with only the keys of `UpdatePersonData`: otherwise a `RangeError` naming the
   * first unknown key (`changes.<key>`) or `changes`, before anything is read or written. What each value must be
   * is the engine's to check when the job runs (a bad value fails the job with `VALIDATION:`, never the CRM's
   * transaction). `changedAt` must be an ISO 8601 instant, `userId` a non-empty string or null.
   */
  contactEdited(contactId: string, changes: UpdatePersonData, options?: RecordEditOptions): Promise<number | null>;
  /**
   * The hook for an edited organization: as `contactEdited`, for organizations linked by `pipedriveOrgId`
   * (`recordType`/`entity` `organization`, dedupe key `update_record:organization:<pipedriveOrgId>`, `localId` the
   * organization's id), with the keys of `UpdateOrganizationData`.
   */
  organizationEdited(organizationId: string, changes: UpdateOrganizationData, options?: RecordEditOptions): Promise<number | null>;
  /**
   * The hook for an edited activity: as `contactEdited`, for activities linked by `pipedriveActivityId`
   * (`recordType`/`entity` `activity`, dedupe key `update_record:activity:<pipedriveActivityId>`, `localId` the
   * activity's id), with the keys of `UpdateActivityData`. An activity not yet replicated has nothing to update
   * (`null`): `activityLogged` replicates it with its current fields.
   */
  activityEdited(activityId: string, changes: UpdateActivityData, options?: RecordEditOptions): Promise<number | null>;

  /**
   * Leases one given job, when it is PENDING (due or not) or RUNNING with an expired lease, and no older job of
   * its record is open; `null` otherwise (e.g. a drain worker has it). For running a job at once.
   */
  claimJob(jobId: number, request: { workerId: string; leaseMs: number; now: string }): Promise<SyncJob | null>;

  /**
   * Records a job in the outbox. With `options.tx` (the CRM's transaction client) the job commits or rolls back
   * with the change that caused it. When a PENDING job with the same `dedupeKey` exists, the new payload merges
   * into it (`merged: true`) instead of adding a job: its keys overwrite the stored ones, except that a `null`
   * never replaces a known value, a plain object under `data` merges into the stored one key by key (the newer
   * value wins, `null` included: clearing a field is a change), and `changedAt` keeps the later instant; RUNNING,
   * DONE and DEAD jobs are never merged into.
   */
  enqueueJob(job: NewSyncJob, options?: { tx?: unknown }): Promise<{ id: number; merged: boolean }>;
  /**
   * Leases up to `limit` due jobs to `workerId`, highest priority first, then oldest first: PENDING jobs with
   * `nextAttemptAt <= now`, and RUNNING jobs whose lease expired before `now` (returned with `recovered: true`).
   * Each claimed job's `leaseToken` goes up by one: the new claim fences out the previous one.
   * Strict order per record: a job is not claimed while an older job of the same `recordType`/`recordId` is
   * PENDING or RUNNING, and one claim never returns two jobs of one record. Two workers never get the same job.
   */
  claimJobs(request: ClaimRequest): Promise<SyncJob[]>;
  /**
   * Extends the lease of a RUNNING job to `now + leaseMs` while `lease` is its current claim (even when the lease
   * ran out, as long as nobody claimed the job since); `false` and no change otherwise.
   */
  renewLease(jobId: number, lease: JobLease, renewal: { leaseMs: number; now: string }): Promise<boolean>;
  /**
   * Marks the job in doubt (`inDoubtSince = since`, kept when already set) while `lease` is its current claim;
   * `false` and no change otherwise. Called before a create is sent: the engine sends nothing when it is refused.
   */
  markJobInDoubt(jobId: number, lease: JobLease, mark: { since: string; now: string }): Promise<boolean>;
  /** Marks a job DONE; `false` (and no change) when `lease` is not its current claim. */
  completeJob(jobId: number, lease: JobLease, now: string): Promise<boolean>;
  /** Records a failed attempt: back to PENDING at `retryAt`, or DEAD; `false` when `lease` is not its current claim. */
  failJob(jobId: number, lease: JobLease, failure: JobFailure): Promise<boolean>;
  /** Puts DEAD jobs (all, or the one with `jobId`) back to PENDING, due `now`, attempts reset; returns how many. */
  retryDeadJobs(now: string, jobId?: number): Promise<number>;
  /** Counts and the latest dead jobs. */
  queueStats(now: string): Promise<QueueStats>;

  /**
   * Pacing shared by every process on one Pipedrive token (DESIGN §13): a compare-and-swap on one row per `key` (a
   * token fingerprint and its Pipedrive, never the token). With `swap.state: null` it reads the row; otherwise it
   * writes `state` only when the row's version is `swap.version` (0: no row yet), raising the version, and answers
   * `{swapped: true, version}`; a stale `version` writes nothing and answers the current `{version, state}`. The check
   * and the write must be one atomic step across processes. Optional: without it (the memory store), each process
   * paces on its own (`options.sharedPacing` must then stay off).
   */
  swapPacing?(key: string, swap: PacingSwapRequest): Promise<PacingSwap>;
  /**
   * When the next PENDING job falls due after `now` (ISO 8601), or `null`: the worker (`sync.queue.run`) sleeps
   * until then when nothing is due. Optional: without it the worker polls.
   */
  nextJobDueAt?(now: string): Promise<string | null>;
  /**
   * Calls `onJob` whenever a job may have been enqueued (PostgreSQL `LISTEN/NOTIFY`, sent by `enqueueJob` in the
   * enqueuing transaction), until `stop()`; `live: false` when the store cannot hear enqueues (SQLite, or no
   * listen URL), and the worker then polls. Optional: without it the worker polls.
   */
  listenForJobs?(onJob: () => void): Promise<JobListener>;
}

/**
 * Store methods the Rust engine calls when the store has them (`swapPacing`, with `options.sharedPacing`), and
 * those the worker uses when present; a store without them still works (see each method).
 */
export const OPTIONAL_STORE_METHODS = ['swapPacing', 'nextJobDueAt', 'listenForJobs'] as const satisfies readonly (keyof SyncStore)[];

/**
 * The store methods the Rust engine calls (the one list: `tests/store/store_methods.test.ts` checks it against the
 * calls in `src/store/*.rs`); `createPipedriveSync` checks that each is a function. The engine enqueues only the
 * update jobs of local changes reconcile finds not pushed. Not among them, until the engine calls them, are
 * `findSnapshot`, `listConflicts`, `findConflict`, `resolveConflict`, `markLinkedRecord` and the CRM's edit hooks
 * (`contactEdited`, `organizationEdited`, `activityEdited`): both stores implement them all the same.
 */
export const REQUIRED_STORE_METHODS = [
  'findUserById',
  'findUserByEmail',
  'setUserPipedriveId',
  'findContact',
  'linkContact',
  'linkOrganization',
  'setContactSyncStatus',
  'updateWarmness',
  'saveSnapshot',
  'findSnapshot',
  'markLinkedRecord',
  'recordConflict',
  'findConflict',
  'listConflicts',
  'resolveConflict',
  'findActivity',
  'listUnreplicatedActivities',
  'recordActivityAttempt',
  'markActivityReplicated',
  'activityLogged',
  'claimJobs',
  'claimJob',
  'renewLease',
  'markJobInDoubt',
  'completeJob',
  'failJob',
  'retryDeadJobs',
  'queueStats',
  'enqueueJob',
  'findLinkedRecord',
  'listLinkedRecords',
  'relinkRecord',
  'applyRemoteChanges',
  'getReconcileCursor',
  'saveReconcileCursor',
  'receiveWebhookEvent',
] as const satisfies readonly (keyof SyncStore)[];
