import { ApifyClient } from 'apify-client';
import type {
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
 * The KvsDriver through the real apify-client package (unmodified), so suites see what a client
 * author's users see: `undefined` for a miss, thrown ApifyApiErrors otherwise. Retries are off so a
 * flaky target is not hidden.
 */
export class ApifyClientDriver implements KvsDriver {
  readonly name = 'apify-client';
  readonly client: ApifyClient;

  constructor(options: ApifyClientDriverOptions) {
    this.client = new ApifyClient({
      baseUrl: options.baseUrl,
      ...(options.token ? { token: options.token } : {}),
      maxRetries: 0,
      timeoutSecs: Math.max(1, Math.ceil(options.timeoutMs / 1000)),
    });
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

  async getRecord(storeId: string, key: string): Promise<RecordValue | undefined> {
    const record = await this.client.keyValueStore(storeId).getRecord(key, { buffer: true });
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
