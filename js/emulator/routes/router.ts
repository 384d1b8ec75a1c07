/**
 * @module emulator/routes/router
 * A tiny method + path router: exact paths resolve by one map lookup, templated paths (`/persons/{id}`) by
 * comparing segments, so routing stays O(1)-ish per request without any dependency.
 */

import type { ChangeSource } from '../model/changes';
import type { UserRecord } from '../model/records';
import type { EmulatorState } from '../model/state';
import type { Reply } from '../wire/envelope';

/** Everything a route handler may look at. */
export interface RequestContext {
  /** Upper-case HTTP method. */
  method: string;
  /** Request path without the query string. */
  path: string;
  /** Path parameters by template name, still as strings. */
  params: Record<string, string>;
  /** Raw query parameters. */
  query: URLSearchParams;
  /** Parsed JSON body, or `undefined` when there was none. */
  body: unknown;
  /** The user whose token authenticated the request. */
  user: UserRecord;
  /** The emulator's data. */
  state: EmulatorState;
  /** The emulator clock's current time, in epoch milliseconds. */
  now: number;
  /** `api` for an API request; `app` for an edit made "in the Pipedrive UI" through `editInUi`. */
  changeSource: ChangeSource;
}

/** A route handler: synchronous, because every operation is an in-memory change. */
export type Handler = (ctx: RequestContext) => Reply;

/** One served endpoint. */
export interface Route {
  /** Upper-case HTTP method. */
  method: string;
  /** Path template, e.g. `/api/v2/persons/{id}`. */
  template: string;
  /** Key in the token cost table, e.g. `GET /api/v2/persons/{id}` (v1 routes always use `/v1/...`). */
  costKey: string;
  /** Search endpoints share the stricter search window (10 per 2 s). */
  search: boolean;
  /** The handler. */
  handle: Handler;
}

/** The outcome of a lookup: a route with its parameters, a known path with the wrong method, or nothing. */
export type RouteMatch =
  | { kind: 'route'; route: Route; params: Record<string, string> }
  | { kind: 'method-not-allowed' }
  | { kind: 'none' };

interface TemplatedRoute {
  route: Route;
  segments: string[];
}

/** The route table. */
export class Router {
  private readonly exact = new Map<string, Route>();
  private readonly exactPaths = new Set<string>();
  private readonly templated: TemplatedRoute[] = [];

  /** Registers a route; `search` marks endpoints limited by the search window. */
  add(method: string, template: string, handle: Handler, opts: { costKey?: string; search?: boolean } = {}): void {
    const route: Route = { method, template, handle, costKey: opts.costKey ?? `${method} ${template}`, search: opts.search ?? false };
    if (template.includes('{')) {
      this.templated.push({ route, segments: template.split('/') });
    } else {
      this.exact.set(`${method} ${template}`, route);
      this.exactPaths.add(template);
    }
  }

  /**
   * Registers a v1 route under both `/v1/...` and `/api/v1/...`, as Pipedrive accepts both, charging the cost of
   * the `/v1/...` entry.
   */
  addV1(method: string, template: string, handle: Handler): void {
    const costKey = `${method} /v1${template}`;
    this.add(method, `/v1${template}`, handle, { costKey });
    this.add(method, `/api/v1${template}`, handle, { costKey });
  }

  /** Finds the route for a method and path. */
  match(method: string, path: string): RouteMatch {
    const exact = this.exact.get(`${method} ${path}`);
    if (exact) return { kind: 'route', route: exact, params: {} };
    const segs = path.split('/');
    let pathKnown = this.exactPaths.has(path);
    for (const t of this.templated) {
      if (t.segments.length !== segs.length) continue;
      const params = matchSegments(t.segments, segs);
      if (!params) continue;
      if (t.route.method === method) return { kind: 'route', route: t.route, params };
      pathKnown = true;
    }
    return pathKnown ? { kind: 'method-not-allowed' } : { kind: 'none' };
  }
}

function matchSegments(template: string[], segs: string[]): Record<string, string> | null {
  const params: Record<string, string> = {};
  for (let i = 0; i < template.length; i++) {
    const t = template[i];
    if (t.startsWith('{')) {
      if (segs[i] === '') return null;
      params[t.slice(1, -1)] = decodeURIComponent(segs[i]);
    } else if (t !== segs[i]) {
      return null;
    }
  }
  return params;
}
