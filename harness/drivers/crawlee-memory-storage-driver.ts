import type { MemoryStorage, MemoryStorageOptions } from '@crawlee/memory-storage';
import { importOptionalPackage } from '../optional-package.ts';
import { OPTIONAL_DRIVER_PACKAGES } from './built-in-drivers.ts';
import type { KvsDriverFactory } from './kvs-driver.ts';
import { packageVersion } from './package-version.ts';
import { StorageClientDriver, type LocalStorageClient } from './storage-client-driver.ts';

const PACKAGE = OPTIONAL_DRIVER_PACKAGES['crawlee-memory-storage'];

/**
 * `crawlee-memory-storage` (in memory) and `crawlee-memory-storage:persist` (also writing every
 * record to the run's temp folder, as crawlee does locally by default): the storage every crawlee
 * user runs on their machine, judged as an implementation of the store.
 */
export function crawleeMemoryStorageDriver(persist: boolean): KvsDriverFactory {
  return async (context) => {
    const name = persist ? 'crawlee-memory-storage:persist' : 'crawlee-memory-storage';
    const { module, resolved } = await importOptionalPackage<{
      MemoryStorage: new (options: MemoryStorageOptions) => MemoryStorage;
    }>(PACKAGE, `--driver ${name}`);
    const storage = new module.MemoryStorage({
      localDataDirectory: context.workDir,
      persistStorage: persist,
      writeMetadata: persist,
    });
    return new StorageClientDriver({
      storage: storage as unknown as LocalStorageClient,
      info: {
        name,
        package: PACKAGE,
        version: packageVersion(resolved, PACKAGE),
        transport: 'in-process',
      },
      iterates: true,
      unsupported: {
        storeListPaging: `${PACKAGE} lists every store at once: its list() takes no offset, limit or desc`,
        payloadLimit: 'an in-process store has no request to limit: the payload limit is the server’s',
        unnameStore: `${PACKAGE}'s update() takes a non-empty name only (it refuses { name: null }): a store cannot be made unnamed`,
      },
      close: () => storage.teardown(),
    });
  };
}
