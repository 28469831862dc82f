import { observeUntil } from '../consistency/observe-until.ts';
import { ContractViolationError, type Failure } from '../failures.ts';
import type { KvsDriver, StoreInfo } from './kvs-driver.ts';
import type { LedgerCall, ReadBackLedger } from './read-back-ledger.ts';

/** What a lag-aware driver needs: the ledger the run's HTTP calls share, how long lag may last, where a lag failure goes. */
export interface LagAwareOptions {
  readonly ledger: ReadBackLedger;
  /** How long a miss may be lag: the window under eventual, the settle time under strong (ms). */
  readonly budgetMs: number;
  /** Records a failure for the running test; false when none runs (then it is thrown). */
  readonly recordViolation: (failure: Failure) => boolean;
}

/** A read's outcome: its value, or a miss (undefined, false, a thrown 404). */
type Outcome<T> = { readonly value: T } | { readonly miss: unknown };

const isMiss = <T>(outcome: Outcome<T>): outcome is { readonly miss: unknown } => 'miss' in outcome;

/** An error carrying status 404 (`statusCode` as apify-client's ApifyApiError has it, or `status`). */
const status404 = (error: unknown): boolean => {
  const typed = error as { statusCode?: unknown; status?: unknown } | null | undefined;
  return typeof typed === 'object' && typed !== null && (typed.statusCode ?? typed.status) === 404;
};

/**
 * A client driver over HTTP whose misses are judged like the HTTP API's ("one detail must never
 * hide other rules"): a read through the library that misses a key the run wrote for the first
 * time, or a store it created and did not delete (harness/drivers/read-back-ledger.ts, shared with
 * the run's HTTP calls), is read again; when the same call then finds it, the miss was lag —
 * KVS-CONS-001 or KVS-STATE-001, recorded for the test with what was known — and the test goes on
 * with the later answer instead of failing its own rule (a null read as a miss, records "gone after
 * a rename") on another rule's cause. A miss that stays is the test's own to judge; one the library
 * threw (an error carrying status 404 from getRecord, getRecordValue, getStore or recordExists) is
 * KVS-NOTFOUND-005's, recorded for the test, and the call returns the miss (undefined, false).
 */
export function lagAwareDriver<D extends KvsDriver>(driver: D, options: LagAwareOptions): D {
  const { ledger } = options;
  const note = (operationId: string, call: LedgerCall, status: number, created?: string): void =>
    ledger.note(operationId, call, status, created, performance.now());

  async function judged<T>(
    operationId: string,
    call: LedgerCall,
    what: string,
    read: () => Promise<T>,
    missed: (value: T) => boolean,
    /** What the read returns for a miss (undefined, false); none for a listing: a thrown 404 stays thrown. */
    missing?: { readonly value: T },
  ): Promise<T> {
    const attempt = async (): Promise<Outcome<T>> => {
      try {
        const value = await read();
        return missed(value) ? { miss: value } : { value };
      } catch (error) {
        if (status404(error)) return { miss: error };
        throw error;
      }
    };
    // Judged against what was acknowledged before the call was sent (not a concurrent write).
    const sentAt = performance.now();
    const first = await attempt();
    const suspect = isMiss(first) ? ledger.suspect(operationId, call, sentAt) : undefined;
    let outcome = first;
    if (suspect) {
      const readAt = performance.now();
      const later = await observeUntil(attempt, (again) => !isMiss(again), options.budgetMs);
      if (!isMiss(later.last)) {
        const failure: Failure = {
          ruleId: suspect.ruleId,
          operationId,
          message: `${driver.name}: ${what} missed although ${suspect.known}; the same call found it ${Math.round(performance.now() - readAt)} ms later (lag)`,
          evidence: { reads: later.reads },
          exchanges: [],
        };
        if (!options.recordViolation(failure)) throw new ContractViolationError(failure);
        outcome = later.last;
      }
    }
    note(operationId, call, isMiss(outcome) ? 404 : 200);
    if (!isMiss(outcome)) return outcome.value;
    if (status404(outcome.miss) && missing) {
      // KVS-NOTFOUND-005: "a missing record reads as undefined, a missing store reads as undefined
      // and recordExists is false — never a thrown error". The throw fails that rule alone; the
      // test goes on with the miss the library should have returned (no cascade onto its rules).
      const failure: Failure = {
        ruleId: 'KVS-NOTFOUND-005',
        operationId,
        message: `${driver.name}: ${what} threw on a miss (a 404) instead of returning ${String(missing.value)}: ${String((outcome.miss as Error).message).split('\n')[0] ?? ''}`,
        evidence: {},
        exchanges: [],
      };
      if (!options.recordViolation(failure)) throw new ContractViolationError(failure);
      return missing.value;
    }
    if (outcome.miss instanceof Error) throw outcome.miss;
    return outcome.miss as T;
  }

  const record = (storeId: string, key: string): LedgerCall => ({ storeId, recordKey: key });
  const wrapped: Partial<KvsDriver> = {
    getOrCreateStore: async (name?: string): Promise<StoreInfo> => {
      const store = await driver.getOrCreateStore(name);
      note('keyValueStores_post', {}, 201, store.id);
      return store;
    },
    deleteStore: async (storeId) => {
      await driver.deleteStore(storeId);
      note('keyValueStore_delete', { storeId }, 204);
    },
    setRecord: async (storeId, key, value, contentType) => {
      await driver.setRecord(storeId, key, value, contentType);
      note('keyValueStore_record_put', record(storeId, key), 201);
    },
    deleteRecord: async (storeId, key) => {
      await driver.deleteRecord(storeId, key);
      note('keyValueStore_record_delete', record(storeId, key), 204);
    },
    getStore: (storeId) =>
      judged(
        'keyValueStore_get',
        { storeId },
        `getStore(${storeId})`,
        () => driver.getStore(storeId),
        (store) => store === undefined,
        { value: undefined },
      ),
    listKeys: (storeId, query) =>
      judged(
        'keyValueStore_keys_get',
        { storeId },
        `listKeys(${storeId})`,
        () => driver.listKeys(storeId, query),
        () => false,
      ),
    getRecord: (storeId, key) =>
      judged(
        'keyValueStore_record_get',
        record(storeId, key),
        `getRecord(${storeId}, ${JSON.stringify(key)})`,
        () => driver.getRecord(storeId, key),
        (value) => value === undefined,
        { value: undefined },
      ),
    recordExists: (storeId, key) =>
      judged(
        'keyValueStore_record_get',
        record(storeId, key),
        `recordExists(${storeId}, ${JSON.stringify(key)})`,
        () => driver.recordExists(storeId, key),
        (exists) => !exists,
        { value: false },
      ),
  };
  if (driver.setRecordValue)
    wrapped.setRecordValue = async (storeId, key, value, contentType) => {
      await driver.setRecordValue?.(storeId, key, value, contentType);
      note('keyValueStore_record_put', record(storeId, key), 201);
    };
  if (driver.getRecordValue)
    wrapped.getRecordValue = (storeId, key) =>
      judged(
        'keyValueStore_record_get',
        record(storeId, key),
        `getRecordValue(${storeId}, ${JSON.stringify(key)})`,
        () => (driver.getRecordValue as NonNullable<KvsDriver['getRecordValue']>)(storeId, key),
        (value) => value === undefined,
        { value: undefined },
      );
  return new Proxy(driver, {
    get: (target, property) => {
      const replaced = (wrapped as Record<PropertyKey, unknown>)[property];
      if (replaced !== undefined) return replaced;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
