/**
 * @module tests/emulator/sdk_contract.test
 * Contract test: the official `pipedrive` npm client (v2 API classes) against the emulator. Creating and updating
 * a person, an organization, an activity and a deal must work exactly as against Pipedrive.
 */

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { v1, v2 } from 'pipedrive';
import { startTestEmulator, type TestEmulator } from './helpers';

let t: TestEmulator;
let config: v2.Configuration;

before(async () => {
  t = await startTestEmulator({ plan: 'premium' });
  config = new v2.Configuration({ apiKey: t.emu.apiToken, basePath: `${t.emu.url}/api/v2` });
});
after(() => t.emu.close());

describe('official pipedrive client (v2) against the emulator', () => {
  test('organization: create, then update the address', async () => {
    const api = new v2.OrganizationsApi(config);
    const created = await api.addOrganization({ AddOrganizationRequest: { name: 'Initech', address: { value: '1 Office Park', country: 'US' }, label_ids: [7] } });
    assert.equal(created.success, true);
    const org = created.data!;
    assert.equal(org.name, 'Initech');
    assert.equal(org.address?.country, 'US');
    assert.equal(org.address?.locality, null);
    assert.deepEqual(org.label_ids, [7]);
    assert.match(org.add_time!, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);

    t.clock.advance(5_000);
    const updated = await api.updateOrganization({ id: org.id!, UpdateOrganizationRequest: { address: { value: '2 Office Park', country: 'US', locality: 'Austin' } } });
    assert.equal(updated.data!.address?.locality, 'Austin');
    assert.ok(updated.data!.update_time! > org.update_time!, 'update_time moves forward');
    const fetched = await api.getOrganization({ id: org.id! });
    assert.equal(fetched.data!.address?.value, '2 Office Park');
  });

  test('person: create with emails/phones/labels, update, list by ids, search by email', async () => {
    const api = new v2.PersonsApi(config);
    const created = await api.addPerson({
      AddPersonRequest: {
        name: 'Peter Gibbons', org_id: 1, label_ids: [3],
        emails: [{ value: 'peter@initech.test', primary: true, label: 'work' }],
        phones: [{ value: '+1 512 555 0100', label: 'mobile' }],
      },
    });
    const person = created.data!;
    assert.equal(person.first_name, 'Peter');
    assert.equal(person.last_name, 'Gibbons');
    assert.deepEqual(person.emails, [{ value: 'peter@initech.test', primary: true, label: 'work' }]);
    assert.deepEqual(person.phones, [{ value: '+1 512 555 0100', primary: true, label: 'mobile' }]);

    const updated = await api.updatePerson({ id: person.id!, UpdatePersonRequest: { name: 'Peter G. Gibbons', label_ids: [3, 1] } });
    assert.equal(updated.data!.name, 'Peter G. Gibbons');
    assert.deepEqual(updated.data!.label_ids, [3, 1]);

    const list = await api.getPersons({ ids: String(person.id) });
    assert.equal(list.data!.length, 1);
    assert.equal(list.additional_data?.next_cursor ?? null, null);

    const search = await api.searchPersons({ term: 'PETER@initech.test', fields: 'email', exact_match: true });
    assert.equal(search.data!.items!.length, 1);
    assert.equal(search.data!.items![0].item!.id, person.id);
    assert.deepEqual(search.data!.items![0].item!.emails, ['peter@initech.test']);
  });

  test('activity: create linked through participants, then mark done', async () => {
    const api = new v2.ActivitiesApi(config);
    const created = await api.addActivity({
      AddActivityRequest: { subject: 'TPS reports', type: 'meeting', due_date: '2026-03-12', due_time: '09:30', duration: '00:30', participants: [{ person_id: 1, primary: true }] },
    });
    const activity = created.data!;
    assert.equal(activity.person_id, 1);
    assert.equal(activity.due_date, '2026-03-12');
    assert.equal(activity.done, false);
    assert.equal(activity.marked_as_done_time, null);

    const updated = await api.updateActivity({ id: activity.id!, AddActivityRequest: { done: true } });
    assert.equal(updated.data!.done, true);
    assert.match(updated.data!.marked_as_done_time!, /Z$/);

    const byPerson = await api.getActivities({ person_id: 1 });
    assert.deepEqual(byPerson.data!.map((a) => a.id), [activity.id]);
  });

  test('deal: create, win it, read it back', async () => {
    const api = new v2.DealsApi(config);
    const created = await api.addDeal({ AddDealRequest: { title: 'Initech upgrade', value: 9000, currency: 'USD', person_id: 1, org_id: 1 } });
    const deal = created.data!;
    assert.equal(deal.status, 'open');
    const won = await api.updateDeal({ id: deal.id!, UpdateDealRequest: { status: 'won' } });
    assert.equal(won.data!.status, 'won');
    assert.ok(won.data!.won_time);
    const fetched = await api.getDeal({ id: deal.id! });
    assert.equal(fetched.data!.value, 9000);
  });

  test('the client sees Pipedrive errors as rejected promises carrying the error envelope', async () => {
    const api = new v2.ActivitiesApi(config);
    await assert.rejects(
      api.addActivity({ AddActivityRequest: { subject: 'x', person_id: 1 } }),
      (err: { success?: boolean; error?: string }) => err.success === false && /read-only field/.test(err.error ?? ''),
    );
    const persons = new v2.PersonsApi(config);
    await assert.rejects(persons.getPerson({ id: 424242 }), (err: { error?: string }) => err.error === 'Person not found');
  });

  test('the client authenticated with the x-api-token header, which the journal does not keep', () => {
    const sdkEntries = t.emu.journal.filter((e) => e.path.startsWith('/api/v2/'));
    assert.ok(sdkEntries.length >= 10);
    assert.ok(sdkEntries.every((e) => e.userId === 1));
    assert.ok(!JSON.stringify(t.emu.journal.entries()).includes(t.emu.apiToken));
  });

  test('the v1 client reads users and person fields from /v1', async () => {
    const v1config = new v1.Configuration({ apiKey: t.emu.apiToken, basePath: `${t.emu.url}/v1` });
    const me = await new v1.UsersApi(v1config).getCurrentUser();
    assert.equal(me.data!.email, 'ada.admin@example.com');
    const fields = await new v1.PersonFieldsApi(v1config).getPersonFields();
    const labels = fields.data!.find((f) => f.key === 'label_ids');
    assert.deepEqual(labels!.options!.map((o: { label?: string }) => o.label), ['Customer', 'Hot lead', 'Warm lead', 'Cold lead']);
  });
});
