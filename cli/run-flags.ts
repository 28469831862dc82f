import type { Command } from 'commander';
import { PROFILE_SETTING_NAMES, type ProfileSettingName } from '../harness/contract/profile-catalog.ts';
import type { RunOptions } from '../harness/config/run-options.ts';
import type { RawRunOptions } from '../harness/config/resolve-run-options.ts';
import { parseDuration } from '../harness/config/parse-duration.ts';
import { collect } from './parse-flag.ts';

interface FlagSpec {
  readonly flags: string;
  readonly description: string;
  readonly repeatable?: boolean;
}

/**
 * One flag per run option. The mapped type makes a missing flag a compile error; profile settings
 * get one flag each, derived from PROFILE_SETTING_NAMES.
 */
export const RUN_FLAGS: { readonly [K in Exclude<keyof RunOptions, 'settings'>]-?: FlagSpec } = {
  target: {
    flags: '--target <url>',
    description: 'base URL of the server under test (default: start the embedded reference server)',
  },
  token: {
    flags: '--token <token>',
    description: 'API token (default: $APIFY_TOKEN); redacted from all output',
  },
  profile: {
    flags: '--profile <preset>',
    description:
      "profile preset: platform, legacy-2020, lenient, or apify (the platform's own choices where the documents leave room)",
  },
  seed: { flags: '--seed <n>', description: 'fast-check seed (printed by every run, to replay it)' },
  runs: { flags: '--runs <n>', description: 'fast-check runs per property (default 25)' },
  maxCommands: {
    flags: '--max-commands <n>',
    description: "the stateful suite's longest command sequence (default 40; --runs sets how many)",
  },
  suite: {
    flags: '--suite <area>',
    description: 'run only this rule area, e.g. PAGE (repeatable)',
    repeatable: true,
  },
  rule: {
    flags: '--rule <id>',
    description: 'run only this rule, e.g. KVS-KEYS-005 (repeatable)',
    repeatable: true,
  },
  concurrency: {
    flags: '--concurrency <n>',
    description: 'keep-alive connections per suite file (default 8)',
  },
  timeoutMs: { flags: '--timeout <duration>', description: 'per-request timeout, e.g. 10s (default 30s)' },
  maxResponseBytes: {
    flags: '--max-response-bytes <n>',
    description: 'largest response body read (default 64 MiB)',
  },
  out: { flags: '--out <dir>', description: 'output folder (default kvs-conformance-report)' },
  shard: { flags: '--shard <i/n>', description: 'run the i-th of n shards' },
  strict: { flags: '--strict', description: 'exit 1 on PASS WITH WARNINGS (a SHOULD rule failed)' },
  rulesUrl: {
    flags: '--rules-url <url>',
    description:
      "where reports link each rule to its entry in docs/rules.md (default: the repository's copy at this version's tag)",
  },
  targetImage: {
    flags: '--target-image <image>',
    description: 'start this container image as the target (needs a Docker engine; host networking)',
  },
  targetPort: {
    flags: '--target-port <n>',
    description: 'port the target container listens on (set as PORT in it unless --target-env sets PORT)',
  },
  targetEnv: {
    flags: '--target-env <K=V>',
    description: 'environment variable of the target container (repeatable)',
    repeatable: true,
  },
  targetWait: {
    flags: '--target-wait <path>',
    description: 'path polled until the target container answers (default /)',
  },
  watch: {
    flags: '--watch',
    description: 're-run on Enter or r (q quits) or on changes under --watch-path; print changed verdicts',
  },
  watchPath: {
    flags: '--watch-path <path>',
    description: 'file or folder whose changes start a new run in --watch mode (repeatable)',
    repeatable: true,
  },
  driver: {
    flags: '--driver <name|module>',
    description:
      'run the client rule families through this driver: http, apify-client[@version], crawlee-memory-storage[:persist], apify-storage-local, or a module exporting a driver factory (repeatable; default http and apify-client)',
    repeatable: true,
  },
  spec: {
    flags: '--spec <file|url>',
    description:
      "base OpenAPI 3.0/3.1 document (one file or split with relative $refs; e.g. Apify's published one) to apply spec/overlay.yaml to, instead of the shipped spec/openapi.yaml",
  },
  runId: {
    flags: '--run-id <id>',
    description:
      "check the default store of this Actor run through its alias paths (/v2/actor-runs/{id}/key-value-store…): the store-scoped rules run there, each test under a key prefix of its own; rules that create, rename, delete or list stores are not applicable; only the run's records are deleted",
  },
  driverCmd: {
    flags: '--driver-cmd <command>',
    description:
      'run a client in any language as a driver: a command speaking JSON lines over stdio (docs/stdio-drivers.md), e.g. "python3 my_driver.py" (repeatable)',
    repeatable: true,
  },
  expectFail: {
    flags: '--expect-fail <id>',
    description:
      'a rule the target is known to fail: its failure is expected-fail, a pass is unexpectedly passing (repeatable)',
    repeatable: true,
  },
  deviations: {
    flags: '--deviations <file>',
    description:
      "expected-deviation manifest (matrix's format; rules checked over the wire belong to driver http), on top of the shipped one; none leaves the shipped one out (repeatable)",
    repeatable: true,
  },
};

const kebab = (name: string): string => name.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();
/** The flag name of a profile setting; the consistency window is `--window <duration>`. */
export const settingFlag = (name: ProfileSettingName): string =>
  name === 'consistencyWindowMs' ? 'window' : kebab(name);
const camel = (flag: string): string =>
  flag.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());

/** Adds every run flag (and `--config`) to the command. */
export function addRunFlags(command: Command): Command {
  command.option(
    '--config <file>',
    'config file (default: kvs-conformance.config.{json,js,mjs} in the working directory)',
  );
  for (const spec of Object.values(RUN_FLAGS)) {
    if (spec.repeatable) command.option(spec.flags, spec.description, collect);
    else command.option(spec.flags, spec.description);
  }
  for (const name of PROFILE_SETTING_NAMES) {
    command.option(
      `--${settingFlag(name)} <value>`,
      `profile setting ${name} (its values: kvs-conformance contract --settings)`,
    );
  }
  return command;
}

/** The raw run options the flags gave (only those given). */
export function runOptionsFromFlags(flags: Readonly<Record<string, unknown>>): RawRunOptions {
  const raw: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(RUN_FLAGS)) {
    const value = flags[camel(spec.flags.split(' ')[0]?.slice(2) ?? name)];
    if (value !== undefined) raw[name] = value;
  }
  const settings: Record<string, unknown> = {};
  for (const name of PROFILE_SETTING_NAMES) {
    const value = flags[camel(settingFlag(name))];
    if (value === undefined) continue;
    settings[name] = name === 'consistencyWindowMs' ? parseDuration(value as string, '--window') : value;
  }
  if (Object.keys(settings).length > 0) raw.settings = settings;
  return raw;
}
