/**
 * @module next-crm/lib/crm/conflict_resolution
 * The conflicts a person must decide (held by the `manual` strategy) with the local record they are about, and
 * applying a decision: `sync.conflicts.resolve` sends the chosen values to Pipedrive; the fields decided for
 * Pipedrive's value are then written on the CRM contact too, so both sides show the same.
 */

import type { ConflictDecision, PipedriveSync } from 'pipedrive-sync';
import type { AuthenticatedUser } from 'pipedrive-sync/next';

import { getPrisma } from '../database';
import { getSync } from '../sync';
import { toast, type ActionResult } from '../toast_message';
import { contactColumnsOf } from './field_values';

/** A conflict as `sync.conflicts.list` answers it. */
type SyncConflict = Awaited<ReturnType<PipedriveSync['conflicts']['list']>>[number];

/** One conflicting field: the last synced value and each side's. */
export interface ConflictField {
  field: string;
  base: unknown;
  local: unknown;
  remote: unknown;
}

/** An open conflict as the page shows it. */
export interface OpenConflict {
  id: number;
  recordType: string;
  pipedriveId: number | null;
  localId: string | null;
  /** The local record's name, when it is a contact. */
  title: string;
  createdAt: string;
  fields: ConflictField[];
  /** For an ambiguous match: the Pipedrive records that all fit. */
  candidates: number[];
}

/** The conflict's fields in a stable order. */
function fieldsOf(conflict: SyncConflict): ConflictField[] {
  return Object.entries(conflict.fields)
    .filter(([field]) => field !== 'candidates')
    .map(([field, sides]) => {
      const { base, local, remote } = (sides ?? {}) as { base?: unknown; local?: unknown; remote?: unknown };
      return { field, base, local, remote };
    });
}

/** The open conflicts, newest first. */
export async function openConflicts(): Promise<OpenConflict[]> {
  const sync = await getSync();
  const prisma = await getPrisma();
  const conflicts = await sync.conflicts.list({ status: 'OPEN' });
  const people = conflicts.filter((c) => c.recordType === 'person');
  const contacts = await prisma.contact.findMany({
    where: {
      OR: [
        { id: { in: people.flatMap((c) => (c.localId ? [c.localId] : [])) } },
        { pipedrivePersonId: { in: people.flatMap((c) => (c.pipedriveId ? [c.pipedriveId] : [])) } },
      ],
    },
    select: { id: true, name: true, pipedrivePersonId: true },
  });
  return conflicts.map((conflict) => {
    const contact = conflict.recordType === 'person' ? contactOf(contacts, conflict) : undefined;
    return {
      id: conflict.id,
      recordType: conflict.recordType,
      pipedriveId: conflict.pipedriveId,
      localId: contact?.id ?? conflict.localId,
      title: contact?.name ?? `${conflict.recordType} ${conflict.pipedriveId ?? conflict.localId ?? ''}`,
      createdAt: conflict.createdAt,
      fields: fieldsOf(conflict),
      candidates: Array.isArray(conflict.fields.candidates) ? (conflict.fields.candidates as number[]) : [],
    };
  });
}

/**
 * The contact a person conflict is about: by its local id, else by its Pipedrive id (a conflict found by
 * `sync.updates`, which is called with Pipedrive ids, names no local record).
 */
function contactOf<T extends { id: string; pipedrivePersonId: number | null }>(contacts: T[], conflict: SyncConflict): T | undefined {
  return contacts.find((c) => c.id === conflict.localId) ?? contacts.find((c) => conflict.pipedriveId !== null && c.pipedrivePersonId === conflict.pipedriveId);
}

/** Applies `choices` (field → 'local' | 'pipedrive') to conflict `conflictId`. */
export async function resolveConflict(user: AuthenticatedUser, conflictId: number, choices: Record<string, 'local' | 'pipedrive'>): Promise<ActionResult> {
  if (!user.isAdmin) return toast('error', 'Only an admin may resolve conflicts.');
  const sync = await getSync();
  const prisma = await getPrisma();
  const conflict = (await sync.conflicts.list({ status: 'OPEN' })).find((candidate) => candidate.id === conflictId);
  if (!conflict) return toast('info', 'This conflict is already resolved.');
  const decision: ConflictDecision = { ...choices };
  const result = await sync.conflicts.resolve(conflictId, decision);
  if (!result.success) return toast('error', 'Pipedrive did not take the decision', `${result.error ?? 'unknown error'}. The conflict stays open.`);
  const contact =
    conflict.recordType === 'person'
      ? contactOf(await prisma.contact.findMany({ where: { OR: [{ id: conflict.localId ?? '' }, { pipedrivePersonId: conflict.pipedriveId ?? -1 }] }, select: { id: true, pipedrivePersonId: true } }), conflict)
      : undefined;
  if (contact) {
    const columns = fieldsOf(conflict)
      .filter((field) => (choices[field.field] ?? 'pipedrive') === 'pipedrive')
      .reduce((all, field) => ({ ...all, ...contactColumnsOf(field.field, field.remote) }), {});
    if (Object.keys(columns).length > 0) await prisma.contact.update({ where: { id: contact.id }, data: columns });
  }
  return toast('success', 'Conflict resolved: Pipedrive and the CRM agree again');
}
