import { closeSync, mkdtempSync, openSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, aroundEach, inject } from 'vitest';
import { HarnessError } from '../errors.ts';
import { loadContract, type Contract } from '../contract/load-contract.ts';
import type { ProfileSettings } from '../contract/profile-catalog.ts';
import { ApifyClientDriver } from '../drivers/apify-client-driver.ts';
import { HttpApi } from '../drivers/http-api.ts';
import { HttpDriver } from '../drivers/http-driver.ts';
import { lagAwareDriver } from '../drivers/lag-aware-driver.ts';
import { ReadBackLedger } from '../drivers/read-back-ledger.ts';
import { StrayBodyWatch } from '../drivers/stray-body-watch.ts';
import { RunStoreViews } from '../drivers/run-store.ts';
import { loadDriverFactory, type DriverSpec } from '../drivers/driver-registry.ts';
import type {
  DriverAnswer,
  DriverFactoryContext,
  DriverRequest,
  KvsDriver,
  StoreInfo,
} from '../drivers/kvs-driver.ts';
import type { Exchange } from '../http/exchange.ts';
import { HttpClient, type HttpRequest } from '../http/http-client.ts';
import { parsesAsIs } from '../http/path-as-is.ts';
import { failureEvidence, type Failure } from '../failures.ts';
import { observeFor, type HeldObservation } from '../consistency/observe-for.ts';
import { observeUntil, type Observation } from '../consistency/observe-until.ts';
import {
  recordCreatedStore,
  recordCreateSent,
  recordCreateSettled,
  recordDeletedStore,
  StoreNamer,
} from '../isolation/run-namespace.ts';
import { storeIdSegmentProblem } from '../isolation/store-id-segment.ts';
import { EvidenceRecorder } from './evidence-recorder.ts';
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
  /**
   * The drivers the run selected (`--driver`; default http and apify-client), for the client rule
   * families written once and run through each.
   */
  readonly drivers: readonly KvsDriver[];
  /** How long a read may lag a write under the run's profile (0 under strong). */
  readonly windowMs: number;
  /**
   * Another instance of a selected client driver, built with other factory settings (the
   * client-contract checks point it at the scripted answer server and let it retry); closed when the
   * file ends.
   */
  makeDriver(driver: KvsDriver, overrides: Partial<DriverFactoryContext>): Promise<KvsDriver>;
  /** A fresh store name under the run prefix (not created). */
  storeName(label?: string): string;
  /** Creates a named store under the run prefix and tracks it for cleanup. */
  newStore(label?: string, driver?: KvsDriver): Promise<StoreInfo>;
  /** Creates an unnamed store and tracks it for cleanup. */
  newUnnamedStore(driver?: KvsDriver): Promise<StoreInfo>;
  /** Tracks a store created some other way, for cleanup. */
  track(store: StoreInfo): StoreInfo;
  /**
   * Deletes those of `storeIds` this file created and has not seen deleted (a property's case is
   * done with them), so that stores do not pile up on the target over a property's runs; a delete
   * that fails is left to the run's cleanup, which reports what is left.
   */
  readonly releaseStores: (storeIds: Iterable<string>) => Promise<void>;
  /**
   * A key never used before in this run (`base` plus a serial): under the eventual model only
   * such keys are read-after-write, so checks about new records use them.
   */
  freshKey(base: string): string;
  /**
   * Reads until `expected` holds or the profile's window passes (one read under strong) and
   * returns the last value read; the caller judges it. Under eventual the state must then hold
   * for the settle time (consistencySettleMs), so every replica is known to have it.
   */
  eventually<T>(read: () => Promise<T>, expected: (value: T) => boolean): Promise<T>;
  /** Like `eventually`, returning the whole observation (stale reads, how long); noted for the report. */
  observe<T>(read: () => Promise<T>, expected: (value: T) => boolean): Promise<Observation<T>>;
  /**
   * Keeps reading for `durationMs` once a change was seen and stops at the first read that shows
   * another state (a revert); the caller judges it. Noted for the report. `gapMs`: the pause
   * between reads (default 20 ms; at least three reads and one per gap of the duration).
   */
  watch<T>(
    read: () => Promise<T>,
    expected: (value: T) => boolean,
    durationMs: number,
    gapMs?: number,
  ): Promise<HeldObservation<T>>;
}

