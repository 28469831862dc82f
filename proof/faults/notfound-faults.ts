// Fault modes whose target rules are in KVS-NOTFOUND (how a missing store or record is reported).
import type { ProxiedAnswer } from './fault-proxy.ts';
import {
  bare,
  errorAnswer,
  getOf,
  isKeys,
  isRecord,
  isRecordWrite,
  isStore,
  json,
  ok,
  recordKeyOf,
  storeSegment,
} from './fault-helpers.ts';
import type { FaultMode } from './fault-mode.ts';

const EMPTY_LISTING = {
  items: [],
  count: 0,
  limit: 1000,
  isTruncated: false,
  exclusiveStartKey: null,
  nextExclusiveStartKey: null,
};

const genericNotFound = (answer: ProxiedAnswer): ProxiedAnswer =>
  errorAnswer(404, 'page-not-found', answer.method, answer.path, 'Not found');

/** NOTFOUND faults. */
export const NOTFOUND_FAULTS: readonly FaultMode[] = [
  {
    name: 'notfound-record-generic-type',
    targets: ['KVS-NOTFOUND-001'],
    bug: 'GET of a missing record answers 404 with the generic type page-not-found (apify-client then throws)',
    // A generic type is a failure only where the two client not-found types are demanded.
    runFlags: ['--profile', 'apify'],
    fault: () => (answer) =>
      answer.method === 'GET' && isRecord(answer.path) && answer.status === 404
        ? genericNotFound(answer)
        : answer,
  },
  {
    name: 'notfound-dotted-key-generic-type',
    targets: ['KVS-NOTFOUND-001'],
    bug: 'a missing record whose key has a "." falls through to the static-file handler: 404 page-not-found',
    // A generic type is a failure only where the two client not-found types are demanded.
    runFlags: ['--profile', 'apify'],
    narrow: true,
    fault: () => (answer) =>
      answer.method === 'GET' &&
      isRecord(answer.path) &&
      answer.status === 404 &&
      recordKeyOf(answer.path).includes('.')
        ? genericNotFound(answer)
        : answer,
  },
  {
    name: 'notfound-missing-store-keys-empty',
    targets: ['KVS-NOTFOUND-002'],
    bug: 'the keys of a store that does not exist answer 200 with an empty listing',
    fault: () => (answer) =>
      answer.method === 'GET' && isKeys(answer.path) && answer.status === 404
        ? json(200, { data: EMPTY_LISTING }, answer.method, answer.path)
        : answer,
  },
  {
    name: 'notfound-head-missing-store-200',
    targets: ['KVS-NOTFOUND-003'],
    bug: 'HEAD of a record checks only the key index, not the store: in a missing store it answers 200',
    narrow: true,
    fault: () => ({
      request: async (request, forward) => {
        const answer = await forward(request);
        if (request.method !== 'HEAD' || !isRecord(request.path) || answer.status !== 404) return answer;
        const store = await forward(
          getOf(request, `/v2/key-value-stores/${encodeURIComponent(storeSegment(request.path))}`),
        );
        return store.status === 404 ? { ...answer, status: 200, headers: {}, body: Buffer.alloc(0) } : answer;
      },
    }),
  },
  {
    name: 'notfound-deleted-store-records-kept',
    targets: ['KVS-NOTFOUND-004'],
    bug: 'deleting a store marks it deleted but the record route does not check the mark: its records still read',
    fault: () => {
      const values = new Map<string, { body: Buffer; type: string }>();
      const deletedStores = new Set<string>();
      return {
        request: async (request, forward) => {
          const answer = await forward(request);
          if (isRecordWrite(request) && ok(answer))
            values.set(bare(request.path), {
              body: request.body,
              type: request.headers['content-type'] ?? 'application/octet-stream',
            });
          if (request.method === 'DELETE' && isStore(request.path) && answer.status === 204)
            deletedStores.add(storeSegment(request.path));
          const kept = values.get(bare(request.path));
          if (
            request.method === 'GET' &&
            isRecord(request.path) &&
            answer.status === 404 &&
            kept &&
            deletedStores.has(storeSegment(request.path))
          )
            return { ...answer, status: 200, headers: { 'content-type': kept.type }, body: kept.body };
          return answer;
        },
      };
    },
  },
  {
    name: 'notfound-missing-store-generic-type',
    targets: ['KVS-NOTFOUND-005'],
    bug: 'GET of a missing store answers 404 with type page-not-found: apify-client getStore throws instead of returning undefined',
    fault: () => (answer) =>
      answer.method === 'GET' && isStore(answer.path) && answer.status === 404
        ? genericNotFound(answer)
        : answer,
  },
  {
    name: 'notfound-null-is-deleted',
    targets: ['KVS-NOTFOUND-006'],
    bug: 'a stored JSON null is treated as a deleted record (404)',
    fault: () => (answer) =>
      isRecord(answer.path) && answer.method === 'GET' && ok(answer) && answer.body.toString() === 'null'
        ? errorAnswer(404, 'record-not-found', answer.method, answer.path, 'Record was not found')
        : answer,
  },
  {
    name: 'notfound-delete-missing-generic-type',
    targets: ['KVS-NOTFOUND-007'],
    bug: 'DELETE of a missing key answers 404 with type page-not-found',
    // A generic type is a failure only where the two client not-found types are demanded.
    runFlags: ['--profile', 'apify'],
    fault: () => ({
      request: async (request, forward) => {
        if (request.method !== 'DELETE' || !isRecord(request.path)) return forward(request);
        const existed = (await forward({ ...request, method: 'HEAD' })).status === 200;
        const answer = await forward(request);
        return !existed && (answer.status === 204 || answer.status === 404)
          ? genericNotFound(answer)
          : answer;
      },
    }),
  },
];
