/**
 * @module tests/emulator/schema.test
 * Every route's success and error responses, validated against the official OpenAPI schemas (with errata).
 */

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { checkResponse } from './openapi_schemas';
import { startTestEmulator, type TestEmulator } from './helpers';

interface Case {
  name: string;
  version: 'v1' | 'v2';
  method: string;
  /** Path template in the OpenAPI file. */
  template: string;
  /** Request path on the emulator. */
  url: string;
  body?: unknown;
  status: number;
  token?: string | null;
}

let t: TestEmulator;

before(async () => {
  t = await startTestEmulator({ plan: 'ultimate', burstLimit: 10_000, searchLimit: 10_000 });
  t.emu.state.seed({
    customFields: [
      { entity: 'person', name: 'Budget', field_type: 'monetary', key: 'b'.repeat(40) },
      { entity: 'deal', name: 'Source', field_type: 'enum', key: 'c'.repeat(40), options: ['Web', 'Event'] },
    ],
    pipelines: [{ id: 2, name: 'Partners' }],
    stages: [{ id: 6, name: 'Intro', pipeline_id: 2 }],
    organizations: [{ id: 10, name: 'Acme Ltd', address: { value: '1 Main St, London', country: 'GB' }, label_ids: [7] }],
    persons: [{ id: 20, name: 'Jane Smith', org_id: 10, emails: [{ value: 'jane@acme.test', primary: true, label: 'work' }], label_ids: [3] }],
    deals: [
      { id: 30, title: 'Acme renewal', person_id: 20, org_id: 10, value: 1200 },
      { id: 31, title: 'Seats', products: [{ name: 'Seat', item_price: 99.99, quantity: 2 }] },
    ],
    activities: [{ id: 40, subject: 'Intro call', type: 'call', participants: [{ person_id: 20, primary: true }], due_date: '2026-03-11', due_time: '10:00:00' }],
  });
});
after(() => t.emu.close());

const v2 = (method: string, template: string, url: string, status: number, body?: unknown, name = ''): Case => ({ name, version: 'v2', method, template, url: `/api/v2${url}`, status, body });
const v1 = (method: string, template: string, url: string, status: number, body?: unknown, name = ''): Case => ({ name, version: 'v1', method, template, url: `/v1${url}`, status, body });

