import { ApifyClient } from 'apify-client';
import { redactSecrets } from '../http/redact.ts';
import {
  toKeysPage,
  type DriverAnswer,
  type DriverCapability,
  type DriverFactoryContext,
  type DriverInfo,
  type DriverRequest,
  type KeysPage,
  type KeysQuery,
  type KvsDriver,
  type RecordValue,
  type StoreInfo,
  type StoreListPage,
  type StoreListQuery,
} from './kvs-driver.ts';

/** Where the apify-client driver connects. */
export interface ApifyClientDriverOptions {
  readonly baseUrl: string;
  readonly token: string | undefined;
  /** The whole exchange, body included, must end within it. */
  readonly timeoutMs: number;
  /** Retries of the client (default 0: a flaky target is not hidden). */
  readonly maxRetries?: number;
  /** The ApifyClient class of the installed copy under test (default: the harness's own apify-client). */
  readonly clientClass?: typeof ApifyClient;
  /** Name, package and version of that copy (default: `apify-client` with no version). */
  readonly info?: DriverInfo;
  /** The most bytes a response body may have, after decompression. */
  readonly maxResponseBytes: number;
  /** Told of every request the client sends and of its answer (the run counts and keeps them per test). */
  readonly onRequest?: DriverFactoryContext['onRequest'];
}

/**
 * What an error from apify-client's transport (axios) is turned into: its message and code only,
 * redacted. An AxiosError carries the request config (with the Authorization header) and the
 * response (with its headers), which test runners print in full.
 */
function transportError(error: unknown, options: ApifyClientDriverOptions): Error {
  const axiosError = error as { isAxiosError?: unknown; code?: string; name?: string; message?: string };
  if (axiosError.isAxiosError !== true) return error instanceof Error ? error : new Error(String(error));
  const redact = (text: string): string => redactSecrets(text, options.token ? [options.token] : []);
  const reason =
    axiosError.code === 'ERR_CANCELED'
      ? `no complete response within ${options.timeoutMs} ms`
      : /maxContentLength/.test(axiosError.message ?? '')
        ? `the response body exceeds the cap of ${options.maxResponseBytes} bytes`
        : `${axiosError.code ?? axiosError.name ?? 'Error'}: ${axiosError.message ?? ''}`;
  const sanitized = new Error(redact(`apify-client: ${reason}`));
  sanitized.name = 'ApifyClientTransportError';
  // What an HTTP parser refused (Node's parse errors carry the bytes), for telling whose fault it was.
  const rawPacket = (axiosError as { cause?: { rawPacket?: unknown } }).cause?.rawPacket;
  return Object.assign(sanitized, {
    code: axiosError.code,
    ...(Buffer.isBuffer(rawPacket) ? { rawPacket } : {}),
  });
}

/** Where a request's config keeps the function its answer is told to (DriverFactoryContext.onRequest). */
const ANSWER = Symbol('kvsc answer');

/** The answer function a request's config carries, if any. */
const answerOf = (config: unknown): ((answer: DriverAnswer) => void) | undefined =>
  (config as { [ANSWER]?: (answer: DriverAnswer) => void } | undefined)?.[ANSWER];

/** Axios headers as plain strings (AxiosHeaders' own toJSON, asked for strings). */
const headersOf = (headers: unknown): Record<string, string> => {
  const plain =
    (headers as { toJSON?: (asStrings: boolean) => Record<string, unknown> } | undefined)?.toJSON?.(true) ??
    (headers as Record<string, unknown> | undefined) ??
    {};
  return Object.fromEntries(
    Object.entries(plain).flatMap(([name, value]) =>
      typeof value === 'string' || typeof value === 'number' ? [[name, String(value)]] : [],
    ),
  );
};

/**
 * A body as bytes or text: a Buffer or string as it is; a JSON value apify-client parsed the
 * answer into (or a request's object, before it is serialized) as JSON.
 */
