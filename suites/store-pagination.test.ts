// KVS-PAGE: the store list, paged by offset and limit. Judgements are scoped to the stores this
// file creates: other stores on the target may come and go, so a walk whose total changes midway
// is retried rather than judged.
import fc from 'fast-check';
import { describe, it } from 'vitest';
import {
  acceptsLimitAboveMax,
  expectRule,
  useConformance,
  type Exchange,
  type StoreListPage,
} from '../harness/index.ts';

const kvs = await useConformance('page');
const { api, contract, settings } = kvs;
const maxLimit = contract.limits.storeListMaxLimit;

interface Walk {
  readonly ids: string[];
  readonly exchanges: Exchange[];
}

/** One store-list page through the checked API. */
async function page(
  query: Record<string, string | number | undefined>,
): Promise<{ page: StoreListPage; exchange: Exchange }> {
  const response = await api.call('keyValueStores_get', { query });
  return { page: response.json<{ data: StoreListPage }>().data, exchange: response.exchange };
}

/**
 * Walks the newest part of the list (the last `span` stores, ascending, or descending from the
 * newest), `limit` at a time, checking the page arithmetic of every page. Undefined when the
 * list's total changed during the walk (someone else created or deleted stores).
 */
async function walkNewest(
  span: number,
  requestedLimit: number | undefined,
  desc: boolean,
  unnamed = false,
): Promise<Walk | undefined> {
  // No limit sent: "1000 when none was requested".
  const limit = requestedLimit ?? maxLimit;
  const first = await page({ limit: 1, unnamed: unnamed ? 1 : undefined });
  const total = first.page.total;
  const start = desc ? 0 : Math.max(0, total - span);
  const end = desc ? Math.min(span, total) : total;
  const walk: Walk = { ids: [], exchanges: [first.exchange] };
  for (let offset = start; offset < end; offset += limit) {
    const { page: current, exchange } = await page({
      offset,
      limit: requestedLimit,
      desc: desc ? 1 : undefined,
      unnamed: unnamed ? 1 : undefined,
    });
    walk.exchanges.push(exchange);
    const ex = [exchange];
    if (current.total !== total) return undefined;
    expectRule(
      current.count === current.items.length && current.count <= current.limit,
      'KVS-PAGE-002',
      `offset ${offset}: count ${current.count}, ${current.items.length} items, limit ${current.limit}`,
      ex,
    );
    expectRule(
      current.limit === Math.min(limit, maxLimit),
      'KVS-PAGE-003',
      `offset ${offset}: limit is ${current.limit}, requested ${requestedLimit ?? 'none (default 1000)'}`,
      ex,
    );
    expectRule(
      current.offset === offset,
      'KVS-PAGE-004',
      `offset ${offset}: the page says offset ${current.offset}`,
      ex,
    );
    expectRule(
      current.total >= offset + current.count,
      'KVS-PAGE-004',
      `offset ${offset}: total ${current.total} < offset + count ${offset + current.count}`,
      ex,
    );
    expectRule(
      current.count === Math.min(limit, total - offset),
      'KVS-PAGE-001',
      `offset ${offset}: ${current.count} items where ${Math.min(limit, total - offset)} remain — a gap in the walk`,
      ex,
    );
    walk.ids.push(...current.items.map((store) => store.id));
  }
  walk.ids.splice(end - start);
  return walk;
}

/** Retries a walk until the list holds still for its duration. */
async function stableWalk(
  span: number,
  limit: number | undefined,
  desc: boolean,
  unnamed = false,
): Promise<Walk> {
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const walk = await walkNewest(span, limit, desc, unnamed);
    if (walk) return walk;
  }
  throw new Error('the store list kept changing during five walks; run against a quieter target');
}

const newStores = async (count: number): Promise<string[]> => {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 1) ids.push((await kvs.newStore('page')).id);
  return ids;
};

