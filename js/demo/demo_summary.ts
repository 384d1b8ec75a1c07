/**
 * @module demo/demo_summary
 * The demo's closing summary: what the warm-lead sync did to the CRM and to Pipedrive (persons created or linked,
 * contacts skipped and why, organizations created or reused), what the activity replication did (activities
 * replicated through the warm-lead backfill or directly, the types sent, activities not replicated and why), what the
 * record updates did (edits in the CRM and in the Pipedrive UI, updates pushed, fields kept from Pipedrive, conflicts
 * found and how the configured strategy decided them), what it
 * cost (requests, API tokens, 429s) and how long it took, worked out from the database, the engine's log events and
 * the requests sent, as a table on stdout.
 */

import { renderTable } from '../terminal/table';
import type { ActivityRow, ContactRow } from './crm_database';
import type { RecordEditOutcome } from './record_edits';

/** The engine's log events the summary counts (fields as `src/warm_lead` and `src/activities` log them). */
export interface DemoEvents {
  /** `warm_lead.person_created`: contact ids. */
  personsCreated: string[];
  /** `warm_lead.person_found`: contact ids linked to an existing person. */
  personsFound: string[];
  /** `warm_lead.organization_created`: CRM organization ids. */
  organizationsCreated: string[];
  /** `activity.backfill_queued`: activities queued by the warm-lead backfill, summed. */
  backfillQueued: number;
  /** `activity.backfill_queued`: contacts whose earlier activities the backfill queued. */
  backfillContacts: number;
  /** `activity.replicated`: the Pipedrive types the activities were created with, counted by type. */
  activityTypesSent: Record<string, number>;
}

/** Empty {@link DemoEvents}, to fill with {@link countDemoEvents}. */
export function newDemoEvents(): DemoEvents {
  return {
    personsCreated: [], personsFound: [], organizationsCreated: [], backfillQueued: 0, backfillContacts: 0,
    activityTypesSent: {},
  };
}

/** A logger that tallies the warm-lead and activity events into `events`. */
export function countDemoEvents(events: DemoEvents): (level: string, event: string, fields: Record<string, unknown>) => void {
  return (_level, event, fields) => {
    if (event === 'warm_lead.person_created') events.personsCreated.push(String(fields.contactId));
    else if (event === 'warm_lead.person_found') events.personsFound.push(String(fields.contactId));
    else if (event === 'warm_lead.organization_created') events.organizationsCreated.push(String(fields.organizationId));
    else if (event === 'activity.backfill_queued') {
      events.backfillQueued += Number(fields.activities) || 0;
      events.backfillContacts++;
    } else if (event === 'activity.replicated') {
      const type = String(fields.type);
      events.activityTypesSent[type] = (events.activityTypesSent[type] ?? 0) + 1;
    }
  };
}

/** What happened to the CRM's activities. */
export interface ActivityOutcome {
  /** Activities in the CRM, and the contacts they belong to. */
  total: number;
  contacts: number;
  /** Activities in Pipedrive at the end. */
  replicated: number;
  /** Of those, activities of the warm leads (queued by the backfill, run by the final drain). */
  viaBackfill: number;
  /** Of those, activities of contacts already in Pipedrive (sent through `replicateActivity`). */
  direct: number;
  /** Contacts already in Pipedrive whose activities were replicated directly. */
  directContacts: number;
  /** Activities queued by the warm-lead backfill, and for how many contacts (from the engine's log). */
  backfillQueued: number;
  backfillContacts: number;
  /** Pipedrive types sent, by type name. */
  typesSent: Array<[string, number]>;
  /** Not replicated: the contact has no Pipedrive person (kept local), and how many contacts that is. */
  notInPipedrive: number;
  notInPipedriveContacts: number;
  /** Not replicated although the contact is in Pipedrive, with why. */
  pending: Array<{ activityId: string; reason: string }>;
}

/** Facts about the activities after the run, for {@link tallyActivities}. */
export interface ActivityFacts {
  /** Contacts as seeded, and after the run. */
  before: ContactRow[];
  after: ContactRow[];
  /** Activities after the run. */
  activities: ActivityRow[];
  events: DemoEvents;
  /** Why an activity's job is not done (its last error, or the error its call threw), by activity id. */
  jobErrors: Map<string, string>;
}

