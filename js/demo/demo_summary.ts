//! The demo's closing summary: what the warm-lead sync did to the CRM and to Pipedrive (persons created or linked,
//! contacts skipped and why, organizations created or reused), what it cost (requests, API tokens, 429s) and how
//! long it took, worked out from the database, the engine's log events and the requests sent, as a table on stdout.

import { renderTable } from '../cli/table';
import type { ContactRow } from './crm_database';

/** The engine's log events the summary counts (fields as `src/warm_lead` logs them). */
export interface WarmLeadEvents {
  /** `warm_lead.person_created`: contact ids. */
  personsCreated: string[];
  /** `warm_lead.person_found`: contact ids linked to an existing person. */
  personsFound: string[];
  /** `warm_lead.organization_created`: CRM organization ids. */
  organizationsCreated: string[];
  /** `warm_lead.owner_unknown`: leads whose CRM user has no Pipedrive user (the token's user owns them). */
  ownerUnknown: number;
}

/** A logger that tallies the warm-lead events into `events`. */
export function countWarmLeadEvents(events: WarmLeadEvents): (level: string, event: string, fields: Record<string, unknown>) => void {
  return (_level, event, fields) => {
    if (event === 'warm_lead.person_created') events.personsCreated.push(String(fields.contactId));
    else if (event === 'warm_lead.person_found') events.personsFound.push(String(fields.contactId));
    else if (event === 'warm_lead.organization_created') events.organizationsCreated.push(String(fields.organizationId));
    else if (event === 'warm_lead.owner_unknown') events.ownerUnknown++;
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
  requests: number;
  rateLimited: number;
  /** Tokens spent and where the figure comes from. */
  tokens: { spent: number; note: string };
  /** Jobs the final drain carried out, and jobs still in the outbox after it. */
  drained: number;
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
  events: WarmLeadEvents;
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
    ownerUnknown: facts.events.ownerUnknown,
  };
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** The summary table. */
export function renderDemoSummary(o: DemoOutcome): string {
  const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
  const skipped = o.belowThreshold + o.alreadyLinked + o.other.length;
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
    ['requests sent', String(o.requests), ''],
    ['API tokens spent', String(o.tokens.spent), o.tokens.note],
    ['429 responses', String(o.rateLimited), ''],
    ['queue', String(o.queueLeft), `jobs left in the outbox (${o.drained} drained at the end)`],
    ['elapsed', seconds(o.syncMs), `warm-lead sync and drain; ${seconds(o.totalMs)} with set-up and seeding`],
  ];
  let text = `\nDemo summary: ${o.target}\n` +
    renderTable([{ header: 'result' }, { header: 'count', align: 'right' }, { header: 'notes' }], rows, '  ');
  if (o.other.length > 0) {
    text += `\nWarm leads not linked:\n${o.other.map((x) => `  ${x.contactId}: ${x.reason}\n`).join('')}`;
  }
  return text;
}
