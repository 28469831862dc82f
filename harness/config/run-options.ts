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
  /** fast-check runs per property (for the stateful suite: the number of command sequences). */
  readonly runs?: number;
  /** The stateful suite's longest command sequence. */
  readonly maxCommands?: number;
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
  /** Exit 1 on PASS WITH WARNINGS (a SHOULD rule failed), not 0. */
  readonly strict?: boolean;
  /** Where reports link each rule to its entry in the rules reference (docs/rules.md). */
  readonly rulesUrl?: string;
  /** A container image to start as the target (with testcontainers) instead of `target`. */
  readonly targetImage?: string;
  /** The port the target container listens on; with host networking also the port on the host. */
  readonly targetPort?: number;
  /** Environment of the target container, `K=V` each. */
  readonly targetEnv?: readonly string[];
  /** The path polled until the target container answers (default `/`). */
  readonly targetWait?: string;
  /** Stay running: re-run on a key press or a file change, printing only changed verdicts. */
  readonly watch?: boolean;
  /** Files or folders whose changes start a new run in watch mode (repeatable). */
  readonly watchPath?: readonly string[];
  /** Drivers the client rule families run through: built-in names, `apify-client@X`, or module paths. */
  readonly driver?: readonly string[];
  /**
   * The base OpenAPI document (path or http(s) URL; e.g. Apify's published one) the overlay is
   * applied to, instead of the shipped spec/openapi.yaml. Always read and validated anew.
   */
  readonly spec?: string;
  /** Stdio drivers: commands speaking the JSON lines protocol of docs/stdio-drivers.md (each also a `--driver cmd:<command>`). */
  readonly driverCmd?: readonly string[];
  /** Rules the target is known to fail: a failure is expected-fail, a pass unexpectedly-passing. */
  readonly expectFail?: readonly string[];
  /**
   * Expected-deviation manifests (the format of `matrix --manifest`), applied to the run's drivers
   * (`http` for rules checked over the wire) on top of the shipped one; `none` leaves the shipped one out.
   */
  readonly deviations?: readonly string[];
  /**
   * An Actor run whose default store the store-scoped rules run in, through the alias paths
   * (`/v2/actor-runs/{runId}/key-value-store…`); rules that create, rename, delete or list stores
   * are then not applicable.
   */
  readonly runId?: string;
}

/** A target started from a container image for the run, and stopped after it. */
export interface ContainerTargetOptions {
  readonly image: string;
  readonly port: number;
  readonly env: Readonly<Record<string, string>>;
  readonly waitPath: string;
}

/** The name of every run option: the keys a config file may hold. */
export const RUN_OPTION_NAMES = Object.keys({
  target: true,
  token: true,
  profile: true,
  settings: true,
  seed: true,
  runs: true,
  maxCommands: true,
  suite: true,
  rule: true,
  concurrency: true,
  timeoutMs: true,
  maxResponseBytes: true,
  out: true,
  shard: true,
  strict: true,
  rulesUrl: true,
  targetImage: true,
  targetPort: true,
  targetEnv: true,
  targetWait: true,
  watch: true,
  watchPath: true,
  driver: true,
  spec: true,
  driverCmd: true,
  expectFail: true,
  deviations: true,
  runId: true,
} satisfies Readonly<Record<keyof RunOptions, true>>) as readonly (keyof RunOptions)[];

/** Every run option filled in. */
export interface ResolvedRunOptions {
  readonly target: string | undefined;
  readonly token: string | undefined;
  readonly profile: string | undefined;
  readonly settings: Readonly<Partial<Record<ProfileSettingName, string | number>>>;
  readonly seed: number;
  /** Where the seed came from: `flag`, `environment`, the config file, a CI variable (e.g. `GITHUB_RUN_ID`) or `random`. */
  readonly seedSource: string;
  readonly runs: number;
  readonly maxCommands: number;
  readonly suite: readonly string[];
  readonly rule: readonly string[];
  readonly concurrency: number;
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
  readonly out: string;
  readonly shard: { readonly index: number; readonly count: number } | undefined;
  readonly strict: boolean;
  readonly rulesUrl: string;
  readonly targetImage: ContainerTargetOptions | undefined;
  /** Watch mode and the paths it watches (empty: key presses only). */
  readonly watch: { readonly paths: readonly string[] } | undefined;
  readonly driver: readonly string[];
  /** The base OpenAPI document given with --spec; undefined: the shipped spec/openapi.yaml. */
  readonly spec: string | undefined;
  /** Rule ids declared to fail. */
  readonly expectFail: readonly string[];
  /** Absolute paths of the expected-deviation manifests to apply (the shipped one unless `none`). */
  readonly deviations: readonly string[];
  /** The Actor run whose default store the run checks (--run-id); undefined: stores of its own. */
  readonly runId: string | undefined;
}

/** Defaults, as named constants. */
export const DEFAULT_RUNS = 25;
/** The stateful suite's longest command sequence by default (its runs are the sequences). */
export const DEFAULT_MAX_COMMANDS = 40;
export const DEFAULT_CONCURRENCY = 8;
export const DEFAULT_TIMEOUT_MS = 30_000;
/** Big enough for a record at the payload limit plus headroom. */
export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;
export const DEFAULT_OUT = 'kvs-conformance-report';
/** The path polled until a target container answers. */
export const DEFAULT_TARGET_WAIT = '/';
/** The `--driver` prefix of a stdio driver's command (`--driver-cmd X` is `--driver cmd:X`). */
export const COMMAND_DRIVER_PREFIX = 'cmd:';

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