const bodyOf = (data: unknown): string | Uint8Array | undefined =>
  data === undefined || data === null
    ? undefined
    : typeof data === 'string' || data instanceof Uint8Array
      ? data
      : data instanceof ArrayBuffer
        ? new Uint8Array(data)
        : JSON.stringify(data);

/** The most bytes of a parsed answer turned back into JSON for the evidence (the rest is not shown anyway). */
const MAX_REENCODED_BYTES = 65_536;

/**
 * An answer's body for the evidence: as bytes or text when apify-client kept it so; a value it
 * parsed as JSON again only when the answer said it was short (a large record is not re-encoded
 * for an excerpt of 2 KB).
 */
const answerBodyOf = (response: { headers: unknown; data: unknown }): string | Uint8Array | undefined => {
  const { data } = response;
  if (typeof data === 'string' || data instanceof Uint8Array || data === undefined || data === null)
    return bodyOf(data);
  const length = Number(headersOf(response.headers)['content-length'] ?? Infinity);
  return length <= MAX_REENCODED_BYTES ? bodyOf(data) : undefined;
};

/** The request a config stands for, read when its answer comes (by then serialized and compressed). */
const requestOf = (
  config: { readonly method?: string | undefined; readonly headers?: unknown; readonly data?: unknown },
  url: string,
): DriverRequest => ({
  get method() {
    return (config.method ?? 'GET').toUpperCase();
  },
  url,
  get headers() {
    return headersOf(config.headers);
  },
  get body() {
    return bodyOf(config.data);
  },
});

const toStoreInfo = (store: {
  id: string;
  name?: string | null;
  createdAt: Date;
  modifiedAt: Date;
}): StoreInfo => ({
  id: store.id,
  name: store.name ?? null,
  createdAt: store.createdAt.toISOString(),
  modifiedAt: store.modifiedAt.toISOString(),
});

/**
 * The KvsDriver through the real apify-client package (unmodified, at whichever installed version
 * is given), so suites see what a client author's users see: `undefined` for a miss, thrown
 * ApifyApiErrors otherwise. Retries are off unless asked for, so a flaky target is not hidden.
 * Every request of the client (also those suites send through `client` directly) is bounded like
 * the HTTP path: an abort after `timeoutMs` for the whole exchange (axios's own timeout only
 * notices an idle socket, not a dripping body) and axios's `maxContentLength` on the decompressed
 * body, so a gzip bomb stops at the cap.
 */
export class ApifyClientDriver implements KvsDriver {
  readonly name: string;
  readonly info: DriverInfo;
  readonly unsupported: Readonly<Partial<Record<DriverCapability, string>>>;
  readonly client: ApifyClient;

