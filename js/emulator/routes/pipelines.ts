/**
 * @module emulator/routes/pipelines
 * `GET /api/v2/pipelines` and `GET /api/v2/stages` (5 tokens each; `pipeline_id` filters stages): what a client
 * reads, and caches, to send a deal's `stage_id` (which implies its pipeline). Deleted ones are left out. Cursor
 * paging and one-field sorting as the entity lists have them. Defaults in `model/default_data.ts` (one pipeline with
 * five stages); seed more with `pipelines` and `stages`.
 */

import { ok } from '../wire/envelope';
import { listRecords, type BaseRecord } from './listing';
import type { Router } from './router';
import { validateQuery, type QuerySpec } from './validation';

const PAGING: Record<string, QuerySpec> = {
  sort_direction: { kind: 'string', enum: ['asc', 'desc'] },
  limit: { kind: 'integer', min: 1, max: 500 },
  cursor: { kind: 'string' },
};

function byId<T extends { id: number; is_deleted: boolean; add_time: string; update_time: string }>(list: readonly T[]): Map<number, T & BaseRecord> {
  return new Map(list.map((r) => [r.id, r]));
}

/** Registers the pipeline and stage lists. */
export function registerPipelineRoutes(router: Router): void {
  router.add('GET', '/api/v2/pipelines', (ctx) => {
    const q = validateQuery(ctx.query, { ...PAGING, sort_by: { kind: 'string', enum: ['id', 'update_time', 'add_time'] } });
    const page = listRecords(byId(ctx.state.pipelines), q, () => true);
    return ok(page.items, { next_cursor: page.nextCursor });
  });

  router.add('GET', '/api/v2/stages', (ctx) => {
    const q = validateQuery(ctx.query, { ...PAGING, pipeline_id: { kind: 'integer' }, sort_by: { kind: 'string', enum: ['id', 'update_time', 'add_time', 'order_nr'] } });
    const page = listRecords(byId(ctx.state.stages), q, (st) => q.pipeline_id === undefined || st.pipeline_id === q.pipeline_id);
    return ok(page.items, { next_cursor: page.nextCursor });
  });
}
