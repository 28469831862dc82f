/** General access values a store may have. */
export type GeneralAccess =
  'FOLLOW_USER_SETTING' | 'RESTRICTED' | 'ANYONE_WITH_ID_CAN_READ' | 'ANYONE_WITH_NAME_CAN_READ';

/** Counters the server keeps per store. */
export interface StoreStats {
  readCount: number;
  writeCount: number;
  deleteCount: number;
  listCount: number;
  storageBytes: number;
}

/** What the server knows about a store (besides its records). */
export interface StoreMeta {
  id: string;
  name: string | null;
  /** Creation sequence number: the list order when createdAt timestamps tie. */
  seq: number;
  createdAt: Date;
  modifiedAt: Date;
  accessedAt: Date;
  generalAccess: GeneralAccess;
  urlSigningSecretKey: string;
  stats: StoreStats;
}

/** Request-body compression a record may be stored with (records are stored as uploaded). */
export type StoredEncoding = 'gzip' | 'br' | 'deflate';

/** A record as stored: the bytes as uploaded, their media type and their compression. */
export interface StoredRecord {
  key: string;
  contentType: string;
  encoding: StoredEncoding | null;
  value: Buffer;
}

/** A record without its value, for listings. */
export interface RecordInfo {
  key: string;
  /** Bytes stored (as uploaded). */
  size: number;
}

/**
 * Where the reference server keeps stores and records. The server does all checking, ordering and
 * counting; a backend only stores. Faulty backends in the project's tests implement this too.
 */
export interface StorageBackend {
  /** Every store, in any order. */
  listStores(): Promise<StoreMeta[]>;
  getStore(id: string): Promise<StoreMeta | undefined>;
  findStoreByName(name: string): Promise<StoreMeta | undefined>;
  createStore(meta: StoreMeta): Promise<void>;
  /**
   * Saves changed metadata. `durable` is true for changes a client was told about (rename,
   * access); false for counters and access times, which a backend may persist lazily.
   */
  saveStore(meta: StoreMeta, durable: boolean): Promise<void>;
  /** Deletes the store and every record in it. */
  deleteStore(id: string): Promise<void>;
  /** Every record of the store without values, in any order. */
  listRecords(storeId: string): Promise<RecordInfo[]>;
  getRecord(storeId: string, key: string): Promise<StoredRecord | undefined>;
  /** Stores the record durably before resolving; says the size it replaced (undefined: the key was new). */
  putRecord(storeId: string, record: StoredRecord): Promise<{ previousSize: number | undefined }>;
  /** Deletes the record; says its size (undefined: there was none). */
  deleteRecord(storeId: string, key: string): Promise<number | undefined>;
  /** Releases resources (file handles, timers). */
  close(): Promise<void>;
  /**
   * Optional, for a backend that holds stores and records in memory: the store's own metadata, at
   * once. The caller reads it before it next yields and never keeps or changes it. With
   * peekRecord and changeStoreNow it lets the server answer a record read without a promise.
   */
  peekStore?(id: string): Readonly<StoreMeta> | undefined;
  /** Optional (see peekStore): the record, at once; the caller never changes it. */
  peekRecord?(storeId: string, key: string): StoredRecord | undefined;
  /**
   * Optional (see peekStore): applies a change to counters and access times at once, saved as
   * saveStore(meta, false) would. Called only while the server holds no update of that store.
   */
  changeStoreNow?(id: string, change: (meta: StoreMeta) => void): void;
}

/**
 * A deep copy of store metadata, so callers never share mutable state with a backend. Written out
 * field by field (no spread): it runs several times per request, and a literal of a fixed shape is
 * what V8 builds fastest.
 */
export function copyStoreMeta(meta: StoreMeta): StoreMeta {
  const { stats } = meta;
  return {
    id: meta.id,
    name: meta.name,
    seq: meta.seq,
    createdAt: new Date(meta.createdAt.getTime()),
    modifiedAt: new Date(meta.modifiedAt.getTime()),
    accessedAt: new Date(meta.accessedAt.getTime()),
    generalAccess: meta.generalAccess,
    urlSigningSecretKey: meta.urlSigningSecretKey,
    stats: {
      readCount: stats.readCount,
      writeCount: stats.writeCount,
      deleteCount: stats.deleteCount,
      listCount: stats.listCount,
      storageBytes: stats.storageBytes,
    },
  };
}
