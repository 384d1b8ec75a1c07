/**
 * @module emulator/model/default_data
 * What every emulated company starts with: four users (admin, regular, inactive, deleted), the v1 field lists of
 * persons, organizations and deals with their default label options (and the organization `industry` field with
 * its options), the six default activity types, and one pipeline with Pipedrive's five default stages.
 */

import { rfc3339, v1Time } from '../wire/clock';
import type { UserSeed } from './builders';
import type { ActivityTypeRecord, FieldOption, FieldRecord, LabelledKind, PipelineRecord, StageRecord } from './records';

/**
 * The default users: an active admin (owner of the emulator's API token), an active regular user, an inactive
 * user and a deleted one, so user matching code meets the cases it must skip.
 */
export function defaultUsers(apiToken: string): UserSeed[] {
  return [
    { id: 1, name: 'Ada Admin', email: 'ada.admin@example.com', admin: true, apiToken },
    { id: 2, name: 'Sam Seller', email: 'sam.seller@example.com' },
    { id: 3, name: 'Ivy Inactive', email: 'ivy.inactive@example.com', active_flag: false, activated: false },
    { id: 4, name: 'Dee Deleted', email: 'dee.deleted@example.com', active_flag: false, is_deleted: true },
  ];
}

/** The field lists of a company, one per labelled record kind. */
export type FieldLists = Record<LabelledKind, FieldRecord[]>;

/** The default person and organization label options (Pipedrive's four defaults; ids are per account). */
export const DEFAULT_PERSON_LABELS: readonly FieldOption[] = [
  { id: 1, label: 'Customer', color: 'green' },
  { id: 2, label: 'Hot lead', color: 'red' },
  { id: 3, label: 'Warm lead', color: 'yellow' },
  { id: 4, label: 'Cold lead', color: 'blue' },
];

/** Organizations get the same four labels, with ids of their own so a person label id is caught on an org. */
export const DEFAULT_ORGANIZATION_LABELS: readonly FieldOption[] = [
  { id: 5, label: 'Customer', color: 'green' },
  { id: 6, label: 'Hot lead', color: 'red' },
  { id: 7, label: 'Warm lead', color: 'yellow' },
  { id: 8, label: 'Cold lead', color: 'blue' },
];

/** Deal labels (assumed defaults; deal label ids are per account like the others). */
export const DEFAULT_DEAL_LABELS: readonly FieldOption[] = [
  { id: 9, label: 'Hot', color: 'red' },
  { id: 10, label: 'Warm', color: 'yellow' },
  { id: 11, label: 'Cold', color: 'blue' },
];

/**
 * The options of the built-in organization `industry` field (2026, UPDATES-FACTS §1.8): an org's `industry` holds
 * one of these ids. The real option list and its ids are [UNVERIFIED] (ids are per account, like label ids), so
 * clients must map names to ids through `/v1/organizationFields`, as they do for labels. Ids follow the labels'.
 */
export const DEFAULT_INDUSTRIES: readonly FieldOption[] = [
  'Agriculture', 'Construction', 'Consulting', 'Education', 'Financial services', 'Food', 'Healthcare',
  'Hospitality', 'Import/Export', 'Manufacturing', 'Media', 'Real estate', 'Retail', 'Software',
  'Telecommunications', 'Transport', 'Other',
].map((label, i) => ({ id: 12 + i, label }));

type FieldDef = [key: string, name: string, type: string];

const PERSON_FIELDS: FieldDef[] = [
  ['name', 'Name', 'varchar'], ['first_name', 'First name', 'varchar'], ['last_name', 'Last name', 'varchar'],
  ['label', 'Label', 'enum'], ['label_ids', 'Labels', 'set'], ['org_id', 'Organization', 'org'],
  ['owner_id', 'Owner', 'user'], ['email', 'Email', 'varchar'], ['phone', 'Phone', 'phone'],
  ['visible_to', 'Visible to', 'visible_to'], ['add_time', 'Person created', 'date'], ['update_time', 'Update time', 'date'],
];

const ORGANIZATION_FIELDS: FieldDef[] = [
  ['name', 'Name', 'varchar'], ['label', 'Label', 'enum'], ['label_ids', 'Labels', 'set'],
  ['owner_id', 'Owner', 'user'], ['address', 'Address', 'address'], ['visible_to', 'Visible to', 'visible_to'],
  ['add_time', 'Organization created', 'date'], ['update_time', 'Update time', 'date'],
  // Last, so the ids of the fields above stay what they were before it existed.
  ['industry', 'Industry', 'enum'],
];

