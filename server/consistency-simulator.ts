import { drawLag, seededRandom, type LagDistribution } from './lag-distribution.ts';
import type { RecordInfo, StoredRecord } from './storage/storage-backend.ts';

/** The kinds of change whose visibility lag can be configured. */
export const LAG_KINDS = [
  'new-key',
  'overwrite',
  'delete',
  'listing',
  'negative-cache',
  'store-create',
  'rename',
] as const;
/**
 * `new-key`: first write of a key nobody read; `overwrite`; `delete`; `listing`: a change reaching
 * the key listing (unset: the listing follows the record's own lag); `negative-cache`: first write of
 * a key read (404) within stale-ms before; `store-create`: a new store reaching the store list;
 * `rename`: a store's new name reaching the store list.
 */
export type LagKind = (typeof LAG_KINDS)[number];

/** How the server shows writes to readers. */
export interface ConsistencyOptions {
  /** `strong`: every write is visible at once. `eventual`: the 2020 KVS documentation's model. */
  readonly mode: 'strong' | 'eventual';
  /** The longest time a reader may see the previous state (ms); also how long a 404 is cached. */
  readonly staleMs: number;
  /** Overwrite, delete and negative-cache lag unless `lags` says otherwise: fixed staleMs, or uniform in [0, staleMs]. */
  readonly distribution: 'fixed' | 'uniform';
  /** Lag per kind of change; overrides the staleMs/distribution default (new-key, store-create, rename: 0). */
  readonly lags?: Partial<Record<LagKind, LagDistribution>>;
  /** Replicas; each read or listing is served by one chosen at random, each with its own lag (default 1). */
  readonly replicas?: number;
  /** Seed of the lag and replica draws (default: a random one). */
  readonly seed?: number;
}

/** What readers may see of a record key or a store: `current` stands for the live state. */
interface Version<T> {
  state: T | typeof CURRENT;
  /** Per replica: when reads (and, for records, listings) start to see this version. */
  readonly readableAt: readonly number[];
  readonly listableAt: readonly number[];
}

const CURRENT = Symbol('current');
const ABSENT = Symbol('absent');
type StoreName = string | null | typeof ABSENT;

/**
 * The eventual-consistency simulator. Every change to a record or a store becomes a version that
 * each replica starts to show after its own lag, drawn from the configured distribution for that
 * kind of change; a read or a listing is served by one replica (chosen at random when there are
 * several) and shows the newest version that replica shows. With one replica reads are monotonic;
 * with several a reader can see the new state and then the old one. A new key is visible at once
 * unless it was read (404) within stale-ms before it was created (the S3 negative-cache case).
 * Under `strong` it never changes anything.
 */
export class ConsistencySimulator {
  readonly #options: ConsistencyOptions;
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #replicas: number;
  /** storeId → key → versions, oldest first. */
  readonly #records = new Map<string, Map<string, Version<StoredRecord | null>[]>>();
  /** storeId → versions of the store's presence and name in the store list. */
  readonly #stores = new Map<string, Version<StoreName>[]>();
  /** storeId → key → when a read last missed it. */
  readonly #misses = new Map<string, Map<string, number>>();

  constructor(options: ConsistencyOptions, now: () => number = () => performance.now()) {
    this.#options = options;
    this.#now = now;
    this.#random = seededRandom(options.seed ?? Math.floor(Math.random() * 2 ** 31));
    this.#replicas = options.replicas ?? 1;
  }

  get eventual(): boolean {
    return this.#options.mode === 'eventual';
  }

