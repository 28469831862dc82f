import { LAG_KINDS, type ConsistencyModel, type ConsistencyOptions } from './consistency-simulator.ts';
import type { StorageBackend } from './storage/storage-backend.ts';

/** Options of the reference server; every one is optional. */
export interface ServerOptions {
  /** TCP port; 0 picks a free one. */
  readonly port?: number;
  readonly host?: string;
  /** `memory`, or a folder for the Apify/Crawlee local layout. */
  readonly storage?: string;
  /** A backend object instead of `storage` (faulty backends in tests plug in here). */
  readonly backend?: StorageBackend;
  /** Accepted API tokens; none means no authentication. */
  readonly tokens?: readonly string[];
  readonly consistency?: Partial<ConsistencyOptions>;
  /** A consistency model object instead of `consistency`'s simulator (proof/'s replicated store plugs in here). */
  readonly consistencyModel?: ConsistencyModel;
  /** The record payload limit in bytes. */
  readonly maxRecordBytes?: number;
  /** Whether the limit counts the bytes as sent or after decompression. */
  readonly payloadLimitCounts?: 'encoded' | 'decoded';
  /** The base URL used in Location headers and public URLs (default: the listening URL). */
  readonly publicUrl?: string;
  /** The username of the (single) account, for `username~store-name` addressing. */
  readonly username?: string;
  /**
   * Actor run ids the server knows: each has a default store (unnamed, made at start), reached at
   * `/v2/actor-runs/{runId}/key-value-store…` as at its own path.
   */
  readonly runs?: readonly string[];
}

/** Every option filled in. */
export interface ResolvedServerOptions {
  readonly port: number;
  readonly host: string;
  readonly storage: string;
  readonly backend: StorageBackend | undefined;
  readonly tokens: readonly string[];
  readonly consistency: ConsistencyOptions;
  readonly maxRecordBytes: number;
  readonly payloadLimitCounts: 'encoded' | 'decoded';
  readonly publicUrl: string | undefined;
  readonly username: string;
  readonly runs: readonly string[];
}

/** The platform's documented record payload limit (9 MiB), the server's default. */
export const DEFAULT_MAX_RECORD_BYTES = 9 * 1024 * 1024;
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_USERNAME = 'local-user';

/** A server option with a value that is not allowed. */
export class ServerOptionError extends Error {
  override readonly name = 'ServerOptionError';
}

function check(condition: boolean, message: string): void {
  if (!condition) throw new ServerOptionError(message);
}

/** Fills in defaults and checks every value, naming the option, the value and what is allowed. */
export function resolveServerOptions(options: ServerOptions = {}): ResolvedServerOptions {
  const port = options.port ?? 0;
  check(Number.isInteger(port) && port >= 0 && port <= 65535, `port is ${port}; allowed: 0 to 65535`);
  const maxRecordBytes = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  check(
    Number.isSafeInteger(maxRecordBytes) && maxRecordBytes > 0,
    `max-record-bytes is ${maxRecordBytes}; allowed: a positive whole number`,
  );
  const mode = options.consistency?.mode ?? 'strong';
  check(
    mode === 'strong' || mode === 'eventual',
    `consistency is "${String(mode)}"; allowed: strong, eventual`,
  );
  const staleMs = options.consistency?.staleMs ?? (mode === 'eventual' ? 200 : 0);
  check(Number.isFinite(staleMs) && staleMs >= 0, `stale-ms is ${staleMs}; allowed: a number ≥ 0`);
  const distribution = options.consistency?.distribution ?? 'fixed';
  check(
    distribution === 'fixed' || distribution === 'uniform',
    `stale distribution is "${String(distribution)}"; allowed: fixed, uniform`,
  );
  const lags = options.consistency?.lags ?? {};
  for (const kind of Object.keys(lags)) {
    check(
      (LAG_KINDS as readonly string[]).includes(kind),
      `lag kind "${kind}" is unknown; allowed: ${LAG_KINDS.join(', ')}`,
    );
  }
  const replicas = options.consistency?.replicas ?? 1;
  check(
    Number.isSafeInteger(replicas) && replicas >= 1 && replicas <= 64,
    `replicas is ${replicas}; allowed: a whole number from 1 to 64`,
  );
  // A seed drawn here (not in the simulator) so the resolved options say which one was used.
  const seed = options.consistency?.seed ?? Math.floor(Math.random() * 2 ** 31);
  check(Number.isSafeInteger(seed), `seed is ${seed}; allowed: a whole number`);
  const tokens = options.tokens ?? [];
  check(
    tokens.every((token) => token.length > 0),
    'a token is empty; allowed: non-empty strings',
  );
  const payloadLimitCounts = options.payloadLimitCounts ?? 'encoded';
  check(
    ['encoded', 'decoded'].includes(payloadLimitCounts),
    `payload-limit-counts is "${payloadLimitCounts}"; allowed: encoded, decoded`,
  );
  const runs = [...new Set(options.runs ?? [])];
  check(
    runs.every((run) => run.length > 0 && !run.includes('/')),
    'a run id is empty or has a /; allowed: one path segment',
  );
  if (options.publicUrl !== undefined) {
    check(URL.canParse(options.publicUrl), `public-url "${options.publicUrl}" is not an absolute URL`);
  }
  return {
    port,
    host: options.host ?? DEFAULT_HOST,
    storage: options.storage ?? 'memory',
    backend: options.backend,
    tokens,
    consistency: { mode, staleMs, distribution, lags, replicas, seed },
    maxRecordBytes,
    payloadLimitCounts,
    publicUrl: options.publicUrl?.replace(/\/+$/, ''),
    username: options.username ?? DEFAULT_USERNAME,
    runs,
  };
}