// One test at a time (unlike most suite files): every test here walks the one store list that the
// others add to.
describe('KVS-PAGE: store list pagination', () => {
  it('KVS-PAGE-001 KVS-PAGE-002 KVS-PAGE-003 KVS-PAGE-004 walking by offset yields each store once, in creation order, with consistent page arithmetic', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 6 }),
        // Sometimes no limit at all, for the default of KVS-PAGE-003.
        fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined, freq: 4 }),
        async (count, limit) => {
          const created = await newStores(count);
          const walk = await stableWalk(count + 3, limit, false);
          expectRule(
            new Set(walk.ids).size === walk.ids.length,
            'KVS-PAGE-001',
            `the walk listed a store twice: ${JSON.stringify(walk.ids)}`,
            walk.exchanges,
          );
          const ours = walk.ids.filter((id) => created.includes(id));
          expectRule(
            JSON.stringify(ours) === JSON.stringify(created),
            'KVS-PAGE-001',
            `the new stores came as ${JSON.stringify(ours)}; created in the order ${JSON.stringify(created)}`,
            walk.exchanges,
          );
        },
      ),
    );
  });

  it('KVS-PAGE-005 desc=1 lists the same stores in exactly the reverse order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 5 }),
        fc.integer({ min: 1, max: 3 }),
        async (count, limit) => {
          const created = await newStores(count);
          const ascending = (await stableWalk(count, limit, false)).ids;
          const descending = await stableWalk(count, limit, true);
          expectRule(
            JSON.stringify(descending.ids) === JSON.stringify([...ascending].reverse()),
            'KVS-PAGE-005',
            `desc listed ${JSON.stringify(descending.ids)}; ascending was ${JSON.stringify(ascending)} (new: ${JSON.stringify(created)})`,
            descending.exchanges,
          );
        },
      ),
    );
  });

  it('KVS-PAGE-006 unnamed stores are listed only with unnamed=1; named ones either way', async () => {
    await fc.assert(
      fc.asyncProperty(fc.boolean(), async (namedFirst) => {
        const named = namedFirst ? await kvs.newStore('named') : undefined;
        const unnamed = await kvs.newUnnamedStore();
        const named2 = named ?? (await kvs.newStore('named'));
        const plain = await stableWalk(4, 10, true);
        const all = await stableWalk(4, 10, true, true);
        expectRule(
          !plain.ids.includes(unnamed.id),
          'KVS-PAGE-006',
          `unnamed store ${unnamed.id} is listed without unnamed=1`,
          plain.exchanges,
        );
        expectRule(
          plain.ids.includes(named2.id),
          'KVS-PAGE-006',
          `named store ${named2.id} is missing without unnamed=1`,
          plain.exchanges,
        );
        expectRule(
          all.ids.includes(unnamed.id) && all.ids.includes(named2.id),
          'KVS-PAGE-006',
          `with unnamed=1 the list lacks ${all.ids.includes(unnamed.id) ? named2.id : unnamed.id}`,
          all.exchanges,
        );
      }),
      { numRuns: Math.min(kvs.context.runs, 10) },
    );
  });

  it(`KVS-PAGE-007 a limit above the maximum is handled as listLimitAboveMax says`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: maxLimit + 1, max: 1_000_000 }), async (limit) => {
        const response = await api.call('keyValueStores_get', { query: { limit } });
        const rule = settings.listLimitAboveMax;
        const answeredLimit =
          response.status === 200 ? response.json<{ data: StoreListPage }>().data.limit : undefined;
        expectRule(
          acceptsLimitAboveMax(settings, response.status, answeredLimit, maxLimit),
          'KVS-PAGE-007',
          `limit=${limit} answered ${response.status}; listLimitAboveMax is ${rule}`,
          [response.exchange],
        );
      }),
    );
  });

  it('KVS-PAGE-008 a negative or non-numeric offset or limit is refused with 400', async () => {
    const bad = fc.oneof(
      fc.integer({ min: -1_000_000, max: -1 }).map(String),
      fc.constantFrom('abc', '1e', 'NaN', 'true', '--1'),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('offset', 'limit'), bad, async (name, value) => {
        const response = await api.call('keyValueStores_get', { query: { [name]: value } });
        expectRule(
          response.status === 400,
          'KVS-PAGE-008',
          `${name}=${value} answered ${response.status}, expected 400`,
          [response.exchange],
        );
      }),
    );
  });
});
