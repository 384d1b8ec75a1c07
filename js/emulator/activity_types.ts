//! v1 activity types (`GET /v1/activityTypes`): the six defaults every company starts with. Activities link to a
//! type by its `key_string`, which the v2 activity validation checks against the active types here.

import { v1Time } from './clock';
import { okV1 } from './envelope';
import type { ActivityTypeRecord } from './records';
import type { Router } from './router';
import { validateQuery } from './validation';

const DEFAULTS: [name: string, key: string][] = [
  ['Call', 'call'], ['Meeting', 'meeting'], ['Task', 'task'], ['Deadline', 'deadline'], ['Email', 'email'], ['Lunch', 'lunch'],
];

/** The default activity types: call, meeting, task, deadline, email, lunch. */
export function defaultActivityTypes(now: number): ActivityTypeRecord[] {
  const time = v1Time(now - 365 * 86_400_000);
  return DEFAULTS.map(([name, key], i) => ({
    id: i + 1, name, icon_key: key, color: null, order_nr: i + 1, key_string: key, active_flag: true,
    is_custom_flag: false, add_time: time, update_time: time,
  }));
}

/** Registers `GET /v1/activityTypes`. */
export function registerActivityTypeRoutes(router: Router): void {
  router.addV1('GET', '/activityTypes', (ctx) => {
    validateQuery(ctx.query, {});
    return okV1(ctx.state.activityTypes);
  });
}
