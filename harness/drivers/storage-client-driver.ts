import {
  toKeysPage,
  type DriverCapability,
  type DriverInfo,
  type KeysPage,
  type KeysQuery,
  type KvsDriver,
  type RecordValue,
  type StoreInfo,
  type StoreListPage,
  type StoreListQuery,
} from './kvs-driver.ts';

/** A store as the in-process storage clients return it. */
interface LocalStoreInfo {
  readonly id: string;
  readonly name?: string | null;
  readonly createdAt: Date;
  readonly modifiedAt: Date;
}

/** One store's client of the apify-client storage interface, as in-process libraries implement it. */
export interface LocalStoreClient {
  get(): Promise<LocalStoreInfo | undefined>;
  update(fields: { name?: string | null }): Promise<unknown>;
  delete(): Promise<void>;
  listKeys(options?: { limit?: number; exclusiveStartKey?: string; prefix?: string }): Promise<{
    count: number;
    limit: number;
    isTruncated: boolean;
    exclusiveStartKey?: string;
    nextExclusiveStartKey?: string;
    items: { key: string; size: number }[];
  }>;
  recordExists(key: string): Promise<boolean>;
  getRecord(
    key: string,
    options?: { buffer?: boolean },
  ): Promise<{ key: string; value: unknown; contentType?: string } | undefined>;
  setRecord(record: { key: string; value: unknown; contentType?: string }): Promise<void>;
  deleteRecord(key: string): Promise<void>;
}

/** The storage client of an in-process library (`@crawlee/memory-storage`, `@apify/storage-local`). */
export interface LocalStorageClient {
  keyValueStores(): {
    list(): Promise<{
      total: number;
      offset: number;
      limit: number;
      count: number;
      desc: boolean;
      items: LocalStoreInfo[];
    }>;
    getOrCreate(name?: string): Promise<LocalStoreInfo>;
  };
  keyValueStore(id: string): LocalStoreClient;
}

/** How a StorageClientDriver is built. */
export interface StorageClientDriverOptions {
  readonly storage: LocalStorageClient;
  readonly info: DriverInfo;
  readonly unsupported: Readonly<Partial<Record<DriverCapability, string>>>;
  /** Whether the promise of `listKeys` is also an async iterator over every key (crawlee's is). */
  readonly iterates: boolean;
  /** Releases the library's resources and its folder. */
  readonly close: () => Promise<void>;
}

const toStoreInfo = (store: LocalStoreInfo): StoreInfo => ({
  id: store.id,
  name: store.name ?? null,
  createdAt: new Date(store.createdAt).toISOString(),
  modifiedAt: new Date(store.modifiedAt).toISOString(),
});

/**
 * The KvsDriver over an in-process library presenting the apify-client storage interface
 * (`keyValueStores()`, `keyValueStore(id)`): the library is the store, so the suites judge its
 * emulation of the platform, the same way they judge a server through the HTTP drivers.
 */
export class StorageClientDriver implements KvsDriver {
  readonly name: string;
  readonly info: DriverInfo;
  readonly unsupported: Readonly<Partial<Record<DriverCapability, string>>>;
  readonly storage: LocalStorageClient;
  readonly #close: () => Promise<void>;
  readonly #iterates: boolean;

  constructor(options: StorageClientDriverOptions) {
    this.info = options.info;
    this.name = options.info.name;
    this.unsupported = options.unsupported;
    this.storage = options.storage;
    this.#close = options.close;
    this.#iterates = options.iterates;
    if (!options.iterates) {
      this.unsupported = {
        keyIterator: `${options.info.name} has no key iterator: listKeys returns one page (a plain promise)`,
        ...options.unsupported,
      };
    }
  }

  async listStores(_query: StoreListQuery = {}): Promise<StoreListPage> {
    const page = await this.storage.keyValueStores().list();
    return { ...page, items: page.items.map(toStoreInfo) };
  }

  async getOrCreateStore(name?: string): Promise<StoreInfo> {
    return toStoreInfo(await this.storage.keyValueStores().getOrCreate(name));
  }

  async getStore(storeId: string): Promise<StoreInfo | undefined> {
    const store = await this.storage.keyValueStore(storeId).get();
    return store && toStoreInfo(store);
  }

  async updateStore(storeId: string, fields: { name?: string | null }): Promise<StoreInfo> {
    const store = this.storage.keyValueStore(storeId);
    // The name as given (null included): a library that cannot unname a store says so by throwing.
    await store.update(fields.name === undefined ? {} : { name: fields.name });
    const updated = await this.storage.keyValueStore(storeId).get();
    if (!updated) throw new Error(`store ${storeId} is gone after its update`);
    return toStoreInfo(updated);
  }

  async deleteStore(storeId: string): Promise<void> {
    await this.storage.keyValueStore(storeId).delete();
  }

  async listKeys(storeId: string, query: KeysQuery = {}): Promise<KeysPage> {
    return toKeysPage(await this.storage.keyValueStore(storeId).listKeys(query));
  }

  iterateKeys(storeId: string, query: KeysQuery = {}): AsyncIterable<{ readonly key: string }> {
    if (!this.#iterates) throw new Error(this.unsupported.keyIterator);
    return this.storage.keyValueStore(storeId).listKeys(query) as unknown as AsyncIterable<{ key: string }>;
  }

  async getRecord(storeId: string, key: string): Promise<RecordValue | undefined> {
    const record = await this.storage.keyValueStore(storeId).getRecord(key, { buffer: true });
    if (record === undefined) return undefined;
    const value = record.value;
    return {
      value: Buffer.isBuffer(value) ? value : Buffer.from(value as ArrayBuffer),
      contentType: record.contentType ?? '',
    };
  }

  async getRecordValue(
    storeId: string,
    key: string,
  ): Promise<{ value: unknown; contentType: string } | undefined> {
    const record = await this.storage.keyValueStore(storeId).getRecord(key);
    return record && { value: record.value, contentType: record.contentType ?? '' };
  }

  recordExists(storeId: string, key: string): Promise<boolean> {
    return this.storage.keyValueStore(storeId).recordExists(key);
  }

  async setRecord(storeId: string, key: string, value: Buffer, contentType: string): Promise<void> {
    await this.storage.keyValueStore(storeId).setRecord({ key, value, contentType });
  }

  async deleteRecord(storeId: string, key: string): Promise<void> {
    await this.storage.keyValueStore(storeId).deleteRecord(key);
  }

  close(): Promise<void> {
    return this.#close();
  }
}
