import { createRequire } from 'node:module';
import { MemoryStorage } from '@crawlee/memory-storage';
import type { KvsDriverFactory } from './kvs-driver.ts';
import { packageVersion } from './package-version.ts';
import { StorageClientDriver, type LocalStorageClient } from './storage-client-driver.ts';

const PACKAGE = '@crawlee/memory-storage';

/**
 * `crawlee-memory-storage` (in memory) and `crawlee-memory-storage:persist` (also writing every
 * record to the run's temp folder, as crawlee does locally by default): the storage every crawlee
 * user runs on their machine, judged as an implementation of the store.
 */
export function crawleeMemoryStorageDriver(persist: boolean): KvsDriverFactory {
  return (context) => {
    const storage = new MemoryStorage({
      localDataDirectory: context.workDir,
      persistStorage: persist,
      writeMetadata: persist,
    });
    return new StorageClientDriver({
      storage: storage as unknown as LocalStorageClient,
      info: {
        name: persist ? 'crawlee-memory-storage:persist' : 'crawlee-memory-storage',
        package: PACKAGE,
        version: packageVersion(createRequire(import.meta.url).resolve(PACKAGE), PACKAGE),
        transport: 'in-process',
      },
      iterates: true,
      unsupported: {
        storeListPaging: `${PACKAGE} lists every store at once: its list() takes no offset, limit or desc`,
        payloadLimit: 'an in-process store has no request to limit: the payload limit is the server’s',
      },
      close: () => storage.teardown(),
    });
  };
}
