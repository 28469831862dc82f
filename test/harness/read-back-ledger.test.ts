import { describe, expect, it } from 'vitest';
import { ReadBackLedger } from '../../harness/drivers/read-back-ledger.ts';

const GET = 'keyValueStore_record_get';
const PUT = 'keyValueStore_record_put';

describe('ReadBackLedger: which 404 may be lag, and of which rule', () => {
  it('a 404 for a key written for the first time is KVS-CONS-001, naming the key and when it was written', () => {
    const ledger = new ReadBackLedger();
    ledger.note(PUT, { storeId: 's1', recordKey: 'k' }, 201, undefined, 1000);
    const suspect = ledger.suspect(GET, { storeId: 's1', recordKey: 'k' }, 1012);
    expect(suspect?.ruleId).toBe('KVS-CONS-001');
    expect(suspect?.known).toContain('"k"');
    expect(suspect?.known).toContain('12 ms before the read was sent');
  });

  it('a read sent before the first write was acknowledged is not judged, though its 404 comes after (concurrent calls)', () => {
    const ledger = new ReadBackLedger();
    ledger.note('keyValueStores_post', {}, 201, 'made', 1000);
    ledger.note(PUT, { storeId: 'made', recordKey: 'k' }, 201, undefined, 1010);
    // Sent at 1005, while the write was in flight: the server may have served it first.
    expect(ledger.suspect(GET, { storeId: 'made', recordKey: 'k' }, 1005)).toBeUndefined();
    expect(ledger.suspect('keyValueStore_keys_get', { storeId: 'made' }, 999)).toBeUndefined();
    expect(ledger.suspect(GET, { storeId: 'made', recordKey: 'k' }, 1010)?.ruleId).toBe('KVS-CONS-001');
  });

  it('a key read (404) before its write, deleted, or written again is no first write: its 404 is left to the test', () => {
    const ledger = new ReadBackLedger();
    ledger.note(GET, { storeId: 's', recordKey: 'read-first' }, 404, undefined, 0);
    ledger.note(PUT, { storeId: 's', recordKey: 'read-first' }, 201, undefined, 1);
    ledger.note(PUT, { storeId: 's', recordKey: 'deleted' }, 201, undefined, 1);
    ledger.note('keyValueStore_record_delete', { storeId: 's', recordKey: 'deleted' }, 204, undefined, 2);
    ledger.note(PUT, { storeId: 's', recordKey: 'twice' }, 201, undefined, 1);
    ledger.note(PUT, { storeId: 's', recordKey: 'twice' }, 201, undefined, 2);
    for (const recordKey of ['read-first', 'deleted', 'twice', 'never-written'])
      expect(ledger.suspect(GET, { storeId: 's', recordKey }, 3)).toBeUndefined();
  });

  it('a failed write, another token, no token, a signature or a ~name address is never judged', () => {
    const ledger = new ReadBackLedger();
    ledger.note(PUT, { storeId: 's', recordKey: 'refused' }, 413, undefined, 0);
    ledger.note(PUT, { storeId: 's', recordKey: 'k' }, 201, undefined, 0);
    ledger.note(PUT, { storeId: '~named', recordKey: 'k' }, 201, undefined, 0);
    expect(ledger.suspect(GET, { storeId: 's', recordKey: 'refused' }, 1)).toBeUndefined();
    expect(ledger.suspect(GET, { storeId: 's', recordKey: 'k', auth: 'none' }, 1)).toBeUndefined();
    expect(ledger.suspect(GET, { storeId: 's', recordKey: 'k', token: 'other' }, 1)).toBeUndefined();
    expect(
      ledger.suspect(GET, { storeId: 's', recordKey: 'k', query: { signature: 'x' } }, 1),
    ).toBeUndefined();
    expect(ledger.suspect(GET, { storeId: '~named', recordKey: 'k' }, 1)).toBeUndefined();
  });

  it('a 404 on an operation addressing a store this run created and did not delete is KVS-STATE-001', () => {
    const ledger = new ReadBackLedger();
    ledger.note('keyValueStores_post', {}, 201, 'made', 0);
    expect(ledger.suspect('keyValueStore_keys_get', { storeId: 'made' }, 5)?.ruleId).toBe('KVS-STATE-001');
    expect(ledger.suspect(PUT, { storeId: 'made', recordKey: 'k' }, 5)?.ruleId).toBe('KVS-STATE-001');
    // A record read of a key never written there may be a plain miss: not judged.
    expect(ledger.suspect(GET, { storeId: 'made', recordKey: 'k' }, 5)).toBeUndefined();
    expect(ledger.suspect('keyValueStore_get', { storeId: 'other' }, 5)).toBeUndefined();
    ledger.note('keyValueStore_delete', { storeId: 'made' }, 204, undefined, 6);
    expect(ledger.suspect('keyValueStore_get', { storeId: 'made' }, 7)).toBeUndefined();
  });

  it('a store deleted through the ~name it was created with is deleted; after a rename the old name is not followed', () => {
    const ledger = new ReadBackLedger();
    ledger.note('keyValueStores_post', { query: { name: 'tilde' } }, 201, 'by-name', 0);
    ledger.note('keyValueStores_post', { query: { name: 'moved' } }, 201, 'renamed', 0);
    ledger.note('keyValueStores_post', { query: { name: 'other-token' } }, 201, 'kept', 0);
    const access = JSON.stringify({ generalAccess: 'ANYONE_WITH_ID_CAN_READ' });
    ledger.note('keyValueStore_put', { storeId: '~tilde', body: access }, 200, undefined, 1);
    ledger.note('keyValueStore_delete', { storeId: '~tilde' }, 204, undefined, 2);
    expect(ledger.suspect('keyValueStore_get', { storeId: 'by-name' }, 3)).toBeUndefined();
    // Renamed (by id): "~moved" no longer finds it, so a 204 there says nothing about it.
    ledger.note('keyValueStore_put', { storeId: 'renamed', body: '{"name":"elsewhere"}' }, 200, undefined, 1);
    ledger.note('keyValueStore_delete', { storeId: '~moved' }, 204, undefined, 2);
    expect(ledger.suspect('keyValueStore_get', { storeId: 'renamed' }, 3)?.ruleId).toBe('KVS-STATE-001');
    // A delete with another token, or one refused, deletes nothing the ledger knows of.
    ledger.note('keyValueStore_delete', { storeId: '~other-token', token: 'x' }, 204, undefined, 2);
    ledger.note('keyValueStore_delete', { storeId: '~other-token' }, 401, undefined, 2);
    expect(ledger.suspect('keyValueStore_get', { storeId: 'kept' }, 3)?.ruleId).toBe('KVS-STATE-001');
  });
});
