/**
 * @module emulator/routes/activities
 * v2 activities: `/api/v2/activities` CRUD. People are linked only through `participants` (sending `person_id`
 * is the real "read-only, add a primary participant" 400); `person_id` in responses is the primary participant.
 * `type` must be an active activity type; `due_date` is `YYYY-MM-DD`, `due_time`/`duration` are wall-clock times.
 * PATCH (UPDATES-FACTS §1.10): only the keys sent change; `participants` and `attendees` are replaced whole
 * (merging is [UNVERIFIED]; replace is what clients assume), and the primary participant sets `person_id`;
 * `location` is replaced whole; `done: true` stamps `marked_as_done_time`. Refused: `person_id` (the recorded
 * read-only 400), `custom_fields` (activities have none), and the server's fields (`creator_user_id`,
 * `marked_as_done_time`, `conference_meeting_*`, `add_time`, `update_time`, `id`, `is_deleted`) as not in the schema.
 * No top-level `null` (clearing `due_time`, `deal_id`, ... that way is [UNVERIFIED]); an edit in the UI may clear.
 */

import { addressFrom, buildActivity } from '../model/builders';
import type { ActivityRecord, Attendee, Participant } from '../model/records';
import { normaliseTime, rfc3339 } from '../wire/clock';
import { badRequest, validationFailed } from '../wire/envelope';
import { ADDRESS_SPEC } from './contact_fields';
import type { EntityDef, Link } from './entity_def';
import { apiPatchSpec, patchSpecFor, uiPatchSpec, type PatchRules } from './patch_rules';
import type { RequestContext } from './router';
import { validateBody, type BodySpec } from './validation';

/** The exact message v2 sends when a client writes `person_id` on an activity (n8n-io/n8n#31684). */
export const PERSON_ID_READ_ONLY =
  `'person_id' is a read-only field. Add a primary participant to set 'person_id' instead. For example: "participants": [{ "person_id": 1, "primary": true }]`;

const ACTIVITY_BODY: BodySpec = {
  subject: { kind: 'string' },
  type: { kind: 'string', nonEmpty: true },
  owner_id: { kind: 'integer' },
  deal_id: { kind: 'integer', nullable: true },
  lead_id: { kind: 'string', nullable: true },
  person_id: { kind: 'integer', nullable: true },
  org_id: { kind: 'integer', nullable: true },
  project_id: { kind: 'integer', nullable: true },
  due_date: { kind: 'string', format: 'date', nullable: true },
  due_time: { kind: 'string', format: 'time', nullable: true },
  duration: { kind: 'string', format: 'time', nullable: true },
  busy: { kind: 'boolean' },
  done: { kind: 'boolean' },
  location: ADDRESS_SPEC,
  participants: {
    kind: 'array',
    items: { kind: 'object', fields: { person_id: { kind: 'integer' }, primary: { kind: 'boolean' } }, required: ['person_id'] },
  },
  attendees: {
    kind: 'array',
    items: {
      kind: 'object',
      fields: {
        email: { kind: 'string' }, name: { kind: 'string' }, status: { kind: 'string' }, is_organizer: { kind: 'boolean' },
        person_id: { kind: 'integer' }, user_id: { kind: 'integer' },
      },
    },
  },
  public_description: { kind: 'string', nullable: true },
  priority: { kind: 'integer', nullable: true },
  note: { kind: 'string', nullable: true },
};

const PATCH_RULES: PatchRules = { readOnly: [], nullable: [] };
const ACTIVITY_PATCH = apiPatchSpec(ACTIVITY_BODY, PATCH_RULES);
const ACTIVITY_UI_EDIT = uiPatchSpec(ACTIVITY_BODY, PATCH_RULES);

function normaliseParticipants(raw: unknown): Participant[] {
  const list = raw as { person_id: number; primary?: boolean }[];
  const primaries = list.filter((p) => p.primary === true).length;
  if (primaries > 1) throw validationFailed(`'participants' may have at most one primary participant, got ${primaries}`);
  const seen = new Set<number>();
  for (const p of list) {
    if (seen.has(p.person_id)) throw validationFailed(`'participants' lists person ${p.person_id} more than once`);
    seen.add(p.person_id);
  }
  // Like emails and phones: with no primary given, the first participant becomes the primary one.
  return list.map((p, i) => ({ person_id: p.person_id, primary: primaries === 0 ? i === 0 : p.primary === true }));
}

