/**
 * @module store/memory
 * An in-memory `SyncStore`: users, contacts, organizations, activities, snapshots, conflicts and an outbox that follow the
 * contract in `types.ts`, kept in arrays, with the CRM's hooks (warmness, logged and edited records). For prototypes,
 * demos and a CRM's own unit tests; it is not durable (a restart loses the queue), so production uses the Prisma
 * store or a store over the CRM's own database.
 *
 * It is also the readable reference for a CRM writing its own store: each method is the rule of the contract in a
 * few lines, without the SQL and the concurrency handling a database needs (see `js/prisma/` for those).
 */

import type {
  ClaimRequest,
  CrmActivityType,
  EditedRecordType,
  JobFailure,
  JobFence,
  JobLease,
  LocalActivity,
  LocalContact,
  LocalOrganization,
  LocalUser,
  LinkedRecordState,
  NewSyncJob,
  QueueStats,
  RecordEditOptions,
  SyncConflict,
  SyncConflictStatus,
  SyncJob,
  SyncSnapshot,
  SyncStore,
  UpdateSyncStatus,
} from './types';
import { instant, integer, jsonValue, oneOf, pipedriveId as pipedriveIdArg, plainObject, text } from './argument_checks';
import { mergePayload } from './payload_merge';
import { MAX_PIPEDRIVE_ID, WARMNESS_MAX, WARMNESS_MIN } from './ranges';
import { changesNothing, checkEdit, LINKED_RECORD_TYPES, updateRecordJob } from './record_edits';
import { checkPage, checkPulledFields, checkWebhookEvent, linkedFields, RECONCILED_RECORD_TYPES, webhookJob } from './remote_changes';

/**
 * A contact as the memory store keeps it: the `LocalContact` fields, with its organization referenced by
 * `organizationId` (joined from `organizations` by `findContact`) instead of embedded, and the time of its last sync.
 */
export interface MemoryContact extends Omit<LocalContact, 'organization'> {
  /** The `id` of its organization in {@link MemoryStore.organizations}, or `null`. */
  organizationId: string | null;
  /** When it was last synced with Pipedrive (ISO 8601), set by `linkContact`. */
  lastPipedriveUpdate?: string | null;
}

/** An organization as the memory store keeps it: the `LocalOrganization` fields, with its sync state. */
export interface MemoryOrganization extends LocalOrganization {
  /** When it was last synced with Pipedrive (ISO 8601), set by `linkOrganization`. */
  lastPipedriveUpdate?: string | null;
  /** SYNCED | PENDING | FAILED | CONFLICT | REMOTE_DELETED; `linkOrganization` sets SYNCED. */
  updateSyncStatus?: string;
}

/**
 * An activity as the memory store keeps it: the `LocalActivity` fields without `contact` (joined from `contacts` by
 * `contactId` when read, `{pipedrivePersonId: null, pipedriveOrgId: null}` when its contact is not there), and the time
 * of its last sync. `createdAt` orders `listUnreplicatedActivities`.
 */
export interface MemoryActivity extends Omit<LocalActivity, 'contact'> {
  /** When it was last synced with Pipedrive (ISO 8601), set by `markActivityReplicated`. */
  lastPipedriveUpdate?: string | null;
}

/**
 * A conflict as the memory store keeps it: the `SyncConflict` fields, `createdAt` the `now` it was recorded with,
 * `decision` and `resolvedAt` set by `resolveConflict`.
 */
export type MemoryConflict = SyncConflict;

/**
 * The in-memory store, with its data exposed for seeding and inspection (push to the arrays, read them back);
 * setting `failWith` makes every call reject with it.
 */
export interface MemoryStore extends SyncStore {
  users: LocalUser[];
  /** Contacts, each pointing to its organization by `organizationId`. */
  contacts: MemoryContact[];
  organizations: MemoryOrganization[];
  /** Activities, each pointing to its contact by `contactId`; `pipedriveActivityId` unique among them. */
  activities: MemoryActivity[];
  /** One per (`recordType`, `pipedriveId`). */
  snapshots: SyncSnapshot[];
  conflicts: MemoryConflict[];
  jobs: SyncJob[];
  failWith?: Error;
}

