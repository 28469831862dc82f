// A driver for a hand-written client: the smallest KvsDriver over `fetch`, as a client author would
// write one to run their own client through the conformance suites and the client-contract checks:
//
//   kvs-conformance run --driver ./examples/hand-written-driver.ts
//   kvs-conformance matrix --driver http --driver ./examples/hand-written-driver.ts
//
// The module exports a factory (as `createDriver`, or as the default export) that returns a KvsDriver.
// It is loaded as an ES module: keep it in a package with "type": "module", or name it .mts/.mjs.
// In your project import the types from 'kvs-conformance' instead of the relative path.
import type {
  DriverFactoryContext,
  KeysPage,
  KeysQuery,
  KvsDriver,
  KvsDriverFactory,
  RecordValue,
  StoreInfo,
  StoreListPage,
  StoreListQuery,
} from '../harness/index.ts';

/** What this client throws for an error answer: the status and the error type of the envelope. */
export class KvsApiError extends Error {
  readonly status: number;
  readonly type: string;

  constructor(status: number, type: string, message: string) {
    super(`${status} ${type}: ${message}`);
    this.status = status;
    this.type = type;
  }
}

/** The two 404 types that mean "no such record or store" (anything else is an error). */
const NOT_FOUND_TYPES = new Set(['record-not-found', 'record-or-token-not-found']);

/** A minimal Key-Value Store client over fetch: timeouts, a size cap, retries of 5xx and 429. */
export class HandWrittenClient implements KvsDriver {
  readonly name: string = 'hand-written';
  readonly info = {
    name: 'hand-written',
    package: undefined,
    version: undefined,
    transport: 'http',
  } as const;
  readonly #context: DriverFactoryContext;

  constructor(context: DriverFactoryContext) {
    this.#context = context;
  }

