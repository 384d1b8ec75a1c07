/**
 * @module emulator/model/records
 * The shapes the emulator stores: each record is kept exactly as API v2 (entities) or v1 (users, fields,
 * activity types) returns it, so a read is a lookup plus serialisation.
 */

/** An address as v2 returns it: every subfield present, `null` when unset. */
export interface Address {
  value: string | null;
  country: string | null;
  admin_area_level_1: string | null;
  admin_area_level_2: string | null;
  locality: string | null;
  sublocality: string | null;
  route: string | null;
  street_number: string | null;
  subpremise: string | null;
  postal_code: string | null;
}

/** One email or phone of a person. */
export interface ContactPoint {
  value: string;
  primary: boolean;
  label: string;
}

/** A v2 person. */
export interface PersonRecord {
  id: number;
  name: string;
  first_name: string | null;
  last_name: string | null;
  owner_id: number | null;
  org_id: number | null;
  add_time: string;
  update_time: string;
  emails: ContactPoint[];
  phones: ContactPoint[];
  is_deleted: boolean;
  visible_to: number;
  label_ids: number[];
  picture_id: number | null;
  custom_fields: Record<string, unknown>;
}

/** A v2 organization, including the nullable 2026 fields (`website`, `industry`, ...) served on request. */
export interface OrganizationRecord {
  id: number;
  name: string;
  owner_id: number | null;
  add_time: string;
  update_time: string;
  is_deleted: boolean;
  visible_to: number;
  address: Address | null;
  label_ids: number[];
  custom_fields: Record<string, unknown>;
  website: string | null;
  linkedin: string | null;
  industry: number | null;
  annual_revenue: number | null;
  employee_count: number | null;
}

/** A participant of an activity. */
export interface Participant {
  person_id: number;
  primary: boolean;
}

/** An attendee of an activity. */
export interface Attendee {
  email: string | null;
  name: string | null;
  status: string | null;
  is_organizer: boolean | null;
  person_id: number | null;
  user_id: number | null;
}

/** A v2 activity. */
export interface ActivityRecord {
  id: number;
  subject: string;
  type: string;
  owner_id: number | null;
  creator_user_id: number | null;
  is_deleted: boolean;
  add_time: string;
  update_time: string;
  deal_id: number | null;
  lead_id: string | null;
  person_id: number | null;
  org_id: number | null;
  project_id: number | null;
  due_date: string | null;
  due_time: string | null;
  duration: string | null;
  busy: boolean;
  done: boolean;
  marked_as_done_time: string | null;
  location: Address | null;
  participants: Participant[];
  attendees: Attendee[];
  conference_meeting_client: string | null;
  conference_meeting_url: string | null;
  conference_meeting_id: string | null;
  public_description: string | null;
  priority: number | null;
  note: string | null;
}

/** A v2 deal. */
export interface DealRecord {
  id: number;
  title: string;
  creator_user_id: number | null;
  owner_id: number | null;
  person_id: number | null;
  org_id: number | null;
  pipeline_id: number;
  stage_id: number;
  value: number;
  currency: string;
  add_time: string;
  update_time: string;
  stage_change_time: string | null;
  is_deleted: boolean;
  is_archived: boolean;
  archive_time: string | null;
  status: string;
  probability: number | null;
  lost_reason: string | null;
  visible_to: number;
  close_time: string | null;
  won_time: string | null;
  lost_time: string | null;
  expected_close_date: string | null;
  label_ids: number[];
  origin: string;
  origin_id: string | null;
  channel: number | null;
  channel_id: string | null;
  arr: number | null;
  mrr: number | null;
  acv: number | null;
  custom_fields: Record<string, unknown> | null;
}

/** A v1 user (BaseUser). `is_you` is computed per request, so it is not stored. */
export interface UserRecord {
  id: number;
  name: string;
  default_currency: string;
  locale: string;
  lang: number;
  email: string;
  phone: string | null;
  activated: boolean;
  last_login: string;
  created: string;
  modified: string | null;
  has_created_company: boolean;
  access: { app: string; admin: boolean; permission_set_id: string }[];
  active_flag: boolean;
  timezone_name: string;
  timezone_offset: string;
  role_id: number;
  icon_url: string | null;
  is_deleted: boolean;
}

/** One option of an enum/set field (labels). */
export interface FieldOption {
  id: number;
  label: string;
  color?: string;
}

/** A v1 field definition (personFields, organizationFields, dealFields). */
export interface FieldRecord {
  id: number;
  key: string;
  name: string;
  order_nr: number;
  field_type: string;
  add_time: string;
  update_time: string;
  last_updated_by_user_id: number | null;
  created_by_user_id: number | null;
  active_flag: boolean;
  edit_flag: boolean;
  index_visible_flag: boolean;
  details_visible_flag: boolean;
  add_visible_flag: boolean;
  important_flag: boolean;
  bulk_edit_allowed: boolean;
  searchable_flag: boolean;
  filtering_allowed: boolean;
  sortable_flag: boolean;
  mandatory_flag: boolean;
  options?: FieldOption[] | null;
  options_deleted?: FieldOption[];
}

/** A v1 activity type. */
export interface ActivityTypeRecord {
  id: number;
  name: string;
  icon_key: string;
  color: string | null;
  order_nr: number;
  key_string: string;
  active_flag: boolean;
  is_custom_flag: boolean;
  add_time: string;
  update_time: string;
}

/** The company behind the API token (answers `/v1/users/me`). */
export interface CompanyInfo {
  company_id: number;
  company_name: string;
  company_domain: string;
  company_country: string;
  company_industry: string;
}

/** A v1 currency of the company (`GET /v1/currencies`); custom ones have non-ISO codes. */
export interface CurrencyRecord {
  id: number;
  code: string;
  name: string;
  decimal_points: number;
  symbol: string;
  active_flag: boolean;
  is_custom_flag: boolean;
}

/** A v2 pipeline (`GET /api/v2/pipelines`). */
export interface PipelineRecord {
  id: number;
  name: string;
  order_nr: number;
  is_selected: boolean;
  is_deleted: boolean;
  is_deal_probability_enabled: boolean;
  add_time: string;
  update_time: string;
}

/** A v2 stage (`GET /api/v2/stages`): every stage belongs to one pipeline. */
export interface StageRecord {
  id: number;
  order_nr: number;
  name: string;
  is_deleted: boolean;
  deal_probability: number;
  pipeline_id: number;
  is_deal_rot_enabled: boolean;
  days_to_rotten: number | null;
  add_time: string;
  update_time: string;
}

/** A product attached to a deal: the deal's `value` is the sum of these (`item_price × quantity − discount`). */
export interface DealProduct {
  /** The catalogue product's id, when it has one. */
  product_id: number | null;
  /** The product's name. */
  name: string;
  /** Price of one item. */
  item_price: number;
  /** How many. */
  quantity: number;
  /** An amount taken off the line (default 0). */
  discount: number;
}

/** The four v2 entity kinds the emulator serves. */
export type EntityKind = 'person' | 'organization' | 'activity' | 'deal';

/** The kinds of records that carry `label_ids`, each with its own label field in the v1 `*Fields` lists. */
export type LabelledKind = 'person' | 'organization' | 'deal';
