/**
 * @module emulator/routes/currencies
 * `GET /v1/currencies` (20 tokens, so clients cache it): the company's currencies, custom non-ISO ones included,
 * with `decimal_points` (`openapi-v1.yaml` /currencies; defaults in `model/default_currencies.ts`). `term` filters
 * by name or code, case-insensitively. Deal `currency` and monetary custom fields accept the active codes only.
 */

import { okV1 } from '../wire/envelope';
import type { Router } from './router';
import { validateQuery } from './validation';

/** Registers `GET /v1/currencies`. */
export function registerCurrencyRoutes(router: Router): void {
  router.addV1('GET', '/currencies', (ctx) => {
    const q = validateQuery(ctx.query, { term: { kind: 'string' } });
    const term = typeof q.term === 'string' ? q.term.trim().toLowerCase() : '';
    const list = term === '' ? ctx.state.currencies : ctx.state.currencies.filter((c) => c.code.toLowerCase().includes(term) || c.name.toLowerCase().includes(term));
    return okV1(list);
  });
}
