// KVS-NAME: store names and get-or-create by name.
import fc from 'fast-check';
import { describe } from 'vitest';
import { expectRule, useConformance, type KeysPage, type StoreInfo, it } from '../harness/index.ts';

const kvs = await useConformance('name');
const { api, http, contract, settings } = kvs;

type StoreResponse = { data: StoreInfo };

/** Names the contract rejects: a character outside the DNS-safe set, a hyphen at an end, or too long. */
const invalidName = fc.oneof(
  fc
    .tuple(fc.stringMatching(/^[a-z0-9]{1,8}$/), fc.constantFrom('_', '.', ' ', '~', 'é', '!', '/'))
    .map(([base, bad]) => `${base}${bad}${base}`),
  fc.stringMatching(/^[a-z0-9]{1,8}$/).map((base) => `-${base}`),
  fc.stringMatching(/^[a-z0-9]{1,8}$/).map((base) => `${base}-`),
  fc.integer({ min: contract.limits.storeNameMaxLength + 1, max: 100 }).map((length) => 'n'.repeat(length)),
);

// Side by side (describe.concurrent): every test works on stores of its own, and an answer about
// one store does not depend on another, so the order of the tests cannot change a verdict.
describe.concurrent('KVS-NAME: store names', () => {
  it('KVS-NAME-001 KVS-NAME-002 get-or-create answers 201 with a new store, then 200 with the same id', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 2, max: 4 }), async (repeats) => {
        const name = kvs.storeName('goc');
        const first = await api.call('keyValueStores_post', {
          query: { name },
          expect: { ruleId: 'KVS-NAME-001', status: [201], what: `creating the new name "${name}"` },
        });
        const store = kvs.track(first.json<StoreResponse>().data);
        expectRule(
          store.name === name,
          'KVS-NAME-001',
          `creating "${name}" answered ${first.status} with name ${JSON.stringify(store.name)}`,
          [first.exchange],
        );
        for (let i = 1; i < repeats; i += 1) {
          const again = await api.call('keyValueStores_post', {
            query: { name },
            expect: { ruleId: 'KVS-NAME-002', status: [200], what: `get-or-create of the taken "${name}"` },
          });
          const id = again.json<StoreResponse>().data.id;
          expectRule(
            id === store.id,
            'KVS-NAME-002',
            `get-or-create of taken "${name}" answered ${again.status} with id ${id}; the store is ${store.id}`,
            [first.exchange, again.exchange],
          );
        }
      }),
    );
  });

  it('KVS-NAME-003 concurrent get-or-create calls with one name all get the same id and no 5xx', async () => {
    // At most as many calls as the run has connections to the target (--concurrency): calls beyond
    // that wait in the client's queue and reach the target no more at once than the others.
    const most = Math.max(2, kvs.context.concurrency);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 2, max: most }), async (parallel) => {
        const name = kvs.storeName('race');
        const answers = await Promise.all(
          Array.from({ length: parallel }, () => api.call('keyValueStores_post', { query: { name } })),
        );
        const ids = new Set(answers.map((answer) => kvs.track(answer.json<StoreResponse>().data).id));
        expectRule(
          ids.size === 1,
          'KVS-NAME-003',
          `${parallel} concurrent creates of "${name}" made ${ids.size} stores: ${[...ids].join(', ')}`,
          answers.map((a) => a.exchange),
        );
        expectRule(
          answers.filter((answer) => answer.status === 201).length === 1,
          'KVS-NAME-003',
          `${answers.filter((a) => a.status === 201).length} of ${parallel} concurrent creates answered 201`,
          answers.map((a) => a.exchange),
        );
      }),
    );
  });

  it('KVS-NAME-004 each create without a name makes a new unnamed store', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 2, max: 5 }), async (count) => {
        const answers = [];
        for (let i = 0; i < count; i += 1)
          answers.push(
            await api.call('keyValueStores_post', {
              expect: { ruleId: 'KVS-NAME-004', status: [201], what: 'creating a store without a name' },
            }),
          );
        const stores = answers.map((answer) => kvs.track(answer.json<StoreResponse>().data));
        expectRule(
          answers.every((answer) => answer.status === 201),
          'KVS-NAME-004',
          `unnamed creates answered ${answers.map((a) => a.status).join(', ')}`,
          answers.map((a) => a.exchange),
        );
        expectRule(
          new Set(stores.map((store) => store.id)).size === count,
          'KVS-NAME-004',
          `${count} unnamed creates gave ids ${stores.map((s) => s.id).join(', ')}`,
          answers.map((a) => a.exchange),
        );
        expectRule(
          stores.every((store) => store.name === null || store.name === undefined),
          'KVS-NAME-004',
          `an unnamed store has name ${JSON.stringify(stores.find((s) => s.name)?.name)}`,
          answers.map((a) => a.exchange),
        );
      }),
      { numRuns: Math.min(kvs.context.runs, 10) },
    );
  });

  it('KVS-NAME-005 after a named store is deleted, its name makes a new store with a new id', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constant(null), async () => {
        const store = await kvs.newStore('reuse');
        await http.deleteStore(store.id);
        const again = await api.call('keyValueStores_post', {
          query: { name: store.name ?? '' },
          expect: { ruleId: 'KVS-NAME-005', status: [201], what: `re-creating the deleted "${store.name}"` },
        });
        const fresh = kvs.track(again.json<StoreResponse>().data);
        expectRule(
          fresh.id !== store.id,
          'KVS-NAME-005',
          `re-creating "${store.name}" after deleting ${store.id} answered ${again.status} with id ${fresh.id}`,
          [again.exchange],
        );
      }),
      { numRuns: Math.min(kvs.context.runs, 10) },
    );
  });

  it('KVS-NAME-006 a name outside the DNS-safe pattern or over 63 characters is refused with 400', async () => {
    const store = await kvs.newStore('rename-bad');
    await fc.assert(
      fc.asyncProperty(invalidName, async (name) => {
        const created = await api.call('keyValueStores_post', { query: { name } });
        if (created.status < 300) kvs.track(created.json<StoreResponse>().data);
        expectRule(
          created.status === 400,
          'KVS-NAME-006',
          `creating a store named ${JSON.stringify(name)} answered ${created.status}, expected 400`,
          [created.exchange],
        );
        const renamed = await api.call('keyValueStore_put', {
          storeId: store.id,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ name }),
        });
        expectRule(
          renamed.status === 400,
          'KVS-NAME-006',
          `renaming to ${JSON.stringify(name)} answered ${renamed.status}, expected 400`,
          [renamed.exchange],
        );
      }),
    );
  });

  it('KVS-NAME-007 renaming a store to a taken name is refused and leaves both stores as they were', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constant(null), async () => {
        const holder = await kvs.newStore('holder');
        const other = await kvs.newStore('other');
        const renamed = await api.call('keyValueStore_put', {
          storeId: other.id,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ name: holder.name }),
          // Any 4xx (409 Conflict is documented in spec/openapi.yaml, so KVS-SCHEMA-001 agrees).
          expect: {
            ruleId: 'KVS-NAME-007',
            status: Array.from({ length: 100 }, (_, index) => 400 + index),
            what: `renaming ${other.id} to the taken name "${holder.name}"`,
          },
        });
        const [holderNow, otherNow] = [await http.getStore(holder.id), await http.getStore(other.id)];
        expectRule(
          holderNow?.name === holder.name && otherNow?.name === other.name,
          'KVS-NAME-007',
          `after the refused rename the names are ${JSON.stringify(holderNow?.name)} and ${JSON.stringify(otherNow?.name)}`,
          [renamed.exchange],
        );
      }),
      { numRuns: Math.min(kvs.context.runs, 10) },
    );
  });

  it('KVS-NAME-008 a named store is addressable as ~name for reads, updates, keys, records and delete', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constant(null), async () => {
        const store = await kvs.newStore('tilde');
        const byName = `~${store.name}`;
        // "addressable as ~name for reading, updating, deleting and for its records": every call
        // through ~name must act on this store, so its answers are checked for content, not status.
        const via = (what: string, status: number[]) => ({
          ruleId: 'KVS-NAME-008' as const,
          status,
          what: `${what} through ${byName}`,
        });
        const read = await api.call('keyValueStore_get', { storeId: byName, expect: via('GET', [200]) });
        expectRule(
          read.json<StoreResponse>().data.id === store.id,
          'KVS-NAME-008',
          `GET ${byName} answered the store ${read.json<StoreResponse>().data.id}, not ${store.id}`,
          [read.exchange],
        );
        const put = await api.call('keyValueStore_record_put', {
          storeId: byName,
          recordKey: 'k',
          headers: { 'content-type': 'text/plain' },
          body: 'v',
          expect: via('PUT record', [200, 201]),
        });
        // Under eventual a new key's lag is KVS-CONS-001's to judge: wait until it has settled. The
        // read that settled it is the record as its id reads it.
        const byId = await kvs.eventually(
          () => http.getRecord(store.id, 'k'),
          (record) => record !== undefined,
        );
        const get = await api.call('keyValueStore_record_get', {
          storeId: byName,
          recordKey: 'k',
          expect: via('GET record', [200]),
        });
        expectRule(
          get.body.toString() === 'v' && byId?.value.toString() === 'v',
          'KVS-NAME-008',
          `the record written through ${byName} reads ${JSON.stringify(get.body.toString())} there and is ${byId ? 'different' : 'missing'} by id`,
          [put.exchange, get.exchange],
        );
        const keys = await kvs.eventually(
          () => api.call('keyValueStore_keys_get', { storeId: byName, expect: via('GET keys', [200]) }),
          (answer) => answer.json<{ data: KeysPage }>().data.items.some((item) => item.key === 'k'),
        );
        const listed = keys.json<{ data: KeysPage }>().data.items.map((item) => item.key);
        expectRule(
          JSON.stringify(listed) === JSON.stringify(['k']),
          'KVS-NAME-008',
          `the keys of ${byName} are ${JSON.stringify(listed)}; the store holds ["k"]`,
          [keys.exchange],
        );
        const updated = await api.call('keyValueStore_put', {
          storeId: byName,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ generalAccess: 'ANYONE_WITH_ID_CAN_READ' }),
          expect: via('PUT store', [200]),
        });
        const after = updated.json<{ data: StoreInfo & { generalAccess?: string } }>().data;
        expectRule(
          after.id === store.id && after.generalAccess === 'ANYONE_WITH_ID_CAN_READ',
          'KVS-NAME-008',
          `updating through ${byName} answered store ${after.id} with generalAccess ${JSON.stringify(after.generalAccess)}`,
          [updated.exchange],
        );
        const deleted = await api.call('keyValueStore_delete', {
          storeId: byName,
          expect: via('DELETE', [204]),
        });
        expectRule(
          (await http.getStore(store.id)) === undefined,
          'KVS-NAME-008',
          `DELETE ${byName} answered ${deleted.status} but the store ${store.id} still reads`,
          [deleted.exchange],
        );
      }),
      { numRuns: Math.min(kvs.context.runs, 5) },
    );
  });

  it('KVS-NAME-009 after a rename the new ~name resolves to the store and the old one answers 404', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constant(null), async () => {
        const store = await kvs.newStore('before');
        const newName = kvs.storeName('after');
        await http.updateStore(store.id, { name: newName });
        const fresh = await api.call('keyValueStore_get', {
          storeId: `~${newName}`,
          expect: { ruleId: 'KVS-NAME-009', status: [200], what: `GET of the new ~${newName}` },
        });
        await api.call('keyValueStore_get', {
          storeId: `~${store.name}`,
          expect: {
            ruleId: 'KVS-NAME-009',
            status: [404],
            what: `GET of the old ~${store.name} after the rename`,
          },
        });
        expectRule(
          fresh.json<StoreResponse>().data.id === store.id,
          'KVS-NAME-009',
          `~${newName} answered ${fresh.status}`,
          [fresh.exchange],
        );
      }),
      { numRuns: Math.min(kvs.context.runs, 5) },
    );
  });

  it.runIf(settings.storeNameCase !== 'either')(
    `KVS-NAME-010 names differing only in case are ${String(settings.storeNameCase)}`,
    async () => {
      const lower = kvs.storeName('case');
      const first = kvs.track(await http.getOrCreateStore(lower));
      const second = kvs.track(await http.getOrCreateStore(lower.toUpperCase()));
      const same = first.id === second.id;
      expectRule(
        settings.storeNameCase === 'insensitive' ? same : !same,
        'KVS-NAME-010',
        `"${lower}" and "${lower.toUpperCase()}" gave ids ${first.id} and ${second.id}; storeNameCase is ${String(settings.storeNameCase)}`,
      );
    },
  );
});
