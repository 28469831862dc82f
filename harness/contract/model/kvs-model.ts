import { keyViewsOf, type KeyView } from './key-views.ts';
import type { ModelSettings } from './model-settings.ts';
import { RecordHistory, type ModelRecord } from './record-history.ts';

/** One store the model knows: created in this sequence, live or deleted. */
export interface ModelStore {
  /** Position among the sequence's stores (s0, s1, …), stable for the sequence. */
  readonly handle: number;
  /** The id the target gave it when it was created. */
  readonly id: string;
  name: string | null;
  deleted: boolean;
  /** Whether an update changed its name (KVS-RECORD-013 then owns a name a read shows). */
  renamed: boolean;
  /** Names it held before a rename (KVS-NAME-009: the old ~name answers 404 afterwards). */
  readonly formerNames: string[];
  /** Key → history; keys never written are absent. */
  readonly records: Map<string, RecordHistory>;
}

/** What get-or-create by name (or create without one) promises. */
export type CreateOutcome =
  /** KVS-NAME-002: a live store holds the name; the answer is 200 with its id. */
  | { readonly kind: 'existing'; readonly store: ModelStore; readonly status: 200 }
  /** KVS-NAME-001 / KVS-NAME-004 / KVS-NAME-005: a new store, 201, with an id no store of the sequence had. */
  | { readonly kind: 'new'; readonly status: 201 };

/** What an update of a store's name promises. */
export type RenameOutcome =
  /** KVS-NOTFOUND-002: the store does not exist. */
  | 'missing-store'
  /** KVS-NAME-007: another live store holds the name; refused with a 4xx, nothing changes. */
  | 'taken'
  /** KVS-RECORD-013: 200 with the store as updated. */
  | 'renamed';

/** What a write of a record promises (KVS-RECORD-002/003/004, KVS-NOTFOUND-002). */
export type WriteOutcome = 'missing-store' | 'created' | 'overwritten';

/** What a delete of a record promises (KVS-RECORD-009, KVS-NOTFOUND-002/007). */
export type DeleteRecordOutcome = 'missing-store' | 'missing-key' | 'deleted';

/**
 * A pure, in-memory model of what the Key-Value Store API promises over a sequence of operations:
 * stores by id and by name (named and unnamed), get-or-create, rename, delete, re-create of a
 * deleted name, and each store's records with their exact bytes and Content-Type. It knows nothing
 * of any server; its settings come from the run's profile (`modelSettingsOf`), and under the
 * `eventual` profile reads and listings may show any state of the consistency window.
 *
 * Every operation states its precondition: none. Each is defined in every state (on a deleted
 * store it promises a 404), so any generated command sequence is valid and shrinking may drop
 * any command.
 */
export class KvsModel {
  readonly settings: ModelSettings;
  readonly #stores: ModelStore[] = [];

  constructor(settings: ModelSettings) {
    this.settings = settings;
  }

  /** The sequence's stores, oldest first (deleted ones included). */
  get stores(): readonly ModelStore[] {
    return this.#stores;
  }

  /** The live store holding `name`, if any (names are unique among live stores: KVS-NAME-002). */
  storeNamed(name: string): ModelStore | undefined {
    return this.#stores.find((store) => !store.deleted && store.name === name);
  }

  /** Whether some store of the sequence ever had `id` (a new store must get an id none had). */
  knowsId(id: string): boolean {
    return this.#stores.some((store) => store.id === id);
  }

  /** The outcome of POST /v2/key-value-stores with `name` (or without one). */
  create(name: string | undefined): CreateOutcome {
    const existing = name === undefined ? undefined : this.storeNamed(name);
    return existing ? { kind: 'existing', store: existing, status: 200 } : { kind: 'new', status: 201 };
  }

  /** Adds the store a create answered with. */
  addStore(id: string, name: string | null): ModelStore {
    const store: ModelStore = {
      handle: this.#stores.length,
      id,
      name,
      deleted: false,
      renamed: false,
      formerNames: [],
      records: new Map(),
    };
    this.#stores.push(store);
    return store;
  }

  /** PUT /v2/key-value-stores/{id} with a new name (or null): the outcome, applied. */
  rename(store: ModelStore, name: string | null): RenameOutcome {
    if (store.deleted) return 'missing-store';
    const holder = name === null ? undefined : this.storeNamed(name);
    if (holder && holder !== store) return 'taken';
    if (store.name !== name) {
      store.renamed = true;
      if (store.name !== null) store.formerNames.push(store.name);
    }
    store.name = name;
    return 'renamed';
  }

  /** DELETE /v2/key-value-stores/{id}: whether the store existed; applied (its name is free again). */
  deleteStore(store: ModelStore): 'missing-store' | 'deleted' {
    if (store.deleted) return 'missing-store';
    store.deleted = true;
    return 'deleted';
  }

  /** PUT/POST of a record, acknowledged at `at`: the outcome, applied. */
  writeRecord(store: ModelStore, key: string, record: ModelRecord, at: number): WriteOutcome {
    if (store.deleted) return 'missing-store';
    const history = this.#history(store, key);
    const outcome = history.current === undefined ? 'created' : 'overwritten';
    history.set(record, at);
    return outcome;
  }

  /** DELETE of a record, acknowledged at `at`: the outcome, applied. */
  deleteRecord(store: ModelStore, key: string, at: number): DeleteRecordOutcome {
    if (store.deleted) return 'missing-store';
    const history = store.records.get(key);
    if (history?.current === undefined) return 'missing-key';
    history.set(undefined, at);
    return 'deleted';
  }

  /**
   * The states a read of `key` sent at `sentAt` may show, current first; `undefined` for a deleted
   * store. A GET (`get`) of a key written for the first time and not read before shows it
   * (KVS-CONS-001); a read of a key never written exempts it from that once it is written.
   */
  readRecord(
    store: ModelStore,
    key: string,
    sentAt: number,
    get = false,
  ): (ModelRecord | undefined)[] | undefined {
    if (store.deleted) return undefined;
    const history = this.#history(store, key);
    const states = get
      ? history.getCandidates(sentAt, this.settings.windowMs)
      : history.candidates(sentAt, this.settings.windowMs);
    history.noteRead();
    return states;
  }

  /** The key's history, if it was ever written or read (for naming the rule a wrong read breaks). */
  history(store: ModelStore, key: string): RecordHistory | undefined {
    return store.records.get(key);
  }

  /**
   * Every key a listing or zip download of the store sent at `sentAt` may show, in UTF-8 binary
   * order, with the states it may show; keys that can only be absent are left out.
   */
  keyViews(store: ModelStore, sentAt: number): KeyView[] {
    return keyViewsOf(store.records, sentAt, this.settings.windowMs);
  }

  /** The live stores, oldest first: what the store list must show of this sequence's stores. */
  liveStores(): ModelStore[] {
    return this.#stores.filter((store) => !store.deleted);
  }

  #history(store: ModelStore, key: string): RecordHistory {
    let history = store.records.get(key);
    if (!history) {
      history = new RecordHistory();
      store.records.set(key, history);
    }
    return history;
  }
}
