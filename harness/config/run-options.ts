import type { ProfileSettingName } from '../contract/profile-catalog.ts';

/** Options of `kvs-conformance run`, all optional: from flags, environment and config file. */
export interface RunOptions {
  /** Base URL of the target (without /v2); omitted: the embedded reference server. */
  readonly target?: string;
  readonly token?: string;
  /** A preset of spec/profiles.yaml. */
  readonly profile?: string;
  /** Single profile settings on top of the preset. */
  readonly settings?: Readonly<Partial<Record<ProfileSettingName, string | number>>>;
  readonly seed?: number;
  /** fast-check runs per property. */
  readonly runs?: number;
  /** Rule areas to run (e.g. PAGE, KEYS). */
  readonly suite?: readonly string[];
  /** Rule ids to run. */
  readonly rule?: readonly string[];
  readonly concurrency?: number;
  /** Per-request timeout, ms. */
  readonly timeoutMs?: number;
  readonly maxResponseBytes?: number;
  readonly out?: string;
  /** `i/n`: run the i-th of n shards. */
  readonly shard?: string;
  /** Drivers the client rule families run through: built-in names, `apify-client@X`, or module paths. */
  readonly driver?: readonly string[];
}

/** Every run option filled in. */
export interface ResolvedRunOptions {
  readonly target: string | undefined;
  readonly token: string | undefined;
  readonly profile: string | undefined;
  readonly settings: Readonly<Partial<Record<ProfileSettingName, string | number>>>;
  readonly seed: number;
  readonly runs: number;
  readonly suite: readonly string[];
  readonly rule: readonly string[];
  readonly concurrency: number;
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
  readonly out: string;
  readonly shard: { readonly index: number; readonly count: number } | undefined;
  readonly driver: readonly string[];
}

/** Defaults, as named constants. */
export const DEFAULT_RUNS = 25;
export const DEFAULT_CONCURRENCY = 8;
export const DEFAULT_TIMEOUT_MS = 30_000;
/** Big enough for a record at the payload limit plus headroom. */
export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;
export const DEFAULT_OUT = 'kvs-conformance-report';
/** The drivers the client rule families run through when none is given. */
export const DEFAULT_DRIVERS: readonly string[] = ['http', 'apify-client'];
/** The name of the config file looked for in the working directory. */
export const CONFIG_FILE_NAMES = [
  'kvs-conformance.config.json',
  'kvs-conformance.config.js',
  'kvs-conformance.config.mjs',
];
/** Environment variables are `KVS_CONFORMANCE_<OPTION>`; the token also comes from APIFY_TOKEN. */
export const ENV_PREFIX = 'KVS_CONFORMANCE_';
