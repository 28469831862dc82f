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
  keysPage,
  ok,
  query,
  recordKeyOf,
  storeListPage,
  storeSegment,
  type ListData,
} from './fault-helpers.ts';
import type { ProxiedAnswer } from './fault-proxy.ts';
import type { FaultMode } from './fault-mode.ts';
import {
  createdId,
  dataOf,
  deleteOf,
  deletedRecord,
  firstWrites,
  keysOf,
  overwriteRewrite,
  putOf,
  recordOf,
  recordPath,
  remembering,
  slotOf,
  storePath,
  wroteRecord,
  type HeldRecord,
} from './sequence-helpers.ts';

/** STATE faults: each needs a sequence of at least three commands to show. */
export const STATE_FAULTS: readonly FaultMode[] = [
  {
    name: 'state-rename-drops-records',
    targets: [
      'KVS-STATE-002',
      'KVS-CONS-001',
      'KVS-RECORD-010',
      'KVS-RECORD-011',
      'KVS-KEYS-001',
      'KVS-KEYS-007',
    ],
    bug: 'renaming a store moves it to a new storage folder and forgets to move its records (put, rename, get)',
    narrow: true,
    fault: () => ({
      request: async (request, forward) => {
        const answer = await forward(request);
        if (request.method === 'PUT' && isStore(request.path) && ok(answer)) {
          const store = dataOf<{ id: string }>(answer).id;
          for (const key of await keysOf(request, forward, store))
            await forward(deleteOf(request, recordPath(store, key)));
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
    fault: remembering(
      () => new Map<string, (HeldRecord & { key: string })[]>(),
      (orphans) => async (request, forward) => {
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
    ),
  },
  {
    name: 'state-delete-record-every-store',
    targets: [
      'KVS-STATE-002',
      'KVS-CONS-001',
      'KVS-RECORD-010',
      'KVS-RECORD-011',
      'KVS-KEYS-001',
      'KVS-KEYS-007',
    ],
    bug: 'deleting a record deletes the key from a key index shared by all stores, so the same key vanishes from every other store (put in two stores, delete in one, get in the other)',
    narrow: true,
    fault: remembering(
      () => new Set<string>(),
      (stores) => async (request, forward) => {
        const answer = await forward(request);
        const id = createdId(answer);
        if (id !== undefined) stores.add(id);
        if (deletedRecord(request, answer)) {
          const own = storeSegment(request.path);
          const key = recordKeyOf(request.path);
          for (const store of stores)
            if (store !== own) await forward(deleteOf(request, recordPath(store, key)));
        }
        return answer;
      },
    ),
  },
  {
    name: 'state-listing-size-of-first-write',
    targets: ['KVS-KEYS-008'],
    bug: 'the key index records a size when a key is created and never updates it on overwrites (put, put another size, list)',
    narrow: true,
    fault: remembering(firstWrites, (first) => async (request, forward) => {
      const answer = await forward(request);
      first.note(request, answer);
      const store = storeSegment(request.path);
      return keysPage(answer, (data) => ({
        ...data,
        items: data.items.map((item) => ({ ...item, size: first.get(store, item.key)?.length ?? item.size })),
      }));
    }),
  },
  {
    name: 'state-overwrite-keeps-content-type',
    targets: ['KVS-RECORD-001', 'KVS-RECORD-003'],
    bug: "an overwrite replaces the bytes but keeps the first write's Content-Type (put as one type, put as another, get)",
    narrow: true,
    fault: overwriteRewrite((request, old) => ({
      ...request,
      headers: { ...request.headers, 'content-type': old.contentType },
    })),
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
    fault: remembering(
      (): string[] => [],
      (unnamed) => async (request, forward) => {
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
    ),
  },
  {
    name: 'state-listing-cache-ignores-deletes',
    targets: ['KVS-RECORD-009'],
    bug: 'key listings are cached per query and the cache is cleared on writes but not on record deletes (put, list, delete, list again)',
    narrow: true,
    // Four commands in a particular order and nothing in between that hides it: rarer than 1 in 25 sequences.
    runFlags: ['--runs', '100'],
    fault: remembering(
      () => new Map<string, ProxiedAnswer>(),
      (cache) => async (request, forward) => {
        const store = storeSegment(request.path);
        if (request.method === 'GET' && isKeys(request.path)) {
          const cached = cache.get(request.path);
          if (cached) return cached;
          const answer = await forward(request);
          if (ok(answer)) cache.set(request.path, answer);
          return answer;
        }
        const answer = await forward(request);
        if ((isRecordWrite(request) || (request.method === 'DELETE' && isStore(request.path))) && ok(answer))
          for (const path of cache.keys()) if (storeSegment(path) === store) cache.delete(path);
        return answer;
      },
    ),
  },
  {
    name: 'state-rewrite-after-delete-ignored',
    targets: ['KVS-STATE-002', 'KVS-RECORD-010', 'KVS-RECORD-011', 'KVS-KEYS-001', 'KVS-KEYS-007'],
    bug: 'a deleted record leaves a tombstone that outlives a later write of the same key: the write is acknowledged, then the tombstone wins and the key reads as deleted (put, delete, put again, get)',
    narrow: true,
    fault: remembering(
      () => new Set<string>(),
      (tombstones) => async (request, forward) => {
        const here = slotOf(request.path);
        const existed =
          request.method === 'DELETE' &&
          isRecord(request.path) &&
          (await recordOf(request, forward, storeSegment(request.path), recordKeyOf(request.path))) !==
            undefined;
        const answer = await forward(request);
        if (existed && answer.status === 204) tombstones.add(here);
        if (wroteRecord(request, answer) && tombstones.has(here))
          await forward(deleteOf(request, request.path));
        return answer;
      },
    ),
  },
  {
    name: 'state-zip-first-bytes',
    targets: ['KVS-RECORD-011'],
    bug: "the zip download is built from an archive cache that keeps each key's first value (put, overwrite, download)",
    narrow: true,
    fault: remembering(firstWrites, (first) => async (request, forward) => {
      const answer = await forward(request);
      first.note(request, answer);
      if (!(request.method === 'GET' && isRecords(request.path) && ok(answer))) return answer;
      const store = storeSegment(request.path);
      const entries = unzipSync(new Uint8Array(answer.body));
      const edited = Object.fromEntries(
        Object.entries(entries).map(([key, bytes]) => [key, new Uint8Array(first.get(store, key) ?? bytes)]),
      );
      return { ...answer, body: Buffer.from(zipSync(edited)) };
    }),
  },
  {
    name: 'state-overwrite-truncated',
    targets: ['KVS-RECORD-003', 'KVS-KEYS-008', 'KVS-RECORD-011'],
    bug: "an overwrite is written in place into the old value's slot: a longer value is cut to the old length (put, put longer, get)",
    narrow: true,
    fault: overwriteRewrite((request, old) =>
      request.body.length > old.body.length
        ? { ...request, body: request.body.subarray(0, old.body.length) }
        : request,
    ),
  },
  {
    name: 'state-deleted-store-with-records-listed',
    targets: ['KVS-STATE-001'],
    bug: 'deleting a store that holds records only marks it (soft delete) and the store list does not filter the mark (put, delete store, list stores)',
    narrow: true,
    fault: remembering(
      () => ({ withRecords: new Set<string>(), ghosts: [] as { id: string; name?: string | null }[] }),
      ({ withRecords, ghosts }) =>
        async (request, forward) => {
          const store = storeSegment(request.path);
          if (request.method === 'DELETE' && isStore(request.path) && withRecords.has(store)) {
            const found = await forward(getOf(request, storePath(store)));
            const answer = await forward(request);
            if (ok(answer) && ok(found)) ghosts.push(dataOf<{ id: string; name?: string | null }>(found));
            return answer;
          }
          const answer = await forward(request);
          if (wroteRecord(request, answer)) withRecords.add(store);
          const unnamed = query(request.path).get('unnamed');
          const shown = ghosts.filter((ghost) => ghost.name || unnamed === '1' || unnamed === 'true');
          return shown.length === 0
            ? answer
            : storeListPage(answer, (data: ListData) => {
                const items = [...data.items, ...shown].slice(0, data.limit);
                return { ...data, items, count: items.length, total: data.total + shown.length };
              });
        },
    ),
  },
  {
    name: 'state-head-existence-cache',
    targets: ['KVS-NOTFOUND-003'],
    bug: 'HEAD answers from an existence cache filled by writes and never cleared by deletes (put, delete, head)',
    narrow: true,
    fault: remembering(
      () => new Set<string>(),
      (written) => async (request, forward) => {
        const here = slotOf(request.path);
        if (request.method === 'HEAD' && isRecord(request.path) && written.has(here))
          return { method: 'HEAD', path: request.path, status: 200, headers: {}, body: Buffer.alloc(0) };
        const answer = await forward(request);
        if (wroteRecord(request, answer)) written.add(here);
        return answer;
      },
    ),
  },
  {
    name: 'state-old-name-still-resolves',
    targets: ['KVS-NAME-009'],
    bug: 'a rename keeps the old name as an alias, so ~old still finds the store (create named, rename, get by the old name)',
    narrow: true,
    // Four commands in a particular order and nothing in between that hides it: rarer than 1 in 25 sequences.
    runFlags: ['--runs', '100'],
    fault: remembering(
      () => new Map<string, string>(),
      (aliases) => async (request, forward) => {
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
    ),
  },
];
