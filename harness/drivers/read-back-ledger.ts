import type { RuleId } from '../contract/rule-catalog.ts';

/** The operations a 404 of which the ledger can judge, by what they address. */
const RECORD_READS = new Set(['keyValueStore_record_get', 'keyValueStore_record_head']);
const RECORD_WRITES = new Set(['keyValueStore_record_put', 'keyValueStore_record_post']);
const STORE_ADDRESSED = new Set([
  'keyValueStore_get',
  'keyValueStore_put',
  'keyValueStore_keys_get',
  'keyValueStore_records_get',
  ...RECORD_WRITES,
]);

/** The parts of one call the ledger reads. */
export interface LedgerCall {
  readonly storeId?: string;
  readonly recordKey?: string;
  readonly query?: Readonly<Record<string, unknown>>;
  /** A store update's JSON body, read for a new name (a rename). */
  readonly body?: unknown;
  readonly auth?: 'header' | 'query' | 'none';
  readonly token?: string;
}

/** Why a 404 may be lag: the rule it breaks if the same request then succeeds, and what was known. */
export interface LagSuspect {
  readonly ruleId: RuleId;
  /** What the run did before, for the message ("key k was written (201) 12 ms before"). */
  readonly known: string;
}

/**
 * What one HTTP API's calls created and wrote, to tell a 404 that is lag from a missing resource
 * ("one detail must never hide other rules"). A 404 for a key this run wrote for the first time
 * (never read, written or deleted before; acknowledged 2xx) in a store it did not delete is
 * KVS-CONS-001's "a record written for the first time is readable with its value by the next GET";
 * a 404 for a store this run created (2xx) and did not delete, on an operation addressing that
 * store, is KVS-STATE-001's "each store not deleted reads by its id". The caller re-sends the
 * request: only when it then succeeds is the 404 lag (a deterministic 404 stays the test's own
 * to judge). Only calls with the run's own token, by store id (not `~name`, which a rename moves),
 * unsigned, are judged. A store deleted through `~name` is known deleted when the name is one this
 * ledger saw the store created with and not renamed since: its 404 by id is then a plain miss, not
 * re-sent as lag.
 */
export class ReadBackLedger {
  /**
   * First writes by store (store id → key → the time of their acknowledgement): a store's delete
   * drops its keys at once, however many stores the run made before it.
   */
  readonly #newKeys = new Map<string, Map<string, number>>();
  /** `storeId \n key` read, written or deleted before: no longer a first write. */
  readonly #seenKeys = new Set<string>();
  /** Stores created through these calls and not deleted, with the time of the create's answer. */
  readonly #stores = new Map<string, number>();
  /** The names stores were created with through these calls (name → id), while not renamed. */
  readonly #names = new Map<string, string>();

  /**
   * The rule a 404 to this call breaks if it is lag, or undefined when a 404 may be legitimate.
   * `sentAt` is when the call was sent: only a write or create acknowledged before it is known to
   * the call ("readable … by the next GET"); a read sent while the write was in flight (concurrent
   * calls) may have been served before it, and its 404 is no lag.
   */
  suspect(operationId: string, call: LedgerCall, sentAt: number): LagSuspect | undefined {
    const storeId = judged(call);
    if (storeId === undefined) return undefined;
    if (RECORD_READS.has(operationId) && call.recordKey !== undefined) {
      const writtenAt = this.#newKeys.get(storeId)?.get(call.recordKey);
      if (writtenAt !== undefined && writtenAt <= sentAt)
        return {
          ruleId: 'KVS-CONS-001',
          known: `key ${JSON.stringify(call.recordKey)} of store ${storeId} was written for the first time (2xx) ${Math.round(sentAt - writtenAt)} ms before the read was sent`,
        };
    }
    const createdAt = this.#stores.get(storeId);
    if (STORE_ADDRESSED.has(operationId) && createdAt !== undefined && createdAt <= sentAt)
      return {
        ruleId: 'KVS-STATE-001',
        known: `store ${storeId} was created by this run ${Math.round(sentAt - createdAt)} ms before the call was sent, and not deleted`,
      };
    return undefined;
  }

  /** Takes note of an answered call (after any lag was judged). */
  note(
    operationId: string,
    call: LedgerCall,
    status: number,
    createdStoreId: string | undefined,
    now: number,
  ): void {
    if (operationId === 'keyValueStores_post' && createdStoreId !== undefined && status < 300) {
      this.#stores.set(createdStoreId, now);
      const name = call.query?.name;
      if (typeof name === 'string') this.#names.set(name, createdStoreId);
      return;
    }
    if (operationId === 'keyValueStore_put' && status < 300 && renames(call.body))
      this.#forgetName(call.storeId);
    const storeId = this.#byName(operationId, call, status) ?? call.storeId;
    if (storeId === undefined) return;
    if (operationId === 'keyValueStore_delete' && (status < 300 || status === 404)) {
      this.#stores.delete(storeId);
      this.#forgetName(storeId);
      this.#newKeys.delete(storeId);
      return;
    }
    if (call.recordKey === undefined) return;
    const key = slot(storeId, call.recordKey);
    const firstWrite =
      RECORD_WRITES.has(operationId) && status >= 200 && status < 300 && !this.#seenKeys.has(key);
    if (firstWrite && judged(call) !== undefined) {
      const keys = this.#newKeys.get(storeId) ?? new Map<string, number>();
      this.#newKeys.set(storeId, keys.set(call.recordKey, now));
    } else if (RECORD_WRITES.has(operationId) || operationId === 'keyValueStore_record_delete')
      this.#newKeys.get(storeId)?.delete(call.recordKey);
    this.#seenKeys.add(key);
  }

  /**
   * The id of the store a `~name` delete answered 204 removed: the store created with that name,
   * unless a rename seen here moved it (then unknown, and its 404s stay judged as lag).
   */
  #byName(operationId: string, call: LedgerCall, status: number): string | undefined {
    const address = call.storeId;
    if (operationId !== 'keyValueStore_delete' || status >= 300 || !address?.startsWith('~'))
      return undefined;
    if (call.auth === 'none' || call.token !== undefined || call.query?.signature !== undefined)
      return undefined;
    const id = this.#names.get(address.slice(1));
    this.#names.delete(address.slice(1));
    return id;
  }

  /** After a rename (or the store's delete) its old name no longer finds it. */
  #forgetName(address: string | undefined): void {
    if (address === undefined) return;
    if (address.startsWith('~')) this.#names.delete(address.slice(1));
    for (const [name, id] of this.#names) if (id === address) this.#names.delete(name);
  }
}

/** Whether a store update's body sets a name (JSON with a `name` field, or one not readable). */
function renames(body: unknown): boolean {
  if (body === undefined) return false;
  if (typeof body !== 'string' && !Buffer.isBuffer(body)) return true;
  try {
    const fields = JSON.parse(body.toString()) as unknown;
    return typeof fields !== 'object' || fields === null || 'name' in fields;
  } catch {
    return true;
  }
}

/** The store id a call addresses when the ledger may judge its 404, else undefined. */
function judged(call: LedgerCall): string | undefined {
  if (call.storeId === undefined || call.storeId.startsWith('~')) return undefined;
  if (call.auth === 'none' || call.token !== undefined || call.query?.signature !== undefined)
    return undefined;
  return call.storeId;
}

const slot = (storeId: string, key: string): string => `${storeId}\n${key}`;
