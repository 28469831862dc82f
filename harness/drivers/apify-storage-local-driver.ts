import { importOptionalPackage } from '../optional-package.ts';
import { OPTIONAL_DRIVER_PACKAGES } from './built-in-drivers.ts';
import type { KvsDriverFactory } from './kvs-driver.ts';
import { packageVersion } from './package-version.ts';
import { StorageClientDriver, type LocalStorageClient } from './storage-client-driver.ts';

const PACKAGE = OPTIONAL_DRIVER_PACKAGES['apify-storage-local'];

/**
 * `apify-storage-local`: the SQLite and file-system storage of the Apify SDK's local runs, in the
 * run's temp folder. An optional package (it builds better-sqlite3), loaded on first use.
 */
export const apifyStorageLocalDriver: KvsDriverFactory = async (context) => {
  const { module, resolved } = await importOptionalPackage<{
    ApifyStorageLocal: new (options: { storageDir: string }) => LocalStorageClient;
  }>(PACKAGE, '--driver apify-storage-local');
  const storage = new module.ApifyStorageLocal({ storageDir: context.workDir });
  return new StorageClientDriver({
    storage,
    info: {
      name: 'apify-storage-local',
      package: PACKAGE,
      version: packageVersion(resolved, PACKAGE),
      transport: 'in-process',
    },
    iterates: false,
    unsupported: {
      storeList: `${PACKAGE} cannot list stores: its keyValueStores().list() throws "not implemented"`,
      storeListPaging: `${PACKAGE} cannot list stores`,
      unnamedStore: `${PACKAGE} needs a name for every store (getOrCreate(name)); a store's id is its name`,
      keyPrefix: `${PACKAGE}'s listKeys takes no prefix option`,
      payloadLimit: 'an in-process store has no request to limit: the payload limit is the server’s',
      unnameStore: `${PACKAGE}'s update() takes a non-empty name only (it refuses { name: null }): a store cannot be made unnamed`,
    },
    close: () => Promise.resolve(),
  });
};
