// Fault modes whose target rules are in KVS-NAME (store names and get-or-create by name).
import { setTimeout as sleep } from 'node:timers/promises';
import { editJson, type ProxiedAnswer } from './fault-proxy.ts';
import { getOf, isKeys, isStore, isStoreList, ok, query, storeSegment } from './fault-helpers.ts';
import type { FaultMode } from './fault-mode.ts';

const storeOf = (answer: ProxiedAnswer): { id: string; name?: string | null } =>
  (JSON.parse(answer.body.toString()) as { data: { id: string; name?: string | null } }).data;

/** NAME faults. */
export const NAME_FAULTS: readonly FaultMode[] = [
  {
    name: 'name-new-answers-200',
    targets: ['KVS-NAME-001'],
    bug: 'get-or-create of a name not yet taken answers 200 (the "found" branch status) although it created the store',
    fault: () => (answer) =>
      answer.method === 'POST' &&
      isStoreList(answer.path) &&
      query(answer.path).has('name') &&
      answer.status === 201
        ? { ...answer, status: 200 }
        : answer,
  },
  {
    name: 'name-existing-answers-201',
    targets: ['KVS-NAME-002'],
    bug: 'get-or-create of a taken name answers 201 as if it had created the store',
    fault: () => (answer) =>
      answer.method === 'POST' &&
      isStoreList(answer.path) &&
      query(answer.path).has('name') &&
      answer.status === 200
        ? {
            ...answer,
            status: 201,
            headers: {
              ...answer.headers,
              location: `http://127.0.0.1/v2/key-value-stores/${storeOf(answer).id}`,
            },
          }
        : answer,
  },
  {
    name: 'name-create-race',
    targets: ['KVS-NAME-003'],
    bug: 'get-or-create checks then creates without a lock: concurrent calls make duplicates (only under concurrency)',
    fault: () => ({
      request: async (request, forward) => {
        const name = query(request.path).get('name');
        if (request.method !== 'POST' || !isStoreList(request.path) || name === null) return forward(request);
        const existing = await forward(getOf(request, `/v2/key-value-stores/~${name}`));
        if (existing.status === 200) return { ...existing, method: 'POST', path: request.path };
        await sleep(15);
        const created = await forward({ ...request, path: '/v2/key-value-stores', body: Buffer.alloc(0) });
        const { id } = storeOf(created);
        const renamed = await forward({
          ...request,
          method: 'PUT',
          path: `/v2/key-value-stores/${id}`,
          headers: { ...request.headers, 'content-type': 'application/json' },
          body: Buffer.from(JSON.stringify({ name })),
        });
        return {
          ...(renamed.status === 200 ? renamed : created),
          method: 'POST',
          path: request.path,
          status: 201,
          headers: { ...created.headers },
        };
      },
    }),
  },
  {
    name: 'name-unnamed-empty-name',
    targets: ['KVS-NAME-004'],
    bug: 'a store created without a name gets the name "" instead of none',
    fault: () => (answer) =>
      answer.method === 'POST' && isStoreList(answer.path) && !query(answer.path).has('name') && ok(answer)
        ? editJson(answer, (body) => ({ data: { ...(body.data as object), name: '' } }))
        : answer,
  },
  {
    name: 'name-deleted-name-revived',
    targets: ['KVS-NAME-005'],
    bug: 'deleting a store leaves its name in a lookup cache: get-or-create of that name answers the deleted store',
    fault: () => {
      const deleted = new Map<string, ProxiedAnswer>();
      return {
        request: async (request, forward) => {
          const name = query(request.path).get('name');
          if (request.method === 'POST' && isStoreList(request.path) && name !== null) {
            const cached = deleted.get(name);
            if (cached) return { ...cached, method: 'POST', path: request.path, status: 200 };
            return forward(request);
          }
          if (request.method === 'DELETE' && isStore(request.path)) {
            const before = await forward(getOf(request, request.path));
            const answer = await forward(request);
            const store = before.status === 200 ? storeOf(before) : undefined;
            if (answer.status === 204 && store?.name) deleted.set(store.name, before);
            return answer;
          }
          return forward(request);
        },
      };
    },
  },
  {
    name: 'name-underscore-accepted',
    targets: ['KVS-NAME-006'],
    bug: 'the name check allows the URL-unreserved characters: names with "_", "." or "~" are created and renamed to',
    narrow: true,
    fault: () => ({
      request: async (request, forward) => {
        const name = query(request.path).get('name');
        if (request.method === 'POST' && isStoreList(request.path) && /[_.~]/.test(name ?? '')) {
          const created = await forward({ ...request, path: '/v2/key-value-stores' });
          if (created.status !== 201) return created;
          return editJson({ ...created, path: request.path }, (body) => ({
            data: { ...(body.data as object), name },
          }));
        }
        if (request.method === 'PUT' && isStore(request.path)) {
          const body = JSON.parse(request.body.toString() || '{}') as { name?: string };
          if (/[_.~]/.test(body.name ?? '')) {
            const read = await forward(getOf(request, request.path));
            return read.status === 200
              ? editJson({ ...read, method: 'PUT' }, (data) => ({
                  data: { ...(data.data as object), name: body.name },
                }))
              : read;
          }
        }
        return forward(request);
      },
    }),
  },
  {
    name: 'name-rename-conflict-ignored',
    targets: ['KVS-NAME-007'],
    bug: 'renaming to a taken name answers 200 (the conflict is swallowed)',
    fault: () => ({
      request: async (request, forward) => {
        const answer = await forward(request);
        if (
          request.method !== 'PUT' ||
          !isStore(request.path) ||
          answer.status !== 400 ||
          !answer.body.toString().includes('already taken')
        )
          return answer;
        return { ...(await forward({ ...request, method: 'GET', body: Buffer.alloc(0) })), method: 'PUT' };
      },
    }),
  },
  {
    name: 'name-tilde-keys-empty',
    targets: ['KVS-NAME-008'],
    bug: 'the keys route resolves ~name in the wrong namespace and lists an empty store',
    fault: () => (answer) =>
      answer.method === 'GET' &&
      isKeys(answer.path) &&
      storeSegment(answer.path).startsWith('~') &&
      ok(answer)
        ? editJson(answer, (body) => ({
            data: {
              ...(body.data as object),
              items: [],
              count: 0,
              isTruncated: false,
              nextExclusiveStartKey: null,
            },
          }))
        : answer,
  },
  {
    name: 'name-old-alias-kept',
    targets: ['KVS-NAME-009'],
    bug: 'a rename adds the new name but keeps the old one as an alias: the old ~name still resolves',
    fault: () => {
      const aliases = new Map<string, string>();
      return {
        request: async (request, forward) => {
          const segment = storeSegment(request.path);
          if (request.method === 'PUT' && isStore(request.path)) {
            const before = await forward(getOf(request, request.path));
            const answer = await forward(request);
            const old = before.status === 200 ? storeOf(before) : undefined;
            const renamed = (JSON.parse(request.body.toString() || '{}') as { name?: string }).name;
            if (answer.status === 200 && old?.name && renamed && renamed !== old.name)
              aliases.set(old.name, old.id);
            return answer;
          }
          const id = segment.startsWith('~') ? aliases.get(segment.slice(1)) : undefined;
          if (request.method === 'GET' && isStore(request.path) && id)
            return { ...(await forward(getOf(request, `/v2/key-value-stores/${id}`))), path: request.path };
          return forward(request);
        },
      };
    },
  },
  {
    name: 'name-case-folded',
    targets: ['KVS-NAME-010'],
    bug: 'get-or-create lower-cases the name before the lookup: names differing only in case share a store',
    narrow: true,
    runFlags: ['--store-name-case', 'sensitive'],
    fault: () => ({
      request: async (request, forward) => {
        const name = query(request.path).get('name');
        if (request.method !== 'POST' || !isStoreList(request.path) || !name || name === name.toLowerCase())
          return forward(request);
        const existing = await forward(getOf(request, `/v2/key-value-stores/~${name.toLowerCase()}`));
        return existing.status === 200
          ? { ...existing, method: 'POST', path: request.path }
          : forward(request);
      },
    }),
  },
];