/** The activity side of the outcome: replicated (via the backfill or directly), types sent, not replicated and why. */
export function tallyActivities(facts: ActivityFacts): ActivityOutcome {
  const linkedBefore = new Set(facts.before.filter((c) => c.pipedrivePersonId !== null).map((c) => c.id));
  const inPipedrive = new Set(facts.after.filter((c) => c.pipedrivePersonId !== null).map((c) => c.id));
  const replicated = facts.activities.filter((a) => a.pipedriveActivityId !== null);
  const direct = replicated.filter((a) => linkedBefore.has(a.contactId));
  const local = facts.activities.filter((a) => a.pipedriveActivityId === null && !inPipedrive.has(a.contactId));
  const pending = facts.activities
    .filter((a) => a.pipedriveActivityId === null && inPipedrive.has(a.contactId))
    .map((a) => ({ activityId: a.id, reason: facts.jobErrors.get(a.id) ?? `not replicated (status ${a.updateSyncStatus})` }));
  return {
    total: facts.activities.length,
    contacts: new Set(facts.activities.map((a) => a.contactId)).size,
    replicated: replicated.length,
    viaBackfill: replicated.length - direct.length,
    direct: direct.length,
    directContacts: new Set(direct.map((a) => a.contactId)).size,
    backfillQueued: facts.events.backfillQueued,
    backfillContacts: facts.events.backfillContacts,
    typesSent: Object.entries(facts.events.activityTypesSent).sort(([a], [b]) => a.localeCompare(b)),
    notInPipedrive: local.length,
    notInPipedriveContacts: new Set(local.map((a) => a.contactId)).size,
    pending,
  };
}

/** Everything the summary reports. */
export interface DemoOutcome {
  /** `emulator (plan growth)` or `Pipedrive at https://...`. */
  target: string;
  threshold: number;
  contacts: number;
  /** Warm, unlinked contacts sent through `checkAndCreateWarmLead`. */
  warmLeads: number;
  /** Of those, linked to a Pipedrive person at the end. */
  synced: number;
  personsCreated: number;
  personsLinked: number;
  belowThreshold: number;
  alreadyLinked: number;
  /** Warm leads not linked at the end, with why. */
  other: Array<{ contactId: string; reason: string }>;
  organizationsCreated: number;
  /** Warm leads that share the created organizations. */
  leadsOfCreatedOrganizations: number;
  organizationsReusedLinked: number;
  organizationsReusedFound: number;
  ownerUnknown: number;
  activities: ActivityOutcome;
  requests: number;
  rateLimited: number;
  /** Tokens spent and where the figure comes from. */
  tokens: { spent: number; note: string };
  /** Jobs the final drain carried out, and jobs still in the outbox after it. */
  drained: number;
  /** The record-update phase. */
  updates: RecordEditOutcome;
  queueLeft: number;
  syncMs: number;
  totalMs: number;
}

/** Facts about the CRM before and after the run, for {@link tallyCrm}. */
export interface CrmFacts {
  threshold: number;
  /** Contacts as seeded. */
  before: ContactRow[];
  /** Contacts after the run. */
  after: ContactRow[];
  /** CRM organizations linked to Pipedrive before the run. */
  organizationsLinkedBefore: Set<string>;
  events: DemoEvents;
  /**
   * CRM users without a Pipedrive user at the end (the token's user owns their records). Read from the database,
   * not counted from `warm_lead.owner_unknown` events: those come once per record created, activities included.
   */
  ownersNotInPipedrive: Set<string>;
  /** Why a warm lead's job is not done (its last error), by contact id. */
  jobErrors: Map<string, string>;
}

/** The CRM side of the outcome: who was synced, skipped and why, organizations created and reused. */
export function tallyCrm(facts: CrmFacts): Pick<
  DemoOutcome,
  | 'contacts' | 'warmLeads' | 'synced' | 'personsCreated' | 'personsLinked' | 'belowThreshold' | 'alreadyLinked' | 'other'
  | 'organizationsCreated' | 'leadsOfCreatedOrganizations' | 'organizationsReusedLinked' | 'organizationsReusedFound' | 'ownerUnknown'
