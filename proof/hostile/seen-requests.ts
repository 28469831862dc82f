// Which request a hostile behaviour is looking at, from what the hostile server received.
import type { SeenRequest } from './hostile-server.ts';

const PREFLIGHT = '/v2/key-value-stores?limit=1';
/** The harness's preflight: one store-list page of one store. */
export const isPreflight = (request: SeenRequest): boolean =>
  request.method === 'GET' && request.path === PREFLIGHT;
/** A request sent by apify-client (its User-Agent). */
export const isClient = (request: SeenRequest): boolean =>
  (request.headers['user-agent'] ?? '').includes('ApifyClient');
/** Create store (`POST /v2/key-value-stores?…`). */
export const isCreate = (request: SeenRequest): boolean =>
  request.method === 'POST' && request.path.startsWith('/v2/key-value-stores?');
/** A store listing other than the preflight. */
export const isStoreList = (request: SeenRequest): boolean =>
  request.method === 'GET' && /^\/v2\/key-value-stores(\?|$)/.test(request.path) && !isPreflight(request);
/** The cleanup pass's store listing (pages of 1000). */
export const isCleanupList = (request: SeenRequest): boolean =>
  isStoreList(request) && new URL(request.path, 'http://x').searchParams.get('limit') === '1000';
