// KVS-KEYS: listing a store's keys page by page with the exclusiveStartKey cursor.
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { acceptsLimitAboveMax, expectRule, useConformance, type KeysPage } from '../harness/index.ts';
import { keySetArbitrary, pageSizeArbitrary, recordKeyArbitrary } from '../generators/index.ts';

const kvs = await useConformance('keys');
const { http, api, contract, settings } = kvs;
const maxLimit = contract.limits.keysMaxLimit;

const utf8Order = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** A new store holding `keys`, each with a value of a length derived from the key. */
async function storeWith(keys: readonly string[]): Promise<string> {
  const store = await kvs.newStore('keys');
  await Promise.all(
    keys.map((key) =>
      http.setRecord(store.id, key, Buffer.from(key.repeat(1 + (key.length % 3))), 'text/plain'),
    ),
  );
  // Under the eventual model a listing may lag the writes: wait (within the window) until it shows them all.
  await kvs.eventually(
    () => http.listKeys(store.id),
    (page) => page.items.length === Math.min(keys.length, maxLimit),
  );
  return store.id;
}

/**
 * Follows nextExclusiveStartKey from the first page, checking every page against the key set,
 * and stops after the number of pages a correct server needs plus two (a cursor that never
 * advances is reported, not followed forever).
 */
async function walk(
  storeId: string,
  keys: readonly string[],
  requestedLimit: number | undefined,
  prefix?: string,
): Promise<string[]> {
  const expected = keys.filter((key) => prefix === undefined || key.startsWith(prefix)).sort(utf8Order);
  const seen: string[] = [];
  let cursor: string | undefined;
  // No limit sent: "1000 by default".
  const limit = requestedLimit ?? maxLimit;
  const maxPages = Math.ceil(expected.length / Math.min(limit, maxLimit)) + 2;
  for (let pages = 1; ; pages += 1) {
    const response = await api.call('keyValueStore_keys_get', {
      storeId,
      query: { limit: requestedLimit, exclusiveStartKey: cursor, prefix },
    });
    const page = response.json<{ data: KeysPage }>().data;
    const at = `page ${pages} (limit ${requestedLimit ?? 'not sent'}, exclusiveStartKey ${JSON.stringify(cursor ?? null)}${prefix === undefined ? '' : `, prefix ${JSON.stringify(prefix)}`})`;
    const ex = [response.exchange];
    const pageKeys = page.items.map((item) => item.key);
    // Checked first: a listing that ignores the prefix breaks this rule, not the walk's arithmetic.
    expectRule(
      prefix === undefined || pageKeys.every((key) => key.startsWith(prefix)),
      'KVS-KEYS-007',
      `${at}: lists keys without the prefix: ${JSON.stringify(pageKeys.filter((key) => !key.startsWith(prefix ?? '')))}`,
      ex,
    );
    expectRule(
      page.count === page.items.length && page.count <= limit,
      'KVS-KEYS-009',
      `${at}: count ${page.count} with ${page.items.length} items`,
      ex,
    );
    expectRule(
      page.limit === Math.min(limit, maxLimit),
      'KVS-KEYS-009',
      `${at}: limit is ${page.limit}, expected ${Math.min(limit, maxLimit)}${requestedLimit === undefined ? ' (the default)' : ''}`,
      ex,
    );
    expectRule(
      page.exclusiveStartKey === (cursor ?? null),
      'KVS-KEYS-006',
      `${at}: echoes exclusiveStartKey ${JSON.stringify(page.exclusiveStartKey)}`,
      ex,
    );
    expectRule(
      cursor === undefined || pageKeys.every((key) => utf8Order(key, cursor ?? '') > 0),
      'KVS-KEYS-006',
      `${at}: holds keys not after the cursor: ${JSON.stringify(pageKeys)}`,
      ex,
    );
    expectRule(
      pageKeys.every((key, i) => i === 0 || utf8Order(pageKeys[i - 1] ?? '', key) < 0),
      'KVS-KEYS-002',
      `${at}: keys out of UTF-8 byte order: ${JSON.stringify(pageKeys)}`,
      ex,
    );
    const last = seen.at(-1);
    expectRule(
      last === undefined || pageKeys[0] === undefined || utf8Order(last, pageKeys[0]) < 0,
      'KVS-KEYS-002',
      `${at}: first key ${JSON.stringify(pageKeys[0])} is not after the previous page's last ${JSON.stringify(last)}`,
      ex,
    );
    seen.push(...pageKeys);
    // "keys remain after the page": keys of the store sorting after the page's last key (or cursor).
    const end = pageKeys.at(-1) ?? cursor;
    const left = expected.filter((key) => end === undefined || utf8Order(key, end) > 0).length;
    // Under a prefix the keys that remain are those with the prefix: a wrong isTruncated there is
    // first of all a listing that does not hold exactly the prefixed keys (KVS-KEYS-007). A listing
    // that ends while keys remain has also not yielded every key (KVS-KEYS-001): both are named.
    const truncation = `isTruncated is ${page.isTruncated} with ${left} key(s) left`;
    const endsEarly = !page.isTruncated && left > 0;
    expectRule(
      page.isTruncated === left > 0,
      prefix !== undefined ? 'KVS-KEYS-007' : endsEarly ? 'KVS-KEYS-001' : 'KVS-KEYS-003',
      prefix === undefined && !endsEarly
        ? `${at}: ${truncation}`
        : `${at}: the listing ${endsEarly ? `ends without ${left} key(s)` : 'does not match the keys with the prefix'} (and: [KVS-KEYS-003] ${truncation})`,
      ex,
    );
    if (page.isTruncated) {
      expectRule(
        page.nextExclusiveStartKey === pageKeys.at(-1),
        'KVS-KEYS-004',
        `${at}: nextExclusiveStartKey ${JSON.stringify(page.nextExclusiveStartKey)} is not the last key ${JSON.stringify(pageKeys.at(-1))}`,
        ex,
      );
      expectRule(
        pages < maxPages,
        'KVS-KEYS-001',
        `the listing did not end after ${pages} pages for ${expected.length} keys: the cursor does not advance`,
        ex,
      );
      cursor = page.nextExclusiveStartKey ?? undefined;
      continue;
    }
    expectRule(
      'nextExclusiveStartKey' in page && page.nextExclusiveStartKey === null,
      'KVS-KEYS-005',
      `${at}: the last page has nextExclusiveStartKey ${page.nextExclusiveStartKey === undefined ? 'missing' : JSON.stringify(page.nextExclusiveStartKey)}, not null (apify-client would loop forever)`,
      ex,
    );
    expectRule(
      prefix === undefined || JSON.stringify(seen) === JSON.stringify(expected),
      'KVS-KEYS-007',
      `with prefix ${JSON.stringify(prefix)} the listing gave ${JSON.stringify(seen)}; the store's keys with it are ${JSON.stringify(expected)}`,
      ex,
    );
    expectRule(
      JSON.stringify(seen) === JSON.stringify(expected),
      'KVS-KEYS-001',
      `walking the pages gave ${JSON.stringify(seen)}; the store holds ${JSON.stringify(expected)}`,
      ex,
    );
    return seen;
  }
}