> {
  const after = new Map(facts.after.map((c) => [c.id, c]));
  const warm = facts.before.filter((c) => c.warmnessScore >= facts.threshold && c.pipedrivePersonId === null);
  const synced = warm.filter((c) => after.get(c.id)?.pipedrivePersonId != null);
  const other = warm
    .filter((c) => after.get(c.id)?.pipedrivePersonId == null)
    .map((c) => ({
      contactId: c.id,
      reason: after.get(c.id)?.updateSyncStatus === 'CONFLICT'
        ? 'conflict: several Pipedrive records match (see sync.conflicts.list())'
        : facts.jobErrors.get(c.id) ?? 'not linked (the job is still in the queue)',
    }));
  const created = new Set(facts.events.organizationsCreated);
  const personsCreated = new Set(facts.events.personsCreated);
  const reused = new Set(
    synced.map((c) => c.organizationId).filter((id): id is string => id !== null && !created.has(id)),
  );
  const reusedLinked = [...reused].filter((id) => facts.organizationsLinkedBefore.has(id)).length;
  return {
    contacts: facts.before.length,
    warmLeads: warm.length,
    synced: synced.length,
    personsCreated: facts.events.personsCreated.length,
    personsLinked: facts.events.personsFound.length,
    belowThreshold: facts.before.filter((c) => c.warmnessScore < facts.threshold).length,
    alreadyLinked: facts.before.filter((c) => c.warmnessScore >= facts.threshold && c.pipedrivePersonId !== null).length,
    other,
    organizationsCreated: created.size,
    leadsOfCreatedOrganizations: synced.filter((c) => c.organizationId !== null && created.has(c.organizationId)).length,
    organizationsReusedLinked: reusedLinked,
    organizationsReusedFound: reused.size - reusedLinked,
    ownerUnknown: facts.before.filter((c) => personsCreated.has(c.id) && c.ownerId !== null && facts.ownersNotInPipedrive.has(c.ownerId)).length,
  };
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Why a conflict ended each way, by strategy: [CRM value sent, Pipedrive value kept, held]. */
const STRATEGY_NOTES: Record<RecordEditOutcome['strategy'], [string, string, string]> = {
  'last-write-wins': ['the CRM edit was later (a tie goes to the CRM)', 'the Pipedrive edit was later', ''],
  manual: ['', '', 'sync.conflicts.list(), then resolve()'],
  'auto-merge': ['the CRM edit was later, or Pipedrive emptied the field', 'the Pipedrive edit was later, or the CRM emptied it', ''],
};

/** The record-update rows of the summary. */
export function updateRows(u: RecordEditOutcome): string[][] {
  if (u.skipped !== null) return [['records edited', '0', u.skipped]];
  const notes = STRATEGY_NOTES[u.strategy];
  return [
    [
      'records edited in the CRM',
      String(u.editedInCrm),
      `${plural(u.personsEdited, 'person')}, ${plural(u.organizationsEdited, 'organization')}: edit hooks in the CRM's transaction`,
    ],
    [
      'records edited in the Pipedrive UI',
      String(u.editedInUi),
      `by hand in the emulator; ${u.editedOnBothSides} also edited in the CRM, ${u.editedInUi - u.editedOnBothSides} only there`,
    ],
    ['updates pushed', String(u.updatesPushed), `PATCH requests, ${plural(u.fieldsPushed, 'field')}; ${u.drained} update jobs drained`],
    ['fields kept from Pipedrive', String(u.fieldsKept), 'sent unchanged by the CRM, changed in Pipedrive: its value stays'],
    ['conflicts found', String(u.conflicts), `fields changed on both sides since the last sync; strategy ${u.strategy}`],
    ['  CRM value sent', String(u.crmWon), notes[0]],
    ['  Pipedrive value kept', String(u.pipedriveWon), notes[1]],
    ['  held for a person', String(u.held), [plural(u.openConflicts, 'open conflict'), notes[2]].filter(Boolean).join(': ')],
  ];
}

/** The summary table. */
export function renderDemoSummary(o: DemoOutcome): string {
  const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
  const skipped = o.belowThreshold + o.alreadyLinked + o.other.length;
  const a = o.activities;
  const typesTotal = a.typesSent.reduce((sum, [, n]) => sum + n, 0);
  const rows: string[][] = [
    ['contacts in the CRM', String(o.contacts), ''],
    ['warm leads synced', String(o.synced), `of ${plural(o.warmLeads, 'warm, unlinked contact')} (warmness >= ${o.threshold})`],
    ['  persons created', String(o.personsCreated), o.ownerUnknown > 0 ? `${o.ownerUnknown} owned by the token's user (owner not in Pipedrive)` : ''],
    ['  persons linked to an existing person', String(o.personsLinked), 'same email found in Pipedrive; "Warm Lead" label added'],
    ['contacts skipped', String(skipped), ''],
    ['  below the threshold', String(o.belowThreshold), `warmness < ${o.threshold}`],
    ['  already linked', String(o.alreadyLinked), 'warm, already had a Pipedrive person'],
    ['  other', String(o.other.length), o.other.length > 0 ? 'warm leads not linked: listed below' : ''],
    ['organizations created', String(o.organizationsCreated), `each once, for ${plural(o.leadsOfCreatedOrganizations, 'warm lead')}`],
    [
      'organizations reused',
      String(o.organizationsReusedLinked + o.organizationsReusedFound),
      `${o.organizationsReusedLinked} linked before, ${o.organizationsReusedFound} found by name`,
    ],
    ['activities in the CRM', String(a.total), `logged by the contacts' owners, for ${plural(a.contacts, 'contact')}`],
    ['activities replicated', String(a.replicated), 'one Pipedrive activity each, the person as primary participant'],
    [
      '  via the warm-lead backfill',
      String(a.viaBackfill),
      `${a.backfillQueued} queued when ${a.backfillContacts === 1 ? '1 contact became a warm lead' : `${a.backfillContacts} contacts became warm leads`}; ` +
        'run by the final drain',
    ],
    ['  directly', String(a.direct), `replicateActivity, for ${plural(a.directContacts, 'contact')} already in Pipedrive`],
    ['  activity types sent', String(typesTotal), a.typesSent.map(([type, n]) => `${type} ${n}`).join(' · ')],
    ['activities not replicated', String(a.notInPipedrive + a.pending.length), ''],
    [
      '  contact not in Pipedrive',
      String(a.notInPipedrive),
      `${plural(a.notInPipedriveContacts, 'cold contact')} without a Pipedrive person: kept local`,
    ],
    ['  queued or failed', String(a.pending.length), a.pending.length > 0 ? 'contact in Pipedrive: listed below' : ''],
    ...updateRows(o.updates),
    ['requests sent', String(o.requests), 'warm leads, activities and record updates'],
    ['API tokens spent', String(o.tokens.spent), o.tokens.note],
    ['429 responses', String(o.rateLimited), ''],
    ['queue', String(o.queueLeft), `jobs left in the outbox (${o.drained} drained at the end)`],
    ['elapsed', seconds(o.syncMs), `warm leads, activities and the drain; ${seconds(o.totalMs)} with set-up and seeding`],
  ];
  let text = `\nDemo summary: ${o.target}\n` +
    renderTable([{ header: 'result' }, { header: 'count', align: 'right' }, { header: 'notes' }], rows, '  ');
  if (o.other.length > 0) {
    text += `\nWarm leads not linked:\n${o.other.map((x) => `  ${x.contactId}: ${x.reason}\n`).join('')}`;
  }
  if (o.updates.failed.length > 0) {
    text += `\nRecord updates not done:\n${o.updates.failed.map((x) => `  ${x.recordId}: ${x.reason}\n`).join('')}`;
  }
  if (a.pending.length > 0) {
    text += `\nActivities not replicated although their contact is in Pipedrive:\n${a.pending.map((x) => `  ${x.activityId}: ${x.reason}\n`).join('')}`;
  }
  return text;
}