function validate(ctx: RequestContext, raw: unknown, spec: BodySpec): Record<string, unknown> {
  const body = validateBody(raw, spec);
  if (body.person_id !== undefined) throw badRequest(PERSON_ID_READ_ONLY);
  if (typeof body.type === 'string' && !ctx.state.activityTypes.some((t) => t.active_flag && t.key_string === body.type)) {
    const known = ctx.state.activityTypes.filter((t) => t.active_flag).map((t) => t.key_string).join(', ');
    throw validationFailed(`'type' must be the key_string of an active activity type (${known}), got '${body.type}'`);
  }
  if (typeof body.owner_id === 'number') ctx.state.requireActiveUser(body.owner_id, 'owner_id');
  if (typeof body.deal_id === 'number') ctx.state.requireLive('deal', body.deal_id, 'deal_id');
  if (typeof body.org_id === 'number') ctx.state.requireLive('organization', body.org_id, 'org_id');
  if (Array.isArray(body.participants)) {
    (body.participants as Participant[]).forEach((p, i) => ctx.state.requireLive('person', p.person_id, `participants[${i}].person_id`));
  }
  return body;
}

function attendeesFrom(raw: unknown): Attendee[] {
  return (raw as Partial<Attendee>[]).map((a) => ({
    email: a.email ?? null, name: a.name ?? null, status: a.status ?? null, is_organizer: a.is_organizer ?? false,
    person_id: a.person_id ?? null, user_id: a.user_id ?? null,
  }));
}

function apply(rec: ActivityRecord, body: Record<string, unknown>, now: number): void {
  for (const [key, value] of Object.entries(body)) {
    switch (key) {
      case 'participants':
        rec.participants = normaliseParticipants(value);
        rec.person_id = rec.participants.find((p) => p.primary)?.person_id ?? null;
        break;
      case 'attendees': rec.attendees = attendeesFrom(value); break;
      case 'location': rec.location = addressFrom(value); break;
      case 'due_time': rec.due_time = value === null ? null : normaliseTime(value as string); break;
      case 'duration': rec.duration = value === null ? null : normaliseTime(value as string); break;
      case 'done':
        if (value === true && !rec.done) rec.marked_as_done_time = rfc3339(now);
        if (value === false) rec.marked_as_done_time = null;
        rec.done = value as boolean;
        break;
      default: (rec as unknown as Record<string, unknown>)[key] = value;
    }
  }
}

/** The activity entity definition. */
export const ACTIVITIES: EntityDef<ActivityRecord> = {
  kind: 'activity',
  noun: 'Activity',
  path: '/api/v2/activities',
  collection: (state) => state.activities,
  listFilters: {
    owner_id: { kind: 'integer' }, deal_id: { kind: 'integer' }, lead_id: { kind: 'string' }, person_id: { kind: 'integer' },
    org_id: { kind: 'integer' }, done: { kind: 'boolean' },
  },
  sortFields: ['id', 'update_time', 'add_time', 'due_date'],
  includeFields: ['attendees'],
  matches: (rec, q) =>
    (q.owner_id === undefined || rec.owner_id === q.owner_id) &&
    (q.deal_id === undefined || rec.deal_id === q.deal_id) &&
    (q.lead_id === undefined || rec.lead_id === q.lead_id) &&
    // person_id filters on the primary participant only, as documented for v2.
    (q.person_id === undefined || rec.person_id === q.person_id) &&
    (q.org_id === undefined || rec.org_id === q.org_id) &&
    (q.done === undefined || rec.done === q.done),
  links: (rec) => [
    ...rec.participants.map((p): Link => ['person', p.person_id]),
    ...(rec.org_id === null ? [] : [['organization', rec.org_id] as Link]),
    ...(rec.deal_id === null ? [] : [['deal', rec.deal_id] as Link]),
  ],

  present(rec, include) {
    if (include.includes('attendees')) return rec;
    const { attendees: _omitted, ...rest } = rec;
    return rest;
  },

  create(ctx, raw, id) {
    const body = validate(ctx, raw, ACTIVITY_BODY);
    const rec = buildActivity({ owner_id: ctx.user.id, creator_user_id: ctx.user.id }, id, ctx.now, ctx.user.id);
    if (body.subject === undefined) {
      // v2 names an untitled activity after its type, like the web app does.
      const type = ctx.state.activityTypes.find((t) => t.key_string === (body.type ?? 'call'));
      rec.subject = type?.name ?? 'Call';
    }
    apply(rec, body, ctx.now);
    return rec;
  },

  update(ctx, rec, raw) {
    apply(rec, validate(ctx, raw, patchSpecFor(ctx, ACTIVITY_PATCH, ACTIVITY_UI_EDIT)), ctx.now);
  },
};
