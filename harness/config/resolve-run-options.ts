import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { defaultRulesReferenceUrl } from '../contract/rules-reference-location.ts';
import { HarnessError } from '../errors.ts';
import { packageRoot } from '../package-root.ts';
import { PROFILE_SETTING_NAMES, type ProfileSettingName } from '../contract/profile-catalog.ts';
import { RULE_ID_PATTERN } from '../contract/rule-catalog.ts';
import { CI_RUN_ID_VARIABLES, type CiRunSeed } from './ci-run-seed.ts';
import { parseDuration } from './parse-duration.ts';
import {
  COMMAND_DRIVER_PREFIX,
  CONFIG_FILE_NAMES,
  DEFAULT_CONCURRENCY,
  DEFAULT_DRIVERS,
  DEFAULT_MAX_RESPONSE_BYTES,
  DEFAULT_OUT,
  DEFAULT_MAX_COMMANDS,
  DEFAULT_RUNS,
  DEFAULT_TARGET_WAIT,
  DEFAULT_TIMEOUT_MS,
  ENV_PREFIX,
  RUN_OPTION_NAMES,
  type ResolvedRunOptions,
  type RunOptions,
} from './run-options.ts';

/** A raw option value as given by a source (strings from flags and environment). */
type RawValue = string | number | boolean | readonly string[] | Readonly<Record<string, unknown>> | undefined;
/** The raw values one source gives, by option name. */
export type RawRunOptions = Readonly<Partial<Record<keyof RunOptions, RawValue>>>;

/** Environment variable name of an option or setting (`consistencyWindowMs` → KVS_CONFORMANCE_CONSISTENCY_WINDOW_MS). */
export function envName(name: string): string {
  return ENV_PREFIX + name.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
}

/** Reads the options of the environment: KVS_CONFORMANCE_* and APIFY_TOKEN. */
export function runOptionsFromEnv(env: NodeJS.ProcessEnv): RawRunOptions {
  const names: (keyof RunOptions)[] = [
    'target',
    'token',
    'profile',
    'seed',
    'runs',
    'maxCommands',
    'suite',
    'rule',
    'concurrency',
    'out',
    'shard',
    'strict',
    'rulesUrl',
    'targetImage',
    'targetPort',
    'targetWait',
    'driver',
    'spec',
    'expectFail',
    'deviations',
    'runId',
  ];
  const raw: Partial<Record<keyof RunOptions, RawValue>> = {};
  for (const name of names) {
    const value = env[envName(name)];
    if (value !== undefined && value !== '')
      raw[name] = ['suite', 'rule', 'driver', 'expectFail', 'deviations'].includes(name)
        ? value.split(',')
        : value;
  }
  const timeout = env[envName('timeout')];
  if (timeout) raw.timeoutMs = timeout;
  raw.token ??= env.APIFY_TOKEN || undefined;
  const settings: Record<string, string> = {};
  for (const name of PROFILE_SETTING_NAMES) {
    const value = env[envName(name)];
    if (value !== undefined && value !== '') settings[name] = value;
  }
  if (Object.keys(settings).length > 0) raw.settings = settings;
  return raw;
}

