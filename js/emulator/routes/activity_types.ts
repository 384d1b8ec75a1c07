/**
 * @module emulator/routes/activity_types
 * v1 activity types (`GET /v1/activityTypes`): the company's types (six by default, see `model/default_data.ts`).
 * Activities link to a type by its `key_string`, which the v2 activity validation checks against the active types.
 */

import { okV1 } from '../wire/envelope';
import type { Router } from './router';
import { validateQuery } from './validation';

/** Registers `GET /v1/activityTypes`. */
export function registerActivityTypeRoutes(router: Router): void {
  router.addV1('GET', '/activityTypes', (ctx) => {
    validateQuery(ctx.query, {});
    return okV1(ctx.state.activityTypes);
  });
}
