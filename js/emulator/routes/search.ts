/**
 * @module emulator/routes/search
 * v2 search: `/api/v2/persons/search` (fields name, email, phone, notes, custom_fields) and
 * `/api/v2/organizations/search` (name, address, notes, custom_fields), with `exact_match` compared
 * case-insensitively and hits shaped `data.items[] = {result_score, item}`; items carry no `update_time`.
 * Under a search lag (`emulator/model/search_index`) records created or re-indexed less than the lag ago are
 * left out, as the real index trails the database.
 */

import type { OrganizationRecord, PersonRecord } from '../model/records';
import type { EmulatorState } from '../model/state';
import { validationFailed, type Reply } from '../wire/envelope';
import type { Router } from './router';
import { validateQuery, type ParsedQuery } from './validation';

interface Hit {
  score: number;
  id: number;
  item: unknown;
}

/** How well one stored value matches the term: 1 exact, 0.75 prefix, 0.5 substring, 0 no match. */
function score(value: string | null | undefined, term: string, exact: boolean): number {
  if (!value) return 0;
  const v = value.trim().toLowerCase();
  if (v === term) return 1;
  if (exact) return 0;
  if (v.startsWith(term)) return 0.75;
  return v.includes(term) ? 0.5 : 0;
}

function phoneScore(value: string, term: string, exact: boolean): number {
  const digits = (s: string) => s.replace(/[^\d+]/g, '');
  const s = score(value, term, exact);
  return s > 0 || digits(term) === '' ? s : score(digits(value), digits(term), exact);
}

const SEARCH_QUERY_COMMON = {
  term: { kind: 'string' as const },
  exact_match: { kind: 'boolean' as const },
  limit: { kind: 'integer' as const, min: 1, max: 500 },
  cursor: { kind: 'string' as const },
};

function checkTerm(q: ParsedQuery): string {
  if (typeof q.term !== 'string') throw validationFailed(`query parameter 'term' is required`);
  const term = q.term.trim().toLowerCase();
  const min = q.exact_match === true ? 1 : 2;
  if (term.length < min) {
    throw validationFailed(`query parameter 'term' must be at least ${min} character${min > 1 ? 's' : ''} long${min > 1 ? ' (1 with exact_match=true)' : ''}`);
  }
  return term;
}

function page(hits: Hit[], q: ParsedQuery): Reply {
  hits.sort((a, b) => b.score - a.score || a.id - b.id);
  let offset = 0;
  if (typeof q.cursor === 'string') {
    const decoded = Number(Buffer.from(q.cursor, 'base64url').toString('utf8').replace(/^search:/, ''));
    if (!Number.isInteger(decoded) || decoded < 0 || !Buffer.from(q.cursor, 'base64url').toString('utf8').startsWith('search:')) {
      throw validationFailed(`query parameter 'cursor' is not a valid cursor`);
    }
    offset = decoded;
  }
  const limit = typeof q.limit === 'number' ? q.limit : 100;
  const items = hits.slice(offset, offset + limit).map((h) => ({ result_score: h.score, item: h.item }));
  const next = offset + limit < hits.length ? Buffer.from(`search:${offset + limit}`).toString('base64url') : null;
  return { status: 200, body: { success: true, data: { items }, additional_data: { next_cursor: next } } };
}

function personItem(p: PersonRecord, state: EmulatorState): unknown {
  const org = p.org_id === null ? undefined : state.organizations.get(p.org_id);
  return {
    id: p.id,
    type: 'person',
    name: p.name,
    phones: p.phones.map((x) => x.value),
    emails: p.emails.map((x) => x.value),
    visible_to: p.visible_to,
    owner: { id: p.owner_id },
    organization: org && !org.is_deleted ? { id: org.id, name: org.name } : null,
    custom_fields: [],
    notes: [],
  };
}

function organizationItem(o: OrganizationRecord): unknown {
  return {
    id: o.id,
    type: 'organization',
    name: o.name,
    address: o.address?.value ?? null,
    visible_to: o.visible_to,
    owner: { id: o.owner_id },
    custom_fields: [],
    notes: [],
  };
}

/** Registers the person and organization search routes (limited by the search window). */
export function registerSearchRoutes(router: Router): void {
  router.add('GET', '/api/v2/persons/search', (ctx) => {
    const q = validateQuery(ctx.query, {
      ...SEARCH_QUERY_COMMON,
      fields: { kind: 'csv-enum', values: ['custom_fields', 'email', 'notes', 'phone', 'name'] },
      organization_id: { kind: 'integer' },
      include_fields: { kind: 'csv-enum', values: ['person.picture'] },
    });
    const term = checkTerm(q);
    const exact = q.exact_match === true;
    const fields = (q.fields as string[] | undefined) ?? ['custom_fields', 'email', 'notes', 'phone', 'name'];
    const hits: Hit[] = [];
    for (const p of ctx.state.persons.values()) {
      if (p.is_deleted || !ctx.state.searchIndex.visible('person', p.id, ctx.now)) continue;
      if (q.organization_id !== undefined && p.org_id !== q.organization_id) continue;
      let best = 0;
      if (fields.includes('name')) best = Math.max(best, score(p.name, term, exact));
      if (fields.includes('email')) for (const e of p.emails) best = Math.max(best, score(e.value, term, exact));
      if (fields.includes('phone')) for (const ph of p.phones) best = Math.max(best, phoneScore(ph.value, term, exact));
      if (best > 0) hits.push({ score: best, id: p.id, item: personItem(p, ctx.state) });
    }
    return page(hits, q);
  }, { search: true });

  router.add('GET', '/api/v2/organizations/search', (ctx) => {
    const q = validateQuery(ctx.query, {
      ...SEARCH_QUERY_COMMON,
      fields: { kind: 'csv-enum', values: ['address', 'custom_fields', 'notes', 'name'] },
    });
    const term = checkTerm(q);
    const exact = q.exact_match === true;
    const fields = (q.fields as string[] | undefined) ?? ['address', 'custom_fields', 'notes', 'name'];
    const hits: Hit[] = [];
    for (const o of ctx.state.organizations.values()) {
      if (o.is_deleted || !ctx.state.searchIndex.visible('organization', o.id, ctx.now)) continue;
      let best = 0;
      if (fields.includes('name')) best = Math.max(best, score(o.name, term, exact));
      if (fields.includes('address')) best = Math.max(best, score(o.address?.value, term, exact));
      if (best > 0) hits.push({ score: best, id: o.id, item: organizationItem(o) });
    }
    return page(hits, q);
  }, { search: true });
}