  constructor(options: ApifyClientDriverOptions) {
    this.info = options.info ?? {
      name: 'apify-client',
      package: 'apify-client',
      version: undefined,
      transport: 'http',
    };
    this.name = this.info.name;
    const ClientClass = options.clientClass ?? ApifyClient;
    this.client = new ClientClass({
      baseUrl: options.baseUrl,
      ...(options.token ? { token: options.token } : {}),
      maxRetries: options.maxRetries ?? 0,
      minDelayBetweenRetriesMillis: 10,
      timeoutSecs: Math.max(1, Math.ceil(options.timeoutMs / 1000)),
      requestInterceptors: [
        (config) => {
          const sent: typeof config & { [ANSWER]?: (answer: DriverAnswer) => void } = {
            ...config,
            maxContentLength: options.maxResponseBytes,
            signal: AbortSignal.timeout(options.timeoutMs),
          };
          // The client's own interceptors (serialize, compress) run after this one, on `sent`:
          // the request is read from it when the answer comes, as sent.
          const answer = options.onRequest?.(requestOf(sent, this.client.httpClient.axios.getUri(sent)));
          if (answer) sent[ANSWER] = answer;
          return sent;
        },
      ],
    });
    this.client.httpClient.axios.interceptors.response.use(
      (response) => {
        answerOf(response.config)?.({
          status: response.status,
          headers: headersOf(response.headers),
          body: answerBodyOf(response),
        });
        return response;
      },
      (error: unknown) => {
        const { config, response } = error as {
          config?: unknown;
          response?: { status: number; headers: unknown; data: unknown };
        };
        const sanitized = transportError(error, options);
        answerOf(config)?.(
          response
            ? { status: response.status, headers: headersOf(response.headers), body: answerBodyOf(response) }
            : { error: sanitized.message },
        );
        throw sanitized;
      },
    );
    // Before 2.2x the promise listKeys returns is not async-iterable: the client has no key iterator.
    const listKeys = (Object.getPrototypeOf(this.client.keyValueStore('probe')) as { listKeys: unknown })
      .listKeys;
    // Likewise its listKeys validates its options and refuses a prefix before the option existed.
    this.unsupported = {
      ...(String(listKeys).includes('asyncIterator')
        ? {}
        : {
            keyIterator: `${this.info.name} has no key iterator: listKeys returns one page (a plain promise)`,
          }),
      ...(String(listKeys).includes('prefix')
        ? {}
        : { keyPrefix: `${this.info.name}'s listKeys has no prefix option (it rejects one)` }),
    };
  }

  async listStores(query: StoreListQuery = {}): Promise<StoreListPage> {
    const page = await this.client.keyValueStores().list(query);
    return { ...page, items: page.items.map(toStoreInfo) };
  }

  async getOrCreateStore(name?: string): Promise<StoreInfo> {
    return toStoreInfo(await this.client.keyValueStores().getOrCreate(name));
  }

  async getStore(storeId: string): Promise<StoreInfo | undefined> {
    const store = await this.client.keyValueStore(storeId).get();
    return store && toStoreInfo(store);
  }

  async updateStore(
    storeId: string,
    fields: { name?: string | null; generalAccess?: string },
  ): Promise<StoreInfo> {
    return toStoreInfo(await this.client.keyValueStore(storeId).update(fields as never));
  }

  async deleteStore(storeId: string): Promise<void> {
    await this.client.keyValueStore(storeId).delete();
  }

  async listKeys(storeId: string, query: KeysQuery = {}): Promise<KeysPage> {
    return toKeysPage(await this.client.keyValueStore(storeId).listKeys(query));
  }

  iterateKeys(storeId: string, query: KeysQuery = {}): AsyncIterable<{ readonly key: string }> {
    return this.client.keyValueStore(storeId).listKeys(query);
  }

  async getRecord(storeId: string, key: string): Promise<RecordValue | undefined> {
    const record = await this.client.keyValueStore(storeId).getRecord(key, { buffer: true });
    return record && { value: record.value, contentType: record.contentType ?? '' };
  }

  async getRecordValue(
    storeId: string,
    key: string,
  ): Promise<{ value: unknown; contentType: string } | undefined> {
    const record = await this.client.keyValueStore(storeId).getRecord(key);
    return record && { value: record.value, contentType: record.contentType ?? '' };
  }

  recordExists(storeId: string, key: string): Promise<boolean> {
    return this.client.keyValueStore(storeId).recordExists(key);
  }

  async setRecord(storeId: string, key: string, value: Buffer, contentType: string): Promise<void> {
    await this.client.keyValueStore(storeId).setRecord({ key, value: value as never, contentType });
  }

  async deleteRecord(storeId: string, key: string): Promise<void> {
    await this.client.keyValueStore(storeId).deleteRecord(key);
  }

  async setRecordValue(storeId: string, key: string, value: unknown, contentType?: string): Promise<void> {
    await this.client
      .keyValueStore(storeId)
      .setRecord({ key, value: value as never, ...(contentType === undefined ? {} : { contentType }) });
  }
}
