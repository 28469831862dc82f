// Sequence faults: server bugs that show only after a history of operations (at least three
// commands: a write, a change, then the read that tells). Each is correct on every single-step
// scenario; the stateful suite (suites/stateful.test.ts) must find the sequence that shows it.
import { unzipSync, zipSync } from 'fflate';
import {
  getOf,
  isKeys,
  isRecord,
  isRecords,
  isRecordWrite,
  isStore,
  isStoreList,
  keysPage,
  ok,
  query,
  recordKeyOf,
  storeListPage,
  storeSegment,
  type ListData,
} from './fault-helpers.ts';
import type { ProxiedAnswer, ProxiedRequest } from './fault-proxy.ts';
import type { FaultMode } from './fault-mode.ts';

type Forward = (request: ProxiedRequest) => Promise<ProxiedAnswer>;

const storePath = (store: string): string => `/v2/key-value-stores/${encodeURIComponent(store)}`;
const recordPath = (store: string, key: string): string =>
  `${storePath(store)}/records/${encodeURIComponent(key)}`;
const slot = (store: string, key: string): string => `${store}\n${key}`;
const dataOf = <T>(answer: ProxiedAnswer): T =>
  (JSON.parse(answer.body.toString('utf8')) as { data: T }).data;

/** The keys a store holds now (one page of up to 1000). */
async function keysOf(request: ProxiedRequest, forward: Forward, store: string): Promise<string[]> {
  const answer = await forward(getOf(request, `${storePath(store)}/keys?limit=1000`));
  return ok(answer) ? dataOf<{ items: { key: string }[] }>(answer).items.map((item) => item.key) : [];
}

/** A record as it is now (undefined when missing). */
async function recordOf(
  request: ProxiedRequest,
  forward: Forward,
  store: string,
  key: string,
): Promise<{ body: Buffer; contentType: string } | undefined> {
  const answer = await forward(getOf(request, recordPath(store, key)));
  return answer.status === 200
    ? { body: answer.body, contentType: answer.headers['content-type'] ?? 'application/octet-stream' }
    : undefined;
}

/** A write of `body` under `key` with the credentials of `request`. */
const putOf = (request: ProxiedRequest, store: string, key: string, body: Buffer, contentType: string) => ({
  ...request,
  method: 'PUT',
  path: recordPath(store, key),
  headers: { ...request.headers, 'content-type': contentType },
  body,
});

/** The id a successful create answered. */
const createdId = (answer: ProxiedAnswer): string | undefined =>
  answer.method === 'POST' && isStoreList(answer.path) && ok(answer)
    ? dataOf<{ id: string }>(answer).id
    : undefined;

