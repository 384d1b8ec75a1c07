/**
 * @module demo/record_edits
 * The demo's record-update phase, after its warm leads are in Pipedrive: some of the persons and organizations the
 * run created are edited in the CRM (the row and the store's edit hook, `contactEdited` / `organizationEdited`, in
 * one transaction), some of the same and some others "by hand in the Pipedrive UI" (`emulator.editInUi`), then the
 * queue is drained: each `update_record` job goes through the engine's three-way merge against the last-synced
 * snapshot and the configured `conflictStrategy`.
 *
 * The plan, over the created persons and organizations sorted by CRM id:
 * - renamed in the CRM only: the new name is pushed;
 * - renamed in the CRM, whose form also sends the owner unchanged, while the owner was changed in Pipedrive: the
 *   name is pushed, Pipedrive's owner kept;
 * - renamed on both sides, the CRM edit made before the Pipedrive one (five minutes earlier), or after it: a
 *   conflict each, for the strategy (last-write-wins: the later edit; manual: held for a person);
 * - renamed in Pipedrive only: nothing is queued, Pipedrive's name stays.
 *
 * What it reports is what happened: the engine's own three-way detection (`sync.validation.detectConflicts`, with
 * the snapshot and the record as the drain reads it) for the conflicts found, and for how each field ended, the
 * PATCH bodies the emulator received and the conflicts held (`sync.conflicts.list`).
 */

import type { PipedriveSync } from '../index';
import type { PipedriveEmulator } from '../emulator/index';
import type { SyncStore } from '../store/types';
import type { DemoPrismaClient } from './crm_database';

/** The conflict strategies `--strategy` takes. */
export const CONFLICT_STRATEGIES = ['last-write-wins', 'manual', 'auto-merge'] as const;
/** A conflict strategy. */
export type ConflictStrategy = (typeof CONFLICT_STRATEGIES)[number];
/** The strategy when `--strategy` is not given. */
export const DEFAULT_STRATEGY: ConflictStrategy = 'last-write-wins';

/** The strategy named by `--strategy`, or a usage error naming the choices. */
export function parseStrategy(name: string): ConflictStrategy {
  const strategy = name.trim().toLowerCase();
  const known = CONFLICT_STRATEGIES.find((s) => s === strategy);
  if (!known) throw new RangeError(`--strategy must be last-write-wins, manual or auto-merge, got '${name}'`);
  return known;
}

/** How far before the Pipedrive edit the "earlier" CRM edits were made. */
const EARLIER_MS = 5 * 60_000;

/** A record the run created in Pipedrive, as the edit plan picks from. */
export interface CreatedRecord {
  /** The CRM id (contact or organization). */
  localId: string;
  pipedriveId: number;
}

/** What one edit does on each side (field values in the hooks' shape: `name`, `owner_id`). */
export interface PlannedEdit {
  entity: 'person' | 'organization';
  localId: string;
  pipedriveId: number;
  /** The fields the CRM's edit sends, or `null` when the record is edited in Pipedrive only. */
  local: Record<string, unknown> | null;
  /** Whether the CRM edit was made before the Pipedrive one (else after it, or there is none). */
  localEarlier: boolean;
  /** The fields changed in the Pipedrive UI, or `null` when the record is edited in the CRM only. */
  ui: Record<string, unknown> | null;
}

/** Pipedrive users' ids to reassign a person between (the emulator's token user and Sam). */
const OWNERS = [1, 2];

/**
 * The edits, from the persons and organizations the run created (sorted by CRM id), their current Pipedrive names
 * and owners: as many of each kind as there are records (persons 3 + 3 + 2 + 2 + 2, organizations 1 + 1 + 1 + 1).
 */
export function planEdits(
  persons: Array<CreatedRecord & { name: string; ownerId: number | null }>,
  organizations: Array<CreatedRecord & { name: string }>,
): PlannedEdit[] {
  const edits: PlannedEdit[] = [];
  const sorted = <T extends CreatedRecord>(records: T[]): T[] => [...records].sort((a, b) => a.localId.localeCompare(b.localId));
  const kinds = ['crm', 'crm', 'crm', 'owner', 'owner', 'owner', 'before', 'before', 'after', 'after', 'ui', 'ui'] as const;
  sorted(persons).slice(0, kinds.length).forEach((p, i) => {
    const base = { entity: 'person' as const, localId: p.localId, pipedriveId: p.pipedriveId };
    const crmName = `${p.name} (CRM)`;
    const uiName = `${p.name} (Pipedrive)`;
    const otherOwner = OWNERS.find((o) => o !== p.ownerId) ?? OWNERS[0];
    switch (kinds[i]) {
      case 'crm': edits.push({ ...base, local: { name: crmName }, localEarlier: false, ui: null }); break;
      case 'owner': edits.push({ ...base, local: { name: crmName, owner_id: p.ownerId }, localEarlier: false, ui: { owner_id: otherOwner } }); break;
      case 'before': edits.push({ ...base, local: { name: crmName }, localEarlier: true, ui: { name: uiName } }); break;
      case 'after': edits.push({ ...base, local: { name: crmName }, localEarlier: false, ui: { name: uiName } }); break;
      case 'ui': edits.push({ ...base, local: null, localEarlier: false, ui: { name: uiName } }); break;
    }
  });
  const orgKinds = ['crm', 'before', 'after', 'ui'] as const;
  sorted(organizations).slice(0, orgKinds.length).forEach((o, i) => {
    const base = { entity: 'organization' as const, localId: o.localId, pipedriveId: o.pipedriveId };
    const crmName = `${o.name} (CRM)`;
    const uiName = `${o.name} (Pipedrive)`;
    const kind = orgKinds[i];
    edits.push({
      ...base,
      local: kind === 'ui' ? null : { name: crmName },
      localEarlier: kind === 'before',
      ui: kind === 'crm' ? null : { name: uiName },
    });
  });
  return edits;
}

