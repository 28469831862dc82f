// Small helpers the fault modes share: which operation a proxied path is, JSON answers, edits of
// listing pages. Pure functions over the proxy's request and answer values.
import { editJson, type ProxiedAnswer, type ProxiedRequest } from './fault-proxy.ts';

/** The record payload limit of the reference server (spec x-kvs-max-payload-bytes). */
export const PAYLOAD_LIMIT = 9437184;

/** The query parameters of a path. */
export const query = (path: string): URLSearchParams => new URLSearchParams(path.split('?')[1] ?? '');
/** A path without its query. */
export const bare = (path: string): string => path.split('?')[0] ?? path;
/**
 * A store's own path, or the alias path of a run's default store (`run --run-id`): a fault hits
 * the store whichever way it is addressed.
 */
const STORE = String.raw`^\/v2\/(?:key-value-stores\/[^/]+|actor-runs\/[^/]+\/key-value-store)`;
const STORE_PATH = new RegExp(`${STORE}$`);
const KEYS_PATH = new RegExp(`${STORE}\\/keys$`);
const RECORDS_PATH = new RegExp(`${STORE}\\/records$`);
const RECORD_PATH = new RegExp(`${STORE}\\/records\\/.+$`);
/** GET/PUT/DELETE store (by id or ~name). */
export const isStore = (path: string): boolean => STORE_PATH.test(bare(path));
/** The store list (GET) and create store (POST). */
export const isStoreList = (path: string): boolean => bare(path) === '/v2/key-value-stores';
/** The key listing. */
export const isKeys = (path: string): boolean => KEYS_PATH.test(bare(path));
/** The zip download of every record. */
export const isRecords = (path: string): boolean => RECORDS_PATH.test(bare(path));
/** One record. */
export const isRecord = (path: string): boolean => RECORD_PATH.test(bare(path));
/** A record write (PUT or POST). */
export const isRecordWrite = (request: { method: string; path: string }): boolean =>
  isRecord(request.path) && (request.method === 'PUT' || request.method === 'POST');
/** The store id or ~name segment of a path. */
export const storeSegment = (path: string): string => decodeURIComponent(bare(path).split('/')[3] ?? '');
/** The record key of a record path. */
export const recordKeyOf = (path: string): string =>
  decodeURIComponent(bare(path).split('/records/')[1] ?? '');
/** A 2xx answer. */
export const ok = (answer: ProxiedAnswer): boolean => answer.status >= 200 && answer.status < 300;
/** A request carries a token (header or query). */
export const hasToken = (request: ProxiedRequest): boolean =>
  Boolean(request.headers.authorization) || query(request.path).has('token');

/** A JSON answer. */
export function json(
  status: number,
  body: unknown,
  method: string,
  path: string,
  headers: Record<string, string> = {},
): ProxiedAnswer {
  return {
    method,
    path,
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: Buffer.from(JSON.stringify(body)),
  };
}

/** An error answer with the documented envelope. */
export const errorAnswer = (
  status: number,
  type: string,
  method: string,
  path: string,
  message = type,
): ProxiedAnswer => json(status, { error: { type, message } }, method, path);

/** The request with the owner's token instead of whatever it carried. */
export const withToken = (request: ProxiedRequest, token: string): ProxiedRequest => ({
  ...request,
  headers: { ...request.headers, authorization: `Bearer ${token}` },
});

/** A request built from another one (a GET of `path` with the same credentials, no body). */
export const getOf = (request: ProxiedRequest, path: string): ProxiedRequest => ({
  ...request,
  method: 'GET',
  path,
  body: Buffer.alloc(0),
});

/** The `data` of a key-listing page. */
export interface KeysData {
  items: { key: string; size: number; recordPublicUrl?: string }[];
  count: number;
  limit: number;
  isTruncated: boolean;
  exclusiveStartKey: string | null;
  nextExclusiveStartKey?: string | null;
}

/** The `data` of a store-list page. */
export interface ListData {
  items: { id: string; name?: string | null }[];
  count: number;
  limit: number;
  offset: number;
  total: number;
  desc: boolean;
}

/** Rewrites the data of a successful key-listing page. */
export const keysPage = (answer: ProxiedAnswer, edit: (data: KeysData) => unknown): ProxiedAnswer =>
  ok(answer) && answer.method === 'GET' && isKeys(answer.path)
    ? editJson(answer, (body) => ({ data: edit(body.data as KeysData) }))
    : answer;

/** Rewrites the data of a successful store-list page. */
export const storeListPage = (answer: ProxiedAnswer, edit: (data: ListData) => unknown): ProxiedAnswer =>
  ok(answer) && answer.method === 'GET' && isStoreList(answer.path)
    ? editJson(answer, (body) => ({ data: edit(body.data as ListData) }))
    : answer;

/** Rewrites the data of a successful store answer (GET/PUT store, create store). */
export const storeAnswer = (answer: ProxiedAnswer, edit: (data: Record<string, unknown>) => unknown) =>
  ok(answer) && (isStore(answer.path) || (isStoreList(answer.path) && answer.method === 'POST'))
    ? editJson(answer, (body) => ({ data: edit(body.data as Record<string, unknown>) }))
    : answer;
