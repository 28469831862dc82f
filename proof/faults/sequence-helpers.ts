// What the sequence faults (state-faults.ts) build on: the target's records and keys as they are
// now, requests made from the one being handled, and the kinds of rewrite those bugs share — a
// write changed from the record it overwrites, the first value each key was written with, a fault
// with a memory of its own. Each fault keeps its memory in the closure its `fault()` makes, fresh
// per target.
import {
  getOf,
  isRecord,
  isRecordWrite,
  isStoreList,
  ok,
  recordKeyOf,
  storeSegment,
} from './fault-helpers.ts';
import type { ProxiedAnswer, ProxiedRequest, RequestFault } from './fault-proxy.ts';

/** Sends a request to the correct target (what a RequestFault is given). */
export type Forward = (request: ProxiedRequest) => Promise<ProxiedAnswer>;

/** A record as the target holds it now. */
export interface HeldRecord {
  readonly body: Buffer;
  readonly contentType: string;
}

/** The path of a store (id or ~name). */
export const storePath = (store: string): string => `/v2/key-value-stores/${encodeURIComponent(store)}`;
/** The path of one record. */
export const recordPath = (store: string, key: string): string =>
  `${storePath(store)}/records/${encodeURIComponent(key)}`;
/** One record's place (store and key) as a map key. */
export const slot = (store: string, key: string): string => `${store}\n${key}`;
/** The place of the record a record path names. */
export const slotOf = (path: string): string => slot(storeSegment(path), recordKeyOf(path));
/** The `data` of a JSON answer. */
export const dataOf = <T>(answer: ProxiedAnswer): T =>
  (JSON.parse(answer.body.toString('utf8')) as { data: T }).data;

/** A successful record write. */
export const wroteRecord = (request: ProxiedRequest, answer: ProxiedAnswer): boolean =>
  isRecordWrite(request) && ok(answer);
/** A successful record delete. */
export const deletedRecord = (request: ProxiedRequest, answer: ProxiedAnswer): boolean =>
  request.method === 'DELETE' && isRecord(request.path) && ok(answer);

/** The keys a store holds now (one page of up to 1000). */
export async function keysOf(request: ProxiedRequest, forward: Forward, store: string): Promise<string[]> {
  const answer = await forward(getOf(request, `${storePath(store)}/keys?limit=1000`));
  return ok(answer) ? dataOf<{ items: { key: string }[] }>(answer).items.map((item) => item.key) : [];
}

/** A record as it is now (undefined when missing). */
export async function recordOf(
  request: ProxiedRequest,
  forward: Forward,
  store: string,
  key: string,
): Promise<HeldRecord | undefined> {
  const answer = await forward(getOf(request, recordPath(store, key)));
  return answer.status === 200
    ? { body: answer.body, contentType: answer.headers['content-type'] ?? 'application/octet-stream' }
    : undefined;
}

/** A write of `body` under `key` with the credentials of `request`. */
export const putOf = (
  request: ProxiedRequest,
  store: string,
  key: string,
  body: Buffer,
  contentType: string,
): ProxiedRequest => ({
  ...request,
  method: 'PUT',
  path: recordPath(store, key),
  headers: { ...request.headers, 'content-type': contentType },
  body,
});

/** A DELETE of `path` with the credentials of `request`. */
export const deleteOf = (request: ProxiedRequest, path: string): ProxiedRequest => ({
  ...getOf(request, path),
  method: 'DELETE',
});

/** The id a successful create answered. */
export const createdId = (answer: ProxiedAnswer): string | undefined =>
  answer.method === 'POST' && isStoreList(answer.path) && ok(answer)
    ? dataOf<{ id: string }>(answer).id
    : undefined;

/** A request fault with a memory of its own (`memory()` is made fresh for every target). */
export const remembering =
  <M>(memory: () => M, fault: (memory: M) => RequestFault) =>
  (): { readonly request: RequestFault } => ({ request: fault(memory()) });

/**
 * Rewrite kind: a record write changed from the record it overwrites (`edit` sees the record as it
 * is before the write; a write of a new key passes unchanged).
 */
export const overwriteRewrite =
  (edit: (request: ProxiedRequest, old: HeldRecord) => ProxiedRequest) =>
  (): { readonly request: RequestFault } => ({
    request: async (request, forward) => {
      if (!isRecordWrite(request)) return forward(request);
      const old = await recordOf(request, forward, storeSegment(request.path), recordKeyOf(request.path));
      return forward(old ? edit(request, old) : request);
    },
  });

/** The memory of a cache filled when a key is first written and cleared only when it is deleted. */
export interface FirstWrites {
  /** Notes a request and its answer: the body of a key's first successful write; a delete forgets it. */
  note(request: ProxiedRequest, answer: ProxiedAnswer): void;
  /** The body the key was first written with (since its last delete). */
  get(store: string, key: string): Buffer | undefined;
}

/** Rewrite kind: an answer built from the first value each key was written with (see FirstWrites). */
export function firstWrites(): FirstWrites {
  const first = new Map<string, Buffer>();
  return {
    note: (request, answer) => {
      const here = slotOf(request.path);
      if (wroteRecord(request, answer) && !first.has(here)) first.set(here, request.body);
      if (deletedRecord(request, answer)) first.delete(here);
    },
    get: (store, key) => first.get(slot(store, key)),
  };
}
