// KVS-NOTFOUND: a missing store or record is a 404 with a not-found type over HTTP, and
// `undefined` / `false` through apify-client — never a thrown error.
import fc from 'fast-check';
import { describe } from 'vitest';
import {
  APIFY_STORE_ID,
  ContractViolationError,
  expectRule,
  settingStatuses,
  useConformance,
  type OperationCall,
  it,
} from '../harness/index.ts';
import { recordKeyArbitrary } from '../generators/index.ts';

const kvs = await useConformance('notfound');
const { api, http, client, contract, settings } = kvs;
/** The 404 error types the profile demands (`notFoundErrorType`); undefined: any type in the envelope. */
const NOT_FOUND_TYPES: readonly string[] | undefined =
  settings.notFoundErrorType === 'apify-client'
    ? ['record-not-found', 'record-or-token-not-found']
    : undefined;
const errorTypes = NOT_FOUND_TYPES ? { errorTypes: NOT_FOUND_TYPES } : {};
// Missing stores get ids of the platform's form, which every storeIdFormat accepts (the contract's StoreId pattern).
const missingStoreId = fc.stringMatching(APIFY_STORE_ID);
const key = recordKeyArbitrary(contract.limits);

/**
 * Calls an operation that must answer 404 with a not-found error type, judged under `rule` (the
 * rule whose behaviour it is) before the generic response checks, which are reported alongside.
 */
async function expectNotFound(
  operationId: string,
  call: OperationCall,
  rule: 'KVS-NOTFOUND-001' | 'KVS-NOTFOUND-002' | 'KVS-NOTFOUND-004',
  what: string,
): Promise<void> {
  await api.call(operationId, {
    ...call,
    expect: { ruleId: rule, status: [404], ...errorTypes, what },
  });
}

/**
 * Runs an apify-client call and fails the rule if it throws; a contract violation the call threw
 * (an answer whose stray body broke the client's connection: KVS-SCHEMA-006) goes on as it is.
 */
async function noThrow<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof ContractViolationError) throw error;
    expectRule(false, 'KVS-NOTFOUND-005', `apify-client threw on ${what}: ${(error as Error).message}`);
    throw error;
  }
}

