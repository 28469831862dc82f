import { errorFunction } from 'simple-statistics';
import {
  seededRandom,
  type ConsistencyModel,
  type RecordInfo,
  type StoredRecord,
} from '../../server/index.ts';

/** How long a change takes to reach one replica (ms). */
export type ReplicaLag =
  | { readonly kind: 'exponential'; readonly meanMs: number }
  | { readonly kind: 'lognormal'; readonly medianMs: number; readonly sigma: number };

/**
 * A replicated record store with a known truth. Every record change (write or delete) is
 * acknowledged at once and reaches each of `replicas` replicas after its own independent lag; every
 * read and every key listing goes to one replica chosen at random.
 *
 * `repair`: `versioned` — a replica keeps the newest version it has received and ignores stale
 * arrivals, so every change converges and nothing reverts; `none` — a replica keeps whatever
 * arrived last and nothing ever repairs it, so a stale arrival loses an update or brings a deleted
 * value back for good.
 *
 * `resurrectAfterMs` (a planted fault): once a delete has reached every replica, the value it
 * deleted comes back on one replica this long after (a tombstone dropped before a stale copy died),
 * and stays.
 */
export interface ReplicatedStoreOptions {
  readonly replicas: number;
  readonly lag: ReplicaLag;
  readonly repair: 'versioned' | 'none';
  readonly resurrectAfterMs?: number;
  /**
   * `lagged` (default): a new key reaches the replicas like any change; `immediate`: a write to an
   * absent key reaches every replica at once (the S3 model's read-after-write for new keys, which
   * the eventual profile assumes, KVS-CONS-001).
   */
  readonly newKeys?: 'lagged' | 'immediate';
  readonly seed: number;
}

/** One version of a key: its state (CURRENT: the backend's live record) and when each replica receives it. */
interface Version {
  state: StoredRecord | null | typeof CURRENT;
  readonly arrivesAt: readonly number[];
}

const CURRENT = Symbol('current');

/** A draw of the lag from uniform numbers in [0, 1). */
function drawReplicaLag(lag: ReplicaLag, random: () => number): number {
  const u = 1 - random();
  if (lag.kind === 'exponential') return -lag.meanMs * Math.log(u);
  // Box–Muller: a standard normal from two uniforms.
  const normal = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  return lag.medianMs * Math.exp(lag.sigma * normal);
}

/** P(lag ≤ t) for one replica: the closed-form distribution function. */
export function replicaLagCdf(lag: ReplicaLag, t: number): number {
  if (t <= 0) return 0;
  if (lag.kind === 'exponential') return lag.meanMs === 0 ? 1 : 1 - Math.exp(-t / lag.meanMs);
  return 0.5 * (1 + errorFunction(Math.log(t / lag.medianMs) / (lag.sigma * Math.SQRT2)));
}

/**
 * The store's known truth for a change acknowledged at t = 0 (`repair: versioned`):
 * t-visibility — a single read at t goes to a random replica, which has the change with
 * probability F(t); full visibility — every replica has it, F(t)^N (the largest of N lags).
 */
export function replicatedTruth(options: Pick<ReplicatedStoreOptions, 'replicas' | 'lag'>): {
  readonly tVisibility: (t: number) => number;
  readonly fullVisibility: (t: number) => number;
  /** The time by which a share p of changes is visible to every replica. */
  readonly fullQuantile: (p: number) => number;
} {
  const cdf = (t: number) => replicaLagCdf(options.lag, t);
  const full = (t: number) => cdf(t) ** options.replicas;
  return {
    tVisibility: cdf,
    fullVisibility: full,
    fullQuantile: (p) => {
      let low = 0;
      let high = 1;
      while (full(high) < p) high *= 2;
      for (let step = 0; step < 60; step += 1) {
        const middle = (low + high) / 2;
        if (full(middle) >= p) high = middle;
        else low = middle;
      }
      return high;
    },
  };
}

/** The replicated store as the reference server's consistency model (ServerOptions.consistencyModel). */
export class ReplicatedStore implements ConsistencyModel {
  readonly #options: ReplicatedStoreOptions;
  readonly #random: () => number;
  readonly #now: () => number;
  /** storeId → key → versions, oldest first (versions[0] is on every replica). */
  readonly #records = new Map<string, Map<string, Version[]>>();