  #lag(kind: LagKind): LagDistribution | undefined {
    const configured = this.#options.lags?.[kind];
    if (configured) return configured;
    const { staleMs, distribution } = this.#options;
    switch (kind) {
      case 'overwrite':
      case 'delete':
      case 'negative-cache':
        return distribution === 'uniform'
          ? { kind: 'uniform', minMs: 0, maxMs: staleMs }
          : { kind: 'fixed', ms: staleMs };
      case 'listing':
        return undefined;
      case 'new-key':
      case 'store-create':
      case 'rename':
        return { kind: 'fixed', ms: 0 };
    }
  }

  /** One visibility time per replica, `now` + a fresh lag each. */
  #times(now: number, lag: LagDistribution): number[] {
    return Array.from({ length: this.#replicas }, () => now + drawLag(lag, this.#random));
  }

  #replica(): number {
    return this.#replicas === 1 ? 0 : Math.floor(this.#random() * this.#replicas);
  }

  /** The newest version replica `replica` shows at `now` (versions[0] is shown everywhere). */
  static #shown<T>(
    versions: readonly Version<T>[],
    replica: number,
    now: number,
    listing: boolean,
  ): Version<T> {
    for (let index = versions.length - 1; index > 0; index -= 1) {
      const version = versions[index] as Version<T>;
      if ((listing ? version.listableAt : version.readableAt)[replica]! <= now) return version;
    }
    return versions[0] as Version<T>;
  }

  /** Whether every replica already shows the newest version, so nothing stale is left. */
  static #settled<T>(versions: readonly Version<T>[], now: number): boolean {
    const newest = versions.at(-1);
    return !newest || [...newest.readableAt, ...newest.listableAt].every((at) => at <= now);
  }

  /** Notes a read that found no record (only matters under `eventual`). */
  noteMiss(storeId: string, key: string): void {
    if (!this.eventual) return;
    let misses = this.#misses.get(storeId);
    if (!misses) this.#misses.set(storeId, (misses = new Map<string, number>()));
    misses.set(key, this.#now());
  }

  /**
   * Called before a write or delete replaces `current` (undefined: the key is absent). Each replica
   * keeps showing what it showed before for one lag of the change's kind.
   */
  beforeChange(
    storeId: string,
    key: string,
    current: StoredRecord | undefined,
    change: 'write' | 'delete',
  ): void {
    if (!this.eventual) return;
    const now = this.#now();
    const missedAt = this.#misses.get(storeId)?.get(key);
    this.#misses.get(storeId)?.delete(key);
    const recentlyMissed = missedAt !== undefined && now - missedAt <= this.#options.staleMs;
    const kind: LagKind =
      change === 'delete'
        ? 'delete'
        : current !== undefined
          ? 'overwrite'
          : recentlyMissed
            ? 'negative-cache'
            : 'new-key';
    let keys = this.#records.get(storeId);
    if (!keys) this.#records.set(storeId, (keys = new Map<string, Version<StoredRecord | null>[]>()));
    let versions = keys.get(key);
    if (versions && ConsistencySimulator.#settled(versions, now)) versions = undefined;
    if (!versions) {
      const always = Array<number>(this.#replicas).fill(-Infinity);
      versions = [{ state: current ?? null, readableAt: always, listableAt: always }];
    } else {
      (versions.at(-1) as Version<StoredRecord | null>).state = current ?? null;
    }
    const readableAt = this.#times(now, this.#lag(kind) ?? { kind: 'fixed', ms: 0 });
    const listingLag = this.#lag('listing');
    const listableAt = listingLag ? this.#times(now, listingLag) : readableAt;
    versions.push({ state: CURRENT, readableAt, listableAt });
    if (ConsistencySimulator.#settled(versions, now)) keys.delete(key);
    else keys.set(key, versions);
  }

  /** What a read sees: the version its replica shows (`current` when that is the newest). */
  read(storeId: string, key: string, current: StoredRecord | undefined): StoredRecord | undefined {
    const versions = this.#records.get(storeId)?.get(key);
    if (!versions) return current;
    const now = this.#now();
    if (ConsistencySimulator.#settled(versions, now)) {
      this.#records.get(storeId)?.delete(key);
      return current;
    }
    const { state } = ConsistencySimulator.#shown(versions, this.#replica(), now, false);
    return state === CURRENT ? current : (state ?? undefined);
  }

  /** What a listing sees: current records with what its replica shows of changed keys laid over them. */
  list(storeId: string, current: RecordInfo[]): RecordInfo[] {
    const keys = this.#records.get(storeId);
    if (!keys || keys.size === 0) return current;
    const now = this.#now();
    const replica = this.#replica();
    const byKey = new Map(current.map((info) => [info.key, info]));
    for (const [key, versions] of [...keys]) {
      if (ConsistencySimulator.#settled(versions, now)) {
        keys.delete(key);
        continue;
      }
      const { state } = ConsistencySimulator.#shown(versions, replica, now, true);
      if (state === CURRENT) continue;
      if (state) byKey.set(key, { key, size: state.value.length });
      else byKey.delete(key);
    }
    return [...byKey.values()];
  }

  #noteStoreChange(storeId: string, before: StoreName, kind: LagKind): void {
    if (!this.eventual) return;
    const now = this.#now();
    let versions = this.#stores.get(storeId);
    if (versions && ConsistencySimulator.#settled(versions, now)) versions = undefined;
    if (!versions) {
      const always = Array<number>(this.#replicas).fill(-Infinity);
      versions = [{ state: before, readableAt: always, listableAt: always }];
    } else {
      (versions.at(-1) as Version<StoreName>).state = before;
    }
    const at = this.#times(now, this.#lag(kind) ?? { kind: 'fixed', ms: 0 });
    versions.push({ state: CURRENT, readableAt: at, listableAt: at });
    if (ConsistencySimulator.#settled(versions, now)) this.#stores.delete(storeId);
    else this.#stores.set(storeId, versions);
  }

  /** Notes a store just created: the store list shows it after a `store-create` lag. */
  noteStoreCreated(storeId: string): void {
    this.#noteStoreChange(storeId, ABSENT, 'store-create');
  }

  /** Notes a store renamed from `previousName`: the store list shows the new name after a `rename` lag. */
  noteStoreRenamed(storeId: string, previousName: string | null): void {
    this.#noteStoreChange(storeId, previousName, 'rename');
  }

  /** What a store listing sees: stores not yet shown left out, renamed ones under the name shown. */
  listStores<T extends { readonly id: string; readonly name: string | null }>(current: readonly T[]): T[] {
    if (this.#stores.size === 0) return [...current];
    const now = this.#now();
    const replica = this.#replica();
    const shown: T[] = [];
    for (const meta of current) {
      const versions = this.#stores.get(meta.id);
      if (!versions || ConsistencySimulator.#settled(versions, now)) {
        if (versions) this.#stores.delete(meta.id);
        shown.push(meta);
        continue;
      }
      const { state } = ConsistencySimulator.#shown(versions, replica, now, true);
      if (state === CURRENT) shown.push(meta);
      else if (state !== ABSENT) shown.push({ ...meta, name: state });
    }
    return shown;
  }

  /** Forgets a deleted store. */
  forgetStore(storeId: string): void {
    this.#records.delete(storeId);
    this.#stores.delete(storeId);
    this.#misses.delete(storeId);
  }
}

/**
 * What readers see of changes: the ConsistencySimulator, or any object with its methods (proof/
 * plugs a replicated store with a known truth in through ServerOptions.consistencyModel). Reads,
 * listings and changes also get the request's connection (its socket), for a model that routes a
 * connection to one replica (sticky sessions); the simulator here routes every request at random.
 */
export interface ConsistencyModel extends Pick<
  ConsistencySimulator,
  'eventual' | 'noteMiss' | 'noteStoreCreated' | 'noteStoreRenamed' | 'listStores' | 'forgetStore'
> {
  beforeChange(
    storeId: string,
    key: string,
    current: StoredRecord | undefined,
    change: 'write' | 'delete',
    connection?: object,
  ): void;
  read(
    storeId: string,
    key: string,
    current: StoredRecord | undefined,
    connection?: object,
  ): StoredRecord | undefined;
  list(storeId: string, current: RecordInfo[], connection?: object): RecordInfo[];
}