/** How one field of a CRM edit ended. */
export type FieldEnd = 'pushed' | 'kept-from-pipedrive' | 'unchanged' | 'crm-won' | 'pipedrive-won' | 'held';

/** What the record-update phase did. */
export interface RecordEditOutcome {
  strategy: ConflictStrategy;
  /** Why the phase did not run (real Pipedrive: no UI to edit by hand), else `null`. */
  skipped: string | null;
  /** Records edited in the CRM (jobs queued), and of those persons and organizations. */
  editedInCrm: number;
  personsEdited: number;
  organizationsEdited: number;
  /** Records edited in the Pipedrive UI, and of those also edited in the CRM. */
  editedInUi: number;
  editedOnBothSides: number;
  /** PATCH requests the drain sent (updates pushed), and the fields they carried. */
  updatesPushed: number;
  fieldsPushed: number;
  /** Fields the CRM sent unchanged while Pipedrive changed them: Pipedrive's value kept. */
  fieldsKept: number;
  /** Fields changed on both sides (the engine's three-way detection), and how they ended. */
  conflicts: number;
  crmWon: number;
  pipedriveWon: number;
  held: number;
  /** Conflicts held for a person (`sync.conflicts.list({status: 'OPEN'})`). */
  openConflicts: number;
  /** Jobs the drain carried out. */
  drained: number;
  /** Update jobs not done, with why. */
  failed: Array<{ recordId: string; reason: string }>;
  /** Every field's end, by `<entity> <pipedriveId>.<field>` (for checking a run). */
  fields: Record<string, FieldEnd>;
}

/** What {@link runRecordEdits} works with. */
export interface RecordEditContext {
  sync: PipedriveSync;
  store: SyncStore;
  prisma: DemoPrismaClient;
  emulator: PipedriveEmulator;
  strategy: ConflictStrategy;
  edits: PlannedEdit[];
  /** Writes a progress line. */
  say: (line: string) => void;
  now?: () => number;
}

/** The record as the drain will read it: the emulator's copy. */
function remoteRecord(emulator: PipedriveEmulator, edit: PlannedEdit): Record<string, unknown> {
  const records = edit.entity === 'person' ? emulator.state.persons : emulator.state.organizations;
  const record = records.get(edit.pipedriveId);
  if (!record) throw new Error(`the emulator has no ${edit.entity} ${edit.pipedriveId}`);
  return { ...record } as unknown as Record<string, unknown>;
}