// Side by side (describe.concurrent): every test works on stores of its own, and an answer about
// one store does not depend on another, so the order of the tests cannot change a verdict.
describe.concurrent('KVS-KEYS: key listing', () => {
  it('KVS-KEYS-001 KVS-KEYS-002 KVS-KEYS-003 KVS-KEYS-004 KVS-KEYS-005 KVS-KEYS-006 KVS-KEYS-009 following nextExclusiveStartKey yields every key exactly once, in UTF-8 order, and ends with a null cursor', async () => {
    await fc.assert(
      fc.asyncProperty(
        keySetArbitrary(contract.limits),
        // Sometimes no limit at all, for the default of KVS-KEYS-009.
        fc.option(pageSizeArbitrary(contract.limits), { nil: undefined, freq: 5 }),
        async (keys, limit) => {
          await walk(await storeWith(keys), keys, limit);
        },
      ),
    );
  });

  it('KVS-KEYS-006 a page starts strictly after any exclusiveStartKey, stored or not', async () => {
    await fc.assert(
      fc.asyncProperty(
        keySetArbitrary(contract.limits, 15),
        recordKeyArbitrary(contract.limits, 6),
        async (keys, start) => {
          const storeId = await storeWith(keys);
          const response = await api.call('keyValueStore_keys_get', {
            storeId,
            query: { exclusiveStartKey: start },
          });
          const listed = response.json<{ data: KeysPage }>().data.items.map((item) => item.key);
          const expected = keys.filter((key) => utf8Order(key, start) > 0).sort(utf8Order);
          expectRule(
            JSON.stringify(listed) === JSON.stringify(expected),
            'KVS-KEYS-006',
            `after ${JSON.stringify(start)} listed ${JSON.stringify(listed)}, expected ${JSON.stringify(expected)}`,
            [response.exchange],
          );
        },
      ),
    );
  });

  it('KVS-KEYS-007 a prefix lists exactly the keys that start with it, across pages', async () => {
    await fc.assert(
      fc.asyncProperty(
        keySetArbitrary(contract.limits, 20),
        fc.nat(),
        fc.integer({ min: 0, max: 3 }),
        pageSizeArbitrary(contract.limits),
        async (keys, pick, cut, limit) => {
          const source = keys[pick % Math.max(keys.length, 1)] ?? 'a';
          const prefix = source.slice(0, Math.max(1, source.length - cut));
          const storeId = await storeWith(keys);
          const seen = await walk(storeId, keys, limit, prefix);
          expectRule(
            seen.every((key) => key.startsWith(prefix)),
            'KVS-KEYS-007',
            `prefix ${JSON.stringify(prefix)} listed ${JSON.stringify(seen)}`,
          );
        },
      ),
    );
  });

  it('KVS-KEYS-008 each listed size equals the byte length of the stored value', async () => {
    // The cases share a store, each on new keys of its own, until its listing would not fit one
    // page: every listed key is then one whose size the test knows, from this case or an earlier one.
    let shared: { readonly id: string; readonly sizes: Map<string, number> } | undefined;
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.tuple(recordKeyArbitrary(contract.limits, 10), fc.uint8Array({ maxLength: 300 })), {
          selector: ([key]) => key,
          maxLength: 10,
        }),
        async (drawn) => {
          if (shared === undefined || shared.sizes.size + drawn.length > maxLimit)
            shared = { id: (await kvs.newStore('sizes')).id, sizes: new Map() };
          const store = shared;
          const records = drawn.map(([key, value]) => [kvs.freshKey(key), value] as const);
          await Promise.all(
            records.map(([key, value]) =>
              http.setRecord(store.id, key, Buffer.from(value), 'application/octet-stream'),
            ),
          );
          for (const [key, value] of records) store.sizes.set(key, value.length);
          // Under eventual the listing may lag the writes: judged once it shows them (one read under strong).
          const response = await kvs.eventually(
            () => api.call('keyValueStore_keys_get', { storeId: store.id }),
            (answer) =>
              records.every(([key]) =>
                answer.json<{ data: KeysPage }>().data.items.some((item) => item.key === key),
              ),
          );
          const listed = response.json<{ data: KeysPage }>().data.items;
          const sizes = new Map(listed.map((item) => [item.key, item.size]));
          for (const [key, value] of records) {
            expectRule(
              sizes.get(key) === value.length,
              'KVS-KEYS-008',
              `key ${JSON.stringify(key)} is listed with size ${sizes.get(key)}, its value has ${value.length} bytes`,
              [response.exchange],
            );
          }
          // The keys of earlier cases are listed too, each with the size it was written with.
          for (const item of listed) {
            const written = store.sizes.get(item.key);
            expectRule(
              written === undefined || item.size === written,
              'KVS-KEYS-008',
              `key ${JSON.stringify(item.key)} is listed with size ${item.size}, its value has ${written} bytes`,
              [response.exchange],
            );
          }
        },
      ),
    );
  });

  it(`KVS-KEYS-010 a limit above the maximum is handled as listLimitAboveMax says, and a limit below 1 is refused with 400`, async () => {
    const store = await kvs.newStore('limits');
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: maxLimit + 1, max: 100_000 }),
        // Below 1, with 0 (the falsy one) drawn often: "a limit below 1 is rejected with 400".
        fc.oneof(
          { weight: 3, arbitrary: fc.integer({ min: -1000, max: -1 }) },
          { weight: 1, arbitrary: fc.constant(0) },
        ),
        async (above, below) => {
          const high = await api.call('keyValueStore_keys_get', {
            storeId: store.id,
            query: { limit: above },
          });
          const rule = settings.listLimitAboveMax;
          const answeredLimit = high.status === 200 ? high.json<{ data: KeysPage }>().data.limit : undefined;
          expectRule(
            acceptsLimitAboveMax(settings, high.status, answeredLimit, maxLimit),
            'KVS-KEYS-010',
            `limit=${above} answered ${high.status}; listLimitAboveMax is ${rule}`,
            [high.exchange],
          );
          const low = await api.call('keyValueStore_keys_get', {
            storeId: store.id,
            query: { limit: below },
          });
          expectRule(
            low.status === 400,
            'KVS-KEYS-010',
            `limit=${below} answered ${low.status}, expected 400`,
            [low.exchange],
          );
        },
      ),
    );
  });

  it('KVS-KEYS-005 KVS-KEYS-001 apify-client iterates over every key once and stops', async () => {
    await fc.assert(
      fc.asyncProperty(
        keySetArbitrary(contract.limits, 25),
        fc.integer({ min: 1, max: 6 }),
        async (keys, limit) => {
          const storeId = await storeWith(keys);
          const seen: string[] = [];
          for await (const item of kvs.client.client
            .keyValueStore(storeId)
            .listKeys({ limit: Math.max(keys.length, 1) * limit })) {
            seen.push(item.key);
            if (seen.length > keys.length) break;
          }
          const expected = [...keys].sort(utf8Order);
          expectRule(
            JSON.stringify(seen) === JSON.stringify(expected),
            'KVS-KEYS-005',
            `apify-client's iteration yielded ${JSON.stringify(seen.slice(0, 40))}, expected ${JSON.stringify(expected)}`,
          );
        },
      ),
      { numRuns: Math.min(kvs.context.runs, 10) },
    );
  });
});