/** The answer of a request no test keeps. */
const ignoreAnswer = (): void => undefined;

/**
 * The path of a request without its query (`path` may be an absolute URL), as URL parsing reads
 * it; a path that parsing leaves unchanged is cut at its query without the parse.
 */
const pathOf = (request: HttpRequest): string =>
  parsesAsIs(request.path)
    ? (request.path.split('?', 1)[0] ?? '')
    : new URL(request.path, 'http://target').pathname;

/** Whether a request creates a store (POST /v2/key-value-stores), by operation or by its path. */
function createsStore(request: HttpRequest): boolean {
  return (
    request.operationId === 'keyValueStores_post' ||
    (request.method.toUpperCase() === 'POST' && /^\/v2\/key-value-stores\/?$/.test(pathOf(request)))
  );
}

/** The store a request deletes (DELETE /v2/key-value-stores/{storeId}), as the id it names. */
function deletedStoreId(request: HttpRequest): string | undefined {
  if (request.method.toUpperCase() !== 'DELETE') return undefined;
  const match = /^\/v2\/key-value-stores\/([^/]+)\/?$/.exec(pathOf(request));
  if (!match?.[1]) return undefined;
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return undefined;
  }
}

/**
 * The store a create answered (2xx): its id (and name, when a string), whatever the contract
 * checks then make of the answer (a missing Location, a bad field): the store exists all the same,
 * so it is journaled for cleanup. `null` for an answer that made no store (not 2xx); undefined
 * when it is unknown whether one was made (no answer, or a 2xx without a readable id).
 */
