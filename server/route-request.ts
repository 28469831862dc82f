import { ApiError, invalidInput } from './api-error.ts';
import { downloadRecords } from './handlers/records-zip.ts';
import { deleteRecord, getRecord, putRecord } from './handlers/record.ts';
import { listKeys } from './handlers/keys.ts';
import { deleteStore, getStore, updateStore } from './handlers/store.ts';
import { createStore, listStores } from './handlers/store-collection.ts';
import type { KvsRequest } from './server-context.ts';

/**
 * Handles one request whose route and method matched; returns nothing when it answered at once
 * (see StorageBackend.peekStore), a promise otherwise. A failure answers with its ApiError.
 */
export type Handler = (r: KvsRequest) => Promise<void> | undefined;

/** A matched route: its handler and the decoded path parameters. */
export interface MatchedRoute {
  readonly handler: Handler;
  readonly storeId: string;
  readonly recordKey: string;
}

type Methods = Readonly<Partial<Record<string, Handler>>>;

const COLLECTION: Methods = { GET: listStores, POST: createStore };
const STORE: Methods = { GET: getStore, PUT: updateStore, DELETE: deleteStore };
const KEYS: Methods = { GET: listKeys };
const RECORDS: Methods = { GET: downloadRecords };
const RECORD: Methods = {
  GET: getRecord,
  HEAD: getRecord,
  PUT: putRecord,
  POST: putRecord,
  DELETE: deleteRecord,
};

const PREFIX = '/v2/key-value-stores';
const PREFIX_SLASH = `${PREFIX}/`;

function decode(segment: string): string {
  if (!segment.includes('%')) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    throw invalidInput(`The path segment "${segment}" is not valid percent-encoding.`);
  }
}

/**
 * Finds the handler for a method and path: 404 page-not-found for a path outside the API,
 * 405 method-not-allowed (with Allow) for a method the path does not take.
 */
export function routeRequest(method: string, pathname: string): MatchedRoute {
  const path = pathname.length > 1 && pathname.endsWith('/') ? pathname.slice(0, -1) : pathname;
  if (path !== PREFIX && !path.startsWith(PREFIX_SLASH)) {
    throw new ApiError(404, 'page-not-found', `There is no API endpoint at ${path.slice(0, 200)}.`);
  }
  // `{store}[/{resource}[/{key}]]`, cut with indexOf (no arrays: this runs on every request).
  const tail = path.slice(PREFIX_SLASH.length);
  const storeEnd = tail.indexOf('/');
  const store = storeEnd < 0 ? tail : tail.slice(0, storeEnd);
  const resourceEnd = storeEnd < 0 ? -1 : tail.indexOf('/', storeEnd + 1);
  const resource =
    storeEnd < 0 ? undefined : tail.slice(storeEnd + 1, resourceEnd < 0 ? undefined : resourceEnd);
  /** The path after `{resource}/`; undefined when there is none. */
  const key = resourceEnd < 0 ? undefined : tail.slice(resourceEnd + 1);
  let methods: Methods | undefined;
  if (store === '') methods = path === PREFIX ? COLLECTION : undefined;
  else if (resource === undefined) methods = STORE;
  else if (resource === 'keys' && key === undefined) methods = KEYS;
  else if (resource === 'records') methods = key === undefined ? RECORDS : RECORD;
  if (!methods)
    throw new ApiError(404, 'page-not-found', `There is no API endpoint at ${path.slice(0, 200)}.`);

  const handler = methods[method];
  if (!handler) {
    const allowed = Object.keys(methods).join(', ');
    throw new ApiError(405, 'method-not-allowed', `This endpoint accepts only the HTTP methods ${allowed}.`, {
      allow: allowed,
    });
  }
  // Each segment is decoded on its own, so `%2F` in a segment is a `/` in the key, not a separator.
  const recordKey =
    key === undefined ? '' : key.includes('/') ? key.split('/').map(decode).join('/') : decode(key);
  return { handler, storeId: decode(store), recordKey };
}
