import { ApifyClient } from 'apify-client';
import type {
  DriverCapability,
  DriverInfo,
  KeysPage,
  KeysQuery,
  KvsDriver,
  RecordValue,
  StoreInfo,
  StoreListPage,
  StoreListQuery,
} from './kvs-driver.ts';

/** Where the apify-client driver connects. */
export interface ApifyClientDriverOptions {
  readonly baseUrl: string;
  readonly token: string | undefined;
  readonly timeoutMs: number;
  /** Retries of the client (default 0: a flaky target is not hidden). */
  readonly maxRetries?: number;
  /** The ApifyClient class of the installed copy under test (default: the harness's own apify-client). */
  readonly clientClass?: typeof ApifyClient;
  /** Name, package and version of that copy (default: `apify-client` with no version). */
  readonly info?: DriverInfo;
}

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
    });
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
    const page = await this.client.keyValueStore(storeId).listKeys(query);
    return {
      items: page.items.map((item) => ({ key: item.key, size: item.size })),
      count: page.count,
      limit: page.limit,
      isTruncated: page.isTruncated,
      exclusiveStartKey: page.exclusiveStartKey,
      nextExclusiveStartKey: page.nextExclusiveStartKey,
    };
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
}
