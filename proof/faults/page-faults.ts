// Fault modes whose target rules are in KVS-PAGE (the store list, paged by offset and limit).
import { bare, errorAnswer, isStoreList, query, storeListPage } from './fault-helpers.ts';
import type { FaultMode } from './fault-mode.ts';

const requested = (path: string, name: string): number | undefined => {
  const value = query(path).get(name);
  return value === null ? undefined : Number(value);
};

/** PAGE faults. */
export const PAGE_FAULTS: readonly FaultMode[] = [
  {
    name: 'page-offset-off-by-one',
    targets: ['KVS-PAGE-001'],
    bug: 'the store list skips one store at every offset > 0',
    fault: () => (answer) =>
      (requested(answer.path, 'offset') ?? 0) > 0
        ? storeListPage(answer, (data) => ({
            ...data,
            items: data.items.slice(1),
            count: Math.max(0, data.count - 1),
          }))
        : answer,
  },
  {
    name: 'page-count-is-limit',
    targets: ['KVS-PAGE-002'],
    bug: 'count echoes the page size asked for, not the items sent (wrong only on a short last page)',
    narrow: true,
    fault: () => (answer) =>
      storeListPage(answer, (data) => ({ ...data, count: Math.max(data.count, data.limit) })),
  },
  {
    name: 'page-default-limit-100',
    targets: ['KVS-PAGE-003'],
    bug: 'without a limit the store list pages by 100, not the documented 1000 (only when no limit is sent)',
    narrow: true,
    fault: () => (answer) =>
      requested(answer.path, 'limit') === undefined
        ? storeListPage(answer, (data) => ({
            ...data,
            limit: 100,
            items: data.items.slice(0, 100),
            count: Math.min(data.count, 100),
          }))
        : answer,
  },
  {
    name: 'page-offset-rounded',
    targets: ['KVS-PAGE-004'],
    bug: 'the page echoes its offset rounded down to a multiple of the limit (page number × limit)',
    narrow: true,
    fault: () => (answer) => {
      const limit = requested(answer.path, 'limit') ?? 1000;
      return storeListPage(answer, (data) => ({ ...data, offset: data.offset - (data.offset % limit) }));
    },
  },
  {
    name: 'page-desc-ignored',
    targets: ['KVS-PAGE-005'],
    bug: 'desc=1 is ignored: the list always comes oldest first',
    fault: () => ({
      request: (request, forward) => {
        if (request.method !== 'GET' || !isStoreList(request.path)) return forward(request);
        const params = query(request.path);
        params.delete('desc');
        return forward({ ...request, path: `${bare(request.path)}?${params.toString()}` });
      },
    }),
  },
  {
    name: 'page-unnamed-always-listed',
    targets: ['KVS-PAGE-006'],
    bug: 'the unnamed filter is not applied: unnamed stores are listed without unnamed=1',
    fault: () => ({
      request: (request, forward) => {
        if (request.method !== 'GET' || !isStoreList(request.path)) return forward(request);
        const params = query(request.path);
        params.set('unnamed', '1');
        return forward({ ...request, path: `${bare(request.path)}?${params.toString()}` });
      },
    }),
  },
  {
    name: 'page-limit-not-clamped',
    targets: ['KVS-PAGE-007'],
    bug: 'the store list echoes a limit above 1000 instead of the maximum',
    fault: () => (answer) => {
      const limit = requested(answer.path, 'limit') ?? 0;
      return limit > 1000 ? storeListPage(answer, (data) => ({ ...data, limit })) : answer;
    },
  },
  {
    name: 'page-non-numeric-parsed',
    targets: ['KVS-PAGE-008'],
    bug: 'offset and limit go through parseInt: a non-numeric value becomes the default instead of a 400 (negatives are still refused)',
    narrow: true,
    fault: () => ({
      request: async (request, forward) => {
        if (request.method !== 'GET' || !isStoreList(request.path)) return forward(request);
        const params = query(request.path);
        for (const name of ['offset', 'limit']) {
          const value = params.get(name);
          if (value === null || /^-?\d+$/.test(value)) continue;
          const parsed = Number.parseInt(value, 10);
          if (Number.isNaN(parsed)) params.delete(name);
          else if (parsed < 0) return errorAnswer(400, 'invalid-parameter', request.method, request.path);
          else params.set(name, String(parsed));
        }
        return forward({ ...request, path: `${bare(request.path)}?${params.toString()}` });
      },
    }),
  },
];
