/** A store as a driver returns it. */
export interface StoreInfo {
  readonly id: string;
  readonly name: string | null;
  readonly createdAt: string;
  readonly modifiedAt: string;
}

/** One page of the store list. */
export interface StoreListPage {
  readonly total: number;
  readonly offset: number;
  readonly limit: number;
  readonly count: number;
  readonly desc: boolean;
  readonly items: readonly StoreInfo[];
}

/** One page of keys; `undefined` marks a field the target left out (not the same as null). */
export interface KeysPage {
  readonly items: readonly { readonly key: string; readonly size: number }[];
  readonly count: number;
  readonly limit: number;
  readonly isTruncated: boolean;
  readonly exclusiveStartKey: string | null | undefined;
  readonly nextExclusiveStartKey: string | null | undefined;
}

/**
 * A client library's page of keys as the driver interface has it: only the contract's fields,
 * a cursor the library left out kept as missing (KVS-KEYS-005 tells missing from null).
 */
export function toKeysPage(
  page: Omit<KeysPage, 'exclusiveStartKey' | 'nextExclusiveStartKey'> & {
    readonly exclusiveStartKey?: string | null | undefined;
    readonly nextExclusiveStartKey?: string | null | undefined;
  },
): KeysPage {
  return {
    items: page.items.map((item) => ({ key: item.key, size: item.size })),
    count: page.count,
    limit: page.limit,
    isTruncated: page.isTruncated,
    exclusiveStartKey: page.exclusiveStartKey,
    nextExclusiveStartKey: page.nextExclusiveStartKey,
  };
}

/** A record's value and media type. */
export interface RecordValue {
  readonly value: Buffer;
  readonly contentType: string;
}

/** Query of a store-list page. */
export interface StoreListQuery {
  readonly offset?: number;
  readonly limit?: number;
  readonly desc?: boolean;
  readonly unnamed?: boolean;
}

/**
 * Query of a key listing. For `listKeys` (one page): `limit` is that page's size, `exclusiveStartKey`
 * the cursor, `prefix` the filter. For `iterateKeys` (every page): `prefix` and `exclusiveStartKey`
 * apply to the whole walk (the iterator keeps the prefix on every page it asks for), and `limit` is
 * the most keys the walk yields in total (as apify-client's iterator has it), not a page size; the
 * pages' size is the target's.
 */
export interface KeysQuery {
  readonly limit?: number;
  readonly exclusiveStartKey?: string;
  readonly prefix?: string;
}

/** What a driver is: the name it runs under, the package and version it exercises, how it reaches a store. */
export interface DriverInfo {
  /** The column name in reports, e.g. `apify-client@2.12.0` or `crawlee-memory-storage:persist`. */
  readonly name: string;
  /** The npm package under test (undefined for a hand-written client that is not a package). */
  readonly package: string | undefined;
  readonly version: string | undefined;
  /** `http`: talks to the run's target over HTTP; `in-process`: the library is the store itself. */
  readonly transport: 'http' | 'in-process';
}

/**
 * Client promises a driver may be unable to express (its interface has no such operation or
 * option). A suite checking one reports the rule as not applicable for that driver, with the
 * reason the driver gives — never as a pass.
 */
export type DriverCapability =
  | 'storeList'
  | 'storeListPaging'
  | 'unnamedStore'
  | 'renameStore'
  /** Renaming a store to no name (`updateStore(id, { name: null })`). */
  | 'unnameStore'
  | 'keyPrefix'
  | 'keyIterator'
  | 'payloadLimit';

/**
 * The operations a key-value store offers, as one layer promises them: the HTTP driver over the
 * wire (a 404 becomes `undefined`), client drivers through the real library (apify-client,
 * `@crawlee/memory-storage`, `@apify/storage-local`, or a user's module). Suites written against
 * this run through every selected driver.
 */
