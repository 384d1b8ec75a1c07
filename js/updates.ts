/**
 * @module updates
 * Record updates (spec Feature 3): `sync.updates` (one record or a batch of 50, by Pipedrive id), `sync.validation`
 * (the checks, the three-way conflict detection and the merge, as pure calls) and `sync.conflicts` (the
 * timestamp rule and the automatic merge) and `sync.organizations` (spec §4.5.3: create once by exact name, find,
 * update). The engine decides everything; these are its typed doors.
 */

import type { EngineHandle } from './engine/engine_handle';
import type {
  BatchUpdateResultAnswer,
  ConflictResultAnswer,
  MergeResultAnswer,
  UpdateResultAnswer,
  ValidationResultAnswer,
} from '../pkg/pipedrive_sync';
import type { SyncConflict } from './store/types';

/** The seed's `UpdateResult`, with `conflictId` and the decision per field. */
export type UpdateResult = UpdateResultAnswer;
/** The seed's `BatchUpdateResult`. */
export type BatchUpdateResult = BatchUpdateResultAnswer;
/** `validateUpdateData`'s answer. */
export type ValidationResult = ValidationResultAnswer;
/** `detectConflicts`'s answer. */
export type ConflictResult = ConflictResultAnswer;
/** `mergeData`'s answer. */
export type MergeResult = MergeResultAnswer;
/** A merge strategy: a name, or the name with a tie side, field rules and the local change time. */
export type MergeStrategy =
  | 'last-write-wins' | 'manual' | 'auto-merge'
  | { strategy: 'last-write-wins' | 'manual' | 'auto-merge'; tie?: 'local' | 'pipedrive'; fieldRules?: Record<string, 'local-owns' | 'remote-owns' | 'manual' | 'ignore'>; localChangedAt?: string | number };

/** Spec §3.2 `UpdateActivityData`. */
export interface UpdateActivityData { subject?: string; type?: string; due_date?: string; due_time?: string; note?: string; person_id?: number; user_id?: number; done?: boolean }
/** Spec §3.2 `UpdatePersonData`. */
export interface UpdatePersonData { name?: string; email?: string[]; phone?: string[]; org_name?: string; label_ids?: number[]; owner_id?: number; visible_to?: number }
/** Spec §3.2 `UpdateOrganizationData`. */
export interface UpdateOrganizationData { name?: string; industry?: string; country?: string; address?: string; visible_to?: number }
/** Spec §3.2 `UpdateDealData`, with the `status` and `lost_reason` a deal update needs. */
export interface UpdateDealData {
  title?: string; value?: number; currency?: string; stage_id?: number; person_id?: number; org_id?: number; owner_id?: number;
  visible_to?: number; status?: 'open' | 'won' | 'lost'; lost_reason?: string;
}
/** One item of a batch. */
export interface BatchUpdateRequest { recordType: 'activity' | 'person' | 'organization' | 'deal'; recordId: string | number; data: Record<string, unknown> }

/** `sync.updates` (spec §3.1): ids are Pipedrive ids; failures are answered in the result, not thrown. */
export interface UpdatesService {
  /** Updates a Pipedrive activity. */
  updateActivity(activityId: string | number, data: UpdateActivityData): Promise<UpdateResult>;
  /** Updates a Pipedrive person. */
  updatePerson(personId: string | number, data: UpdatePersonData): Promise<UpdateResult>;
  /** Updates a Pipedrive organization. */
  updateOrganization(orgId: string | number, data: UpdateOrganizationData): Promise<UpdateResult>;
  /** Updates a Pipedrive deal. */
  updateDeal(dealId: string | number, data: UpdateDealData): Promise<UpdateResult>;
  /** At most 50 updates, results in input order; more are refused whole with a `ValidationError`, nothing sent. */
  batchUpdate(requests: BatchUpdateRequest[]): Promise<BatchUpdateResult>;
}

/** Spec §1.2 `PipedriveOrganizationData`, with the address and owner a create may also carry. */
export interface PipedriveOrganizationData { name: string; industry?: string; country?: string; address?: string; owner_id?: number; visible_to?: number }

/** `sync.organizations` (spec §4.5.3). */
export interface OrganizationsService {
  /**
   * The id of the organization named exactly `data.name` (trimmed, case-insensitive): created from `data` when
   * none has the name, never twice; an existing one is answered unchanged. Throws `ValidationError` for bad data
   * (nothing sent), `ConflictError` when several organizations have the name.
   */
  createOrganization(data: PipedriveOrganizationData): Promise<number>;
  /** The v2 record of the organization named exactly `name`, or `null`; `ConflictError` when several are. */
  findOrganizationByName(name: string): Promise<Record<string, unknown> | null>;
  /** Updates a Pipedrive organization (the same as `sync.updates.updateOrganization`). */
  updateOrganization(orgId: string | number, data: UpdateOrganizationData): Promise<UpdateResult>;
}