const DEAL_FIELDS: FieldDef[] = [
  ['title', 'Title', 'varchar'], ['value', 'Value', 'monetary'], ['currency', 'Currency', 'varchar'],
  ['label', 'Label', 'set'], ['person_id', 'Contact person', 'people'], ['org_id', 'Organization', 'org'],
  ['user_id', 'Owner', 'user'], ['add_time', 'Deal created', 'date'],
];

/** The key of the field holding a kind's labels: `label_ids` for persons/orgs, `label` (a set) for deals. */
export function labelFieldKey(kind: LabelledKind): string {
  return kind === 'deal' ? 'label' : 'label_ids';
}

/**
 * Builds the default field lists. Person and org `label` and `label_ids` share one option array, since writes to
 * one sync the other in Pipedrive (API-FACTS §4). The organization `industry` field is a built-in enum whose options
 * cannot be edited through the fields API (`edit_flag: false`).
 */
export function defaultFields(now: number): FieldLists {
  const time = v1Time(now - 365 * 86_400_000);
  const build = (defs: FieldDef[], firstId: number, labels: readonly FieldOption[]): FieldRecord[] => {
    const shared = labels.map((o) => ({ ...o }));
    return defs.map(([key, name, type], i) => {
      const isLabel = key === 'label' || key === 'label_ids';
      const field: FieldRecord = {
        id: firstId + i, key, name, order_nr: i + 1, field_type: type, add_time: time, update_time: time,
        last_updated_by_user_id: null, created_by_user_id: null, active_flag: true, edit_flag: isLabel,
        index_visible_flag: true, details_visible_flag: true, add_visible_flag: true, important_flag: false,
        bulk_edit_allowed: true, searchable_flag: key === 'name' || key === 'title' || key === 'email' || key === 'phone',
        filtering_allowed: true, sortable_flag: true, mandatory_flag: key === 'name' || key === 'title',
      };
      if (isLabel) {
        field.options = shared;
        field.options_deleted = [];
      }
      if (key === 'industry') field.options = DEFAULT_INDUSTRIES.map((o) => ({ ...o }));
      return field;
    });
  };
  return {
    person: build(PERSON_FIELDS, 9001, DEFAULT_PERSON_LABELS),
    organization: build(ORGANIZATION_FIELDS, 4001, DEFAULT_ORGANIZATION_LABELS),
    deal: build(DEAL_FIELDS, 12001, DEFAULT_DEAL_LABELS),
  };
}

const ACTIVITY_TYPES: [name: string, key: string][] = [
  ['Call', 'call'], ['Meeting', 'meeting'], ['Task', 'task'], ['Deadline', 'deadline'], ['Email', 'email'], ['Lunch', 'lunch'],
];

/** The default activity types: call, meeting, task, deadline, email, lunch. */
export function defaultActivityTypes(now: number): ActivityTypeRecord[] {
  const time = v1Time(now - 365 * 86_400_000);
  return ACTIVITY_TYPES.map(([name, key], i) => ({
    id: i + 1, name, icon_key: key, color: null, order_nr: i + 1, key_string: key, active_flag: true,
    is_custom_flag: false, add_time: time, update_time: time,
  }));
}

/** Pipedrive's default stages of a new account's pipeline, in order. */
const DEFAULT_STAGES = ['Qualified', 'Contact Made', 'Demo Scheduled', 'Proposal Made', 'Negotiations Started'];

/** The default pipeline (id 1, selected) and its five stages (ids 1..5), as a new account has them. */
export function defaultPipelines(now: number): { pipelines: PipelineRecord[]; stages: StageRecord[] } {
  const time = rfc3339(now - 365 * 86_400_000);
  return {
    pipelines: [{
      id: 1, name: 'Pipeline', order_nr: 1, is_selected: true, is_deleted: false, is_deal_probability_enabled: false,
      add_time: time, update_time: time,
    }],
    stages: DEFAULT_STAGES.map((name, i) => ({
      id: i + 1, order_nr: i + 1, name, is_deleted: false, deal_probability: 100, pipeline_id: 1,
      is_deal_rot_enabled: false, days_to_rotten: null, add_time: time, update_time: time,
    })),
  };
}
