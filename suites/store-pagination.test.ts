// KVS-PAGE: the store list, paged by offset and limit. Judgements are scoped to the stores this
// file creates: other clients' stores may come and go (another shard, other users of an account),
// so a walk whose total changes midway is retried rather than judged, the window walked follows the
// list's growth, and the order and completeness checks look at this run's stores only.
import fc from 'fast-check';
import { describe } from 'vitest';
import {
  acceptsLimitAboveMax,
  expectRule,
  useConformance,
  type Exchange,
  type StoreListPage,
  it,
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

/** The part of the list a walk covers, from the list's total when the walk starts. */
type Window = (total: number) => { readonly start: number; readonly end: number };

/**
 * Walks a window of the list, `limit` at a time, checking the page arithmetic of every page.
 * Undefined when the list's total changed during the walk (someone else created or deleted stores).
 * An ascending window is placed from the list's total, read first (one store); a descending one
 * starts at offset 0 whatever the total, so its first page tells the total.
 */
async function walkWindow(
  window: Window,
  requestedLimit: number | undefined,
  desc: boolean,
  unnamed = false,
): Promise<Walk | undefined> {
  // No limit sent: "1000 when none was requested".
  const limit = requestedLimit ?? maxLimit;
  const walk: Walk = { ids: [], exchanges: [] };
  let total: number | undefined;
  if (!desc) {
    const first = await page({ limit: 1, unnamed: unnamed ? 1 : undefined });
    total = first.page.total;
    walk.exchanges.push(first.exchange);
  }
  let bounds = total === undefined ? { start: 0, end: 1 } : window(total);
  for (let offset = bounds.start; offset < bounds.end; offset += limit) {
    const { page: current, exchange } = await page({
      offset,
      limit: requestedLimit,
      desc: desc ? 1 : undefined,
      unnamed: unnamed ? 1 : undefined,
    });
    walk.exchanges.push(exchange);
    const ex = [exchange];
    if (total === undefined) {
      total = current.total;
      bounds = window(total);
    }
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
  walk.ids.splice(bounds.end - bounds.start);
  return walk;
}

/** How many stores before ours a walk's window starts (other clients' or older ones). */
const SLACK = 3;

/**
 * Walks the newest part of the list, where `ours` (the stores this case judges, the newest of this
 * file) are: the last `ours.length` stores and a few before them ascending, the first ones
 * descending; other clients' stores created meanwhile are found by the whole walk below. `judge`
 * is the case's verdict on a walk: a walk it accepts is judged at once (one walk per case against a
 * quiet target). A walk it refuses is judged only once it holds still: its total never changed and
 * a second walk right after lists the same stores (a store of another client created and one
 * deleted between two pages leave the total as it was, not the pages). When a walk that held still
 * lacks some of `ours`, the whole list is walked once before that is judged: other clients may
 * have deleted older stores and moved ours out of the window. Undefined when the list never held
 * still for a walk: other clients kept changing it, nothing is judged.
 */
async function walkOurs(
  ours: readonly string[],
  limit: number | undefined,
  desc: boolean,
  judge: (walk: Walk) => boolean,
  unnamed = false,
): Promise<Walk | undefined> {
  let whole = false;
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const window: Window = (total) =>
      whole
        ? { start: 0, end: total }
        : desc
          ? { start: 0, end: Math.min(total, ours.length + SLACK) }
          : { start: Math.max(0, total - ours.length - SLACK), end: total };
    const walk = await walkWindow(window, limit, desc, unnamed);
    if (!walk) continue;
    const complete = ours.every((id) => walk.ids.includes(id));
    // A walk that lists every one of ours and passes the case's judgement needs no second walk:
    // other clients' changes could only have made a wrong list look right by chance.
    if (complete && judge(walk)) return walk;
    const again = await walkWindow(window, limit, desc, unnamed);
    if (!again || JSON.stringify(again.ids) !== JSON.stringify(walk.ids)) continue;
    if (whole || complete) return walk;
    whole = true;
  }
  return undefined;
}

/**
 * Why a test that walks the shared list judged nothing: every case gave up (walkOurs), so its
 * rules read "not checked", never pass or fail on other clients' doing.
 */
const UNJUDGED =
  'the store list kept changing under every walk (other clients on the target); nothing was judged';

/**
 * A pool of stores for one property's ordered walks, oldest first. The first case creates
 * `initial` stores (the most a case asks for and the walk's slack before them: from the first case
 * on, the window starts at an offset > 0, as it did when every case created its own stores on a
 * growing list); every case then creates one new store and gets it with the newest of the others
 * (created once, reused by later cases). Every case still has a store the list has not shown
 * before, and the list grows by one store a case (the offsets and short last pages vary), at two
 * requests a case (a create and its delete) instead of two per store.
 */
function storePool(initial: number): { newest(count: number): Promise<string[]> } {
  const stores: string[] = [];
  return {
    async newest(count) {
      const missing = stores.length === 0 ? Math.max(initial, count) : Math.max(1, count - stores.length);
      for (let i = 0; i < missing; i += 1) stores.push((await kvs.newStore('page')).id);
      return stores.slice(-count);
    },
  };
}

/** Whether `ids`, filtered to `ours`, lists each of ours once and in the order of `ours`. */
const inOrder = (ids: readonly string[], ours: readonly string[]): boolean =>
  JSON.stringify(ids.filter((id) => ours.includes(id))) === JSON.stringify(ours);

// One test at a time (unlike most suite files): every test here walks the one store list that the
// others add to.
describe('KVS-PAGE: store list pagination', () => {
  it('KVS-PAGE-001 KVS-PAGE-002 KVS-PAGE-003 KVS-PAGE-004 walking by offset yields each store once, in creation order, with consistent page arithmetic', async ({
    skip,
  }) => {
    let judged = 0;
    const most = 6;
    const pool = storePool(most + SLACK + 1);
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: most }),
        // Sometimes no limit at all, for the default of KVS-PAGE-003.
        fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined, freq: 4 }),
        async (count, limit) => {
          const created = await pool.newest(count);
          const walk = await walkOurs(created, limit, false, (w) => inOrder(w.ids, created));
          if (!walk) return;
          judged += 1;
          // Only this run's stores are judged: other clients' may come and go between pages.
          const ours = walk.ids.filter((id) => created.includes(id));
          expectRule(
            new Set(ours).size === ours.length,
            'KVS-PAGE-001',
            `the walk listed a store twice: ${JSON.stringify(walk.ids)}`,
            walk.exchanges,
          );
          expectRule(
            JSON.stringify(ours) === JSON.stringify(created),
            'KVS-PAGE-001',
            `the new stores came as ${JSON.stringify(ours)}; created in the order ${JSON.stringify(created)}`,
            walk.exchanges,
          );
        },
      ),
    );
    if (judged === 0) skip(UNJUDGED);
  });

  it('KVS-PAGE-005 desc=1 lists the same stores in exactly the reverse order', async ({ skip }) => {
    let judged = 0;
    const most = 5;
    const pool = storePool(most + SLACK + 1);
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: most }),
        fc.integer({ min: 1, max: 3 }),
        async (count, limit) => {
          const created = await pool.newest(count);
          const ascendingWalk = await walkOurs(created, limit, false, (w) => inOrder(w.ids, created));
          const reversed = JSON.stringify(
            [...(ascendingWalk?.ids ?? [])].filter((id) => created.includes(id)).reverse(),
          );
          const descending = await walkOurs(
            created,
            limit,
            true,
            (w) => JSON.stringify(w.ids.filter((id) => created.includes(id))) === reversed,
          );
          if (!ascendingWalk || !descending) return;
          judged += 1;
          // This run's stores, in both directions: other clients' stores created or deleted
          // between the two walks change the list, not the order of ours.
          const ascending = ascendingWalk.ids.filter((id) => created.includes(id));
          const ours = descending.ids.filter((id) => created.includes(id));
          expectRule(
            JSON.stringify(ours) === JSON.stringify([...ascending].reverse()),
            'KVS-PAGE-005',
            `desc listed ${JSON.stringify(ours)}; ascending was ${JSON.stringify(ascending)} (this run's stores, created as ${JSON.stringify(created)})`,
            descending.exchanges,
          );
        },
      ),
    );
    if (judged === 0) skip(UNJUDGED);
  });

  it('KVS-PAGE-006 unnamed stores are listed only with unnamed=1; named ones either way', async ({
    skip,
  }) => {
    let judged = 0;
    await fc.assert(
      fc.asyncProperty(fc.boolean(), async (namedFirst) => {
        const named = namedFirst ? await kvs.newStore('named') : undefined;
        const unnamed = await kvs.newUnnamedStore();
        const named2 = named ?? (await kvs.newStore('named'));
        const plain = await walkOurs([named2.id], 10, true, (w) => !w.ids.includes(unnamed.id));
        const all = await walkOurs([unnamed.id, named2.id], 10, true, () => true, true);
        if (!plain || !all) return;
        judged += 1;
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
    if (judged === 0) skip(UNJUDGED);
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
