import { setTimeout as sleep } from 'node:timers/promises';
import type { RuleId } from '../harness/contract/rule-catalog.ts';
import { startServer, type ServerOptions } from '../server/index.ts';
import {
  editJson,
  startFaultProxy,
  type Fault,
  type ProxiedAnswer,
  type ProxiedRequest,
  type RequestFault,
} from './fault-proxy.ts';

/**
 * A realistic server bug: a small change in one place, in front of (or configured into) the
 * correct reference server, so the shipped server's code path never carries it.
 */
export interface FaultMode {
  readonly name: string;
  /** The rule area whose rules must catch it. */
  readonly area: string;
  /** The rules the bug breaks: a run against it must fail each of them. */
  readonly targets: readonly RuleId[];
  /** The bug, as a server author would have made it. */
  readonly bug: string;
  /** Run flags the fault needs (e.g. the eventual profile). */
  readonly runFlags?: readonly string[];
  /** Reference-server options that are the bug (no proxy when `fault` is absent). */
  readonly server?: ServerOptions;
  /** The proxy layer that is the bug; made fresh per target so stateful faults start clean. */
  readonly fault?: (token: string) => Fault | { readonly request: RequestFault };
}

const LIMIT = 9437184;
const query = (path: string): URLSearchParams => new URLSearchParams(path.split('?')[1] ?? '');
const bare = (path: string): string => path.split('?')[0] ?? path;
const isStore = (path: string): boolean => /^\/v2\/key-value-stores\/[^/]+$/.test(bare(path));
const isStoreList = (path: string): boolean => bare(path) === '/v2/key-value-stores';
const isKeys = (path: string): boolean => /^\/v2\/key-value-stores\/[^/]+\/keys$/.test(bare(path));
const isRecord = (path: string): boolean => /^\/v2\/key-value-stores\/[^/]+\/records\/.+$/.test(bare(path));
const ok = (answer: ProxiedAnswer): boolean => answer.status >= 200 && answer.status < 300;
const json = (
  status: number,
  body: unknown,
  method: string,
  path: string,
  headers: Record<string, string> = {},
): ProxiedAnswer => ({
  method,
  path,
  status,
  headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  body: Buffer.from(JSON.stringify(body)),
});
const withToken = (request: ProxiedRequest, token: string): ProxiedRequest => ({
  ...request,
  headers: { ...request.headers, authorization: `Bearer ${token}` },
});
type KeysData = {
  items: { key: string; size: number }[];
  count: number;
  limit: number;
  isTruncated: boolean;
  exclusiveStartKey: string | null;
  nextExclusiveStartKey?: string | null;
};
type ListData = {
  items: unknown[];
  count: number;
  limit: number;
  offset: number;
  total: number;
  desc: boolean;
};
const keysPage = (answer: ProxiedAnswer, edit: (data: KeysData) => unknown): ProxiedAnswer =>
  ok(answer) && answer.method === 'GET' && isKeys(answer.path)
    ? editJson(answer, (body) => ({ data: edit(body.data as KeysData) }))
    : answer;

