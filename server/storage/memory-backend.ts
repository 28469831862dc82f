import {
  copyStoreMeta,
  type RecordInfo,
  type StorageBackend,
  type StoreMeta,
  type StoredRecord,
} from './storage-backend.ts';

interface MemoryStore {
  meta: StoreMeta;
  records: Map<string, StoredRecord>;
}

/**
 * Copies `source` into the backend's own `target` in place (no new objects: reads and writes save
 * metadata on every request). Safe because the backend's object is handed out only to peekStore's
 * callers, who read it at once, and changeStoreNow's, who change it at once.
 */
function overwriteStoreMeta(target: StoreMeta, source: StoreMeta): void {
  target.name = source.name;
  target.seq = source.seq;
  target.createdAt.setTime(source.createdAt.getTime());
  target.modifiedAt.setTime(source.modifiedAt.getTime());
  target.accessedAt.setTime(source.accessedAt.getTime());
  target.generalAccess = source.generalAccess;
  target.urlSigningSecretKey = source.urlSigningSecretKey;
  Object.assign(target.stats, source.stats);
}

/**
 * Keeps everything in process memory; the default backend. It offers the synchronous reads
 * (peekStore, peekRecord, changeStoreNow): a subclass that changes what getStore or getRecord
 * answer must change those alike, or the server's record reads will not see it.
 */
export class MemoryBackend implements StorageBackend {
  readonly #stores = new Map<string, MemoryStore>();

  listStores(): Promise<StoreMeta[]> {
    return Promise.resolve([...this.#stores.values()].map((store) => copyStoreMeta(store.meta)));
  }

  getStore(id: string): Promise<StoreMeta | undefined> {
    const store = this.#stores.get(id);
    return Promise.resolve(store && copyStoreMeta(store.meta));
  }

  findStoreByName(name: string): Promise<StoreMeta | undefined> {
    for (const store of this.#stores.values()) {
      if (store.meta.name === name) return Promise.resolve(copyStoreMeta(store.meta));
    }
    return Promise.resolve(undefined);
  }

  createStore(meta: StoreMeta): Promise<void> {
    this.#stores.set(meta.id, { meta: copyStoreMeta(meta), records: new Map() });
    return Promise.resolve();
  }

  saveStore(meta: StoreMeta): Promise<void> {
    const store = this.#stores.get(meta.id);
    if (store) overwriteStoreMeta(store.meta, meta);
    return Promise.resolve();
  }

  deleteStore(id: string): Promise<void> {
    this.#stores.delete(id);
    return Promise.resolve();
  }

  listRecords(storeId: string): Promise<RecordInfo[]> {
    const records = this.#stores.get(storeId)?.records.values() ?? [];
    return Promise.resolve([...records].map((record) => ({ key: record.key, size: record.value.length })));
  }

  getRecord(storeId: string, key: string): Promise<StoredRecord | undefined> {
    return Promise.resolve(this.#stores.get(storeId)?.records.get(key));
  }

  putRecord(storeId: string, record: StoredRecord): Promise<{ previousSize: number | undefined }> {
    const records = this.#stores.get(storeId)?.records;
    if (!records) return Promise.reject(new Error(`store ${storeId} does not exist`));
    const previousSize = records.get(record.key)?.value.length;
    records.set(record.key, record);
    return Promise.resolve({ previousSize });
  }

  deleteRecord(storeId: string, key: string): Promise<number | undefined> {
    const records = this.#stores.get(storeId)?.records;
    const size = records?.get(key)?.value.length;
    records?.delete(key);
    return Promise.resolve(size);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  peekStore(id: string): Readonly<StoreMeta> | undefined {
    return this.#stores.get(id)?.meta;
  }

  peekRecord(storeId: string, key: string): StoredRecord | undefined {
    return this.#stores.get(storeId)?.records.get(key);
  }

  changeStoreNow(id: string, change: (meta: StoreMeta) => void): void {
    const store = this.#stores.get(id);
    if (store) change(store.meta);
  }
}