/** Loads a config file (JSON, or a JS module whose default export is the options). */
export async function loadConfigFile(
  path: string | undefined,
  cwd: string,
): Promise<{ file: string; options: RawRunOptions } | undefined> {
  const file = path
    ? resolve(cwd, path)
    : CONFIG_FILE_NAMES.map((name) => resolve(cwd, name)).find((candidate) => existsSync(candidate));
  if (!file) return undefined;
  if (!existsSync(file)) throw new HarnessError('KVSC_USAGE', `config file ${file} does not exist`);
  try {
    const loaded: unknown = file.endsWith('.json')
      ? JSON.parse(readFileSync(file, 'utf8'))
      : ((await import(pathToFileURL(file).href)) as { default: unknown }).default;
    if (typeof loaded !== 'object' || loaded === null || Array.isArray(loaded)) {
      throw new Error('it must hold an object of run options');
    }
    // A misspelt key must not silently fall back to a default (e.g. `tagret` running the embedded server).
    const unknown = Object.keys(loaded).find((key) => !(RUN_OPTION_NAMES as readonly string[]).includes(key));
    if (unknown !== undefined) {
      throw new HarnessError(
        'KVSC_USAGE',
        `config file ${file} has the unknown key "${unknown}"; known keys: ${RUN_OPTION_NAMES.join(', ')}`,
      );
    }
    return { file, options: loaded };
  } catch (error) {
    if (error instanceof HarnessError) throw error;
    throw new HarnessError('KVSC_USAGE', `config file ${file} cannot be read: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

function integer(value: RawValue, origin: string, minimum: number): number | undefined {
  if (value === undefined) return undefined;
  const number =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^\s*\d+\s*$/.test(value)
        ? Number(value)
        : Number.NaN;
  if (!Number.isSafeInteger(number) || number < minimum) {
    throw new HarnessError(
      'KVSC_USAGE',
      `${origin} is ${JSON.stringify(value)}; allowed: a whole number ≥ ${minimum}`,
    );
  }
  return number;
}

function text(value: RawValue, origin: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '')
    throw new HarnessError('KVSC_USAGE', `${origin} must be a non-empty string`);
  return value;
}

/** The run's drivers: those given (`--driver`, and each `--driver-cmd` as `cmd:<command>`), or the defaults when none is. */
function resolveDrivers(drivers: string[] | undefined, commands: string[] | undefined): string[] {
  const given = [
    ...(drivers ?? []),
    ...(commands ?? []).map((command) => `${COMMAND_DRIVER_PREFIX}${command}`),
  ];
  return [...new Set(given.length > 0 ? given : DEFAULT_DRIVERS)];
}

function list(value: RawValue, origin: string): string[] | undefined {
  if (value === undefined) return undefined;
  const items = typeof value === 'string' ? value.split(',') : value;
  if (!Array.isArray(items) || !items.every((item) => typeof item === 'string')) {
    throw new HarnessError('KVSC_USAGE', `${origin} must be a list of strings`);
  }
  return items.map((item: string) => item.trim()).filter((item) => item !== '');
}

function flag(value: RawValue, origin: string): boolean | undefined {
  if (value === undefined || typeof value === 'boolean') return value;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new HarnessError('KVSC_USAGE', `${origin} is ${JSON.stringify(value)}; allowed: true or false`);
}

function shard(value: RawValue, origin: string): ResolvedRunOptions['shard'] {
  if (value === undefined) return undefined;
  const match = typeof value === 'string' ? /^(\d+)\/(\d+)$/.exec(value) : null;
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || index < 1 || count < 1 || index > count) {
    throw new HarnessError(
      'KVSC_USAGE',
      `${origin} is ${JSON.stringify(value)}; allowed: i/n with 1 ≤ i ≤ n, e.g. 1/2`,
    );
  }
  return { index, count };
}

/** `K=V` pairs as an environment: names as POSIX shells allow them. */
function environment(value: RawValue, origin: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of list(value, origin) ?? []) {
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(pair);
    if (!match)
      throw new HarnessError('KVSC_USAGE', `${origin} has "${pair}"; allowed: NAME=value, e.g. PORT=8080`);
    env[match[1] ?? ''] = match[2] ?? '';
  }
  return env;
}

/** The container target: `targetImage` with its port, environment and wait path, checked together. */
function containerTarget(
  pick: (name: keyof RunOptions) => [RawValue, string],
  target: string | undefined,
): ResolvedRunOptions['targetImage'] {
  const image = text(...pick('targetImage'));
  const [portValue, portOrigin] = pick('targetPort');
  const [envValue, envOrigin] = pick('targetEnv');
  const [waitValue, waitOrigin] = pick('targetWait');
  if (image === undefined) {
    const orphan = [portValue, envValue, waitValue].some((value) => value !== undefined);
    if (orphan)
      throw new HarnessError(
        'KVSC_USAGE',
        'targetPort, targetEnv and targetWait belong to a container target; add --target-image IMAGE',
      );
    return undefined;
  }
  if (target !== undefined)
    throw new HarnessError(
      'KVSC_USAGE',
      `both target (${target}) and targetImage (${image}) are given; allowed: one of them`,
    );
  const env = environment(envValue, envOrigin);
  const port = integer(portValue, portOrigin, 1) ?? integer(env.PORT, 'PORT in targetEnv', 1);
  if (port === undefined || port > 65535)
    throw new HarnessError(
      'KVSC_USAGE',
      `targetImage ${image} needs the port it listens on; allowed: --target-port N (1-65535) or --target-env PORT=N`,
    );
  const waitPath = text(waitValue, waitOrigin) ?? DEFAULT_TARGET_WAIT;
  if (!waitPath.startsWith('/'))
    throw new HarnessError('KVSC_USAGE', `${waitOrigin} is "${waitPath}"; allowed: a path such as /health`);
  // The container listens where the harness connects: PORT is set unless the user set it.
  return { image, port, env: { PORT: String(port), ...env }, waitPath };
}

/** The expected deviations of the built-in drivers, applied to every run unless `deviations: none`. */
export const SHIPPED_DEVIATIONS = join(packageRoot(), 'spec', 'expected-deviations.yaml');

/** The manifests a run applies: the shipped one unless `none` is given, then each file given (checked to exist). */
function deviationFiles(value: RawValue, origin: string): string[] {
  const given = list(value, origin) ?? [];
  const files = given.filter((file) => file !== 'none').map((file) => resolve(file));
  const missing = files.find((file) => !existsSync(file));
  if (missing !== undefined)
    throw new HarnessError(
      'KVSC_USAGE',
      `${origin}: ${missing} does not exist; allowed: a manifest file (drivers: { <driver>: [ { rule, reason, link } ] }) or none`,
    );
  return [...new Set([...(given.includes('none') ? [] : [SHIPPED_DEVIATIONS]), ...files])];
}

/** Where each source's values came from, for messages. */
export interface RunOptionSources {
  readonly flags: RawRunOptions;
  readonly env: RawRunOptions;
  readonly file?: { readonly file: string; readonly options: RawRunOptions };
  /** The seed of the CI run (`ciRunSeed(process.env)`), which shards use when no seed is given. */
  readonly ciSeed?: CiRunSeed | undefined;
}

/**
 * The one resolver: flags over environment over config file over defaults, every value checked
 * with a message naming its source, the value and what is allowed.
 */
export function resolveRunOptions(sources: RunOptionSources): ResolvedRunOptions {
  const layers: [string, RawRunOptions][] = [
    ['flag', sources.flags],
    ['environment', sources.env],
    ...(sources.file ? ([[sources.file.file, sources.file.options]] as [string, RawRunOptions][]) : []),
  ];
  const pick = (name: keyof RunOptions): [RawValue, string] => {
    for (const [source, options] of layers) {
      if (options[name] !== undefined) return [options[name], `${name} (${source})`];
    }
    return [undefined, name];
  };
  const settings: Partial<Record<ProfileSettingName, string | number>> = {};
  for (const [, options] of [...layers].reverse()) {
    const layer = options.settings;
    if (layer === undefined) continue;
    if (typeof layer !== 'object' || Array.isArray(layer))
      throw new HarnessError('KVSC_USAGE', 'settings must map profile settings to values');
    Object.assign(settings, layer);
  }
  const target = text(...pick('target'));
  if (target !== undefined && !/^https?:\/\/[^\s]+$/.test(target)) {
    throw new HarnessError(
      'KVSC_USAGE',
      `target is "${target}"; allowed: an http:// or https:// base URL such as http://127.0.0.1:8080`,
    );
  }
  const rules = list(...pick('rule')) ?? [];
  const [expectFailValue, expectFailOrigin] = pick('expectFail');
  const expectFail = list(expectFailValue, expectFailOrigin) ?? [];
  for (const [ids, origin] of [
    [rules, 'rule'],
    [expectFail, expectFailOrigin],
  ] as const) {
    const badRule = ids.find((rule) => !RULE_ID_PATTERN.test(rule));
    if (badRule)
      throw new HarnessError(
        'KVSC_USAGE',
        `${origin} "${badRule}" is not a rule id; allowed: ids such as KVS-PAGE-001`,
      );
  }
  const [rulesUrl, rulesUrlOrigin] = pick('rulesUrl');
  const rulesReferenceUrl = text(rulesUrl, rulesUrlOrigin);
  if (rulesReferenceUrl !== undefined && !/^(https?|file):\/\/\S+$/.test(rulesReferenceUrl)) {
    throw new HarnessError(
      'KVSC_USAGE',
      `${rulesUrlOrigin} is "${rulesReferenceUrl}"; allowed: an http(s):// or file:// URL of docs/rules.md`,
    );
  }
  const [timeout, timeoutOrigin] = pick('timeoutMs');
  const [watch, watchOrigin] = pick('watch');
  const watchPaths = list(...pick('watchPath'));
  if (watch !== undefined && typeof watch !== 'boolean' && watch !== 'true' && watch !== 'false')
    throw new HarnessError(
      'KVSC_USAGE',
      `${watchOrigin} is ${JSON.stringify(watch)}; allowed: true or false`,
    );
  const watching = watch === true || watch === 'true' || (watchPaths !== undefined && watch === undefined);
  const shardOption = shard(...pick('shard'));
  const [seedValue, seedOrigin] = pick('seed');
  const givenSeed = integer(seedValue, seedOrigin, 0);
  // Shards of one run must share the seed: given, or the CI run's; a random seed per shard cannot merge.
  if (givenSeed === undefined && shardOption && !sources.ciSeed) {
    throw new HarnessError(
      'KVSC_USAGE',
      `--shard ${shardOption.index}/${shardOption.count} needs a seed all shards share: pass the same --seed N (or KVS_CONFORMANCE_SEED=N) to every shard; in CI it is taken from the run id (${CI_RUN_ID_VARIABLES.join(', ')}), none of which is set`,
    );
  }
  const seed =
    givenSeed !== undefined
      ? { seed: givenSeed, seedSource: /\((.*)\)$/.exec(seedOrigin)?.[1] ?? 'flag' }
      : shardOption && sources.ciSeed
        ? { seed: sources.ciSeed.seed, seedSource: sources.ciSeed.variable }
        : { seed: Math.floor(Math.random() * 2 ** 31), seedSource: 'random' };
  return {
    target: target?.replace(/\/+$/, '').replace(/\/v2$/, ''),
    token: text(...pick('token')),
    profile: text(...pick('profile')),
    settings,
    ...seed,
    runs: integer(...pick('runs'), 1) ?? DEFAULT_RUNS,
    maxCommands: integer(...pick('maxCommands'), 1) ?? DEFAULT_MAX_COMMANDS,
    suite: (list(...pick('suite')) ?? []).map((area) => area.toUpperCase()),
    rule: rules,
    concurrency: integer(...pick('concurrency'), 1) ?? DEFAULT_CONCURRENCY,
    timeoutMs:
      timeout === undefined ? DEFAULT_TIMEOUT_MS : parseDuration(timeout as string | number, timeoutOrigin),
    maxResponseBytes: integer(...pick('maxResponseBytes'), 1024) ?? DEFAULT_MAX_RESPONSE_BYTES,
    out: text(...pick('out')) ?? DEFAULT_OUT,
    shard: shardOption,
    strict: flag(...pick('strict')) ?? false,
    rulesUrl: rulesReferenceUrl?.replace(/#.*$/, '') ?? defaultRulesReferenceUrl(),
    targetImage: containerTarget(pick, target),
    watch: watching ? { paths: watchPaths ?? [] } : undefined,
    spec: text(...pick('spec')),
    driver: resolveDrivers(list(...pick('driver')), list(...pick('driverCmd'))),
    expectFail: [...new Set(expectFail)],
    deviations: deviationFiles(...pick('deviations')),
    runId: text(...pick('runId')),
  };
}