// Side by side (describe.concurrent): every test works on stores of its own, and an answer about
// one store does not depend on another, so the order of the tests cannot change a verdict.
describe.concurrent('KVS-NOTFOUND: missing stores and records', () => {
  it('KVS-NOTFOUND-001 GET of a missing record answers 404 with a not-found type', async () => {
    const store = await kvs.newStore('missing-record');
    await fc.assert(
      fc.asyncProperty(key, async (recordKey) => {
        await expectNotFound(
          'keyValueStore_record_get',
          { storeId: store.id, recordKey },
          'KVS-NOTFOUND-001',
          `GET of missing record ${recordKey}`,
        );
      }),
    );
  });

  it('KVS-NOTFOUND-002 every operation on a store that does not exist answers 404 with a not-found type', async () => {
    await fc.assert(
      fc.asyncProperty(missingStoreId, key, async (storeId, recordKey) => {
        const body = { headers: { 'content-type': 'application/json' }, body: '{}' };
        const calls: [string, OperationCall][] = [
          ['keyValueStore_get', { storeId }],
          ['keyValueStore_put', { storeId, ...body }],
          ['keyValueStore_keys_get', { storeId }],
          ['keyValueStore_records_get', { storeId }],
          ['keyValueStore_record_get', { storeId, recordKey }],
          ['keyValueStore_record_put', { storeId, recordKey, ...body }],
          ['keyValueStore_record_delete', { storeId, recordKey }],
          ['keyValueStore_delete', { storeId }],
        ];
        // The zip download is left out when the profile declares it absent (zipDownload false).
        for (const [operationId, call] of calls.filter(
          ([id]) => settings.zipDownload !== 'false' || id !== 'keyValueStore_records_get',
        ))
          await expectNotFound(
            operationId,
            call,
            'KVS-NOTFOUND-002',
            `${operationId} on missing store ${storeId}`,
          );
      }),
    );
  });

  it('KVS-NOTFOUND-003 HEAD of a missing record, or of a record in a missing store, answers 404 without a body', async () => {
    const store = await kvs.newStore('head');
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.constant(store.id), missingStoreId), key, async (storeId, recordKey) => {
        const response = await api.call('keyValueStore_record_head', {
          storeId,
          recordKey,
          expect: { ruleId: 'KVS-NOTFOUND-003', status: [404], what: `HEAD ${storeId}/${recordKey}` },
        });
        expectRule(
          response.body.length === 0,
          'KVS-NOTFOUND-003',
          `HEAD ${storeId}/${recordKey} answered ${response.status} with ${response.body.length} body bytes`,
          [response.exchange],
        );
      }),
    );
  });

  it('KVS-NOTFOUND-004 after a store is deleted, it, its keys and its records answer 404', async () => {
    await fc.assert(
      fc.asyncProperty(key, async (recordKey) => {
        const store = await kvs.newStore('deleted');
        await http.setRecord(store.id, recordKey, Buffer.from('v'), 'text/plain');
        await http.deleteStore(store.id);
        await expectNotFound(
          'keyValueStore_get',
          { storeId: store.id },
          'KVS-NOTFOUND-004',
          'GET of a deleted store',
        );
        await expectNotFound(
          'keyValueStore_keys_get',
          { storeId: store.id },
          'KVS-NOTFOUND-004',
          'keys of a deleted store',
        );
        await expectNotFound(
          'keyValueStore_record_get',
          { storeId: store.id, recordKey },
          'KVS-NOTFOUND-004',
          'a record of a deleted store',
        );
      }),
      { numRuns: Math.min(kvs.context.runs, 10) },
    );
  });

  // The target's side of the rule: the harness's own apify-client, whatever --driver selects (each
  // selected client driver is judged on the rule in client-families.test.ts).
  it("KVS-NOTFOUND-005 through the harness's own apify-client (not a --driver), the target's misses read as undefined and false, never as a thrown error", async () => {
    const store = await kvs.newStore('client');
    await fc.assert(
      fc.asyncProperty(key, missingStoreId, async (recordKey, missingStore) => {
        const record = await noThrow(`getRecord of missing ${recordKey}`, () =>
          client.getRecord(store.id, recordKey),
        );
        expectRule(
          record === undefined,
          'KVS-NOTFOUND-005',
          `getRecord of a missing key returned ${JSON.stringify(record)}`,
        );
        const exists = await noThrow(`recordExists of missing ${recordKey}`, () =>
          client.recordExists(store.id, recordKey),
        );
        expectRule(!exists, 'KVS-NOTFOUND-005', 'recordExists of a missing key returned true');
        const missing = await noThrow(`get of missing store ${missingStore}`, () =>
          client.getStore(missingStore),
        );
        expectRule(
          missing === undefined,
          'KVS-NOTFOUND-005',
          `get of a missing store returned ${JSON.stringify(missing)}`,
        );
        const inMissing = await noThrow(`getRecord in missing store ${missingStore}`, () =>
          client.getRecord(missingStore, recordKey),
        );
        expectRule(
          inMissing === undefined,
          'KVS-NOTFOUND-005',
          'getRecord in a missing store did not return undefined',
        );
      }),
    );
  });

  it('KVS-NOTFOUND-006 a stored JSON null is a record: GET answers 200 null, apify-client returns value null', async () => {
    const store = await kvs.newStore('null');
    await fc.assert(
      fc.asyncProperty(key, async (recordKey) => {
        await http.setRecord(store.id, recordKey, Buffer.from('null'), 'application/json; charset=utf-8');
        // Under eventual a new key's lag is KVS-CONS-001's to judge: wait until it has settled.
        // Under strong the GET below is the next read (a 404 there of the new key is re-read and
        // judged as lag, KVS-CONS-001, by the HTTP API).
        if (kvs.windowMs > 0)
          await kvs.eventually(
            () => http.getRecord(store.id, recordKey),
            (record) => record !== undefined,
          );
        const response = await api.call('keyValueStore_record_get', { storeId: store.id, recordKey });
        expectRule(
          response.status === 200 && response.body.toString() === 'null',
          'KVS-NOTFOUND-006',
          `GET of a stored null answered ${response.status} "${response.body.toString()}"`,
          [response.exchange],
        );
        const read = () => kvs.client.client.keyValueStore(store.id).getRecord(recordKey);
        // Under eventual a read through the library may still meet a replica that lacks the new key
        // within the window (KVS-CONS-001's to judge, not this rule's): read until it shows.
        const record =
          kvs.windowMs > 0 ? await kvs.eventually(read, (found) => found !== undefined) : await read();
        expectRule(
          record !== undefined && record.value === null,
          'KVS-NOTFOUND-006',
          `apify-client read a stored null as ${record === undefined ? 'undefined (a miss)' : JSON.stringify(record.value)}`,
        );
      }),
      { numRuns: Math.min(kvs.context.runs, 10) },
    );
  });

  it(`KVS-NOTFOUND-007 DELETE of a missing key answers as deleteMissingRecordStatus says`, async () => {
    const store = await kvs.newStore('delete-missing');
    const allowed = settingStatuses(kvs.contract.profiles, settings, 'deleteMissingRecordStatus');
    await fc.assert(
      fc.asyncProperty(key, async (recordKey) => {
        // "answers 204 or 404 as the profile says, and a 404 there has a not-found error type"
        await api.call('keyValueStore_record_delete', {
          storeId: store.id,
          recordKey,
          expect: {
            ruleId: 'KVS-NOTFOUND-007',
            status: allowed,
            ...errorTypes,
            what: `DELETE of missing ${recordKey} (deleteMissingRecordStatus ${String(settings.deleteMissingRecordStatus)})`,
          },
        });
      }),
    );
  });
});
