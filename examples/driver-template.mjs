// @ts-check
// A driver template for a hand-written Key-Value Store client: the smallest KvsDriver over `fetch`,
// runnable as it is. Copy it next to your client, replace the calls with your client's, rename it
// (`name` and `info`), and run your client through the whole client profile:
//
//   npx kvs-conformance serve --port 8000                     # a reference server, in another shell
//   npx kvs-conformance run --target http://127.0.0.1:8000 --driver ./driver-template.mjs
//   npx kvs-conformance run --driver ./driver-template.mjs    # the same against an embedded server
//
// `run --driver` checks everything that applies to the driver: the client families through it on
// the target and the client contract (answers served by a local scripted HTTP server on 127.0.0.1,
// whose URL the factory gets as `targetUrl`). The module exports a factory (as
// `createDriver`, or as the default export) that returns a KvsDriver; the types are the package's:
// `import type { KvsDriver, KvsDriverFactory } from 'kvs-conformance'` (TypeScript), or the JSDoc
// below (JavaScript). The guide: docs/client-drivers.md; a client in another language:
// docs/stdio-drivers.md.

/** @typedef {import('kvs-conformance').DriverFactoryContext} DriverFactoryContext */
/** @typedef {import('kvs-conformance').KeysQuery} KeysQuery */
/** @typedef {import('kvs-conformance').KvsDriver} KvsDriver */
/** @typedef {import('kvs-conformance').StoreListQuery} StoreListQuery */