/** `sync.validation` (spec §3.5): pure calls, nothing is sent. */
export interface ValidationService {
  /** Every rule `data` breaks for `recordType` (types, formats, ranges, ids, `visible_to` for the plan). */
  validateUpdateData(data: unknown, recordType: string): ValidationResult;
  /** The three-way decision per field (`base`: the last-synced values; without it the remote is the base). */
  detectConflicts(local: Record<string, unknown>, remote: Record<string, unknown>, base?: Record<string, unknown>): ConflictResult;
  /** The merge under `strategy`: decisions, held conflicts and the PATCH body. */
  mergeData(local: Record<string, unknown>, remote: Record<string, unknown>, strategy: MergeStrategy, base?: Record<string, unknown>): MergeResult;
}

/** `sync.conflicts` (spec §5.4). */
export interface ConflictsService {
  /** Which side's change is newer (one-second resolution; a tie goes to `options.conflictTie`, local by default). */
  resolveByTimestamp(localTimestamp: Date | string | number, pipedriveTimestamp: Date | string | number): 'local' | 'pipedrive';
  /** The `auto-merge` strategy's merge. */
  autoMerge(local: Record<string, unknown>, remote: Record<string, unknown>, base?: Record<string, unknown>): MergeResult;
  /** Conflicts held for a person (the `manual` strategy), newest first. */
  list(filter?: { status?: 'OPEN' | 'RESOLVED' }): Promise<SyncConflict[]>;
  /**
   * Applies a person's decision: `'local'`, `'pipedrive'`, or per field `'local' | 'pipedrive' | value` (fields not
   * named keep Pipedrive's value). The chosen values are sent, the local record becomes `SYNCED`, the conflict
   * `RESOLVED`. Throws `NotFoundError` for an unknown conflict, `ConflictError` for one already resolved.
   */
  resolve(conflictId: number, decision: ConflictDecision): Promise<UpdateResult>;
}

/** A person's decision on a conflict. */
export type ConflictDecision = 'local' | 'pipedrive' | Record<string, unknown>;

/** A timestamp as the engine reads it (ISO 8601 or ms). */
function instant(value: Date | string | number): string | number {
  return value instanceof Date ? value.toISOString() : value;
}

/** The update services over `engine`. */
export function createUpdateServices(engine: EngineHandle): {
  updates: UpdatesService; validation: ValidationService; conflicts: ConflictsService; organizations: OrganizationsService;
} {
  const update = (recordType: string) => (id: string | number, data: object) =>
    engine.run((wasm) => wasm.updateRecord(recordType, id, data as Record<string, unknown>));
  const mergeData = (local: Record<string, unknown>, remote: Record<string, unknown>, strategy: unknown, base?: Record<string, unknown>) =>
    engine.call((wasm) => wasm.mergeData(local, remote, strategy, base) as MergeResult);
  return {
    updates: {
      updateActivity: update('activity'),
      updatePerson: update('person'),
      updateOrganization: update('organization'),
      updateDeal: update('deal'),
      batchUpdate: (requests) => engine.run((wasm) => wasm.batchUpdate(requests)),
    },
    validation: {
      validateUpdateData: (data, recordType) => engine.call((wasm) => wasm.validateUpdateData(data, recordType) as ValidationResult),
      detectConflicts: (local, remote, base) => engine.call((wasm) => wasm.detectConflicts(local, remote, base) as ConflictResult),
      mergeData,
    },
    organizations: {
      createOrganization: (data) => engine.run((wasm) => wasm.createOrganization(data as unknown as Record<string, unknown>)),
      findOrganizationByName: (name) => engine.run((wasm) => wasm.findOrganizationByName(name)),
      updateOrganization: update('organization'),
    },
    conflicts: {
      resolveByTimestamp: (local, remote) =>
        engine.call((wasm) => wasm.resolveByTimestamp(instant(local), instant(remote)) as 'local' | 'pipedrive'),
      autoMerge: (local, remote, base) => mergeData(local, remote, 'auto-merge', base),
      list: (filter) => engine.run((wasm) => wasm.listConflicts(filter?.status)) as Promise<SyncConflict[]>,
      resolve: (conflictId, decision) => engine.run((wasm) => wasm.resolveConflict(conflictId, decision)),
    },
  };
}