/** Every fault mode `npm run prove` runs; at least two per rule area. */
export const FAULT_MODES: readonly FaultMode[] = [
  // ---------------------------------------------------------------- SCHEMA
  {
    name: 'schema-location-dropped',
    area: 'SCHEMA',
    targets: ['KVS-SCHEMA-005'],
    bug: 'a proxy layer drops the Location header of every 201',
    fault: () => (answer) =>
      answer.status === 201
        ? {
            ...answer,
            headers: Object.fromEntries(
              Object.entries(answer.headers).filter(([name]) => name !== 'location'),
            ),
          }
        : answer,
  },
  {
    name: 'schema-store-json-as-text',
    area: 'SCHEMA',
    targets: ['KVS-SCHEMA-003'],
    bug: 'GET store is served as text/plain',
    fault: () => (answer) =>
      answer.method === 'GET' && isStore(answer.path) && ok(answer)
        ? { ...answer, headers: { ...answer.headers, 'content-type': 'text/plain; charset=utf-8' } }
        : answer,
  },
  {
    name: 'schema-store-without-modifiedAt',
    area: 'SCHEMA',
    targets: ['KVS-SCHEMA-002'],
    bug: 'store objects leave out the required modifiedAt',
    fault: () => (answer) =>
      ok(answer) && (isStore(answer.path) || (isStoreList(answer.path) && answer.method === 'POST'))
        ? editJson(answer, (body) => ({ data: { ...(body.data as object), modifiedAt: undefined } }))
        : answer,
  },
  // ---------------------------------------------------------------- PAGE
  {
    name: 'page-offset-off-by-one',
    area: 'PAGE',
    targets: ['KVS-PAGE-001'],
    bug: 'the store list skips one store at every offset > 0',
    fault: () => (answer) =>
      answer.method === 'GET' &&
      ok(answer) &&
      isStoreList(answer.path) &&
      Number(query(answer.path).get('offset') ?? 0) > 0
        ? editJson(answer, (body) => {
            const data = body.data as ListData;
            return { data: { ...data, items: data.items.slice(1), count: Math.max(0, data.count - 1) } };
          })
        : answer,
  },
  {
    name: 'page-desc-ignored',
    area: 'PAGE',
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
    name: 'page-limit-not-clamped',
    area: 'PAGE',
    targets: ['KVS-PAGE-007'],
    bug: 'the store list echoes a limit above 1000 instead of the maximum',
    fault: () => (answer) => {
      const requested = Number(query(answer.path).get('limit') ?? 0);
      return answer.method === 'GET' && ok(answer) && isStoreList(answer.path) && requested > 1000
        ? editJson(answer, (body) => ({ data: { ...(body.data as ListData), limit: requested } }))
        : answer;
    },
  },
  // ---------------------------------------------------------------- KEYS
  {
    name: 'keys-cursor-inclusive',
    area: 'KEYS',
    targets: ['KVS-KEYS-006'],
    bug: 'exclusiveStartKey is treated as inclusive: each page starts at the cursor key',
    fault: () => (answer) => {
      const cursor = query(answer.path).get('exclusiveStartKey');
      if (cursor === null) return answer;
      const limit = Number(query(answer.path).get('limit') ?? 1000);
      return keysPage(answer, (data) => {
        const items = [{ key: cursor, size: 1 }, ...data.items];
        const truncated = data.isTruncated || items.length > limit;
        const page = items.slice(0, limit);
        return {
          ...data,
          items: page,
          count: page.length,
          isTruncated: truncated,
          nextExclusiveStartKey: truncated ? (page.at(-1)?.key ?? null) : null,
        };
      });
    },
  },
  {
    name: 'keys-last-cursor-omitted',
    area: 'KEYS',
    targets: ['KVS-KEYS-005'],
    bug: 'the last page leaves nextExclusiveStartKey out instead of sending null',
    fault: () => (answer) =>
      keysPage(answer, (data) =>
        data.nextExclusiveStartKey === null ? { ...data, nextExclusiveStartKey: undefined } : data,
      ),
  },
  {
    name: 'keys-locale-order',
    area: 'KEYS',
    targets: ['KVS-KEYS-002'],
    bug: 'keys are sorted with localeCompare instead of UTF-8 byte order',
    fault: () => (answer) =>
      keysPage(answer, (data) => ({
        ...data,
        items: [...data.items].sort((a, b) => a.key.localeCompare(b.key)),
      })),
  },
  {
    name: 'keys-size-zero',
    area: 'KEYS',
    targets: ['KVS-KEYS-008'],
    bug: 'listed sizes are always 0 (size read from an unfilled column)',
    fault: () => (answer) =>
      keysPage(answer, (data) => ({ ...data, items: data.items.map((item) => ({ ...item, size: 0 })) })),
  },
  // ---------------------------------------------------------------- NAME
  {
    name: 'name-existing-answers-201',
    area: 'NAME',
    targets: ['KVS-NAME-002'],
    bug: 'get-or-create of a taken name answers 201 as if it had created the store',
    fault: () => (answer) =>
      answer.method === 'POST' && answer.path.includes('name=') && answer.status === 200
        ? {
            ...answer,
            status: 201,
            headers: { ...answer.headers, location: 'http://127.0.0.1/v2/key-value-stores/x' },
          }
        : answer,
  },
  {
    name: 'name-create-race',
    area: 'NAME',
    targets: ['KVS-NAME-003'],
    bug: 'get-or-create checks then creates without a lock: concurrent calls make duplicates (only under concurrency)',
    fault: () => ({
      request: async (request, forward) => {
        const name = query(request.path).get('name');
        if (request.method !== 'POST' || !isStoreList(request.path) || name === null) return forward(request);
        const existing = await forward({
          ...request,
          method: 'GET',
          path: `/v2/key-value-stores/~${name}`,
          body: Buffer.alloc(0),
        });
        if (existing.status === 200) return { ...existing, method: 'POST', path: request.path };
        await sleep(15);
        const created = await forward({ ...request, path: '/v2/key-value-stores', body: Buffer.alloc(0) });
        const id = (JSON.parse(created.body.toString()) as { data: { id: string } }).data.id;
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
    name: 'name-rename-conflict-ignored',
    area: 'NAME',
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
  // ---------------------------------------------------------------- NOTFOUND
  {
    name: 'notfound-generic-type',
    area: 'NOTFOUND',
    targets: ['KVS-NOTFOUND-001', 'KVS-NOTFOUND-005'],
    bug: '404s use the generic type page-not-found (apify-client then throws instead of returning undefined)',
    fault: () => (answer) =>
      answer.status === 404 && answer.method !== 'HEAD'
        ? editJson(answer, () => ({ error: { type: 'page-not-found', message: 'Not found' } }))
        : answer,
  },
  {
    name: 'notfound-missing-record-200',
    area: 'NOTFOUND',
    targets: ['KVS-NOTFOUND-001'],
    bug: 'a missing record answers 200 with an empty body',
    fault: () => (answer) =>
      isRecord(answer.path) && answer.method === 'GET' && answer.status === 404
        ? {
            ...answer,
            status: 200,
            headers: { 'content-type': 'application/octet-stream' },
            body: Buffer.alloc(0),
          }
        : answer,
  },
  {
    name: 'notfound-null-is-deleted',
    area: 'NOTFOUND',
    targets: ['KVS-NOTFOUND-006'],
    bug: 'a stored JSON null is treated as a deleted record (404)',
    fault: () => (answer) =>
      isRecord(answer.path) && answer.method === 'GET' && ok(answer) && answer.body.toString() === 'null'
        ? json(
            404,
            { error: { type: 'record-not-found', message: 'Record was not found' } },
            answer.method,
            answer.path,
          )
        : answer,
  },
  // ---------------------------------------------------------------- CONS
  {
    name: 'cons-read-cache',
    area: 'CONS',
    targets: ['KVS-CONS-002'],
    bug: 'record reads are cached and never invalidated on write or delete',
    fault: () => {
      const cache = new Map<string, ProxiedAnswer>();
      return (answer) => {
        if (!isRecord(answer.path) || answer.method !== 'GET') return answer;
        const cached = cache.get(answer.path);
        if (cached) return cached;
        if (ok(answer)) cache.set(answer.path, answer);
        return answer;
      };
    },
  },
  {
    name: 'cons-listing-cache',
    area: 'CONS',
    targets: ['KVS-CONS-002'],
    bug: 'key listings are cached for 2 s after a read (strong profile)',
    fault: () => {
      const cache = new Map<string, { answer: ProxiedAnswer; at: number }>();
      return (answer) => {
        if (!isKeys(answer.path) || answer.method !== 'GET' || !ok(answer)) return answer;
        const hit = cache.get(answer.path);
        if (hit && Date.now() - hit.at < 2000) return hit.answer;
        cache.set(answer.path, { answer, at: Date.now() });
        return answer;
      };
    },
  },
  {
    name: 'cons-stale-past-window',
    area: 'CONS',
    targets: ['KVS-CONS-003', 'KVS-CONS-004'],
    bug: 'replicas lag 4 s where the run allows 1 s (only shows once time has passed)',
    runFlags: ['--consistency', 'eventual', '--window', '1s'],
    server: { consistency: { mode: 'eventual', staleMs: 4000 } },
  },
  {
    name: 'cons-write-coalescing',
    area: 'CONS',
    targets: ['KVS-CONS-005'],
    bug: 'a write to a key within 200 ms of the previous one is acknowledged but dropped (lost update)',
    fault: () => {
      const lastWrite = new Map<string, number>();
      return {
        request: async (request, forward) => {
          if (!isRecord(request.path) || (request.method !== 'PUT' && request.method !== 'POST'))
            return forward(request);
          const previous = lastWrite.get(bare(request.path)) ?? 0;
          lastWrite.set(bare(request.path), Date.now());
          if (Date.now() - previous < 200)
            return json(201, {}, request.method, request.path, {
              location: `http://127.0.0.1${bare(request.path)}`,
            });
          return forward(request);
        },
      };
    },
  },
  // ---------------------------------------------------------------- LIMIT
  {
    name: 'limit-off-by-one',
    area: 'LIMIT',
    targets: ['KVS-LIMIT-001'],
    bug: 'the payload check uses >= instead of >: a body of exactly the limit is refused',
    fault: () => ({
      request: (request, forward) =>
        isRecord(request.path) && ['PUT', 'POST'].includes(request.method) && request.body.length >= LIMIT
          ? Promise.resolve(
              json(
                413,
                { error: { type: 'request-too-large', message: 'too large' } },
                request.method,
                request.path,
              ),
            )
          : forward(request),
    }),
  },
  {
    name: 'limit-truncates',
    area: 'LIMIT',
    targets: ['KVS-LIMIT-002'],
    bug: 'an oversized body is cut to the limit and stored instead of refused',
    fault: () => ({
      request: (request, forward) =>
        isRecord(request.path) && ['PUT', 'POST'].includes(request.method) && request.body.length > LIMIT
          ? forward({ ...request, body: request.body.subarray(0, LIMIT) })
          : forward(request),
    }),
  },
  // ---------------------------------------------------------------- RECORD
  {
    name: 'record-content-type-lost',
    area: 'RECORD',
    targets: ['KVS-RECORD-001'],
    bug: 'records are served as application/octet-stream whatever they were written as',
    fault: () => (answer) =>
      isRecord(answer.path) && answer.method === 'GET' && ok(answer)
        ? { ...answer, headers: { ...answer.headers, 'content-type': 'application/octet-stream' } }
        : answer,
  },
  {
    name: 'record-overwrite-200',
    area: 'RECORD',
    targets: ['KVS-RECORD-003'],
    bug: 'an overwrite answers 200 where the profile (platform docs) says 201',
    fault: () => ({
      request: async (request, forward) => {
        if (!isRecord(request.path) || request.method !== 'PUT') return forward(request);
        const existed = (await forward({ ...request, method: 'HEAD', body: Buffer.alloc(0) })).status === 200;
        const answer = await forward(request);
        return existed && answer.status === 201 ? { ...answer, status: 200 } : answer;
      },
    }),
  },
  {
    name: 'record-invalid-key-accepted',
    area: 'RECORD',
    targets: ['KVS-RECORD-008'],
    bug: 'record keys are not validated: invalid keys answer 201',
    fault: () => (answer) =>
      isRecord(answer.path) &&
      answer.status === 400 &&
      answer.body.toString().includes('invalid-record-key') &&
      answer.method === 'PUT'
        ? json(201, {}, answer.method, answer.path, { location: `http://127.0.0.1${bare(answer.path)}` })
        : answer,
  },
  {
    name: 'record-post-not-routed',
    area: 'RECORD',
    targets: ['KVS-RECORD-004'],
    bug: 'POST record is not routed (405): the alias was forgotten',
    fault: () => ({
      request: (request, forward) =>
        isRecord(request.path) && request.method === 'POST'
          ? Promise.resolve(
              json(
                405,
                { error: { type: 'method-not-allowed', message: 'Only GET, HEAD, PUT, DELETE' } },
                request.method,
                request.path,
              ),
            )
          : forward(request),
    }),
  },
  // ---------------------------------------------------------------- AUTH
  {
    name: 'auth-anonymous-allowed',
    area: 'AUTH',
    targets: ['KVS-AUTH-001'],
    bug: 'a gateway lets requests without a token through as the owner',
    fault: (token) => ({
      request: (request, forward) =>
        request.headers.authorization || request.path.includes('token=')
          ? forward(request)
          : forward(withToken(request, token)),
    }),
  },
  {
    name: 'auth-wrong-token-reads',
    area: 'AUTH',
    targets: ['KVS-AUTH-002'],
    bug: 'reads accept any token (only writes check it)',
    fault: (token) => ({
      request: (request, forward) =>
        ['GET', 'HEAD'].includes(request.method) && request.headers.authorization
          ? forward(withToken(request, token))
          : forward(request),
    }),
  },
  // ---------------------------------------------------------------- SIGN
  {
    name: 'sign-any-signature',
    area: 'SIGN',
    targets: ['KVS-SIGN-003'],
    bug: 'the presence of a signature is checked, not its value',
    fault: (token) => ({
      request: (request, forward) =>
        request.path.includes('signature=') && !request.headers.authorization
          ? forward(withToken(request, token))
          : forward(request),
    }),
  },
  {
    name: 'sign-keys-expiry-ignored',
    area: 'SIGN',
    targets: ['KVS-SIGN-004'],
    bug: 'keys signatures are accepted after they expire',
    fault: (token) => ({
      request: async (request, forward) => {
        const answer = await forward(request);
        if (
          !isKeys(request.path) ||
          !request.path.includes('signature=') ||
          answer.status !== 403 ||
          !answer.body.toString().includes('expired')
        )
          return answer;
        return forward(withToken(request, token));
      },
    }),
  },
];

/** A running faulty target. */
export interface FaultyTarget {
  readonly url: string;
  close(): Promise<void>;
}

/** Starts the reference server (with the mode's options) and, when the mode has one, its fault proxy in front. */
export async function startFaultyTarget(mode: FaultMode, token: string): Promise<FaultyTarget> {
  const server = await startServer({ ...mode.server, tokens: [token] });
  if (!mode.fault) return server;
  const proxy = await startFaultProxy(server.url, mode.fault(token));
  return {
    url: proxy.url,
    close: async () => {
      await proxy.close();
      await server.close();
    },
  };
}
