// KVS-KEYS: listing a store's keys page by page with the exclusiveStartKey cursor.
import fc from 'fast-check';
import { describe } from 'vitest';
import {
  acceptsLimitAboveMax,
  acceptsLimitBelowMin,
  expectRule,
  judgeKeyListing,
  keyViewsOf,
  RecordHistory,
  useConformance,
  utf8Order,
  type KeysPage,
  type ListingJudgement,
  type ListingRange,
  it,
} from '../harness/index.ts';
import { keySetArbitrary, pageSizeArbitrary, recordKeyArbitrary } from '../generators/index.ts';

const kvs = await useConformance('keys');
const { http, api, contract, settings, windowMs } = kvs;
const maxLimit = contract.limits.keysMaxLimit;

/** Every key a test wrote to one store, with the history of its writes (their times included). */
type KeyHistory = Map<string, RecordHistory>;

/**
 * Sends a write of `record` to `key` and notes it in `history` with the times it was sent and
 * acknowledged (a write that fails stays in flight for good: it may or may not have happened).
 */
async function noteWrite<T>(
  history: KeyHistory,
  key: string,
  record: { readonly value: Buffer; readonly contentType: string },
  send: () => Promise<T>,
): Promise<T> {
  const writes = history.get(key) ?? new RecordHistory();
  history.set(key, writes);
  const pending = writes.begin(record, performance.now());
  const result = await send();
  pending.ack(performance.now());
  return result;
}

/** A listing sent at `sentAt` and answered at `answeredAt`, judged against the states the window allows. */
function judgeListing(
  history: KeyHistory,
  listed: readonly { readonly key: string; readonly size?: number }[],
  range: ListingRange,
  sentAt: number,
  answeredAt: number,
): ListingJudgement {
  return judgeKeyListing(keyViewsOf(history, sentAt, windowMs, answeredAt), listed, range);
}

/**
 * A new store holding `keys`, each with a value of a length derived from the key, and the history
 * of those writes: listings are judged against the states the window allows (judgeKeyListing), so
 * nothing waits for the listing to settle first.
 */
async function storeWith(keys: readonly string[]): Promise<{ storeId: string; history: KeyHistory }> {
  const store = await kvs.newStore('keys');
  const history: KeyHistory = new Map();
  await writeKeys(store.id, history, keys);
  return { storeId: store.id, history };
}

/** Writes `keys` to a store, each with a value of a length derived from the key, noted in `history`. */
async function writeKeys(storeId: string, history: KeyHistory, keys: readonly string[]): Promise<void> {
  await Promise.all(
    keys.map((key) => {
      const value = Buffer.from(key.repeat(1 + (key.length % 3)));
      return noteWrite(history, key, { value, contentType: 'text/plain' }, () =>
        http.setRecord(storeId, key, value, 'text/plain'),
      );
    }),
  );
}

/**
 * Lists until `read` shows the store as it is once every write has settled, each listing judged by
 * `read` itself against the states the window allows; one listing under `strong`. Under eventual a
 * listing may lag the writes within the window (KVS-CONS-004), so a lagging listing is judged on
 * what it lists instead of being waited out unjudged; once the window has passed every key must
 * be listed, and a listing still incomplete fails `rule`.
 */
async function untilComplete<T extends { readonly complete: boolean }>(
  read: () => Promise<T>,
  rule: 'KVS-KEYS-001' | 'KVS-KEYS-005' | 'KVS-KEYS-006' | 'KVS-KEYS-007' | 'KVS-KEYS-008',
  what: string,
): Promise<T> {
  const observation = await kvs.observe(read, (result) => result.complete);
  expectRule(
    observation.last.complete,
    rule,
    `${what}: the listing still did not show every key written after ${observation.staleForMs} ms and ${observation.reads} listings (window ${windowMs} ms)`,
  );
  return observation.last;
}

/**
 * Follows nextExclusiveStartKey from the first page, checking every page's order, cursors and
 * counts, and its keys against the states the window allows (judgeKeyListing), and stops after
 * the number of pages a correct server needs plus two (a cursor that never advances is reported,
 * not followed forever). `complete`: the walk listed every key as written.
 */
