/**
 * @module emulator/routes/entity_def
 * What one v2 entity (person, organization, activity, deal) tells the shared routes and writes: its collection,
 * list filters, body rules, links to other records and served shape.
 */

import type { EntityKind } from '../model/records';
import type { EmulatorState } from '../model/state';
import type { BaseRecord } from './listing';
import type { RequestContext } from './router';
import type { ParsedQuery, QuerySpec } from './validation';

/** A record this one links to: its kind and id. */
export type Link = readonly [kind: EntityKind, id: number];

/** What makes one v2 entity different from the others. */
export interface EntityDef<T extends BaseRecord> {
  /** Entity kind, used for ids and references. */
  kind: EntityKind;
  /** Singular noun for messages: `Person` gives "Person not found". */
  noun: string;
  /** Collection path, e.g. `/api/v2/persons`. */
  path: string;
  /** The records of this kind. */
  collection(state: EmulatorState): Map<number, T>;
  /** Entity-specific list filters, on top of the common ones. */
  listFilters: Record<string, QuerySpec>;
  /** Values of `sort_by` this entity accepts. */
  sortFields: readonly string[];
  /** Values of `include_fields` the emulator can honour for this entity. */
  includeFields: readonly string[];
  /** Whether a record passes the entity-specific filters. */
  matches(rec: T, q: ParsedQuery, ctx: RequestContext): boolean;
  /** Whether the list shows deleted records instead of live ones (deals `status=deleted`). */
  listsDeleted?(q: ParsedQuery): boolean;
  /** Validates a POST body and builds the new record (without storing it). */
  create(ctx: RequestContext, body: unknown, id: number): T;
  /** Validates an update (a PATCH, or an edit in the UI when `ctx.changeSource` is `app`) and applies it. */
  update(ctx: RequestContext, rec: T, body: unknown): void;
  /** The object served for a record; default is the record itself. */
  present?(rec: T, include: readonly string[], state: EmulatorState): Record<string, unknown>;
  /**
   * The values search looks at, for searchable kinds: a PATCH that changes them re-indexes the record, so under a
   * search lag it drops out of search results for a while (see `emulator/model/search_index`).
   */
  searchText?(rec: T): string;
  /** The persons, organizations and deals this record links to (their `update_time` moves when a link is made). */
  links?(rec: T): Link[];
}