const cases: Case[] = [
  // Persons
  v2('POST', '/persons', '/persons', 200, { name: 'New Person', emails: [{ value: 'new@x.test', label: 'home' }], phones: [{ value: '+44 20 7946 0000' }], label_ids: [1, 3], org_id: 10 }),
  v2('POST', '/persons', '/persons', 400, { name: 'Bad', visible_to: '3' }, 'mistyped visible_to'),
  v2('GET', '/persons', '/persons?limit=1', 200),
  v2('GET', '/persons', '/persons?ids=20&org_id=10&updated_since=2020-01-01T00:00:00Z', 200),
  v2('GET', '/persons', '/persons?limit=0', 400),
  v2('GET', '/persons/{id}', '/persons/20', 200),
  v2('GET', '/persons/{id}', '/persons/999', 404),
  v2('PATCH', '/persons/{id}', '/persons/20', 200, { phones: [{ value: '+1 555 0100', label: 'mobile', primary: true }] }),
  v2('PATCH', '/persons/{id}', '/persons/20', 400, { emails: 'jane@acme.test' }),
  v2('PATCH', '/persons/{id}', '/persons/20', 200, { custom_fields: { ['b'.repeat(40)]: { value: 500, currency: 'EUR' } } }, 'custom field'),
  v2('PATCH', '/persons/{id}', '/persons/20', 400, { add_time: '2026-01-01T00:00:00Z' }, 'read-only field'),
  v2('PATCH', '/persons/{id}', '/persons/20', 403, { visible_to: 2 }, 'visible_to not on the plan'),
  v2('GET', '/persons/search', '/persons/search?term=jane@acme.test&fields=email&exact_match=true', 200),
  v2('GET', '/persons/search', '/persons/search?term=j', 400),
  // Organizations
  v2('POST', '/organizations', '/organizations', 200, { name: 'Globex', address: { value: 'Springfield', country: 'US' }, label_ids: [5] }),
  v2('POST', '/organizations', '/organizations', 400, { name: 'Globex', label_ids: [1] }, 'person label on an org'),
  v2('GET', '/organizations', '/organizations?owner_id=1', 200),
  v2('GET', '/organizations', '/organizations?sort_by=name', 400),
  v2('GET', '/organizations/{id}', '/organizations/10?include_fields=website,industry', 200),
  v2('GET', '/organizations/{id}', '/organizations/12345', 404),
  v2('PATCH', '/organizations/{id}', '/organizations/10', 200, { address: { value: '2 High St', country: 'GB', locality: 'London' }, website: 'https://acme.test' }),
  v2('PATCH', '/organizations/{id}', '/organizations/10', 400, { address: { country: 'GB' } }),
  v2('PATCH', '/organizations/{id}', '/organizations/10', 200, { industry: 12, employee_count: 40 }, 'industry option'),
  v2('PATCH', '/organizations/{id}', '/organizations/10', 400, { industry: 4 }, 'industry not an option'),
  v2('GET', '/organizations/search', '/organizations/search?term=acme', 200),
  v2('GET', '/organizations/search', '/organizations/search?term=acme&exact_match=1', 400),
  // Activities
  v2('POST', '/activities', '/activities', 200, { subject: 'Demo', type: 'meeting', due_date: '2026-04-01', due_time: '15:30', duration: '01:00', participants: [{ person_id: 20, primary: true }], done: false }),
  v2('POST', '/activities', '/activities', 400, { subject: 'Demo', person_id: 20 }, 'person_id read-only'),
  v2('GET', '/activities', '/activities?person_id=20&done=false', 200),
  v2('GET', '/activities', '/activities?done=0', 400),
  v2('GET', '/activities/{id}', '/activities/40?include_fields=attendees', 200),
  v2('GET', '/activities/{id}', '/activities/4040', 404),
  v2('PATCH', '/activities/{id}', '/activities/40', 200, { done: true }),
  v2('PATCH', '/activities/{id}', '/activities/40', 400, { due_date: '11/03/2026' }),
  // Deals
  v2('POST', '/deals', '/deals', 200, { title: 'New deal', value: 500, currency: 'EUR', person_id: 20, label_ids: [9], expected_close_date: '2026-06-30' }),
  v2('POST', '/deals', '/deals', 400, { value: 500 }, 'missing title'),
  v2('GET', '/deals', '/deals?status=open&person_id=20', 200),
  v2('GET', '/deals', '/deals?status=closed', 400),
  v2('GET', '/deals/{id}', '/deals/30', 200),
  v2('GET', '/deals/{id}', '/deals/3000', 404),
  v2('PATCH', '/deals/{id}', '/deals/30', 200, { status: 'won' }),
  v2('PATCH', '/deals/{id}', '/deals/30', 400, { value: '1200' }),
  v2('PATCH', '/deals/{id}', '/deals/30', 400, { status: 'open', lost_reason: 'Price' }, 'lost_reason on an open deal'),
  v2('PATCH', '/deals/{id}', '/deals/30', 200, { stage_id: 6, custom_fields: { ['c'.repeat(40)]: 29 } }, 'stage of another pipeline, custom field (option 29: the first id after the default options)'),
  v2('PATCH', '/deals/{id}', '/deals/31', 400, { value: 10 }, 'value of a deal with products'),
  v2('GET', '/deals/{id}', '/deals/31?include_fields=products_count', 200),
  v2('GET', '/stages', '/stages?pipeline_id=1', 200),
  v2('GET', '/stages', '/stages?pipeline_id=x', 400),
  v2('GET', '/pipelines', '/pipelines', 200),
  // v1
  v1('GET', '/users', '/users', 200),
  v1('GET', '/users/find', '/users/find?term=ada.admin@example.com&search_by_email=1', 200),
  v1('GET', '/users/find', '/users/find?term=nobody-here', 200, undefined, 'no match gives data null'),
  v1('GET', '/users/find', '/users/find', 400),
  v1('GET', '/users/me', '/users/me', 200),
  v1('GET', '/users/{id}', '/users/2', 200),
  v1('GET', '/users/{id}', '/users/99', 404),
  v1('GET', '/personFields', '/personFields', 200),
  v1('GET', '/personFields', '/personFields?limit=5000', 400),
  v1('GET', '/personFields/{id}', '/personFields/9005', 200),
  v1('GET', '/personFields/{id}', '/personFields/1', 404),
  v1('PUT', '/personFields/{id}', '/personFields/9005', 200, { options: [{ id: 1, label: 'Customer' }, { id: 2, label: 'Hot lead' }, { id: 3, label: 'Warm lead' }, { id: 4, label: 'Cold lead' }, { label: 'VIP', color: 'purple' }] }),
  v1('PUT', '/personFields/{id}', '/personFields/9005', 400, { options: [{ id: 999, label: 'Ghost' }] }),
  v1('GET', '/organizationFields', '/organizationFields', 200),
  v1('GET', '/organizationFields/{id}', '/organizationFields/4003', 200),
  v1('PUT', '/organizationFields/{id}', '/organizationFields/4003', 200, { options: [{ id: 5, label: 'Customer' }, { id: 7, label: 'Warm lead' }] }),
  v1('GET', '/dealFields', '/dealFields', 200),
  v1('GET', '/activityTypes', '/activityTypes', 200),
  v1('GET', '/currencies', '/currencies', 200),
  v1('GET', '/currencies', '/currencies?term=eur', 200),
  // Auth and limits share the error envelope on every route.
  { ...v2('GET', '/persons', '/persons', 401), token: null, name: 'no token' },
  { ...v1('GET', '/users/me', '/users/me', 401), token: 'not-a-real-token', name: 'wrong token' },
  // Deletes last: they make the records 404.
  v2('DELETE', '/activities/{id}', '/activities/40', 200),
  v2('DELETE', '/activities/{id}', '/activities/40', 404, undefined, 'already deleted'),
  v2('DELETE', '/deals/{id}', '/deals/30', 200),
  v2('DELETE', '/persons/{id}', '/persons/20', 200),
  v2('DELETE', '/persons/{id}', '/persons/20', 404, undefined, 'already deleted'),
  v2('DELETE', '/organizations/{id}', '/organizations/10', 200),
  v2('DELETE', '/organizations/{id}', '/organizations/10', 404, undefined, 'already deleted'),
];