async function walk(
  storeId: string,
  history: KeyHistory,
  requestedLimit: number | undefined,
  prefix?: string,
): Promise<{ seen: string[]; complete: boolean }> {
  const expected = [...history.keys()].filter((key) => prefix === undefined || key.startsWith(prefix));
  const seen: string[] = [];
  let complete = true;
  let cursor: string | undefined;
  // No limit sent: "1000 by default".
  const limit = requestedLimit ?? maxLimit;
  const maxPages = Math.ceil(expected.length / Math.min(limit, maxLimit)) + 2;
  for (let pages = 1; ; pages += 1) {
    const sentAt = performance.now();
    const response = await api.call('keyValueStore_keys_get', {
      storeId,
      query: { limit: requestedLimit, exclusiveStartKey: cursor, prefix },
    });
    const answeredAt = performance.now();
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
    // The page's keys against the states the window allows (under strong: exactly the keys written),
    // from the cursor to its last key; what must or may remain after that, for isTruncated ("keys
    // remain after the page").
    const end = pageKeys.at(-1) ?? cursor;
    const judged = judgeListing(
      history,
      pageKeys.map((key) => ({ key })),
      {
        ...(cursor === undefined ? {} : { after: cursor }),
        ...(prefix === undefined ? {} : { prefix }),
        ...(page.isTruncated && end !== undefined ? { through: end } : {}),
      },
      sentAt,
      answeredAt,
    );
    complete &&= judged.complete;
    // Under a prefix a listing that does not hold exactly the prefixed keys breaks KVS-KEYS-007.
    expectRule(
      judged.unexpected.length === 0 && judged.missing.length === 0,
      prefix !== undefined ? 'KVS-KEYS-007' : 'KVS-KEYS-001',
      `${at}: ${judged.missing.length > 0 ? `skips ${JSON.stringify(judged.missing)}, written and not deleted${windowMs > 0 ? ` at least ${windowMs} ms before` : ''}` : ''}${judged.missing.length > 0 && judged.unexpected.length > 0 ? '; ' : ''}${judged.unexpected.length > 0 ? `lists ${JSON.stringify(judged.unexpected)}, never written to the store` : ''} (listed: ${JSON.stringify(pageKeys)})`,
      ex,
    );
    // "isTruncated: keys remain after the page": a truncated page needs keys that may remain after
    // it (a page that ends the listing while keys remain lists them as skipped above, KVS-KEYS-001).
    // Under a prefix the keys that remain are those with the prefix: a wrong isTruncated there is
    // first of all a listing that does not hold exactly the prefixed keys (KVS-KEYS-007).
    const truncation = `isTruncated is true with no key left after ${JSON.stringify(end ?? null)}`;
    expectRule(
      !page.isTruncated || judged.mustRemain + judged.mayRemain > 0,
      prefix !== undefined ? 'KVS-KEYS-007' : 'KVS-KEYS-003',
      prefix === undefined
        ? `${at}: ${truncation}`
        : `${at}: the listing does not match the keys with the prefix (and: [KVS-KEYS-003] ${truncation})`,
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
    return { seen, complete };
  }
}

/** Walks until a walk lists every key (each walk judged; one walk under strong). */
async function walkAll(
  storeId: string,
  history: KeyHistory,
  requestedLimit: number | undefined,
  prefix?: string,
): Promise<string[]> {
  const walked = await untilComplete(
    () => walk(storeId, history, requestedLimit, prefix),
    // Under a prefix, a walk that never holds exactly the prefixed keys breaks KVS-KEYS-007.
    prefix === undefined ? 'KVS-KEYS-001' : 'KVS-KEYS-007',
    `walking the pages${prefix === undefined ? '' : ` with prefix ${JSON.stringify(prefix)}`}`,
  );
  return walked.seen;
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
          const { storeId, history } = await storeWith(keys);
          await walkAll(storeId, history, limit);
        },
      ),
    );
  });

  it('KVS-KEYS-006 a page starts strictly after any exclusiveStartKey, stored or not', async () => {
    // The cases share a store while its listing fits one page: each case writes its keys into it
    // (a key drawn again is overwritten), and every listing is judged on every key of the store,
    // this case's and earlier ones', against one history of their writes. A start key is then
    // more often a stored one, and the listings after it longer.
    let shared: { readonly storeId: string; readonly history: KeyHistory } | undefined;
    await fc.assert(
      fc.asyncProperty(
        keySetArbitrary(contract.limits, 15),
        recordKeyArbitrary(contract.limits, 6),
        async (keys, start) => {
          if (shared === undefined || shared.history.size + keys.length > maxLimit)
            shared = await storeWith([]);
          const { storeId, history } = shared;
          await writeKeys(storeId, history, keys);
          const expected = [...history.keys()].filter((key) => utf8Order(key, start) > 0).sort(utf8Order);
          await untilComplete(
            async () => {
              const sentAt = performance.now();
              const response = await api.call('keyValueStore_keys_get', {
                storeId,
                query: { exclusiveStartKey: start },
              });
              const answeredAt = performance.now();
              const page = response.json<{ data: KeysPage }>().data;
              const listed = page.items.map((item) => item.key);
              // Every listed key after the start, in order; against the window's states, none missing
              // and none never written (under strong: exactly the keys after the start) — through
              // the page's last key when the page says more keys follow (its size is KVS-KEYS-009's).
              const last = listed.at(-1);
              const judged = judgeListing(
                history,
                listed.map((key) => ({ key })),
                { after: start, ...(page.isTruncated && last !== undefined ? { through: last } : {}) },
                sentAt,
                answeredAt,
              );
              const sorted = [...listed].sort(utf8Order);
              expectRule(
                listed.every((key) => utf8Order(key, start) > 0) &&
                  JSON.stringify(listed) === JSON.stringify(sorted) &&
                  judged.missing.length === 0 &&
                  judged.unexpected.length === 0,
                'KVS-KEYS-006',
                `after ${JSON.stringify(start)} listed ${JSON.stringify(listed)}, expected ${JSON.stringify(expected)}${windowMs > 0 ? ` (or a part of them written within the window: ${windowMs} ms)` : ''}`,
                [response.exchange],
              );
              return { complete: judged.complete };
            },
            'KVS-KEYS-006',
            `after ${JSON.stringify(start)}`,
          );
        },
      ),
    );
  });

  it('KVS-KEYS-007 a prefix lists exactly the keys that start with it, across pages', async () => {
    // The cases share a store while it holds no more keys than one page lists: each case writes its
    // keys into it (a key drawn again is overwritten), and its walk under the prefix is judged on
    // every key of the store, this case's and earlier ones', against one history of their writes:
    // the keys without the prefix that a listing must leave out are more, and more alike.
    let shared: { readonly storeId: string; readonly history: KeyHistory } | undefined;
    await fc.assert(
      fc.asyncProperty(
        keySetArbitrary(contract.limits, 20),
        fc.nat(),
        fc.integer({ min: 0, max: 3 }),
        pageSizeArbitrary(contract.limits),
        async (keys, pick, cut, limit) => {
          const source = keys[pick % Math.max(keys.length, 1)] ?? 'a';
          const prefix = source.slice(0, Math.max(1, source.length - cut));
          if (shared === undefined || shared.history.size + keys.length > maxLimit)
            shared = await storeWith([]);
          const { storeId, history } = shared;
          await writeKeys(storeId, history, keys);
          const seen = await walkAll(storeId, history, limit, prefix);
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
    let shared: { readonly id: string; readonly history: KeyHistory } | undefined;
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.tuple(recordKeyArbitrary(contract.limits, 10), fc.uint8Array({ maxLength: 300 })), {
          selector: ([key]) => key,
          maxLength: 10,
        }),
        async (drawn) => {
          // The cases share a store, each on new keys of its own (a namespace per case), until its
          // listing would not fit one page: every listing is judged on every key of the store, this
          // case's and earlier ones', against one history of their writes.
          if (shared === undefined || shared.history.size + drawn.length > maxLimit)
            shared = { id: (await kvs.newStore('sizes')).id, history: new Map() };
          const store = shared;
          const records = drawn.map(([key, value]) => [kvs.freshKey(key), Buffer.from(value)] as const);
          await Promise.all(
            records.map(([key, value]) =>
              noteWrite(store.history, key, { value, contentType: 'application/octet-stream' }, () =>
                http.setRecord(store.id, key, value, 'application/octet-stream'),
              ),
            ),
          );
          // Every listing is judged: each listed key with the size of a value it may hold (under
          // eventual, a listing lagging the writes lists fewer keys, never a wrong size), until one
          // lists them all (one listing under strong).
          await untilComplete(
            async () => {
              const sentAt = performance.now();
              const response = await api.call('keyValueStore_keys_get', { storeId: store.id });
              const answeredAt = performance.now();
              const items = response.json<{ data: KeysPage }>().data.items;
              const judged = judgeListing(store.history, items, {}, sentAt, answeredAt);
              const [wrong] = judged.wrongSizes;
              expectRule(
                wrong === undefined,
                'KVS-KEYS-008',
                `key ${JSON.stringify(wrong?.key)} is listed with size ${wrong?.size}, its value has ${wrong?.allowed.join(' or ')} bytes`,
                [response.exchange],
              );
              return { complete: records.every(([key]) => items.some((item) => item.key === key)) };
            },
            'KVS-KEYS-008',
            'listing the sized records',
          );
        },
      ),
    );
  });

  it(`KVS-KEYS-010 a limit above the maximum is handled as listLimitAboveMax says, and a limit below 1 as listLimitBelowMin says`, async () => {
    const store = await kvs.newStore('limits');
    // What "read as not given" answers: the page of a request without a limit.
    const plain = await api.call('keyValueStore_keys_get', { storeId: store.id });
    const defaultLimit = plain.json<{ data: KeysPage }>().data.limit;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: maxLimit + 1, max: 100_000 }),
        // Below 1, with 0 (the falsy one) drawn often.
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
          const lowLimit = low.status === 200 ? low.json<{ data: KeysPage }>().data.limit : undefined;
          expectRule(
            acceptsLimitBelowMin(settings, low.status, lowLimit, defaultLimit),
            'KVS-KEYS-010',
            `limit=${below} answered ${low.status}${lowLimit === undefined ? '' : ` with limit ${lowLimit}`}; listLimitBelowMin is ${settings.listLimitBelowMin} (reject: 400; default: 200 with limit ${defaultLimit}, as without a limit; clamp: 200 with limit 1)`,
            [low.exchange],
          );
        },
      ),
    );
  });

  it('KVS-KEYS-005 KVS-KEYS-001 KVS-KEYS-002 apify-client iterates over every key once, in UTF-8 order, and stops', async () => {
    await fc.assert(
      fc.asyncProperty(
        keySetArbitrary(contract.limits, 25),
        fc.integer({ min: 1, max: 6 }),
        async (keys, limit) => {
          const { storeId, history } = await storeWith(keys);
          const expected = [...keys].sort(utf8Order);
          const within = windowMs > 0 ? ` (or a part of them written within the window: ${windowMs} ms)` : '';
          await untilComplete(
            async () => {
              const sentAt = performance.now();
              const seen: string[] = [];
              for await (const item of kvs.client.client
                .keyValueStore(storeId)
                .listKeys({ limit: Math.max(keys.length, 1) * limit })) {
                seen.push(item.key);
                if (seen.length > keys.length) break;
              }
              const yielded = `apify-client's iteration yielded ${JSON.stringify(seen.slice(0, 40))}, expected ${JSON.stringify(expected)}${within}`;
              // Each way an iteration can go wrong on its own rule. A key met again after the last
              // one: the iterator started over, which it does when the last page's cursor is not
              // null (KVS-KEYS-005); a key twice otherwise, or one missing or never written, is the
              // walk's (KVS-KEYS-001); every key once in another order is the order's (KVS-KEYS-002).
              const firstRepeat = seen.findIndex((key, i) => seen.indexOf(key) < i);
              const restarted = firstRepeat > 0 && seen[firstRepeat] === seen[0];
              expectRule(
                !restarted,
                'KVS-KEYS-005',
                `${yielded}: after ${firstRepeat} key(s) it started over from the first, as apify-client does when the last page's nextExclusiveStartKey is not null`,
              );
              const judged = judgeListing(
                history,
                seen.map((key) => ({ key })),
                {},
                sentAt,
                performance.now(),
              );
              expectRule(
                firstRepeat < 0 && judged.missing.length === 0 && judged.unexpected.length === 0,
                'KVS-KEYS-001',
                `${yielded}${firstRepeat < 0 ? '' : `: ${JSON.stringify(seen[firstRepeat])} came twice`}${judged.missing.length > 0 ? `; missing ${JSON.stringify(judged.missing.slice(0, 10))}` : ''}${judged.unexpected.length > 0 ? `; never written ${JSON.stringify(judged.unexpected.slice(0, 10))}` : ''}`,
              );
              expectRule(
                seen.every((key, i) => i === 0 || utf8Order(seen[i - 1] ?? '', key) < 0),
                'KVS-KEYS-002',
                `${yielded}: no key twice, but not in UTF-8 binary order`,
              );
              return { complete: judged.complete };
            },
            'KVS-KEYS-001',
            "apify-client's iteration",
          );
        },
      ),
      { numRuns: Math.min(kvs.context.runs, 10) },
    );
  });
});