  constructor(options: ReplicatedStoreOptions, now: () => number = () => performance.now()) {
    this.#options = options;
    this.#random = seededRandom(options.seed);
    this.#now = now;
  }

  readonly eventual = true;

  /** A read that missed changes nothing here (no negative cache). */
  noteMiss(): void {}

  beforeChange(
    storeId: string,
    key: string,
    current: StoredRecord | undefined,
    change: 'write' | 'delete',
  ): void {
    const now = this.#now();
    let keys = this.#records.get(storeId);
    if (!keys) this.#records.set(storeId, (keys = new Map<string, Version[]>()));
    let versions = keys.get(key);
    if (!versions) {
      versions = [
        { state: current ?? null, arrivesAt: Array<number>(this.#options.replicas).fill(-Infinity) },
      ];
      keys.set(key, versions);
    } else {
      const live = versions.findLast((version) => version.state === CURRENT);
      if (live) live.state = current ?? null;
    }
    const immediate = this.#options.newKeys === 'immediate' && change === 'write' && current === undefined;
    const arrivesAt = Array.from({ length: this.#options.replicas }, () =>
      immediate ? now : now + drawReplicaLag(this.#options.lag, this.#random),
    );
    versions.push({ state: CURRENT, arrivesAt });
    const resurrect = this.#options.resurrectAfterMs;
    if (change === 'delete' && resurrect !== undefined && current !== undefined) {
      // The deleted value arrives again at one replica after the delete reached them all.
      const replica = Math.floor(this.#random() * this.#options.replicas);
      const zombie = Array<number>(this.#options.replicas).fill(Infinity);
      zombie[replica] = Math.max(...arrivesAt) + resurrect;
      versions.push({ state: current, arrivesAt: zombie });
    }
  }

  /** The version one replica shows at `now`. */
  #shown(versions: readonly Version[], replica: number, now: number): Version {
    let shown = versions[0] as Version;
    let shownIndex = 0;
    for (const [index, version] of versions.entries()) {
      const at = version.arrivesAt[replica] ?? Infinity;
      if (at > now || index === 0) continue;
      const newer =
        this.#options.repair === 'versioned'
          ? index > shownIndex
          : at >= (shown.arrivesAt[replica] ?? -Infinity);
      if (newer) {
        shown = version;
        shownIndex = index;
      }
    }
    return shown;
  }

  /** Whether every replica has received every version and shows the live one: nothing stale is left. */
  #settled(versions: readonly Version[], now: number): boolean {
    if (versions.some((version) => version.arrivesAt.some((at) => at > now && at !== Infinity))) return false;
    return Array.from(
      { length: this.#options.replicas },
      (_, replica) => this.#shown(versions, replica, now).state === CURRENT,
    ).every(Boolean);
  }

  #replica(): number {
    return Math.floor(this.#random() * this.#options.replicas);
  }

  read(storeId: string, key: string, current: StoredRecord | undefined): StoredRecord | undefined {
    const versions = this.#records.get(storeId)?.get(key);
    if (!versions) return current;
    const now = this.#now();
    if (this.#settled(versions, now)) {
      this.#records.get(storeId)?.delete(key);
      return current;
    }
    const { state } = this.#shown(versions, this.#replica(), now);
    return state === CURRENT ? current : (state ?? undefined);
  }

  list(storeId: string, current: RecordInfo[]): RecordInfo[] {
    const keys = this.#records.get(storeId);
    if (!keys) return current;
    const now = this.#now();
    const replica = this.#replica();
    const byKey = new Map(current.map((info) => [info.key, info]));
    for (const [key, versions] of [...keys]) {
      if (this.#settled(versions, now)) {
        keys.delete(key);
        continue;
      }
      const { state } = this.#shown(versions, replica, now);
      if (state === CURRENT) continue;
      if (state) byKey.set(key, { key, size: state.value.length });
      else byKey.delete(key);
    }
    return [...byKey.values()];
  }

  /** Stores are not replicated here: the store list is always current. */
  noteStoreCreated(): void {}

  noteStoreRenamed(): void {}

  listStores<T extends { readonly id: string; readonly name: string | null }>(current: readonly T[]): T[] {
    return [...current];
  }

  forgetStore(storeId: string): void {
    this.#records.delete(storeId);
  }
}
