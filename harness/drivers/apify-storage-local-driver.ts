import { createRequire } from 'node:module';
import { HarnessError } from '../errors.ts';
import type { KvsDriverFactory } from './kvs-driver.ts';
import { packageVersion } from './package-version.ts';
import { StorageClientDriver, type LocalStorageClient } from './storage-client-driver.ts';

const PACKAGE = '@apify/storage-local';

/**
 * `apify-storage-local`: the SQLite and file-system storage of the Apify SDK's local runs, in the
 * run's temp folder. An optional dependency (it builds better-sqlite3): a clear error when absent.
 */
export const apifyStorageLocalDriver: KvsDriverFactory = async (context) => {
  let resolved: string;
  try {
    resolved = createRequire(import.meta.url).resolve(PACKAGE);
  } catch {
    throw new HarnessError(
      'KVSC_USAGE',
      `--driver apify-storage-local needs ${PACKAGE}, which is not installed; install it with npm i -D ${PACKAGE}`,
    );
  }
  const { ApifyStorageLocal } = (await import(PACKAGE)) as {
    ApifyStorageLocal: new (options: { storageDir: string }) => LocalStorageClient;
  };
  const storage = new ApifyStorageLocal({ storageDir: context.workDir });
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
    },
    close: () => Promise.resolve(),
  });
};
