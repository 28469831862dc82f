import { mkdirSync, readdirSync, readFileSync, existsSync } from 'node:fs';
import { open, readFile, rename, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { KeyedMutex } from '../keyed-mutex.ts';
import { newStoreMeta } from '../new-store-meta.ts';
import { isValidStoreName } from '../store-name.ts';
import { randomAlphanumeric } from '../store-ids.ts';
import { guessRecordFromFile, recordFileName } from './file-extensions.ts';
import {
  copyStoreMeta,
  type RecordInfo,
  type StorageBackend,
  type StoreMeta,
  type StoredEncoding,
  type StoredRecord,
} from './storage-backend.ts';

const STORE_METADATA = '__metadata__.json';
const RECORD_METADATA_SUFFIX = '.__metadata__.json';
const LAZY_FLUSH_MS = 1000;
/** Temp files start with `~`, which no record key can hold, so they never pass for records. */
const TEMP_PREFIX = '~tmp-';

/** The record's file name, kept clear of the names metadata files use. */
function dataFileName(key: string, contentType: string): string {
  const name = recordFileName(key, contentType);
  return name === STORE_METADATA || name.endsWith(RECORD_METADATA_SUFFIX) ? `${name}.bin` : name;
}

interface RecordEntry {
  file: string;
  contentType: string;
  encoding: StoredEncoding | null;
  size: number;
}

interface DirectoryStore {
  meta: StoreMeta;
  dir: string;
  records: Map<string, RecordEntry>;
}

interface StoreMetadataFile extends Omit<StoreMeta, 'createdAt' | 'modifiedAt' | 'accessedAt'> {
  createdAt: string;
  modifiedAt: string;
  accessedAt: string;
  userId: string;
}

/** Writes a file atomically and durably: temp file, fsync, rename, fsync of the folder. */
async function writeFileAtomic(dir: string, name: string, data: Buffer | string): Promise<void> {
  const temp = join(dir, `${TEMP_PREFIX}${randomAlphanumeric(12)}`);
  const handle = await open(temp, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, join(dir, name));
  const folder = await open(dir, 'r');
  try {
    await folder.sync();
  } finally {
    await folder.close();
  }
}

/**
 * Keeps stores in a folder in the Apify/Crawlee local layout: `key_value_stores/{name or id}/`
 * with one `{key}.{ext}` file per record, `{key}.__metadata__.json` beside it and the store's
 * `__metadata__.json`. Record writes are atomic and durable before they are acknowledged; the
 * record metadata file is authoritative, so a crash between the two renames keeps the old value.
 */
export class DirectoryBackend implements StorageBackend {
  readonly #root: string;
  readonly #stores = new Map<string, DirectoryStore>();
  readonly #locks = new KeyedMutex();
  readonly #dirty = new Set<string>();
  #flushTimer: NodeJS.Timeout | undefined;

  constructor(rootDir: string) {
    this.#root = join(rootDir, 'key_value_stores');
    mkdirSync(this.#root, { recursive: true });
    for (const entry of readdirSync(this.#root, { withFileTypes: true })) {
      if (entry.isDirectory()) this.#loadStore(join(this.#root, entry.name), entry.name);
    }
  }

  #loadStore(dir: string, dirName: string): void {
    const metadataPath = join(dir, STORE_METADATA);
    let meta: StoreMeta;
    if (existsSync(metadataPath)) {
      const saved = JSON.parse(readFileSync(metadataPath, 'utf8')) as StoreMetadataFile;
      meta = {
        ...saved,
        createdAt: new Date(saved.createdAt),
        modifiedAt: new Date(saved.modifiedAt),
        accessedAt: new Date(saved.accessedAt),
      };
    } else {
      // A folder placed by hand (e.g. Crawlee's `default`): its name if it is a valid store name.
      meta = newStoreMeta(isValidStoreName(dirName) ? dirName : null, 0);
    }
    const records = new Map<string, RecordEntry>();
    const files = readdirSync(dir).filter((file) => !file.startsWith(TEMP_PREFIX) && file !== STORE_METADATA);
    const described = new Set<string>();
    for (const file of files.filter((name) => name.endsWith(RECORD_METADATA_SUFFIX))) {
      const saved = JSON.parse(readFileSync(join(dir, file), 'utf8')) as RecordEntry & { key: string };
      if (!existsSync(join(dir, saved.file))) continue;
      records.set(saved.key, {
        file: saved.file,
        contentType: saved.contentType,
        encoding: saved.encoding,
        size: saved.size,
      });
      described.add(saved.file);
    }
    for (const file of files.filter(
      (name) => !name.endsWith(RECORD_METADATA_SUFFIX) && !described.has(name),
    )) {
      const { key, contentType } = guessRecordFromFile(file);
      if (!records.has(key)) {
        records.set(key, { file, contentType, encoding: null, size: readFileSync(join(dir, file)).length });
      }
    }
    this.#stores.set(meta.id, { meta, dir, records });
  }

  #require(id: string): DirectoryStore {
    const store = this.#stores.get(id);
    if (!store) throw new Error(`store ${id} does not exist`);
    return store;
  }

  async #writeStoreMetadata(store: DirectoryStore): Promise<void> {
    const { meta } = store;
    const file: StoreMetadataFile = {
      ...meta,
      createdAt: meta.createdAt.toISOString(),
      modifiedAt: meta.modifiedAt.toISOString(),
      accessedAt: meta.accessedAt.toISOString(),
      userId: '1',
    };
    await writeFileAtomic(store.dir, STORE_METADATA, JSON.stringify(file, null, 2));
  }

  listStores(): Promise<StoreMeta[]> {
    return Promise.resolve([...this.#stores.values()].map((store) => copyStoreMeta(store.meta)));
  }

  getStore(id: string): Promise<StoreMeta | undefined> {
    const store = this.#stores.get(id);
    return Promise.resolve(store && copyStoreMeta(store.meta));
  }

  findStoreByName(name: string): Promise<StoreMeta | undefined> {
    const store = [...this.#stores.values()].find((candidate) => candidate.meta.name === name);
    return Promise.resolve(store && copyStoreMeta(store.meta));
  }

  async createStore(meta: StoreMeta): Promise<void> {
    const dir = join(this.#root, meta.name ?? meta.id);
    mkdirSync(dir, { recursive: true });
    const store = { meta: copyStoreMeta(meta), dir, records: new Map<string, RecordEntry>() };
    await this.#writeStoreMetadata(store);
    this.#stores.set(meta.id, store);
  }

  saveStore(meta: StoreMeta, durable: boolean): Promise<void> {
    return this.#locks.run(meta.id, async () => {
      const store = this.#require(meta.id);
      const dir = join(this.#root, meta.name ?? meta.id);
      if (dir !== store.dir) {
        await rename(store.dir, dir);
        store.dir = dir;
      }
      store.meta = copyStoreMeta(meta);
      if (durable) {
        this.#dirty.delete(meta.id);
        await this.#writeStoreMetadata(store);
      } else {
        this.#dirty.add(meta.id);
        this.#flushTimer ??= setTimeout(() => void this.#flush(), LAZY_FLUSH_MS).unref();
      }
    });
  }

  async #flush(): Promise<void> {
    this.#flushTimer = undefined;
    const ids = [...this.#dirty];
    this.#dirty.clear();
    await Promise.all(
      ids.map((id) =>
        this.#locks.run(id, async () => {
          const store = this.#stores.get(id);
          if (store) await this.#writeStoreMetadata(store);
        }),
      ),
    );
  }

  deleteStore(id: string): Promise<void> {
    return this.#locks.run(id, async () => {
      const store = this.#stores.get(id);
      if (!store) return;
      this.#stores.delete(id);
      this.#dirty.delete(id);
      await rm(store.dir, { recursive: true, force: true });
    });
  }

  listRecords(storeId: string): Promise<RecordInfo[]> {
    const records = this.#stores.get(storeId)?.records ?? new Map<string, RecordEntry>();
    return Promise.resolve([...records].map(([key, entry]) => ({ key, size: entry.size })));
  }

  async getRecord(storeId: string, key: string): Promise<StoredRecord | undefined> {
    const store = this.#stores.get(storeId);
    const entry = store?.records.get(key);
    if (!store || !entry) return undefined;
    const value = await readFile(join(store.dir, entry.file));
    return { key, contentType: entry.contentType, encoding: entry.encoding, value };
  }

  putRecord(storeId: string, record: StoredRecord): Promise<{ previousSize: number | undefined }> {
    return this.#locks.run(storeId, async () => {
      const store = this.#require(storeId);
      const previous = store.records.get(record.key);
      const entry: RecordEntry = {
        file: dataFileName(record.key, record.contentType),
        contentType: record.contentType,
        encoding: record.encoding,
        size: record.value.length,
      };
      await writeFileAtomic(store.dir, entry.file, record.value);
      await writeFileAtomic(
        store.dir,
        record.key + RECORD_METADATA_SUFFIX,
        JSON.stringify({ key: record.key, ...entry }),
      );
      store.records.set(record.key, entry);
      if (previous && previous.file !== entry.file)
        await unlink(join(store.dir, previous.file)).catch(() => undefined);
      return { previousSize: previous?.size };
    });
  }

  deleteRecord(storeId: string, key: string): Promise<number | undefined> {
    return this.#locks.run(storeId, async () => {
      const store = this.#stores.get(storeId);
      const entry = store?.records.get(key);
      if (!store || !entry) return undefined;
      await unlink(join(store.dir, key + RECORD_METADATA_SUFFIX)).catch(() => undefined);
      await unlink(join(store.dir, entry.file)).catch(() => undefined);
      store.records.delete(key);
      return entry.size;
    });
  }

  async close(): Promise<void> {
    if (this.#flushTimer) clearTimeout(this.#flushTimer);
    await this.#flush();
  }
}