/** What `markLinkedRecord` and the edit hooks write on a contact, organization or activity. */
type LinkableRecord = { id: string; updateSyncStatus?: string; lastPipedriveUpdate?: string | null };

/** The values of `updateSyncStatus`. */
const SYNC_STATUSES: readonly UpdateSyncStatus[] = ['SYNCED', 'PENDING', 'FAILED', 'CONFLICT', 'REMOTE_DELETED'];
/** The values of a conflict's `status`. */
const CONFLICT_STATUSES: readonly SyncConflictStatus[] = ['OPEN', 'RESOLVED'];
/** The most conflicts `listConflicts` returns (the newest), as in the Prisma store. */
const LIST_CONFLICTS_LIMIT = 500;
/** The CRM's activity types (spec §2.1). */
const ACTIVITY_TYPES: readonly string[] = ['CALL', 'EMAIL', 'MEETING', 'LINKEDIN', 'REFERRAL', 'CONFERENCE'] satisfies CrmActivityType[];

/** A store over arrays, starting with `users` (seed the other arrays through the returned object). */
export function createMemoryStore(users: LocalUser[] = []): MemoryStore {
  const contacts: MemoryContact[] = [];
  const organizations: MemoryOrganization[] = [];
  const activities: MemoryActivity[] = [];
  const snapshots: SyncSnapshot[] = [];
  const conflicts: MemoryConflict[] = [];
  const jobs: SyncJob[] = [];
  /** Reconcile's cursor per record type. */
  const cursors = new Map<string, string>();
  /** The webhook inbox: the event ids received. */
  const webhookEvents = new Set<string>();
  let nextId = 1;
  let nextConflictId = 1;
  const check = () => {
    if (store.failWith) throw store.failWith;
  };
  /** The job is RUNNING under this claim (the worker and the claim's token). */
  const held = (job: SyncJob | undefined, lease: JobLease): job is SyncJob =>
    job !== undefined && job.state === 'RUNNING' && job.leaseOwner === lease.workerId && job.leaseToken === lease.token;
  /** A fenced write is allowed: no fence, or its claim still holds its job. */
  const fenceHolds = (fence: JobFence | undefined) =>
    fence === undefined || held(jobs.find((job) => job.id === fence.jobId), fence);
  const contactById = (id: string) => contacts.find((contact) => contact.id === id);
  const activityById = (id: string) => activities.find((activity) => activity.id === id);
  /** A stored activity as a `LocalActivity`: a copy, its type checked, its contact's Pipedrive ids joined. */
  const toLocalActivity = (activity: MemoryActivity): LocalActivity => {
    if (!ACTIVITY_TYPES.includes(activity.type)) {
      throw new TypeError(`activity '${activity.id}' has an unknown type ${JSON.stringify(activity.type)} (expected one of ${ACTIVITY_TYPES.join(', ')})`);
    }
    const { lastPipedriveUpdate: _synced, ...fields } = activity;
    const contact = contactById(activity.contactId);
    return { ...fields, contact: { pipedrivePersonId: contact?.pipedrivePersonId ?? null, pipedriveOrgId: contact?.pipedriveOrgId ?? null } };
  };

  /**
   * The local records of the kind linked to Pipedrive records of `recordType`, each with the Pipedrive id that links
   * it (`null` when unlinked): contacts by person, organizations, activities.
   */
  const linkable = (recordType: EditedRecordType): Array<{ record: LinkableRecord; pipedriveId: number | null }> => {
    if (recordType === 'person') return contacts.map((contact) => ({ record: contact, pipedriveId: contact.pipedrivePersonId }));
    if (recordType === 'organization') return organizations.map((org) => ({ record: org, pipedriveId: org.pipedriveOrgId }));
    return activities.map((activity) => ({ record: activity, pipedriveId: activity.pipedriveActivityId }));
  };
  /** A linked record as `listLinkedRecords` and `findLinkedRecord` show it. */
  const linkedState = (recordType: EditedRecordType, record: LinkableRecord, pipedriveId: number): LinkedRecordState => ({
    localId: record.id,
    pipedriveId,
    status: (record.updateSyncStatus ?? 'SYNCED') as UpdateSyncStatus,
    fields: linkedFields(recordType, record as unknown as Record<string, unknown>),
  });
  /** An edit hook: when the record is linked, its `update_record` job and PENDING; else `null` and no change. */
  const edited = async (operation: string, recordType: EditedRecordType, localId: string, changes: unknown, options?: RecordEditOptions) => {
    check();
    const edit = checkEdit(operation, recordType, changes, options);
    // `options.tx` is ignored, as in updateWarmness.
    const found = linkable(recordType).find(({ record }) => record.id === localId);
    if (!found || found.pipedriveId === null || changesNothing(edit)) return null;
    const { id } = await store.enqueueJob(updateRecordJob(recordType, found.pipedriveId, localId, edit));
    found.record.updateSyncStatus = 'PENDING';
    return id;
  };
  /** A stored conflict as the contract returns it: a deep copy. */
  const conflictCopy = (conflict: MemoryConflict): SyncConflict => structuredClone(conflict);
  /** A conflict id argument, as the Prisma store checks it. */
  const conflictIdArg = (operation: string, conflictId: unknown) => integer(operation, 'conflictId', conflictId, 1, MAX_PIPEDRIVE_ID);

  // The claim rules, shared by claimJobs and claimJob.
  const record = (job: SyncJob) => `${job.recordType}\u0000${job.recordId}`;
  const open = (job: SyncJob) => job.state === 'PENDING' || job.state === 'RUNNING';
  /** PENDING (and due, unless `anySchedule`), or RUNNING with a lease that ended before `now`. */
  const claimable = (job: SyncJob, now: number, anySchedule: boolean) =>
    (job.state === 'PENDING' && (anySchedule || Date.parse(job.nextAttemptAt) <= now)) ||
    (job.state === 'RUNNING' && job.leaseUntil !== null && Date.parse(job.leaseUntil) < now);
  /** An older job of the same record is still open: this one waits (strict order per record). */
  const blocked = (job: SyncJob) => jobs.some((older) => older.id < job.id && record(older) === record(job) && open(older));
  /** Leases `job` to the worker (a new claim token) and returns a copy, `recovered` when the previous lease had expired. */
  const lease = (job: SyncJob, request: { workerId: string; leaseMs: number; now: string }): SyncJob => {
    const recovered = job.state === 'RUNNING';
    Object.assign(job, {
      state: 'RUNNING', leaseOwner: request.workerId, leaseUntil: new Date(Date.parse(request.now) + request.leaseMs).toISOString(),
      attempts: job.attempts + 1, updatedAt: request.now, leaseToken: job.leaseToken + 1,
    });
    return { ...job, payload: { ...job.payload }, ...(recovered ? { recovered: true } : {}) };
  };

  const store: MemoryStore = {
    users,
    contacts,
    organizations,
    activities,
    snapshots,
    conflicts,
    jobs,
    async findUserById(userId) {
      check();
      return users.find((user) => user.id === userId) ?? null;
    },
    async findUserByEmail(email) {
      check();
      const wanted = email.trim().toLowerCase();
      return users.find((user) => user.email.trim().toLowerCase() === wanted) ?? null;
    },
    async setUserPipedriveId(userId, pipedriveUserId) {
      check();
      const user = users.find((candidate) => candidate.id === userId);
      if (!user) return false;
      user.pipedriveUserId = pipedriveUserId;
      return true;
    },
    async findContact(contactId) {
      check();
      const contact = contactById(contactId);
      if (!contact) return null;
      const { organizationId, lastPipedriveUpdate: _synced, ...fields } = contact;
      const organization = organizations.find((org) => org.id === organizationId);
      return {
        ...fields,
        organization: organization
          ? {
            id: organization.id, name: organization.name, industry: organization.industry, country: organization.country,
            address: organization.address, pipedriveOrgId: organization.pipedriveOrgId,
          }
          : null,
      };
    },
    async linkContact(contactId, link) {
      check();
      const contact = contactById(contactId);
      if (!contact || !fenceHolds(link.fence)) return false;
      contact.pipedrivePersonId = link.pipedrivePersonId;
      if (link.pipedriveOrgId !== null) contact.pipedriveOrgId = link.pipedriveOrgId; // null keeps the stored one
      contact.lastPipedriveUpdate = link.syncedAt;
      contact.updateSyncStatus = 'SYNCED';
      return true;
    },
    async linkOrganization(organizationId, link) {
      check();
      const organization = organizations.find((org) => org.id === organizationId);
      if (!organization) return false;
      Object.assign(organization, { pipedriveOrgId: link.pipedriveOrgId, lastPipedriveUpdate: link.syncedAt, updateSyncStatus: 'SYNCED' });
      return true;
    },
    async setContactSyncStatus(contactId, status) {
      check();
      if (!SYNC_STATUSES.includes(status)) throw new RangeError(`setContactSyncStatus: status must be one of ${SYNC_STATUSES.join(', ')}, got ${String(status)}`);
      const contact = contactById(contactId);
      if (!contact) return false;
      contact.updateSyncStatus = status;
      return true;
    },
    async updateWarmness(contactId, score, options = {}) {
      check();
      const threshold = options.threshold ?? 4;
      if (!Number.isInteger(score) || score < WARMNESS_MIN || score > WARMNESS_MAX) {
        throw new RangeError(`updateWarmness: score must be an integer from ${WARMNESS_MIN} to ${WARMNESS_MAX}, got ${String(score)}`);
      }
      if (typeof threshold !== 'number' || !Number.isFinite(threshold)) throw new RangeError(`updateWarmness: threshold must be a finite number, got ${String(threshold)}`);
      // `options.tx` is ignored: there are no transactions here, and nothing below can fail half-way.
      const contact = contactById(contactId);
      if (!contact) return { updated: false, jobId: null };
      contact.warmnessScore = score;
      if (options.queueJob === false || score < threshold || contact.pipedrivePersonId !== null) return { updated: true, jobId: null };
      contact.updateSyncStatus = 'PENDING';
      const { id } = await store.enqueueJob({
        kind: 'warm_lead', recordType: 'contact', recordId: contactId, dedupeKey: `warm_lead:${contactId}`,
        payload: { contactId, userId: options.userId ?? null }, priority: 10,
      });
      return { updated: true, jobId: id };
    },
    async saveSnapshot(snapshot) {
      check();
      const copy: SyncSnapshot = { ...snapshot, fields: structuredClone(snapshot.fields) };
      const index = snapshots.findIndex((s) => s.recordType === snapshot.recordType && s.pipedriveId === snapshot.pipedriveId);
      if (index >= 0) snapshots[index] = copy; // replaces the record's previous snapshot
      else snapshots.push(copy);
    },
    async findSnapshot(recordType, pipedriveId) {
      check();
      const type = text('findSnapshot', 'recordType', recordType);
      const id = pipedriveIdArg('findSnapshot', 'pipedriveId', pipedriveId);
      const found = snapshots.find((s) => s.recordType === type && s.pipedriveId === id);
      return found ? structuredClone(found) : null;
    },
    async recordConflict(conflict) {
      check();
      const stored: MemoryConflict = {
        id: nextConflictId++, recordType: conflict.recordType, localId: conflict.localId, pipedriveId: conflict.pipedriveId,
        fields: structuredClone(conflict.fields), status: 'OPEN', decision: null, createdAt: conflict.now, resolvedAt: null,
      };
      conflicts.push(stored);
      return stored.id;
    },
    async listConflicts(filter) {
      check();
      const { status } = filter === undefined ? {} : plainObject('listConflicts', 'filter', filter);
      const wanted = status === undefined ? undefined : oneOf('listConflicts', 'status', status, CONFLICT_STATUSES);
      return conflicts
        .filter((conflict) => wanted === undefined || conflict.status === wanted)
        .sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt) || b.id - a.id) // newest first
        .slice(0, LIST_CONFLICTS_LIMIT)
        .map(conflictCopy);
    },
    async findConflict(conflictId) {
      check();
      const id = conflictIdArg('findConflict', conflictId);
      const found = conflicts.find((conflict) => conflict.id === id);
      return found ? conflictCopy(found) : null;
    },
    async resolveConflict(conflictId, resolution) {
      check();
      const op = 'resolveConflict';
      const id = conflictIdArg(op, conflictId);
      const given = plainObject(op, 'resolution', resolution);
      const { value: decision } = jsonValue(op, 'decision', given.decision);
      instant(op, 'resolvedAt', given.resolvedAt);
      const conflict = conflicts.find((candidate) => candidate.id === id);
      if (!conflict || conflict.status !== 'OPEN') return false; // a resolved conflict keeps its first decision
      Object.assign(conflict, { status: 'RESOLVED', decision, resolvedAt: given.resolvedAt });
      return true;
    },
    async markLinkedRecord(recordType, pipedriveId, mark) {
      check();
      const op = 'markLinkedRecord';
      const type = oneOf(op, 'recordType', recordType, LINKED_RECORD_TYPES);
      const id = pipedriveIdArg(op, 'pipedriveId', pipedriveId);
      const given = plainObject(op, 'mark', mark);
      const status = oneOf(op, 'status', given.status, SYNC_STATUSES);
      if (given.syncedAt !== null && given.syncedAt !== undefined) instant(op, 'syncedAt', given.syncedAt);
      const syncedAt = (given.syncedAt ?? null) as string | null;
      if (type === 'deal') return false; // no local deals
      const linked = linkable(type).filter((candidate) => candidate.pipedriveId === id).map(({ record }) => record);
      for (const record of linked) { // every local record linked to it (two contacts may share a person)
        record.updateSyncStatus = status;
        if (syncedAt !== null) record.lastPipedriveUpdate = syncedAt; // null keeps the last sync time
      }
      return linked.length > 0;
    },
    async findLinkedRecord(recordType, pipedriveId) {
      check();
      const type = oneOf('findLinkedRecord', 'recordType', recordType, LINKED_RECORD_TYPES);
      const id = pipedriveIdArg('findLinkedRecord', 'pipedriveId', pipedriveId);
      if (type === 'deal') return null;
      const found = linkable(type).find((candidate) => candidate.pipedriveId === id);
      if (!found) return null;
      const record = found.record as { id: string; ownerId?: string | null; userId?: string };
      const { status, fields } = linkedState(type, found.record, id);
      return { localId: record.id, ownerId: type === 'activity' ? (record.userId ?? null) : (record.ownerId ?? null), status, fields };
    },
    async listLinkedRecords(recordType, page) {
      check();
      const op = 'listLinkedRecords';
      const type = oneOf(op, 'recordType', recordType, RECONCILED_RECORD_TYPES);
      const { after, limit } = checkPage(op, page);
      return linkable(type)
        .filter(({ record, pipedriveId }) => pipedriveId !== null && (after === null || record.id > after))
        .sort((a, b) => (a.record.id < b.record.id ? -1 : a.record.id > b.record.id ? 1 : 0))
        .slice(0, limit)
        .map(({ record, pipedriveId }) => linkedState(type, record, pipedriveId as number));
    },
    async relinkRecord(recordType, fromPipedriveId, toPipedriveId) {
      check();
      const op = 'relinkRecord';
      const type = oneOf(op, 'recordType', recordType, LINKED_RECORD_TYPES);
      const from = pipedriveIdArg(op, 'fromPipedriveId', fromPipedriveId);
      const to = pipedriveIdArg(op, 'toPipedriveId', toPipedriveId);
      if (type === 'deal' || from === to) return 0;
      let moved = 0;
      for (const { record, pipedriveId } of linkable(type)) {
        if (pipedriveId !== from) continue;
        if (type === 'person') (record as MemoryContact).pipedrivePersonId = to;
        else if (type === 'organization') (record as MemoryOrganization).pipedriveOrgId = to;
        else (record as MemoryActivity).pipedriveActivityId = to;
        moved++;
      }
      if (type === 'organization') for (const contact of contacts) if (contact.pipedriveOrgId === from) contact.pipedriveOrgId = to;
      const index = snapshots.findIndex((s) => s.recordType === type && s.pipedriveId === from);
      if (index >= 0) snapshots.splice(index, 1);
      return moved;
    },
    async applyRemoteChanges(recordType, localId, fields) {
      check();
      const op = 'applyRemoteChanges';
      const type = oneOf(op, 'recordType', recordType, RECONCILED_RECORD_TYPES);
      const id = text(op, 'localId', localId);
      const values = checkPulledFields(op, type, fields);
      // `options.tx` is ignored, as in the other hooks.
      const found = linkable(type).find(({ record }) => record.id === id);
      if (!found) return false;
      Object.assign(found.record, values);
      return true;
    },
    async getReconcileCursor(recordType) {
      check();
      return cursors.get(oneOf('getReconcileCursor', 'recordType', recordType, LINKED_RECORD_TYPES)) ?? null;
    },
    async saveReconcileCursor(recordType, cursor) {
      check();
      const type = oneOf('saveReconcileCursor', 'recordType', recordType, LINKED_RECORD_TYPES);
      cursors.set(type, text('saveReconcileCursor', 'cursor', cursor));
    },
    async receiveWebhookEvent(event) {
      check();
      const checked = checkWebhookEvent('receiveWebhookEvent', event);
      if (webhookEvents.has(checked.eventId)) return { duplicate: true, jobId: null };
      webhookEvents.add(checked.eventId);
      const { id } = await store.enqueueJob(webhookJob(checked));
      return { duplicate: false, jobId: id };
    },
    async findActivity(activityId) {
      check();
      const activity = activityById(activityId);
      return activity ? toLocalActivity(activity) : null;
    },
    async listUnreplicatedActivities(contactId) {
      check();
      return activities
        .filter((activity) => activity.contactId === contactId && !activity.replicatedToPipedrive)
        .sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
        .map(toLocalActivity);
    },
    async recordActivityAttempt(activityId, attempt) {
      check();
      if (!SYNC_STATUSES.includes(attempt.status)) throw new RangeError(`recordActivityAttempt: status must be one of ${SYNC_STATUSES.join(', ')}, got ${String(attempt.status)}`);
      const activity = activityById(activityId);
      if (!activity) return false;
      activity.pipedriveSyncAttempts += 1;
      activity.lastPipedriveSyncAttempt = attempt.at;
      activity.updateSyncStatus = attempt.status;
      return true;
    },
    async markActivityReplicated(activityId, link) {
      check();
      const { pipedriveActivityId, syncedAt } = link;
      if (!Number.isInteger(pipedriveActivityId) || pipedriveActivityId < 1) {
        throw new RangeError(`markActivityReplicated: pipedriveActivityId must be a positive integer, got ${String(pipedriveActivityId)}`);
      }
      const activity = activityById(activityId);
      if (!activity || !fenceHolds(link.fence)) return false;
      // One Pipedrive activity per local activity, as the schema's unique column enforces.
      const holder = activities.find((other) => other !== activity && other.pipedriveActivityId === pipedriveActivityId);
      if (holder) {
        throw new Error(`markActivityReplicated: Pipedrive activity ${pipedriveActivityId} is already linked to activity '${holder.id}', so it cannot also be linked to activity '${activityId}'`);
      }
      Object.assign(activity, { pipedriveActivityId, replicatedToPipedrive: true, lastPipedriveUpdate: syncedAt, updateSyncStatus: 'SYNCED' });
      return true;
    },
    async activityLogged(activityId, options = {}) {
      check();
      // `options.tx` is ignored, as in updateWarmness.
      const activity = activityById(activityId);
      if (!activity || (contactById(activity.contactId)?.pipedrivePersonId ?? null) === null) return null;
      const { id } = await store.enqueueJob({
        kind: 'replicate_activity', recordType: 'activity', recordId: activityId, dedupeKey: `replicate_activity:${activityId}`,
        payload: { activityId, userId: options.userId ?? activity.userId }, priority: 10,
      });
      activity.updateSyncStatus = 'PENDING';
      return id;
    },
    contactEdited: (contactId, changes, options) => edited('contactEdited', 'person', contactId, changes, options),
    organizationEdited: (organizationId, changes, options) => edited('organizationEdited', 'organization', organizationId, changes, options),
    activityEdited: (activityId, changes, options) => edited('activityEdited', 'activity', activityId, changes, options),
    async enqueueJob(job: NewSyncJob) {
      check();
      const now = new Date().toISOString();
      const pending = jobs.find((existing) => existing.dedupeKey === job.dedupeKey && existing.state === 'PENDING');
      if (pending) {
        pending.payload = mergePayload(pending.payload, job.payload);
        pending.priority = Math.max(pending.priority, job.priority ?? 0);
        pending.updatedAt = now;
        return { id: pending.id, merged: true };
      }
      const stored: SyncJob = {
        id: nextId++, kind: job.kind, recordType: job.recordType, recordId: job.recordId, dedupeKey: job.dedupeKey,
        payload: { ...job.payload }, state: 'PENDING', priority: job.priority ?? 0, attempts: 0,
        nextAttemptAt: job.nextAttemptAt ?? now, leaseOwner: null, leaseUntil: null, lastError: null,
        createdAt: now, updatedAt: now, doneAt: null, leaseToken: 0, inDoubtSince: null,
      };
      jobs.push(stored);
      return { id: stored.id, merged: false };
    },
    async claimJobs(request: ClaimRequest) {
      check();
      const now = Date.parse(request.now);
      const candidates = jobs
        .filter((job) => claimable(job, now, false) && job.priority >= (request.minPriority ?? Number.MIN_SAFE_INTEGER))
        .filter((job) => !blocked(job))
        .sort((a, b) => b.priority - a.priority || a.id - b.id);
      const seen = new Set<string>();
      const claimed: SyncJob[] = [];
      for (const job of candidates) {
        if (claimed.length >= request.limit || seen.has(record(job))) continue;
        seen.add(record(job));
        claimed.push(lease(job, request));
      }
      return claimed;
    },
    async claimJob(jobId, request) {
      check();
      const job = jobs.find((candidate) => candidate.id === jobId);
      // Due or not; null when another worker holds it, it is finished, or an older job of its record is open.
      if (!job || !claimable(job, Date.parse(request.now), true) || blocked(job)) return null;
      return lease(job, request);
    },
    async renewLease(jobId, lease, renewal) {
      check();
      const job = jobs.find((candidate) => candidate.id === jobId);
      if (!held(job, lease)) return false;
      Object.assign(job, { leaseUntil: new Date(Date.parse(renewal.now) + renewal.leaseMs).toISOString(), updatedAt: renewal.now });
      return true;
    },
    async markJobInDoubt(jobId, lease, mark) {
      check();
      const job = jobs.find((candidate) => candidate.id === jobId);
      if (!held(job, lease)) return false;
      Object.assign(job, { inDoubtSince: job.inDoubtSince ?? mark.since, updatedAt: mark.now });
      return true;
    },
    async completeJob(jobId, lease, now) {
      check();
      const job = jobs.find((candidate) => candidate.id === jobId);
      if (!held(job, lease)) return false;
      Object.assign(job, { state: 'DONE', doneAt: now, updatedAt: now, leaseOwner: null, leaseUntil: null });
      return true;
    },
    async failJob(jobId, lease, failure: JobFailure) {
      check();
      const job = jobs.find((candidate) => candidate.id === jobId);
      if (!held(job, lease)) return false;
      Object.assign(job, {
        state: failure.retryAt === null ? 'DEAD' : 'PENDING',
        nextAttemptAt: failure.retryAt ?? job.nextAttemptAt,
        lastError: failure.error, updatedAt: failure.now, leaseOwner: null, leaseUntil: null,
      });
      return true;
    },
    async retryDeadJobs(now, jobId) {
      check();
      const dead = jobs.filter((job) => job.state === 'DEAD' && (jobId === undefined || job.id === jobId));
      for (const job of dead) Object.assign(job, { state: 'PENDING', nextAttemptAt: now, attempts: 0, updatedAt: now });
      return dead.length;
    },
    async queueStats(now): Promise<QueueStats> {
      check();
      const counts = { PENDING: 0, RUNNING: 0, DONE: 0, DEAD: 0 };
      for (const job of jobs) counts[job.state]++;
      const pending = jobs.filter((job) => job.state === 'PENDING');
      return {
        counts,
        due: pending.filter((job) => Date.parse(job.nextAttemptAt) <= Date.parse(now)).length,
        oldestPendingAt: pending.map((job) => job.createdAt).sort()[0] ?? null,
        dead: jobs.filter((job) => job.state === 'DEAD').sort((a, b) => b.updatedAt.localeCompare(a.updatedAt)).slice(0, 20)
          .map(({ id, kind, recordType, recordId, attempts, lastError, updatedAt }) => ({ id, kind, recordType, recordId, attempts, lastError, updatedAt })),
      };
    },
  };
  return store;
}