  /** One API call; retried (unchanged) on 5xx and 429 up to maxRetries times. */
  protected async call(
    method: string,
    path: string,
    query: Record<string, string | number | undefined> = {},
    body?: { data: Buffer | string; contentType: string },
  ): Promise<Response> {
    const url = new URL(`${this.#context.targetUrl}/v2${path}`);
    for (const [name, value] of Object.entries(query))
      if (value !== undefined) url.searchParams.set(name, String(value));
    for (let attempt = 0; ; attempt += 1) {
      const response = await fetch(url, {
        method,
        headers: {
          ...(this.#context.token ? { authorization: `Bearer ${this.#context.token}` } : {}),
          ...(body ? { 'content-type': body.contentType } : {}),
        },
        ...(body ? { body: body.data } : {}),
        signal: AbortSignal.timeout(this.#context.timeoutMs),
      });
      const retry = response.status === 429 || response.status >= 500;
      if (!retry || attempt >= this.#context.maxRetries) return response;
      await response.arrayBuffer();
      await new Promise((resolve) => setTimeout(resolve, 10 * 2 ** attempt));
    }
  }

  /** The body, refused past the size cap. */
  protected async bytes(response: Response): Promise<Buffer> {
    const length = Number(response.headers.get('content-length') ?? 0);
    if (length > this.#context.maxResponseBytes)
      throw new Error(`response of ${length} bytes is over the cap`);
    const body = Buffer.from(await response.arrayBuffer());
    if (body.length > this.#context.maxResponseBytes)
      throw new Error(`response of ${body.length} bytes is over the cap`);
    return body;
  }

  /** The error an answer stands for. */
  protected async error(response: Response): Promise<KvsApiError> {
    const text = (await this.bytes(response)).toString();
    let envelope: { error?: { type?: string; message?: string } } = {};
    try {
      envelope = JSON.parse(text) as typeof envelope;
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
  protected async isMiss(response: Response): Promise<boolean> {
    if (response.status !== 404) return false;
    const error = await this.error(response);
    if (NOT_FOUND_TYPES.has(error.type)) return true;
    throw error;
  }

  protected async data<T>(response: Response): Promise<T> {
    if (!response.ok) throw await this.error(response);
    return (JSON.parse((await this.bytes(response)).toString()) as { data: T }).data;
  }

  async listStores(query: StoreListQuery = {}): Promise<StoreListPage> {
    return this.data(
      await this.call('GET', '/key-value-stores', {
        offset: query.offset,
        limit: query.limit,
        desc: query.desc ? 1 : undefined,
        unnamed: query.unnamed ? 1 : undefined,
      }),
    );
  }

  async getOrCreateStore(name?: string): Promise<StoreInfo> {
    return this.data(await this.call('POST', '/key-value-stores', { name }));
  }

  async getStore(storeId: string): Promise<StoreInfo | undefined> {
    const response = await this.call('GET', `/key-value-stores/${storeId}`);
    return (await this.isMiss(response)) ? undefined : this.data(response);
  }

  async updateStore(
    storeId: string,
    fields: { name?: string | null; generalAccess?: string },
  ): Promise<StoreInfo> {
    return this.data(
      await this.call(
        'PUT',
        `/key-value-stores/${storeId}`,
        {},
        { data: JSON.stringify(fields), contentType: 'application/json' },
      ),
    );
  }

  async deleteStore(storeId: string): Promise<void> {
    const response = await this.call('DELETE', `/key-value-stores/${storeId}`);
    if (!response.ok) throw await this.error(response);
  }

  async listKeys(storeId: string, query: KeysQuery = {}): Promise<KeysPage> {
    return this.data(await this.call('GET', `/key-value-stores/${storeId}/keys`, { ...query }));
  }

  /**
   * Every key (with the query's prefix), page after page, until a page has no next key; `limit` is
   * the most keys yielded in total, the pages' size is the target's.
   */
  async *iterateKeys(storeId: string, query: KeysQuery = {}): AsyncIterable<{ readonly key: string }> {
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

  async getRecord(storeId: string, key: string): Promise<RecordValue | undefined> {
    const response = await this.call(
      'GET',
      `/key-value-stores/${storeId}/records/${encodeURIComponent(key)}`,
    );
    if (await this.isMiss(response)) return undefined;
    if (!response.ok) throw await this.error(response);
    return { value: await this.bytes(response), contentType: response.headers.get('content-type') ?? '' };
  }

  async getRecordValue(
    storeId: string,
    key: string,
  ): Promise<{ value: unknown; contentType: string } | undefined> {
    const record = await this.getRecord(storeId, key);
    if (record === undefined) return undefined;
    const type = record.contentType.split(';')[0]?.trim().toLowerCase() ?? '';
    const text = (): string => record.value.toString('utf8');
    const value =
      type === 'application/json'
        ? (JSON.parse(text()) as unknown)
        : type.startsWith('text/') || type.endsWith('xml')
          ? text()
          : record.value;
    return { value, contentType: record.contentType };
  }

  async recordExists(storeId: string, key: string): Promise<boolean> {
    const response = await this.call(
      'HEAD',
      `/key-value-stores/${storeId}/records/${encodeURIComponent(key)}`,
    );
    if (response.status === 404) return false;
    if (!response.ok) throw new KvsApiError(response.status, 'unknown', 'HEAD failed');
    return true;
  }

  async setRecord(storeId: string, key: string, value: Buffer, contentType: string): Promise<void> {
    const response = await this.call(
      'PUT',
      `/key-value-stores/${storeId}/records/${encodeURIComponent(key)}`,
      {},
      { data: value, contentType },
    );
    if (!response.ok) throw await this.error(response);
    await response.arrayBuffer();
  }

  /** A value written as apify-client writes one: JSON for objects and scalars, text for strings, bytes for Buffers. */
  async setRecordValue(storeId: string, key: string, value: unknown, contentType?: string): Promise<void> {
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

  async deleteRecord(storeId: string, key: string): Promise<void> {
    const response = await this.call(
      'DELETE',
      `/key-value-stores/${storeId}/records/${encodeURIComponent(key)}`,
    );
    if (!response.ok && !(await this.isMiss(response))) throw await this.error(response);
  }
}

/** The factory `--driver` loads. */
export const createDriver: KvsDriverFactory = (context) => new HandWrittenClient(context);
