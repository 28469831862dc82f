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
 * acknowledged at once and reaches each of `replicas` replicas (but the first `atCommit`, which
 * take it at once) after its own independent lag; every
 * read and every key listing goes to one replica chosen at random (or, with sticky routing, the
 * connection's replica).
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
  /**
   * `random` (default): every read, listing and change goes to a replica chosen at random per
   * request. `sticky`: each connection is pinned to one replica (given out in turn, the first time
   * it is seen), which takes the connection's own changes at once; the others get them after their
   * lags. A session on one keep-alive connection then reads monotonically and reads its own writes
   * (repair `versioned`); per request, neither holds.
   */
  readonly routing?: 'random' | 'sticky';
  /**
   * Replicas that take every record change at once, at its commit (default 0): the first
   * `atCommit` replicas, like a leader that applies a write before acknowledging it and ships it to
   * the others after their lags (a store with one replica at the acknowledgement: 1). Reads are
   * still routed at random over all `replicas`, so a read finds the change at once with chance
   * atCommit / replicas.
   */
  readonly atCommit?: number;
  readonly seed: number;
  /**
   * Keep every record change's commit and arrival times (ReplicatedStore.changesOf), so a benchmark
   * can be compared with the truth trial by trial (default: off; the history grows with every change).
   */
  readonly keepHistory?: boolean;
}

/** One record change as the store made it: when it was committed and when each replica received it (performance.now() ms). */
export interface RecordedChange {
  readonly storeId: string;
  readonly committedAt: number;
  readonly arrivesAt: readonly number[];
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
 * The store's known truth for a change acknowledged at t = 0 (`repair: versioned`, random
 * routing): t-visibility — a single read at t goes to a random replica, which has the change with
 * probability F(t); full visibility — every replica has it, F(t)^N (the largest of N lags);
 * k-staleness — after versions written back to back, the last acknowledged at t = 0, a read at t
 * shows one at most k versions old when its replica has received any of the last k + 1, each
 * arriving after its own lag: 1 − (1 − F(t))^(k+1) when they were committed at once; versions
 * committed `spacingMs` apart (a write's round trip each) give 1 − ∏ (1 − F(t + j × spacing)), j = 0…k.
 * With `atCommit` = a of the N replicas taking every change at once, a read finds it there with
 * chance a/N: t-visibility a/N + (1 − a/N) F(t), full visibility F(t)^(N − a) (the largest of the
 * N − a lags), k-staleness likewise a/N + (1 − a/N) × the lagged replicas' value.
 */
export function replicatedTruth(options: Pick<ReplicatedStoreOptions, 'replicas' | 'lag' | 'atCommit'>): {
  readonly tVisibility: (t: number) => number;
  readonly fullVisibility: (t: number) => number;
  readonly kStaleness: (k: number, t: number, spacingMs?: number) => number;
  /** The time by which a share p of changes is visible to every replica. */
  readonly fullQuantile: (p: number) => number;
} {
  const lagged = (t: number) => replicaLagCdf(options.lag, t);
  // A read goes to one of the `atCommit` replicas (which have every change at once) or to a lagged one.
  const atCommit = Math.min(options.atCommit ?? 0, options.replicas) / options.replicas;
  const cdf = (t: number) => atCommit + (1 - atCommit) * lagged(t);
  const full = (t: number) =>
    lagged(t) ** (options.replicas - Math.min(options.atCommit ?? 0, options.replicas));
  return {
    tVisibility: cdf,
    fullVisibility: full,
    kStaleness: (k, t, spacingMs = 0) =>
      atCommit +
      (1 - atCommit) *
        (1 -
          Array.from({ length: k + 1 }, (_, j) => 1 - lagged(t + j * spacingMs)).reduce((a, b) => a * b, 1)),
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
  /** Sticky routing: the replica each connection is pinned to. */
  readonly #pinned = new WeakMap<object, number>();
  /** keepHistory: key → its changes, oldest first. */
  readonly #history = new Map<string, RecordedChange[]>();
  #connections = 0;

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
    connection?: object,
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
    const own = this.#pinnedReplica(connection);
    const atCommit = this.#options.atCommit ?? 0;
    const arrivesAt = Array.from({ length: this.#options.replicas }, (_, replica) =>
      immediate || replica === own || replica < atCommit
        ? now
        : now + drawReplicaLag(this.#options.lag, this.#random),
    );
    versions.push({ state: CURRENT, arrivesAt });
    if (this.#options.keepHistory) {
      const changes = this.#history.get(key) ?? [];
      changes.push({ storeId, committedAt: now, arrivesAt });
      this.#history.set(key, changes);
    }
    const resurrect = this.#options.resurrectAfterMs;
    if (change === 'delete' && resurrect !== undefined && current !== undefined) {
      // The deleted value arrives again at one replica after the delete reached them all.
      const replica = Math.floor(this.#random() * this.#options.replicas);
      const zombie = Array<number>(this.#options.replicas).fill(Infinity);
      zombie[replica] = Math.max(...arrivesAt) + resurrect;
      versions.push({ state: current, arrivesAt: zombie });
    }
  }

  /** Every change to `key` (in any store) since the store started, oldest first; empty without keepHistory. */
  changesOf(key: string): readonly RecordedChange[] {
    return this.#history.get(key) ?? [];
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

  /** The replica a connection is pinned to under sticky routing (undefined: routed at random). */
  #pinnedReplica(connection: object | undefined): number | undefined {
    if (this.#options.routing !== 'sticky' || connection === undefined) return undefined;
    let replica = this.#pinned.get(connection);
    if (replica === undefined) {
      replica = this.#connections % this.#options.replicas;
      this.#connections += 1;
      this.#pinned.set(connection, replica);
    }
    return replica;
  }

  /** The replica that serves a read or listing: the connection's under sticky routing, else one at random. */
  #replica(connection: object | undefined): number {
    return this.#pinnedReplica(connection) ?? Math.floor(this.#random() * this.#options.replicas);
  }

  read(
    storeId: string,
    key: string,
    current: StoredRecord | undefined,
    connection?: object,
  ): StoredRecord | undefined {
    const versions = this.#records.get(storeId)?.get(key);
    if (!versions) return current;
    const now = this.#now();
    if (this.#settled(versions, now)) {
      this.#records.get(storeId)?.delete(key);
      return current;
    }
    const { state } = this.#shown(versions, this.#replica(connection), now);
    return state === CURRENT ? current : (state ?? undefined);
  }

  list(storeId: string, current: RecordInfo[], connection?: object): RecordInfo[] {
    const keys = this.#records.get(storeId);
    if (!keys) return current;
    const now = this.#now();
    const replica = this.#replica(connection);
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