export interface KvsDriver {
  /** The driver's column name in reports (`info.name`). */
  readonly name: string;
  readonly info: DriverInfo;
  /** Capabilities this driver cannot express, each with the reason. */
  readonly unsupported?: Readonly<Partial<Record<DriverCapability, string>>>;
  listStores(query?: StoreListQuery): Promise<StoreListPage>;
  /** Get-or-create by name, or create an unnamed store. */
  getOrCreateStore(name?: string): Promise<StoreInfo>;
  getStore(storeId: string): Promise<StoreInfo | undefined>;
  updateStore(
    storeId: string,
    fields: { readonly name?: string | null; readonly generalAccess?: string },
  ): Promise<StoreInfo>;
  deleteStore(storeId: string): Promise<void>;
  listKeys(storeId: string, query?: KeysQuery): Promise<KeysPage>;
  getRecord(storeId: string, key: string): Promise<RecordValue | undefined>;
  recordExists(storeId: string, key: string): Promise<boolean>;
  setRecord(storeId: string, key: string, value: Buffer, contentType: string): Promise<void>;
  deleteRecord(storeId: string, key: string): Promise<void>;
  /**
   * The library's own key iterator (it follows the cursors itself), when it has one; `query.limit`
   * is the most keys it yields in total, `query.prefix` holds for every page (see KeysQuery).
   */
  iterateKeys?(storeId: string, query?: KeysQuery): AsyncIterable<{ readonly key: string }>;
  /**
   * A record's value as the library decodes it (parsed JSON, a string, a Buffer), for the checks of
   * decoding by content type; `undefined` for a miss.
   */
  getRecordValue?(storeId: string, key: string): Promise<{ value: unknown; contentType: string } | undefined>;
  /**
   * Writes a value through the library's own value path (as apify-client's `setRecord({key, value,
   * contentType})`): a string, a JSON value (object, array, number, boolean, null) or a Buffer;
   * without `contentType` the library picks one by the value's kind. Optional: without it the
   * checks of a client's value writes (KVS-RECORD-014) are reported as not checked.
   */
  setRecordValue?(storeId: string, key: string, value: unknown, contentType?: string): Promise<void>;
  /** Releases what the driver holds (connections, temp files it made). */
  close?(): Promise<void>;
}

/** What a driver factory gets: where the run's target is and the limits every driver keeps. */
export interface DriverFactoryContext {
  /** Base URL of the target (without /v2); in-process drivers ignore it. */
  readonly targetUrl: string;
  readonly token: string | undefined;
  /** Per-request timeout every request must keep. */
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
  /** A fresh folder the driver may use (in-process storage on disk); removed after the run. */
  readonly workDir: string;
  /**
   * How many times a driver's library may retry a failed request (0 in conformance runs, so a
   * flaky target is not hidden; the client-contract checks raise it to see the retries).
   */
  readonly maxRetries: number;
  /**
   * A driver over HTTP may call it once per request it sends, so the run's report counts the
   * driver's requests per rule (optional: a driver that does not is simply not counted). Called
   * with the request, it returns a function to call with the answer: a failure found through the
   * driver then shows the requests its call made (curl lines, statuses, bodies; token redacted).
   */
  readonly onRequest?: (request?: DriverRequest) => (answer: DriverAnswer) => void;
}

/**
 * One request a driver sent, as its library tells it (only method and url are required); read when
 * its answer is told, so a library may tell of it before it adds headers or compresses the body.
 */
export interface DriverRequest {
  readonly method: string;
  /** The absolute URL sent, query included. */
  readonly url: string;
  readonly headers?: Readonly<Record<string, string | readonly string[] | number | undefined>> | undefined;
  readonly body?: string | Uint8Array | undefined;
}

/** The answer to a DriverRequest: the response read (status, headers, body), or the error that ended it. */
export interface DriverAnswer {
  readonly status?: number | undefined;
  readonly headers?: Readonly<Record<string, string | readonly string[] | number | undefined>> | undefined;
  readonly body?: string | Uint8Array | undefined;
  readonly error?: string | undefined;
}

/**
 * What a user's driver module exports (as `default` or `createDriver`): builds a KvsDriver for one
 * suite file. See the template shipped in the package, `examples/driver-template.mjs`.
 */
export type KvsDriverFactory = (context: DriverFactoryContext) => KvsDriver | Promise<KvsDriver>;

/** A driver factory that may say up front what it builds (a built-in one), so it need not be built to learn it. */
export type DescribedDriverFactory = KvsDriverFactory & { readonly info?: DriverInfo };

/** A client under test: a driver over HTTP other than the harness's own `http` driver. */
export const isClientDriver = (info: DriverInfo): boolean =>
  info.transport === 'http' && info.name !== 'http';