/** What this client throws for an error answer: the status and the error type of the envelope. */
export class KvsApiError extends Error {
  status;
  type;
  constructor(status, type, message) {
    super(`${status} ${type}: ${message}`);
    this.status = status;
    this.type = type;
  }
}
/** The two 404 types that mean "no such record or store" (anything else is an error). */
const NOT_FOUND_TYPES = new Set(['record-not-found', 'record-or-token-not-found']);
/** A minimal Key-Value Store client over fetch: timeouts, a size cap, retries of 5xx and 429. */
/** @implements {KvsDriver} */
export class HandWrittenClient {
  name = 'hand-written';
  info = {
    name: 'hand-written',
    package: undefined,
    version: undefined,
    transport: 'http',
  };
  #context;
  /** @param {DriverFactoryContext} context */
  constructor(context) {
    this.#context = context;
  }
  /** One API call; retried (unchanged) on 5xx and 429 up to maxRetries times. */
  async call(method, path, query = {}, body) {
    const url = new URL(`${this.#context.targetUrl}/v2${path}`);
    for (const [name, value] of Object.entries(query))
      if (value !== undefined) url.searchParams.set(name, String(value));
    for (let attempt = 0; ; attempt += 1) {
      const headers = {
        ...(this.#context.token ? { authorization: `Bearer ${this.#context.token}` } : {}),
        ...(body ? { 'content-type': body.contentType } : {}),
      };
      // Tell the harness of the request and its answer: a failure then shows what was sent.
      const answer = this.#context.onRequest?.({ method, url: url.href, headers, body: body?.data });
      let response;
      try {
        response = await fetch(url, {
          method,
          headers,
          ...(body ? { body: body.data } : {}),
          signal: AbortSignal.timeout(this.#context.timeoutMs),
        });
      } catch (error) {
        answer?.({ error: String(error) });
        throw error;
      }
      // Its body too when it is short (read from a copy; the cap below still guards the real read).
      const length = Number(response.headers.get('content-length') ?? Infinity);
      answer?.({
        status: response.status,
        headers: Object.fromEntries(response.headers),
        body: length <= 65_536 ? Buffer.from(await response.clone().arrayBuffer()) : undefined,
      });
      const retry = response.status === 429 || response.status >= 500;
      if (!retry || attempt >= this.#context.maxRetries) return response;
      await response.arrayBuffer();
      await new Promise((resolve) => setTimeout(resolve, 10 * 2 ** attempt));
    }
  }
  /** The body, refused past the size cap. */
  async bytes(response) {
    const length = Number(response.headers.get('content-length') ?? 0);
    if (length > this.#context.maxResponseBytes)
      throw new Error(`response of ${length} bytes is over the cap`);
    const body = Buffer.from(await response.arrayBuffer());
    if (body.length > this.#context.maxResponseBytes)
      throw new Error(`response of ${body.length} bytes is over the cap`);
    return body;
  }
  /** The error an answer stands for. */
  async error(response) {
    const text = (await this.bytes(response)).toString();
    let envelope = {};
    try {
      envelope = JSON.parse(text);
    } catch {
      // Not an envelope: keep the text as the message.
    }
    return new KvsApiError(
      response.status,
      envelope.error?.type ?? 'unknown',
      envelope.error?.message ?? text,
    );
  }
  /** A 404 with a not-found type is a miss. */
  async isMiss(response) {
    if (response.status !== 404) return false;
    const error = await this.error(response);
    if (NOT_FOUND_TYPES.has(error.type)) return true;
    throw error;
  }
  async data(response) {
    if (!response.ok) throw await this.error(response);
    return JSON.parse((await this.bytes(response)).toString()).data;
  }
  async listStores(query = {}) {
    return this.data(
      await this.call('GET', '/key-value-stores', {
        offset: query.offset,
        limit: query.limit,
        desc: query.desc ? 1 : undefined,
        unnamed: query.unnamed ? 1 : undefined,
      }),
    );
  }
  async getOrCreateStore(name) {
    return this.data(await this.call('POST', '/key-value-stores', { name }));
  }
  async getStore(storeId) {
    const response = await this.call('GET', `/key-value-stores/${encodeURIComponent(storeId)}`);
    return (await this.isMiss(response)) ? undefined : this.data(response);
  }
  async updateStore(storeId, fields) {
    return this.data(
      await this.call(
        'PUT',
        `/key-value-stores/${encodeURIComponent(storeId)}`,
        {},
        { data: JSON.stringify(fields), contentType: 'application/json' },
      ),
    );
  }
  async deleteStore(storeId) {
    const response = await this.call('DELETE', `/key-value-stores/${encodeURIComponent(storeId)}`);
    if (!response.ok) throw await this.error(response);
  }
  async listKeys(storeId, query = {}) {
    return this.data(
      await this.call('GET', `/key-value-stores/${encodeURIComponent(storeId)}/keys`, { ...query }),
    );
  }
  /**
   * Every key (with the query's prefix), page after page, until a page has no next key; `limit` is
   * the most keys yielded in total, the pages' size is the target's.
   */
  async *iterateKeys(storeId, query = {}) {
    const { limit, ...walk } = query;
    let cursor = walk.exclusiveStartKey;
    let left = limit ?? Infinity;
    while (left > 0) {
      const page = await this.listKeys(storeId, {
        ...walk,
        ...(cursor === undefined ? {} : { exclusiveStartKey: cursor }),
        ...(left === Infinity ? {} : { limit: left }),
      });
      const items = page.items.slice(0, left);
      yield* items;
      left -= items.length;
      if (page.nextExclusiveStartKey === null || page.nextExclusiveStartKey === undefined) return;
      cursor = page.nextExclusiveStartKey;
    }
  }
  async getRecord(storeId, key) {
    const response = await this.call(
      'GET',
      `/key-value-stores/${encodeURIComponent(storeId)}/records/${encodeURIComponent(key)}`,
    );
    if (await this.isMiss(response)) return undefined;
    if (!response.ok) throw await this.error(response);
    return { value: await this.bytes(response), contentType: response.headers.get('content-type') ?? '' };
  }
  async getRecordValue(storeId, key) {
    const record = await this.getRecord(storeId, key);
    if (record === undefined) return undefined;
    const type = record.contentType.split(';')[0]?.trim().toLowerCase() ?? '';
    const text = () => record.value.toString('utf8');
    const value =
      type === 'application/json'
        ? JSON.parse(text())
        : type.startsWith('text/') || type.endsWith('xml')
          ? text()
          : record.value;
    return { value, contentType: record.contentType };
  }
  async recordExists(storeId, key) {
    const response = await this.call(
      'HEAD',
      `/key-value-stores/${encodeURIComponent(storeId)}/records/${encodeURIComponent(key)}`,
    );
    if (response.status === 404) return false;
    if (!response.ok) throw new KvsApiError(response.status, 'unknown', 'HEAD failed');
    return true;
  }
  async setRecord(storeId, key, value, contentType) {
    const response = await this.call(
      'PUT',
      `/key-value-stores/${encodeURIComponent(storeId)}/records/${encodeURIComponent(key)}`,
      {},
      { data: value, contentType },
    );
    if (!response.ok) throw await this.error(response);
    await response.arrayBuffer();
  }
  /** A value written as apify-client writes one: JSON for objects and scalars, text for strings, bytes for Buffers. */
  async setRecordValue(storeId, key, value, contentType) {
    const type =
      contentType ??
      (Buffer.isBuffer(value)
        ? 'application/octet-stream'
        : typeof value === 'string'
          ? 'text/plain; charset=utf-8'
          : 'application/json; charset=utf-8');
    const data =
      Buffer.isBuffer(value) || typeof value === 'string'
        ? value
        : type.startsWith('application/json')
          ? JSON.stringify(value)
          : String(value);
    await this.setRecord(storeId, key, Buffer.from(data), type);
  }
  async deleteRecord(storeId, key) {
    const response = await this.call(
      'DELETE',
      `/key-value-stores/${encodeURIComponent(storeId)}/records/${encodeURIComponent(key)}`,
    );
    if (!response.ok && !(await this.isMiss(response))) throw await this.error(response);
  }
}
/**
 * The factory `--driver` loads.
 * @type {import('kvs-conformance').KvsDriverFactory}
 */
export const createDriver = (context) => new HandWrittenClient(context);
