import { afterAll, inject } from 'vitest';
import { HarnessError } from '../errors.ts';
import { loadContract, type Contract } from '../contract/load-contract.ts';
import type { ProfileSettings } from '../contract/profile-catalog.ts';
import { ApifyClientDriver } from '../drivers/apify-client-driver.ts';
import { HttpApi } from '../drivers/http-api.ts';
import { HttpDriver } from '../drivers/http-driver.ts';
import type { KvsDriver, StoreInfo } from '../drivers/kvs-driver.ts';
import type { Exchange } from '../http/exchange.ts';
import { HttpClient } from '../http/http-client.ts';
import { observeUntil } from '../consistency/observe-until.ts';
import { recordCreatedStore, StoreNamer } from '../isolation/run-namespace.ts';
import type { SuiteContext } from './suite-context.ts';

/** Everything a suite file needs to state invariants against the run's target. */
export interface Conformance {
  readonly contract: Contract;
  readonly settings: ProfileSettings;
  readonly context: SuiteContext;
  /** Raw, checked operation calls (status codes, headers). */
  readonly api: HttpApi;
  readonly http: HttpDriver;
  readonly client: ApifyClientDriver;
  /** Both drivers, for suites written once and run through each. */
  readonly drivers: readonly KvsDriver[];
  /** How long a read may lag a write under the run's profile (0 under strong). */
  readonly windowMs: number;
  /** A fresh store name under the run prefix (not created). */
  storeName(label?: string): string;
  /** Creates a named store under the run prefix and tracks it for cleanup. */
  newStore(label?: string, driver?: KvsDriver): Promise<StoreInfo>;
  /** Creates an unnamed store and tracks it for cleanup. */
  newUnnamedStore(driver?: KvsDriver): Promise<StoreInfo>;
  /** Tracks a store created some other way, for cleanup. */
  track(store: StoreInfo): StoreInfo;
  /**
   * A key never used before in this run (`base` plus a serial): under the eventual model only
   * such keys are read-after-write, so checks about new records use them.
   */
  freshKey(base: string): string;
  /**
   * Reads until `expected` holds or the profile's window passes (one read under strong) and
   * returns the last value read; the caller judges it.
   */
  eventually<T>(read: () => Promise<T>, expected: (value: T) => boolean): Promise<T>;
}

/**
 * The store id a create answered (2xx), whatever the contract checks then make of the answer (a
 * missing Location, a bad field): the store exists all the same, so it is journaled for cleanup.
 */
function idOfCreatedStore(exchange: Exchange): string | undefined {
  const response = exchange.response;
  if (exchange.operationId !== 'keyValueStores_post' || !response || response.status >= 300) return undefined;
  try {
    const id = (JSON.parse(response.body.toString('utf8')) as { data?: { id?: unknown } } | null)?.data?.id;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Sets up a suite file: reads the run context the runner provided, loads the contract once, builds
 * the HTTP and apify-client drivers, and deletes every store the file created when it ends.
 */
export async function useConformance(fileLabel: string): Promise<Conformance> {
  const context = inject('kvsRun') as SuiteContext | undefined;
  if (!context) {
    throw new HarnessError(
      'KVSC_USAGE',
      'the conformance suites need a target: run them with `kvs-conformance run`',
    );
  }
  const contract = await loadContract();
  const created = new Set<string>();
  const journal = (store: { readonly id: string; readonly name: string | null }): void => {
    if (created.has(store.id)) return;
    recordCreatedStore(context.journalFile, store);
    created.add(store.id);
  };
  const httpClient = new HttpClient({
    baseUrl: context.targetUrl,
    token: context.token,
    timeoutMs: context.timeoutMs,
    maxResponseBytes: context.maxResponseBytes,
    connections: context.concurrency,
    onExchange: (exchange) => {
      const id = idOfCreatedStore(exchange);
      if (id !== undefined) journal({ id, name: null });
    },
  });
  const api = new HttpApi(contract, httpClient, {
    followRecordRedirects: context.settings.getRecordRedirect === 'allow',
  });
  const http = new HttpDriver(api);
  const client = new ApifyClientDriver({
    baseUrl: context.targetUrl,
    token: context.token,
    timeoutMs: context.timeoutMs,
    maxResponseBytes: context.maxResponseBytes,
  });
  const namer = new StoreNamer(context.storePrefix, fileLabel);
  const track = (store: StoreInfo): StoreInfo => {
    journal(store);
    return store;
  };
  afterAll(async () => {
    // Only ids of the contract's StoreId pattern go into a path (`..` would address /v2/).
    await Promise.all(
      [...created]
        .filter((storeId) => contract.limits.storeIdPattern.test(storeId))
        .map((storeId) =>
          api.call('keyValueStore_delete', { storeId, unchecked: true }).catch(() => undefined),
        ),
    );
    await httpClient.close();
  });
  const windowMs =
    context.settings.consistency === 'eventual' ? Number(context.settings.consistencyWindowMs) : 0;
  let serial = 0;
  return {
    contract,
    settings: context.settings,
    context,
    api,
    http,
    client,
    drivers: [http, client],
    windowMs,
    storeName: (label) => namer.next(label),
    newStore: async (label, driver = http) => track(await driver.getOrCreateStore(namer.next(label))),
    newUnnamedStore: async (driver = http) => track(await driver.getOrCreateStore()),
    track,
    freshKey: (base) => {
      serial += 1;
      const suffix = `-${serial}`;
      return base.slice(0, contract.limits.recordKeyMaxLength - suffix.length) + suffix;
    },
    eventually: async (read, expected) => (await observeUntil(read, expected, windowMs)).last,
  };
}