function storeOfCreate(exchange: Exchange): { id: string; name: string | null } | null | undefined {
  const response = exchange.response;
  if (!response) return undefined;
  if (response.status < 200 || response.status >= 300) return null;
  try {
    const data = (
      JSON.parse(response.body.toString('utf8')) as { data?: { id?: unknown; name?: unknown } } | null
    )?.data;
    return typeof data?.id === 'string'
      ? { id: data.id, name: typeof data.name === 'string' ? data.name : null }
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Sets up a suite file: reads the run context the runner provided, loads the contract once, builds
 * the HTTP and apify-client drivers, hands each test's evidence (coverage, consistency observations,
 * its contract failure) to the report through the test's meta, and deletes every store the file
 * created when it ends.
 */
export async function useConformance(fileLabel: string): Promise<Conformance> {
  const context = inject('kvsRun') as SuiteContext | undefined;
  if (!context) {
    throw new HarnessError(
      'KVSC_USAGE',
      'the conformance suites need a target: run them with `kvs-conformance run`',
    );
  }
  const contract = await loadContract({ checked: context.contractFiles });
  // The run's journal, open for appending while the file runs: one write per line, not an open,
  // a write and a close (a fifth of the requests create or delete stores).
  const journalFile = openSync(context.journalFile, 'a');
  const created = new Set<string>();
  /** The id of each named store this file created, by name: a delete may address it as `~name`. */
  const idsByName = new Map<string, string>();
  /** Stores of this file whose delete was answered 204 or 404: never deleted again. */
  const deleted = new Set<string>();
  const journal = (store: { readonly id: string; readonly name: string | null }, settles = false): void => {
    // An id answered again after its delete (a target that re-creates a store under its old id)
    // is a store to delete again: journaled anew, after its delete line.
    if (created.has(store.id) && !deleted.has(store.id)) {
      if (settles) recordCreateSettled(journalFile);
      return;
    }
    recordCreatedStore(journalFile, store, settles);
    created.add(store.id);
    if (store.name !== null) idsByName.set(store.name, store.id);
    deleted.delete(store.id);
  };
  /** The store a path segment names: an id, or `~name` / `user~name` of a store this file created. */
  const storeIdOf = (segment: string): string => {
    const tilde = segment.lastIndexOf('~');
    return (tilde === -1 ? undefined : idsByName.get(segment.slice(tilde + 1))) ?? segment;
  };
  // Every request is counted for the test that sent it; one sent outside a test (file set-up and
  // clean-up) for the file.
  let fileRequests = 0;
  const countRequest = (): void => {
    const evidence = recorder();
    if (evidence) evidence.noteRequest();
    else fileRequests += 1;
  };
  /**
   * A client driver's onRequest: counts the request and, when the driver tells what it sent, keeps
   * it with its answer for the running test, so a failure found through the driver shows them.
   */
  const driverRequest = (request?: DriverRequest): ((answer: DriverAnswer) => void) => {
    countRequest();
    return (request && recorder()?.noteDriverRequest(request)) ?? ignoreAnswer;
  };
  const httpClient = new HttpClient({
    baseUrl: context.targetUrl,
    token: context.token,
    timeoutMs: context.timeoutMs,
    maxResponseBytes: context.maxResponseBytes,
    connections: context.concurrency,
    onSend: (request) => {
      countRequest();
      if (createsStore(request)) recordCreateSent(journalFile);
    },
    onExchange: (exchange, request) => {
      if (createsStore(request)) {
        const store = storeOfCreate(exchange);
        // An answer that leaves unknown whether a store was made stays unsettled: cleanup lists.
        if (store === null) recordCreateSettled(journalFile);
        else if (store !== undefined) journal(store, true);
        return;
      }
      const named = deletedStoreId(request);
      const storeId = named === undefined ? undefined : storeIdOf(named);
      const status = exchange.response?.status;
      if (storeId !== undefined && created.has(storeId) && (status === 204 || status === 404)) {
        deleted.add(storeId);
        recordDeletedStore(journalFile, storeId);
      }
    },
  });
  // Each test has a recorder of its own: the one of the test running now. The run's project lets
  // one test run at a time (maxConcurrency 1, runner/vitest-project.ts), so a plain slot finds it;
  // an AsyncLocalStorage here turned on Node 20's promise hooks for every promise of the process,
  // the embedded server's too: about a fifth of a default run's CPU (bench/RESULTS.md, #28).
  let current: EvidenceRecorder | undefined;
  const recorder = (): EvidenceRecorder | undefined => current;
  aroundEach(async (runTest, { onTestFinished, task }) => {
    const evidence = new EvidenceRecorder(context.token);
    onTestFinished(({ task: finished }) => {
      task.meta.kvsEvidence = evidence.take(finished.result?.errors ?? []);
    });
    current = evidence;
    try {
      await runTest();
    } finally {
      current = undefined;
    }
    // A test that asked for what the run's target cannot give (--run-id) ended on that refusal:
    // it is skipped with the reason (vitest reads a skip state left here), not failed.
    const notApplicable = task.meta.kvsEvidence?.notApplicable;
    if (notApplicable !== undefined && task.result?.state === 'fail')
      Object.assign(task.result, {
        state: 'skip',
        note: `not applicable: ${notApplicable}`,
        errors: undefined,
      });
  });
  // Under --run-id every store handed out is a key namespace of the run's default store.
  const runStore = context.runStore ? new RunStoreViews(context.runStore) : undefined;
  // What the run's calls wrote and created, shared by the HTTP API and the client drivers, so a
  // miss through either that is lag lands on its one rule (KVS-CONS-001, KVS-STATE-001).
  const ledger = new ReadBackLedger();
  const recordViolation = (failure: Failure): boolean => {
    const evidence = recorder();
    evidence?.noteViolation(failureEvidence(failure));
    return evidence !== undefined;
  };
  const lagAware = <D extends KvsDriver>(driver: D): D =>
    driver.info.transport === 'http'
      ? lagAwareDriver(driver, {
          ledger,
          recordViolation,
          budgetMs: Number(
            context.settings.consistency === 'eventual'
              ? context.settings.consistencyWindowMs
              : context.settings.consistencySettleMs,
          ),
        })
      : driver;
  const api = new HttpApi(contract, httpClient, {
    ledger,
    ...(runStore ? { runStore } : {}),
    notApplicable: (reason) => recorder()?.noteNotApplicable(reason),
    followRecordRedirects: context.settings.getRecordRedirect === 'allow',
    settings: context.settings,
    onAnswer: (operationId, status) => recorder()?.noteCoverage(operationId, status),
    recordViolation,
  });
  const http = new HttpDriver(api);
  /**
   * A client driver over HTTP whose store creates are journaled like the HTTP client's: sent
   * before the call, settled with the store it answered (a call that throws stays unsettled).
   * Each call of a method is noted for the running test: the requests the driver tells of until
   * the next call are that call's (its library's ApifyClient, `client`, counts as a call too). A
   * call that fails to read an answer right after a bodyless one fails KVS-SCHEMA-006, not its own
   * rule (StrayBodyWatch).
   */
  const journalingCreates = <D extends KvsDriver>(driver: D, watch: StrayBodyWatch): D => {
    if (driver.info.transport !== 'http') return driver;
    const getOrCreateStore = async (name?: string): Promise<StoreInfo> => {
      recordCreateSent(journalFile);
      const store = await driver.getOrCreateStore(name);
      journal(store, true);
      return store;
    };
    return new Proxy(driver, {
      get: (target, property) => {
        const value: unknown =
          property === 'getOrCreateStore' ? getOrCreateStore : Reflect.get(target, property, target);
        if (property === 'client') recorder()?.noteDriverCall();
        if (typeof value !== 'function') return value;
        const method = value as (...args: unknown[]) => unknown;
        return (...args: unknown[]): unknown => {
          recorder()?.noteDriverCall();
          const result = method.apply(target, args);
          // A promise that is also a key iterator (apify-client's listKeys) is handed on as it is.
          return result instanceof Promise && !(Symbol.asyncIterator in result)
            ? result.catch((error: unknown) => {
                throw watch.violationFor(error, driver.name) ?? error;
              })
            : result;
        };
      },
    });
  };
  const apifyClientWatch = new StrayBodyWatch(context.token);
  const apifyClient = lagAware(
    journalingCreates(
      new ApifyClientDriver({
        baseUrl: context.targetUrl,
        token: context.token,
        timeoutMs: context.timeoutMs,
        maxResponseBytes: context.maxResponseBytes,
        onRequest: apifyClientWatch.watching(driverRequest),
      }),
      apifyClientWatch,
    ),
  );
  // Under --run-id a client library would address the stores by id, not through the alias paths:
  // every call through one is not applicable (and nothing is sent).
  const notThroughClient = (name: string): never => {
    const reason = `a test citing it goes through ${name}, which addresses stores by id, not through the run`;
    recorder()?.noteNotApplicable(reason);
    throw new HarnessError('KVSC_NOT_APPLICABLE', reason);
  };
  const client = runStore
    ? new Proxy(apifyClient, {
        get(target, property, receiver) {
          const value: unknown = Reflect.get(target, property, receiver);
          if (property === 'client') return notThroughClient(target.name);
          if (typeof value !== 'function' || property === 'close') return value;
          return () => Promise.resolve().then(() => notThroughClient(target.name));
        },
      })
    : apifyClient;
  const namer = new StoreNamer(context.storePrefix, fileLabel);
  const track = (store: StoreInfo): StoreInfo => {
    journal(store);
    return store;
  };
  const workDirs: string[] = [];
  const extraDrivers: KvsDriver[] = [];
  const build = async (spec: DriverSpec, overrides: Partial<DriverFactoryContext>): Promise<KvsDriver> => {
    const workDir = mkdtempSync(join(tmpdir(), 'kvsc-driver-'));
    workDirs.push(workDir);
    const factory = await loadDriverFactory(spec);
    return factory({
      targetUrl: context.targetUrl,
      token: context.token,
      timeoutMs: context.timeoutMs,
      maxResponseBytes: context.maxResponseBytes,
      workDir,
      maxRetries: 0,
      ...overrides,
    });
  };
  // The run's client drivers count their requests for the tests (those of makeDriver's, pointed at
  // a scripted answer server, are not the target's) and journal the stores they create.
  const drivers = await Promise.all(
    context.drivers.map(async (spec): Promise<KvsDriver> => {
      if (spec.kind === 'http') return http;
      const watch = new StrayBodyWatch(context.token);
      return lagAware(
        journalingCreates(await build(spec, { onRequest: watch.watching(driverRequest) }), watch),
      );
    }),
  );
  /** A key namespace of the run's default store, as its alias answers it (never journaled: never deleted). */
  const runStoreView = async (driver: KvsDriver): Promise<StoreInfo> => {
    if (driver !== http) return notThroughClient(driver.name);
    const store = await http.getStore((runStore as RunStoreViews).next());
    if (!store)
      throw new HarnessError(
        'KVSC_TARGET_UNREACHABLE',
        `the default store of run ${context.runStore?.runId ?? ''} is gone`,
      );
    return store;
  };
  /** Stores made through an in-process driver live in its folder, not on the target. */
  const trackOn = (driver: KvsDriver, store: StoreInfo): StoreInfo =>
    driver.info.transport === 'http' ? track(store) : store;
  // Only a store this file created; any id the target gave, as one percent-encoded segment; never
  // one that would change the path's shape (`..` would address /v2/); never one already deleted.
  // What is left here, the run's cleanup reports.
  const releaseStores = async (storeIds: Iterable<string>): Promise<void> => {
    await Promise.all(
      [...new Set(storeIds)]
        .filter(
          (storeId) =>
            created.has(storeId) && !deleted.has(storeId) && storeIdSegmentProblem(storeId) === undefined,
        )
        .map((storeId) =>
          api.call('keyValueStore_delete', { storeId, unchecked: true }).catch(() => undefined),
        ),
    );
  };
  // Vitest wants the hook's context as an object pattern; only the file task (second) is of use here.
  // eslint-disable-next-line no-empty-pattern
  afterAll(async ({}, file) => {
    for (const driver of [...drivers, ...extraDrivers]) await driver.close?.();
    // The drivers' folders go while the stores are deleted: both only wait on I/O, and a file's
    // end is on the run's critical path (one file after the other).
    await Promise.all([
      ...workDirs.map((dir) => rm(dir, { recursive: true, force: true })),
      releaseStores(created),
    ]);
    await httpClient.close();
    closeSync(journalFile);
    file.meta.kvsFileRequests = fileRequests;
  });
  const windowMs =
    context.settings.consistency === 'eventual' ? Number(context.settings.consistencyWindowMs) : 0;
  const settleMs = Number(context.settings.consistencySettleMs ?? 0);
  let serial = 0;
  const observe = async <T>(
    read: () => Promise<T>,
    expected: (value: T) => boolean,
  ): Promise<Observation<T>> => {
    const observation = await observeUntil(read, expected, windowMs);
    recorder()?.noteObservation(observation);
    return observation;
  };
  return {
    contract,
    settings: context.settings,
    context,
    api,
    http,
    client,
    drivers,
    windowMs,
    makeDriver: async (driver, overrides) => {
      const spec = context.drivers[drivers.indexOf(driver)];
      if (spec === undefined || spec.kind === 'http')
        throw new HarnessError('KVSC_USAGE', `${driver.name} is not a client driver of this run`);
      const made = await build(spec, overrides);
      extraDrivers.push(made);
      return made;
    },
    storeName: (label) => namer.next(label),
    newStore: async (label, driver = http) =>
      runStore ? runStoreView(driver) : trackOn(driver, await driver.getOrCreateStore(namer.next(label))),
    newUnnamedStore: async (driver = http) =>
      runStore ? runStoreView(driver) : trackOn(driver, await driver.getOrCreateStore()),
    track,
    releaseStores,
    freshKey: (base) => {
      serial += 1;
      const suffix = `-${serial}`;
      return base.slice(0, contract.limits.recordKeyMaxLength - suffix.length) + suffix;
    },
    eventually: async (read, expected) => {
      const started = performance.now();
      let observation = await observe(read, expected);
      // Under eventual, one read showing the state does not mean every replica has it: the state
      // must hold for the settle time (consistencySettleMs) before a rule judges it, so replica lag
      // within the window never reads as another rule's failure. Under strong: one read.
      while (windowMs > 0 && observation.outcome !== 'violation') {
        const held = await observeFor(read, expected, settleMs);
        const left = windowMs - (performance.now() - started);
        if (held.outcome === 'held' || left <= 0) return held.last;
        observation = await observeUntil(read, expected, left);
      }
      return observation.last;
    },
    observe,
    watch: async (read, expected, durationMs, gapMs) => {
      const held = await observeFor(read, expected, durationMs, gapMs);
      recorder()?.noteWatch(held);
      return held;
    },
  };
}