/** Runs the edits on both sides, drains, and reports how every field ended. */
export async function runRecordEdits(ctx: RecordEditContext): Promise<RecordEditOutcome> {
  const { sync, store, prisma, emulator, edits } = ctx;
  const now = ctx.now ?? Date.now;
  const journalStart = emulator.journal.entries().length;

  // By hand in the Pipedrive UI first (its update_time is now); the CRM edits are made after it, or, for the
  // "earlier" ones, dated five minutes before it.
  for (const edit of edits) if (edit.ui) emulator.editInUi({ entity: edit.entity, id: edit.pipedriveId, fields: edit.ui });
  const uiAt = now();
  const crmEdits = edits.filter((e) => e.local !== null);
  await prisma.$transaction(async (tx) => {
    const client = tx as DemoPrismaClient;
    for (const edit of crmEdits) {
      const local = edit.local as Record<string, unknown>;
      const changedAt = new Date(edit.localEarlier ? uiAt - EARLIER_MS : now()).toISOString();
      if (edit.entity === 'person') {
        await client.contact.update({ where: { id: edit.localId }, data: { name: String(local.name) } });
        await store.contactEdited(edit.localId, local, { tx, changedAt });
      } else {
        await client.organization.update({ where: { id: edit.localId }, data: { name: String(local.name) } });
        await store.organizationEdited(edit.localId, local, { tx, changedAt });
      }
    }
  });
  const uiEdits = edits.filter((e) => e.ui !== null);
  ctx.say(
    `Record updates: ${crmEdits.length} records edited in the CRM, ${uiEdits.length} in the Pipedrive UI ` +
      `(${uiEdits.filter((e) => e.local !== null).length} of them both); draining with ${ctx.strategy}...\n`,
  );

  // The engine's three-way rule on what the drain will compare: the CRM's fields, Pipedrive's record, the snapshot.
  const conflicting = new Map<PlannedEdit, Set<string>>();
  const keptRemote = new Map<PlannedEdit, Set<string>>();
  for (const edit of crmEdits) {
    const snapshot = await store.findSnapshot(edit.entity, edit.pipedriveId);
    const found = sync.validation.detectConflicts(edit.local as Record<string, unknown>, remoteRecord(emulator, edit), snapshot?.fields);
    conflicting.set(edit, new Set(found.conflicts.map((c) => c.field)));
    keptRemote.set(edit, new Set(found.fields.filter((f) => f.decision === 'kept-remote').map((f) => f.field)));
  }

  const report = await sync.queue.drain();

  const patches = emulator.journal.entries().slice(journalStart)
    .filter((e) => e.method === 'PATCH' && e.status < 300 && /^\/api\/v2\/(persons|organizations)\/\d+$/.test(e.path));
  const patchOf = (edit: PlannedEdit): Record<string, unknown> | undefined => {
    const path = `/api/v2/${edit.entity === 'person' ? 'persons' : 'organizations'}/${edit.pipedriveId}`;
    const bodies = patches.filter((p) => p.path === path).map((p) => (p.body ?? {}) as Record<string, unknown>);
    return bodies.length === 0 ? undefined : Object.assign({}, ...bodies);
  };
  const open = await sync.conflicts.list({ status: 'OPEN' });
  const heldFields = (edit: PlannedEdit): Set<string> => new Set(
    open.filter((c) => c.recordType === edit.entity && c.pipedriveId === edit.pipedriveId).flatMap((c) => Object.keys(c.fields)),
  );

  const fields: Record<string, FieldEnd> = {};
  for (const edit of crmEdits) {
    const sent = patchOf(edit) ?? {};
    const held = heldFields(edit);
    for (const field of Object.keys(edit.local as Record<string, unknown>)) {
      const inConflict = conflicting.get(edit)?.has(field) ?? false;
      const wasSent = Object.prototype.hasOwnProperty.call(sent, field);
      const end: FieldEnd = inConflict
        ? (wasSent ? 'crm-won' : held.has(field) ? 'held' : 'pipedrive-won')
        : wasSent ? 'pushed' : keptRemote.get(edit)?.has(field) ? 'kept-from-pipedrive' : 'unchanged';
      fields[`${edit.entity} ${edit.pipedriveId}.${field}`] = end;
    }
  }
  const ends = Object.values(fields);
  const count = (end: FieldEnd): number => ends.filter((e) => e === end).length;
  const jobs = await prisma.syncJob.findMany({ where: { kind: 'update_record' }, select: { recordId: true, state: true, lastError: true } });
  return {
    strategy: ctx.strategy,
    skipped: null,
    editedInCrm: crmEdits.length,
    personsEdited: crmEdits.filter((e) => e.entity === 'person').length,
    organizationsEdited: crmEdits.filter((e) => e.entity === 'organization').length,
    editedInUi: uiEdits.length,
    editedOnBothSides: uiEdits.filter((e) => e.local !== null).length,
    updatesPushed: patches.length,
    fieldsPushed: patches.reduce((sum, p) => sum + Object.keys((p.body ?? {}) as object).length, 0),
    fieldsKept: count('kept-from-pipedrive'),
    conflicts: count('crm-won') + count('pipedrive-won') + count('held'),
    crmWon: count('crm-won'),
    pipedriveWon: count('pipedrive-won'),
    held: count('held'),
    openConflicts: open.length,
    drained: report.processed,
    failed: jobs.filter((j) => j.state !== 'DONE').map((j) => ({
      recordId: j.recordId, reason: `${j.state.toLowerCase()}: ${j.lastError ?? 'waiting for its next attempt'}`,
    })),
    fields,
  };
}

/** The outcome of a run whose record-update phase was skipped, with why. */
export function skippedRecordEdits(strategy: ConflictStrategy, why: string): RecordEditOutcome {
  return {
    strategy, skipped: why, editedInCrm: 0, personsEdited: 0, organizationsEdited: 0, editedInUi: 0, editedOnBothSides: 0,
    updatesPushed: 0, fieldsPushed: 0, fieldsKept: 0, conflicts: 0, crmWon: 0, pipedriveWon: 0, held: 0, openConflicts: 0,
    drained: 0, failed: [], fields: {},
  };
}
