/**
 * @module tests/store/payload_merge.test
 * How a newer change merges into a waiting job (`mergePayload`, used by both stores): newer top-level keys win, a
 * `null` never replaces a known value, the changed fields under `data` merge key by key (a `null` there clears the
 * field), and `changedAt` keeps the later instant. Also the edit hooks' shared argument rules (`checkEdit`).
 */

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { StoreArgumentError } from '../../js/store/argument_checks';
import { mergePayload } from '../../js/store/payload_merge';
import { checkEdit, EDITABLE_FIELDS, updateRecordJob } from '../../js/store/record_edits';

describe('mergePayload', () => {
  test('top level: newer keys win; a null fills only an empty key; neither input is modified', () => {
    const pending = { contactId: 'c1', userId: 'u1', hint: null, keep: 1 };
    const newer = { userId: null, hint: 'h', extra: true, contactId: 'c2' };
    assert.deepEqual(mergePayload(pending, newer), { contactId: 'c2', userId: 'u1', hint: 'h', keep: 1, extra: true });
    assert.deepEqual(pending, { contactId: 'c1', userId: 'u1', hint: null, keep: 1 });
    assert.deepEqual(newer, { userId: null, hint: 'h', extra: true, contactId: 'c2' });
  });

  test('data: merged key by key, the newer value winning, null included (clearing a field is a change)', () => {
    const pending = { data: { name: 'A', phone: ['+49 1'], owner_id: 7 } };
    const merged = mergePayload(pending, { data: { phone: null, org_name: 'Acme', name: 'B' } });
    assert.deepEqual(merged, { data: { name: 'B', phone: null, owner_id: 7, org_name: 'Acme' } });
    assert.deepEqual(pending.data, { name: 'A', phone: ['+49 1'], owner_id: 7 }, 'a fresh object');
  });

  test('data: a null never replaces known data; a non-object on either side is replaced whole', () => {
    assert.deepEqual(mergePayload({ data: { name: 'A' } }, { data: null }), { data: { name: 'A' } });
    assert.deepEqual(mergePayload({ data: null }, { data: { name: 'A' } }), { data: { name: 'A' } });
    assert.deepEqual(mergePayload({ data: ['x'] }, { data: { name: 'A' } }), { data: { name: 'A' } });
    assert.deepEqual(mergePayload({ data: { name: 'A' } }, { data: 'raw' }), { data: 'raw' });
    assert.deepEqual(mergePayload({}, { data: { name: 'A' } }), { data: { name: 'A' } });
  });

  test('only data merges deeply: other objects are replaced whole', () => {
    assert.deepEqual(mergePayload({ fields: { a: 1, b: 2 } }, { fields: { b: 3 } }), { fields: { b: 3 } });
  });

  test('changedAt: the later instant is kept, whichever arrives last; unparseable values let the newer win', () => {
    const early = '2030-01-01T00:00:00.000Z';
    const late = '2030-01-01T01:30:00+01:00'; // 00:30Z
    assert.equal(mergePayload({ changedAt: early }, { changedAt: late }).changedAt, late);
    assert.equal(mergePayload({ changedAt: late }, { changedAt: early }).changedAt, late);
    assert.equal(mergePayload({ changedAt: late }, { changedAt: null }).changedAt, late);
    assert.equal(mergePayload({}, { changedAt: early }).changedAt, early);
    assert.equal(mergePayload({ changedAt: 'garbage' }, { changedAt: early }).changedAt, early);
    assert.equal(mergePayload({ changedAt: early }, { changedAt: 'garbage' }).changedAt, 'garbage');
  });
});

describe('checkEdit and updateRecordJob', () => {
  test('the Update*Data keys per record type (spec §3.2)', () => {
    assert.deepEqual(EDITABLE_FIELDS, {
      person: ['name', 'email', 'phone', 'org_name', 'label_ids', 'owner_id', 'visible_to'],
      organization: ['name', 'industry', 'country', 'address', 'visible_to'],
      activity: ['subject', 'type', 'due_date', 'due_time', 'note', 'person_id', 'user_id', 'done'],
    });
  });

  test('a checked edit: a JSON copy of the changes, the user, changedAt in UTC; its job keyed by the Pipedrive record', () => {
    const changes = { name: 'A', email: ['a@b.c'], phone: undefined };
    const edit = checkEdit('contactEdited', 'person', changes, { userId: 'u1', changedAt: '2030-01-01T01:00:00+01:00' });
    assert.deepEqual(edit, { changes: { name: 'A', email: ['a@b.c'] }, userId: 'u1', changedAt: '2030-01-01T00:00:00.000Z' });
    changes.email.push('x');
    assert.deepEqual(edit.changes.email, ['a@b.c'], 'a copy');
    assert.deepEqual(updateRecordJob('person', 501, 'c1', edit), {
      kind: 'update_record', recordType: 'person', recordId: '501', dedupeKey: 'update_record:person:501',
      payload: { entity: 'person', id: 501, data: { name: 'A', email: ['a@b.c'] }, changedAt: '2030-01-01T00:00:00.000Z', localId: 'c1', userId: 'u1' },
      priority: 0,
    });
    assert.equal(checkEdit('activityEdited', 'activity', { done: false }, undefined).userId, null);
  });

  test('unknown keys, non-objects and bad options are refused, naming the field', () => {
    const refuses = (field: string) => (error: unknown) => error instanceof StoreArgumentError && error.field === field && error.code === 'VALIDATION';
    assert.throws(() => checkEdit('organizationEdited', 'organization', { name: 'A', email: [] }, {}), refuses('changes.email'));
    assert.throws(() => checkEdit('activityEdited', 'activity', { subject: 'A', due: 'x', other: 1 }, {}), refuses('changes.due'));
    assert.throws(() => checkEdit('contactEdited', 'person', Object.assign(Object.create({ inherited: 1 }), { name: 'A' }), {}), refuses('changes'));
    assert.throws(() => checkEdit('contactEdited', 'person', { name: 'A' }, { changedAt: 5 }), refuses('changedAt'));
    assert.throws(() => checkEdit('contactEdited', 'person', { name: 'A' }, []), refuses('options'));
  });
});