/** STATE faults: each needs a sequence of at least three commands to show. */
export const STATE_FAULTS: readonly FaultMode[] = [
  {
    name: 'state-rename-drops-records',
    targets: ['KVS-STATE-002', 'KVS-RECORD-010', 'KVS-RECORD-011', 'KVS-KEYS-001', 'KVS-KEYS-007'],
    bug: 'renaming a store moves it to a new storage folder and forgets to move its records (put, rename, get)',
    narrow: true,
    fault: () => ({
      request: async (request, forward) => {
        const answer = await forward(request);
        if (request.method === 'PUT' && isStore(request.path) && ok(answer)) {
          const store = dataOf<{ id: string }>(answer).id;
          for (const key of await keysOf(request, forward, store))
            await forward({ ...getOf(request, recordPath(store, key)), method: 'DELETE' });
        }
        return answer;
      },
    }),
  },
  {
    name: 'state-recreated-name-inherits-records',
    targets: ['KVS-STATE-002', 'KVS-NOTFOUND-003', 'KVS-RECORD-011'],
    bug: 'records live in a folder named after the store name and survive the store: a store re-created under a deleted name starts with the old records (put, delete store, create same name, get)',
    narrow: true,
    fault: () => {
      const orphans = new Map<string, { key: string; body: Buffer; contentType: string }[]>();
      return {
        request: async (request, forward) => {
          if (request.method === 'DELETE' && isStore(request.path)) {
            const store = storeSegment(request.path);
            const found = await forward(getOf(request, storePath(store)));
            const name = ok(found) ? dataOf<{ name?: string | null }>(found).name : undefined;
            if (name) {
              const records = [];
              for (const key of await keysOf(request, forward, store)) {
                const record = await recordOf(request, forward, store, key);
                if (record) records.push({ key, ...record });
              }
              orphans.set(name, records);
            }
            return forward(request);
          }
          const answer = await forward(request);
          const name = query(request.path).get('name');
          const id = createdId(answer);
          if (id !== undefined && answer.status === 201 && name !== null) {
            for (const record of orphans.get(name) ?? [])
              await forward(putOf(request, id, record.key, record.body, record.contentType));
            orphans.delete(name);
          }
          return answer;
        },
      };
    },
  },
  {
    name: 'state-delete-record-every-store',
    targets: ['KVS-STATE-002', 'KVS-RECORD-010', 'KVS-RECORD-011', 'KVS-KEYS-001', 'KVS-KEYS-007'],
    bug: 'deleting a record deletes the key from a key index shared by all stores, so the same key vanishes from every other store (put in two stores, delete in one, get in the other)',
    narrow: true,
    fault: () => {
      const stores = new Set<string>();
      return {
        request: async (request, forward) => {
          const answer = await forward(request);
          const id = createdId(answer);
          if (id !== undefined) stores.add(id);
          if (request.method === 'DELETE' && isRecord(request.path) && ok(answer)) {
            const own = storeSegment(request.path);
            const key = recordKeyOf(request.path);
            for (const store of stores)
              if (store !== own)
                await forward({ ...getOf(request, recordPath(store, key)), method: 'DELETE' });
          }
          return answer;
        },
      };
    },
  },
  {
    name: 'state-listing-size-of-first-write',
    targets: ['KVS-KEYS-008'],
    bug: 'the key index records a size when a key is created and never updates it on overwrites (put, put another size, list)',
    narrow: true,
    fault: () => {
      const sizes = new Map<string, number>();
      return {
        request: async (request, forward) => {
          const answer = await forward(request);
          const store = storeSegment(request.path);
          if (isRecordWrite(request) && ok(answer) && !sizes.has(slot(store, recordKeyOf(request.path))))
            sizes.set(slot(store, recordKeyOf(request.path)), request.body.length);
          if (request.method === 'DELETE' && isRecord(request.path) && ok(answer))
            sizes.delete(slot(store, recordKeyOf(request.path)));
          return keysPage(answer, (data) => ({
            ...data,
            items: data.items.map((item) => ({
              ...item,
              size: sizes.get(slot(store, item.key)) ?? item.size,
            })),
          }));
        },
      };
    },
  },
  {
    name: 'state-overwrite-keeps-content-type',
    targets: ['KVS-RECORD-001', 'KVS-RECORD-003'],
    bug: "an overwrite replaces the bytes but keeps the first write's Content-Type (put as one type, put as another, get)",
    narrow: true,
    fault: () => ({
      request: async (request, forward) => {
        if (!isRecordWrite(request)) return forward(request);
        const old = await recordOf(request, forward, storeSegment(request.path), recordKeyOf(request.path));
        return forward(
          old ? { ...request, headers: { ...request.headers, 'content-type': old.contentType } } : request,
        );
      },
    }),
  },
  {
    name: 'state-unnamed-stores-share-records',
    targets: [
      'KVS-STATE-002',
      'KVS-NOTFOUND-002',
      'KVS-NOTFOUND-003',
      'KVS-NOTFOUND-004',
      'KVS-RECORD-002',
      'KVS-RECORD-011',
    ],
    bug: 'records of unnamed stores are kept under one "default" folder, so every unnamed store sees the records of the others (create unnamed, put, get in another unnamed store)',
    narrow: true,
    fault: () => {
      const unnamed: string[] = [];
      return {
        request: async (request, forward) => {
          const store = storeSegment(request.path);
          const first = unnamed[0];
          const shared =
            first !== undefined &&
            unnamed.includes(store) &&
            (isRecord(request.path) || isKeys(request.path) || isRecords(request.path));
          const path = shared
            ? request.path.replace(`/key-value-stores/${store}/`, `/key-value-stores/${first}/`)
            : request.path;
          const answer = await forward({ ...request, path });
          const id = createdId(answer);
          if (id !== undefined && !query(request.path).has('name')) unnamed.push(id);
          // The answer names the store asked for (its Location too), as the storage layer would.
          const location = answer.headers.location;
          return {
            ...answer,
            path: request.path,
            headers: {
              ...answer.headers,
              ...(location && shared
                ? { location: location.replace(`/key-value-stores/${first}/`, `/key-value-stores/${store}/`) }
                : {}),
            },
          };
        },
      };
    },
  },
  {
    name: 'state-listing-cache-ignores-deletes',
    targets: ['KVS-RECORD-009'],
    bug: 'key listings are cached per query and the cache is cleared on writes but not on record deletes (put, list, delete, list again)',
    narrow: true,
    // Four commands in a particular order and nothing in between that hides it: rarer than 1 in 25 sequences.
    runFlags: ['--runs', '100'],
    fault: () => {
      const cache = new Map<string, ProxiedAnswer>();
      return {
        request: async (request, forward) => {
          const store = storeSegment(request.path);
          if (request.method === 'GET' && isKeys(request.path)) {
            const cached = cache.get(request.path);
            if (cached) return cached;
            const answer = await forward(request);
            if (ok(answer)) cache.set(request.path, answer);
            return answer;
          }
          const answer = await forward(request);
          if (
            (isRecordWrite(request) || (request.method === 'DELETE' && isStore(request.path))) &&
            ok(answer)
          )
            for (const path of cache.keys()) if (storeSegment(path) === store) cache.delete(path);
          return answer;
        },
      };
    },
  },
  {
    name: 'state-rewrite-after-delete-ignored',
    targets: ['KVS-STATE-002', 'KVS-RECORD-010', 'KVS-RECORD-011', 'KVS-KEYS-001', 'KVS-KEYS-007'],
    bug: 'a deleted record leaves a tombstone that outlives a later write of the same key: the write is acknowledged, then the tombstone wins and the key reads as deleted (put, delete, put again, get)',
    narrow: true,
    fault: () => {
      const tombstones = new Set<string>();
      return {
        request: async (request, forward) => {
          const here = slot(storeSegment(request.path), recordKeyOf(request.path));
          const existed =
            request.method === 'DELETE' &&
            isRecord(request.path) &&
            (await recordOf(request, forward, storeSegment(request.path), recordKeyOf(request.path))) !==
              undefined;
          const answer = await forward(request);
          if (existed && answer.status === 204) tombstones.add(here);
          if (isRecordWrite(request) && ok(answer) && tombstones.has(here))
            await forward({ ...getOf(request, request.path), method: 'DELETE' });
          return answer;
        },
      };
    },
  },
  {
    name: 'state-zip-first-bytes',
    targets: ['KVS-RECORD-011'],
    bug: "the zip download is built from an archive cache that keeps each key's first value (put, overwrite, download)",
    narrow: true,
    fault: () => {
      const first = new Map<string, Buffer>();
      return {
        request: async (request, forward) => {
          const store = storeSegment(request.path);
          const answer = await forward(request);
          if (isRecordWrite(request) && ok(answer) && !first.has(slot(store, recordKeyOf(request.path))))
            first.set(slot(store, recordKeyOf(request.path)), request.body);
          if (request.method === 'DELETE' && isRecord(request.path) && ok(answer))
            first.delete(slot(store, recordKeyOf(request.path)));
          if (!(request.method === 'GET' && isRecords(request.path) && ok(answer))) return answer;
          const entries = unzipSync(new Uint8Array(answer.body));
          const edited = Object.fromEntries(
            Object.entries(entries).map(([key, bytes]) => [
              key,
              new Uint8Array(first.get(slot(store, key)) ?? bytes),
            ]),
          );
          return { ...answer, body: Buffer.from(zipSync(edited)) };
        },
      };
    },
  },
  {
    name: 'state-overwrite-truncated',
    targets: ['KVS-RECORD-003', 'KVS-KEYS-008', 'KVS-RECORD-011'],
    bug: "an overwrite is written in place into the old value's slot: a longer value is cut to the old length (put, put longer, get)",
    narrow: true,
    fault: () => ({
      request: async (request, forward) => {
        if (!isRecordWrite(request)) return forward(request);
        const old = await recordOf(request, forward, storeSegment(request.path), recordKeyOf(request.path));
        return forward(
          old && request.body.length > old.body.length
            ? { ...request, body: request.body.subarray(0, old.body.length) }
            : request,
        );
      },
    }),
  },
  {
    name: 'state-deleted-store-with-records-listed',
    targets: ['KVS-STATE-001'],
    bug: 'deleting a store that holds records only marks it (soft delete) and the store list does not filter the mark (put, delete store, list stores)',
    narrow: true,
    fault: () => {
      const withRecords = new Set<string>();
      const ghosts: { id: string; name?: string | null }[] = [];
      return {
        request: async (request, forward) => {
          const store = storeSegment(request.path);
          if (request.method === 'DELETE' && isStore(request.path) && withRecords.has(store)) {
            const found = await forward(getOf(request, storePath(store)));
            const answer = await forward(request);
            if (ok(answer) && ok(found)) ghosts.push(dataOf<{ id: string; name?: string | null }>(found));
            return answer;
          }
          const answer = await forward(request);
          if (isRecordWrite(request) && ok(answer)) withRecords.add(store);
          const unnamed = query(request.path).get('unnamed');
          const shown = ghosts.filter((ghost) => ghost.name || unnamed === '1' || unnamed === 'true');
          return shown.length === 0
            ? answer
            : storeListPage(answer, (data: ListData) => {
                const items = [...data.items, ...shown].slice(0, data.limit);
                return { ...data, items, count: items.length, total: data.total + shown.length };
              });
        },
      };
    },
  },
  {
    name: 'state-head-existence-cache',
    targets: ['KVS-NOTFOUND-003'],
    bug: 'HEAD answers from an existence cache filled by writes and never cleared by deletes (put, delete, head)',
    narrow: true,
    fault: () => {
      const written = new Set<string>();
      return {
        request: async (request, forward) => {
          const here = slot(storeSegment(request.path), recordKeyOf(request.path));
          if (request.method === 'HEAD' && isRecord(request.path) && written.has(here))
            return { method: 'HEAD', path: request.path, status: 200, headers: {}, body: Buffer.alloc(0) };
          const answer = await forward(request);
          if (isRecordWrite(request) && ok(answer)) written.add(here);
          return answer;
        },
      };
    },
  },
  {
    name: 'state-old-name-still-resolves',
    targets: ['KVS-NAME-009'],
    bug: 'a rename keeps the old name as an alias, so ~old still finds the store (create named, rename, get by the old name)',
    narrow: true,
    // Four commands in a particular order and nothing in between that hides it: rarer than 1 in 25 sequences.
    runFlags: ['--runs', '100'],
    fault: () => {
      const aliases = new Map<string, string>();
      return {
        request: async (request, forward) => {
          if (request.method === 'PUT' && isStore(request.path)) {
            const store = storeSegment(request.path);
            const before = await forward(getOf(request, storePath(store)));
            const answer = await forward(request);
            const old = ok(before) ? dataOf<{ id: string; name?: string | null }>(before) : undefined;
            if (ok(answer) && old?.name && dataOf<{ name?: string | null }>(answer).name !== old.name)
              aliases.set(old.name, old.id);
            return answer;
          }
          const answer = await forward(request);
          const segment = isStore(request.path) ? storeSegment(request.path) : '';
          const alias = segment.startsWith('~') ? aliases.get(segment.slice(1)) : undefined;
          if (request.method === 'GET' && answer.status === 404 && alias !== undefined) {
            const found = await forward(getOf(request, storePath(alias)));
            return ok(found) ? { ...found, path: request.path } : answer;
          }
          return answer;
        },
      };
    },
  },
];
