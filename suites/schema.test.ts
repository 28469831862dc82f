// KVS-SCHEMA: every response of every operation matches the contract. The HTTP driver checks each
// exchange (status documented, media type, body schema, required headers, empty bodies); these
// properties drive every operation with generated input so that the checks see each one.
import fc from 'fast-check';
import { describe, expect } from 'vitest';
import { useConformance, type StoreInfo, it } from '../harness/index.ts';
import { recordKeyArbitrary, recordValueArbitrary } from '../generators/index.ts';

const kvs = await useConformance('schema');
const { api, contract, settings } = kvs;

// Side by side (describe.concurrent): every test works on stores of its own, and an answer about
// one store does not depend on another, so the order of the tests cannot change a verdict.
describe.concurrent('KVS-SCHEMA: responses match the contract', () => {
  it('KVS-SCHEMA-001 KVS-SCHEMA-002 KVS-SCHEMA-003 KVS-SCHEMA-005 create, read, list and update stores answer documented statuses, JSON and schemas', async () => {
    await fc.assert(
      fc.asyncProperty(fc.boolean(), fc.boolean(), async (named, desc) => {
        const created = await api.call('keyValueStores_post', {
          query: { name: named ? kvs.storeName('schema') : undefined },
        });
        const store = kvs.track(created.json<{ data: StoreInfo }>().data);
        expect([200, 201]).toContain(created.status);
        await api.call('keyValueStore_get', { storeId: store.id });
        await api.call('keyValueStores_get', { query: { limit: 5, desc: desc ? 1 : 0, unnamed: 1 } });
        await api.call('keyValueStore_put', {
          storeId: store.id,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ generalAccess: 'RESTRICTED' }),
        });
      }),
      { numRuns: Math.min(kvs.context.runs, 10) },
    );
  });

  it('KVS-SCHEMA-001 KVS-SCHEMA-002 KVS-SCHEMA-005 KVS-SCHEMA-006 record writes, reads, HEAD, listings, zip and deletes answer documented statuses and schemas', async () => {
    const store = await kvs.newStore('records');
    await fc.assert(
      fc.asyncProperty(
        recordKeyArbitrary(contract.limits),
        recordValueArbitrary(),
        async (key, { value, contentType }) => {
          const call = { storeId: store.id, recordKey: key };
          const put = await api.call('keyValueStore_record_put', {
            ...call,
            headers: { 'content-type': contentType },
            body: value,
          });
          expect([200, 201]).toContain(put.status);
          await api.call('keyValueStore_record_post', {
            ...call,
            headers: { 'content-type': contentType },
            body: value,
          });
          await api.call('keyValueStore_record_get', call);
          await api.call('keyValueStore_record_head', call);
          await api.call('keyValueStore_keys_get', { storeId: store.id, query: { limit: 3 } });
          if (settings.zipDownload !== 'false')
            await api.call('keyValueStore_records_get', { storeId: store.id });
          await api.call('keyValueStore_record_delete', call);
          await api.call('keyValueStore_record_head', call);
          await api.call('keyValueStore_record_get', call);
        },
      ),
    );
  });

  it('KVS-SCHEMA-004 KVS-SCHEMA-006 error answers carry the documented error body (and none for HEAD or 204)', async () => {
    const missingStore = 'AAAAAAAAAAAAAAAAA';
    const store = await kvs.newStore('errors');
    const answers = [
      await api.call('keyValueStore_get', { storeId: missingStore }),
      await api.call('keyValueStore_keys_get', { storeId: missingStore }),
      await api.call('keyValueStore_record_get', { storeId: store.id, recordKey: 'missing' }),
      await api.call('keyValueStore_record_head', { storeId: store.id, recordKey: 'missing' }),
      await api.call('keyValueStore_record_put', { storeId: store.id, recordKey: 'bad key', body: 'x' }),
      await api.call('keyValueStores_get', { query: { offset: -1 } }),
    ];
    expect(answers.map((answer) => answer.status)).toEqual([404, 404, 404, 404, 400, 400]);
    await api.call('keyValueStore_delete', { storeId: store.id });
  });
});