describe('responses conform to the official OpenAPI schemas', () => {
  for (const c of cases) {
    test(`${c.method} ${c.url} → ${c.status}${c.name ? ` (${c.name})` : ''}`, async () => {
      const res = await t.call(c.method, c.url, c.body, { token: c.token });
      assert.equal(res.status, c.status, res.text);
      assert.match(res.headers.get('content-type') ?? '', /application\/json/);
      assert.equal(res.body.success, c.status < 400);
      const problems = checkResponse(c.version, c.method, c.template, c.status, res.body);
      assert.equal(problems, null, `${problems}\n${res.text}`);
    });
  }

  test('every v2 and v1 route the emulator serves is covered by a case above', () => {
    const covered = new Set(cases.map((c) => `${c.version} ${c.method} ${c.template}`));
    const served = [
      'v2 GET /persons', 'v2 POST /persons', 'v2 GET /persons/{id}', 'v2 PATCH /persons/{id}', 'v2 DELETE /persons/{id}', 'v2 GET /persons/search',
      'v2 GET /organizations', 'v2 POST /organizations', 'v2 GET /organizations/{id}', 'v2 PATCH /organizations/{id}', 'v2 DELETE /organizations/{id}', 'v2 GET /organizations/search',
      'v2 GET /activities', 'v2 POST /activities', 'v2 GET /activities/{id}', 'v2 PATCH /activities/{id}', 'v2 DELETE /activities/{id}',
      'v2 GET /deals', 'v2 POST /deals', 'v2 GET /deals/{id}', 'v2 PATCH /deals/{id}', 'v2 DELETE /deals/{id}',
      'v1 GET /users', 'v1 GET /users/find', 'v1 GET /users/me', 'v1 GET /users/{id}', 'v1 GET /personFields', 'v1 GET /personFields/{id}',
      'v1 PUT /personFields/{id}', 'v1 GET /organizationFields', 'v1 GET /organizationFields/{id}', 'v1 PUT /organizationFields/{id}',
      'v1 GET /dealFields', 'v1 GET /activityTypes', 'v1 GET /currencies', 'v2 GET /stages', 'v2 GET /pipelines',
    ];
    for (const r of served) assert.ok(covered.has(r), `no schema case for ${r}`);
  });

  test('the validator itself rejects an invented field and a mistyped one (so passing means something)', () => {
    const good = { success: true, data: { id: 1, name: 'A', emails: [], is_deleted: false } };
    assert.equal(checkResponse('v2', 'GET', '/persons/{id}', 200, good), null);
    assert.notEqual(checkResponse('v2', 'GET', '/persons/{id}', 200, { ...good, data: { ...good.data, nickname: 'x' } }), null);
    assert.notEqual(checkResponse('v2', 'GET', '/persons/{id}', 200, { ...good, data: { ...good.data, is_deleted: 'no' } }), null);
    assert.notEqual(checkResponse('v1', 'GET', '/activityTypes', 200, { success: true, data: [{ id: 1, add_time: '2026-03-10T12:00:00Z' }] }), null);
  });
});
