import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync } from 'node:fs';
import { open, readFile, rename, rm, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { KeyedMutex } from '../keyed-mutex.ts';
import { ServerOptionError } from '../server-options.ts';
import { randomAlphanumeric } from '../store-ids.ts';
import { extensionFor } from './file-extensions.ts';
import { loadDirectoryStore, type DirectoryRecord, type RecordMetadataFile } from './load-directory-store.ts';
import { STORE_METADATA_FILE, TEMP_PREFIX, recordFileNames } from './record-file-names.ts';
import {
  copyStoreMeta,
  type RecordInfo,
  type StorageBackend,
  type StoreMeta,
  type StoredRecord,
} from './storage-backend.ts';

const LAZY_FLUSH_MS = 1000;

function warn(message: string): void {
  console.error(`kvs-conformance server: ${message}`);
}
/** How many `{name or id}~{id}-{n}` folder names are tried before a store folder is given up on. */
const FOLDER_ATTEMPTS = 100;

interface DirectoryStore {
  meta: StoreMeta;
  dir: string;
  records: Map<string, DirectoryRecord>;
}

interface StoreMetadataFile extends Omit<StoreMeta, 'createdAt' | 'modifiedAt' | 'accessedAt'> {
  createdAt: string;
  modifiedAt: string;
  accessedAt: string;
  userId: string;
}

async function syncFolder(dir: string): Promise<void> {
  const folder = await open(dir, 'r');
  try {
    await folder.sync();
  } finally {
    await folder.close();
  }
}

/** syncFolder, synchronously (at start-up). */
function syncFolderNow(dir: string): void {
  const folder = openSync(dir, 'r');
  try {
    fsyncSync(folder);
  } finally {
    closeSync(folder);
  }
}

/** Writes data to a new temp file in the folder, durably; says its name. */
async function writeTempFile(dir: string, data: Buffer | string): Promise<string> {
  const temp = `${TEMP_PREFIX}${randomAlphanumeric(12)}`;
  const handle = await open(join(dir, temp), 'wx');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return temp;
}

/** Writes a file atomically and durably: temp file, fsync, rename, fsync of the folder. */
async function writeFileAtomic(dir: string, name: string, data: Buffer | string): Promise<void> {
  const temp = await writeTempFile(dir, data);
  await rename(join(dir, temp), join(dir, name));
  await syncFolder(dir);
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}

/**
 * Keeps stores in a folder in the Apify/Crawlee local layout: `key_value_stores/{name or id}/`
 * with one `{key}.{ext}` file per record, `{key}.__metadata__.json` beside it and the store's
 * `__metadata__.json` (file names: see recordFileNames). A store whose `{name or id}` folder is
 * taken (a name equal to another store's id, a case variant on a case-insensitive disk, a folder
 * left by someone else) gets `{name or id}~{id}`: `~` is in no name or id, so folders never collide.
 *
 * A record write commits in one rename: the value goes to a temp file, then the metadata naming
 * that temp file as `staged` replaces the old metadata (the commit), then the temp file is moved
 * into place; a load finishes a staged move. So after a crash at any point a record reads back as
 * its old or its new value, whole, with the matching content type and encoding.
 */
export class DirectoryBackend implements StorageBackend {
  readonly #root: string;
  readonly #stores = new Map<string, DirectoryStore>();
  /** Store folder names in use, lower-cased (a case-insensitive disk sees `A` and `a` as one). */
  readonly #folders = new Set<string>();
  readonly #locks = new KeyedMutex();
  readonly #dirty = new Set<string>();
  #flushTimer: NodeJS.Timeout | undefined;

  /** Loads every store folder; a file that cannot be read stops it with the file's path. */
  constructor(rootDir: string) {
    this.#root = join(rootDir, 'key_value_stores');
    const created = mkdirSync(this.#root, { recursive: true });
    // Each folder just made is durable once the folder holding it is fsynced.
    if (created !== undefined)
      for (let dir = this.#root; dir !== dirname(created); dir = dirname(dir)) syncFolderNow(dirname(dir));
    const folderOf = new Map<string, string>();
    const nameFolder = new Map<string, string>();
    const loaded = readdirSync(this.#root, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => {
        const dir = join(this.#root, entry.name);
        return { dir, ...loadDirectoryStore(dir, entry.name, warn) };
      })
      // Stores with metadata first: a folder placed by hand does not take a name one of them holds.
      .sort((a, b) => Number(b.described) - Number(a.described));
    for (const { dir, meta, described, records } of loaded) {
      const sameId = folderOf.get(meta.id);
      if (sameId)
        throw new ServerOptionError(
          `storage folders ${sameId} and ${dir} both hold store id ${meta.id}; move one away`,
        );
      const sameName = meta.name === null ? undefined : nameFolder.get(meta.name);
      if (sameName && described)
        throw new ServerOptionError(
          `storage folders ${sameName} and ${dir} both hold store name ${meta.name}; move one away`,
        );
      if (sameName) {
        warn(`${dir} has no metadata and store ${sameName} holds its name; it is loaded as an unnamed store`);
        meta.name = null;
      }
      folderOf.set(meta.id, dir);
      if (meta.name !== null) nameFolder.set(meta.name, dir);
      this.#folders.add(basename(dir).toLowerCase());
      this.#stores.set(meta.id, { meta, dir, records });
    }
  }

  /** Folder names a store may live in, best first. */
  static #folderNames(meta: StoreMeta): string[] {
    const preferred = meta.name ?? meta.id;
    return [
      preferred,
      `${preferred}~${meta.id}`,
      ...Array.from({ length: FOLDER_ATTEMPTS }, (_, n) => `${preferred}~${meta.id}-${n + 2}`),
    ];
  }

  /** Takes a free folder name for the store (synchronously, so no other request takes it too). */
  #claimFolder(meta: StoreMeta, create: boolean): string {
    for (const name of DirectoryBackend.#folderNames(meta)) {
      if (this.#folders.has(name.toLowerCase())) continue;
      const dir = join(this.#root, name);
      if (create) {
        try {
          mkdirSync(dir);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
          throw error;
        }
      } else if (existsSync(dir)) continue;
      this.#folders.add(name.toLowerCase());
      return dir;
    }
    throw new Error(`no free folder for store ${meta.id} in ${this.#root}`);
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
    await writeFileAtomic(store.dir, STORE_METADATA_FILE, JSON.stringify(file, null, 2));
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
    const dir = this.#claimFolder(meta, true);
    const store = { meta: copyStoreMeta(meta), dir, records: new Map<string, DirectoryRecord>() };
    try {
      await this.#writeStoreMetadata(store);
      // The new folder's entry in key_value_stores/ is durable only once that folder is fsynced.
      await syncFolder(this.#root);
    } catch (error) {
      this.#folders.delete(basename(dir).toLowerCase());
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
    this.#stores.set(meta.id, store);
  }

  saveStore(meta: StoreMeta, durable: boolean): Promise<void> {
    return this.#locks.run(meta.id, async () => {
      const store = this.#require(meta.id);
      const current = basename(store.dir);
      // Only a change of name moves a folder (a folder placed by hand keeps its name otherwise).
      if (meta.name !== store.meta.name && !DirectoryBackend.#folderNames(meta).includes(current)) {
        const dir = this.#claimFolder(meta, false);
        try {
          await rename(store.dir, dir);
        } catch (error) {
          this.#folders.delete(basename(dir).toLowerCase());
          throw error;
        }
        this.#folders.delete(current.toLowerCase());
        store.dir = dir;
        await syncFolder(this.#root);
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

  /** Writes lazily saved metadata; a failure is reported (with the folder), never thrown. */
  async #flush(): Promise<void> {
    this.#flushTimer = undefined;
    const ids = [...this.#dirty];
    this.#dirty.clear();
    await Promise.all(
      ids.map((id) =>
        this.#locks.run(id, async () => {
          const store = this.#stores.get(id);
          if (!store) return;
          try {
            await this.#writeStoreMetadata(store);
          } catch (error) {
            warn(`could not save the metadata of store ${id} in ${store.dir}: ${(error as Error).message}`);
          }
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
      this.#folders.delete(basename(store.dir).toLowerCase());
      await syncFolder(this.#root);
    });
  }

  listRecords(storeId: string): Promise<RecordInfo[]> {
    const records = this.#stores.get(storeId)?.records ?? new Map<string, DirectoryRecord>();
    return Promise.resolve([...records].map(([key, entry]) => ({ key, size: entry.size })));
  }

  /** Reads under the record's lock, so a read never pairs a new value with old metadata. */
  getRecord(storeId: string, key: string): Promise<StoredRecord | undefined> {
    return this.#locks.run(`${storeId}/${key}`, async () => {
      const store = this.#stores.get(storeId);
      const entry = store?.records.get(key);
      if (!store || !entry) return undefined;
      try {
        const value = await readFile(join(store.dir, entry.file));
        return { key, contentType: entry.contentType, encoding: entry.encoding, value };
      } catch (error) {
        if (isMissing(error) && !this.#stores.has(storeId)) return undefined; // deleted meanwhile
        throw error;
      }
    });
  }

  putRecord(storeId: string, record: StoredRecord): Promise<{ previousSize: number | undefined }> {
    return this.#locks.run(storeId, () =>
      this.#locks.run(`${storeId}/${record.key}`, async () => {
        const store = this.#require(storeId);
        const previous = store.records.get(record.key);
        const names = recordFileNames(record.key, record.contentType);
        const staged = await writeTempFile(store.dir, record.value);
        const metadata: RecordMetadataFile = {
          key: record.key,
          contentType: record.contentType,
          extension: extensionFor(record.contentType),
          encoding: record.encoding,
          size: record.value.length,
          staged,
        };
        try {
          // The commit: from here on a load moves the staged value into place.
          await writeFileAtomic(store.dir, names.metadata, JSON.stringify(metadata));
        } catch (error) {
          await rm(join(store.dir, staged), { force: true });
          throw error;
        }
        await rename(join(store.dir, staged), join(store.dir, names.data));
        await syncFolder(store.dir);
        store.records.set(record.key, {
          file: names.data,
          metadataFile: names.metadata,
          contentType: record.contentType,
          encoding: record.encoding,
          size: record.value.length,
        });
        if (previous && previous.file !== names.data) {
          await unlink(join(store.dir, previous.file)).catch(() => undefined);
          await syncFolder(store.dir);
        }
        return { previousSize: previous?.size };
      }),
    );
  }

  deleteRecord(storeId: string, key: string): Promise<number | undefined> {
    return this.#locks.run(storeId, () =>
      this.#locks.run(`${storeId}/${key}`, async () => {
        const store = this.#stores.get(storeId);
        const entry = store?.records.get(key);
        if (!store || !entry) return undefined;
        // Value first: metadata without its file loads as no record, a file without metadata as one.
        await unlink(join(store.dir, entry.file)).catch((error: unknown) => {
          if (!isMissing(error)) throw error;
        });
        if (entry.metadataFile !== null)
          await unlink(join(store.dir, entry.metadataFile)).catch((error: unknown) => {
            if (!isMissing(error)) throw error;
          });
        // The unlinks are durable once the folder is fsynced; the answer waits for that.
        await syncFolder(store.dir);
        store.records.delete(key);
        return entry.size;
      }),
    );
  }

  async close(): Promise<void> {
    if (this.#flushTimer) clearTimeout(this.#flushTimer);
    await this.#flush();
  }
}
