/**
 * @module emulator/model/plan_visibility
 * Which `visible_to` values a plan allows (`openapi-v1.yaml` POST /persons; UPDATES-FACTS §1.7): Lite and Growth
 * (and the old Professional) `1` (owner & followers) and `3` (entire company); Premium and Ultimate `1` (owner
 * only), `3` (owner's visibility group), `5` (group and sub-groups) and `7` (entire company). Any other value
 * answers 403 (documented for persons and organizations, and for deals since 2020-11-10).
 */

import type { Plan } from '../limits/rate_limits';

/** The `visible_to` values each plan accepts. */
export const VISIBLE_TO_BY_PLAN: Readonly<Record<Plan, readonly number[]>> = {
  lite: [1, 3],
  growth: [1, 3],
  premium: [1, 3, 5, 7],
  ultimate: [1, 3, 5, 7],
};
