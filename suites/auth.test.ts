// KVS-AUTH: tokens. These rules need a target that requires a token: they run when the run has
// one (the embedded server always gets one) and are skipped, with that reason, otherwise.
import fc from 'fast-check';
import { describe } from 'vitest';
import { expectRule, settingStatuses, useConformance, type OperationCall, it } from '../harness/index.ts';
import { everyOperationCall } from './support/every-operation-call.ts';

const kvs = await useConformance('auth');
const { api, http, settings, context } = kvs;
const hasToken = context.token !== undefined;
const wrongStatuses = settingStatuses(kvs.contract.profiles, settings, 'wrongTokenStatus');

/** The calls without the zip download when the profile declares it absent (zipDownload false). */
const withoutAbsentFeatures = (calls: [string, OperationCall][]): [string, OperationCall][] =>
  calls.filter(
    ([operationId]) => settings.zipDownload !== 'false' || operationId !== 'keyValueStore_records_get',
  );

/**
 * Every operation of the contract with the parameters it needs, on a store this run owns
 * (RESTRICTED, so reads need a token too) holding the record `doc`.
 */
async function everyOperation(): Promise<[string, OperationCall][]> {
  const store = await kvs.newStore('auth');
  await http.updateStore(store.id, { generalAccess: 'RESTRICTED' });
  await http.setRecord(store.id, 'doc', Buffer.from('secret value'), 'text/plain');
  return withoutAbsentFeatures(
    everyOperationCall(kvs.contract, {
      storeId: store.id,
      recordKey: 'doc',
      newStoreName: kvs.storeName('never'),
    }),
  );
}

/** The store the calls of everyOperation address. */
const storeOf = (operations: readonly [string, OperationCall][]): string =>
  operations.find(([, call]) => call.storeId !== undefined)?.[1].storeId ?? '';

describe(`KVS-AUTH: tokens${hasToken ? '' : ' (skipped: the run has no token, so the target is not known to require one; pass the target token with --token or APIFY_TOKEN)'}`, () => {
  it.runIf(hasToken)(
    'KVS-AUTH-001 every operation without a token is refused with 401, and changes nothing',
    async () => {
      const operations = await everyOperation();
      for (const [operationId, call] of operations) {
        const response = await api.call(operationId, { ...call, auth: 'none' });
        expectRule(
          response.status === 401,
          'KVS-AUTH-001',
          `${operationId} without a token answered ${response.status}, expected 401`,
          [response.exchange],
        );
      }
      const storeId = storeOf(operations);
      expectRule(
        (await http.getRecord(storeId, 'doc'))?.value.toString() === 'secret value',
        'KVS-AUTH-001',
        'a request without a token changed the record',
      );
    },
  );

  it.runIf(hasToken)(
    `KVS-AUTH-002 every operation with a wrong token is refused with ${wrongStatuses.join(' or ')}, and changes nothing`,
    async () => {
      const operations = await everyOperation();
      await fc.assert(
        fc.asyncProperty(
          fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/).filter((token) => token !== context.token),
          async (token) => {
            for (const [operationId, call] of operations) {
              const response = await api.call(operationId, { ...call, token });
              expectRule(
                wrongStatuses.includes(response.status),
                'KVS-AUTH-002',
                `${operationId} with a wrong token answered ${response.status}; wrongTokenStatus allows ${wrongStatuses.join(', ')}`,
                [response.exchange],
              );
            }
          },
        ),
        { numRuns: Math.min(context.runs, 5) },
      );
      const storeId = storeOf(operations);
      expectRule(
        (await http.getRecord(storeId, 'doc'))?.value.toString() === 'secret value',
        'KVS-AUTH-002',
        'a request with a wrong token changed the record',
      );
    },
  );

  it.runIf(hasToken)(
    'KVS-AUTH-003 a valid token works both as Authorization: Bearer and as ?token=',
    async () => {
      const store = await kvs.newStore('transport');
      for (const auth of ['header', 'query'] as const) {
        const put = await api.call('keyValueStore_record_put', {
          storeId: store.id,
          recordKey: auth,
          headers: { 'content-type': 'text/plain' },
          body: auth,
          auth,
        });
        const get = await api.call('keyValueStore_record_get', { storeId: store.id, recordKey: auth, auth });
        const list = await api.call('keyValueStores_get', { query: { limit: 1 }, auth });
        expectRule(
          put.status < 300 && get.status === 200 && list.status === 200,
          'KVS-AUTH-003',
          `with the token as ${auth}: write ${put.status}, read ${get.status}, list ${list.status}`,
          [put.exchange, get.exchange, list.exchange],
        );
      }
    },
  );
});
