import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readErrorEnvelope } from '../checks/response-checks.ts';
import { HarnessError } from '../errors.ts';
import type { Contract } from '../contract/load-contract.ts';
import { resolveProfileSettings, type ProfileSettings } from '../contract/profile-catalog.ts';
import { ruleApplies, type RuleId } from '../contract/rule-catalog.ts';
import { HttpApi } from '../drivers/http-api.ts';
import { isClientDriver, type DriverInfo } from '../drivers/kvs-driver.ts';
import { SHIPPED_DEVIATIONS } from '../config/resolve-run-options.ts';
import { DEFAULT_DRIVERS, type ResolvedRunOptions } from '../config/run-options.ts';
import { prepareDrivers } from '../drivers/prepare-drivers.ts';
import { HttpClient } from '../http/http-client.ts';
import { redactingWritable } from '../http/redacting-writable.ts';
import { deleteRunStores, type CleanupResult } from '../isolation/delete-run-stores.ts';
import { newRunPrefix } from '../isolation/run-namespace.ts';
import { judgeRules, type RuleVerdict, type TestOutcome } from './rule-verdicts.ts';
import { applyExpectedFailures, expectedFailuresOf } from './expected-failures.ts';
import { loadExpectedDeviations } from '../matrix/expected-deviations.ts';
import type { SuiteContext } from '../worker/suite-context.ts';
import { VerdictReporter } from './verdict-reporter.ts';

/**
 * The folder holding suites/ next to harness/: the repository when the sources run (suites in
 * TypeScript), the package's dist/ when the build runs (suites compiled to JavaScript).
 */
const CODE_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** `ts` or `js`: the suites are in the language this module runs in. */
const CODE_EXTENSION = import.meta.url.endsWith('.ts') ? 'ts' : 'js';

/** One recorded failing case to run again: the test, and fast-check's path to its counterexample. */
export interface ReplayCase {
  readonly test: string;
  readonly path: string | undefined;
  /**
   * For a command sequence (the stateful suite): fast-check's record of which commands ran
   * (`replayPath` in the counterexample), so the replay runs exactly the shrunk sequence.
   */
  readonly commandsPath?: string | undefined;
}

/**
 * The suite files (relative to CODE_ROOT) that can hold a test of the given rules: those whose
 * text names one of them. A run filtered to a few rules loads only these, not every suite file.
 */
function suiteFilesCiting(rules: ReadonlySet<string>): string[] {
  const dir = join(CODE_ROOT, 'suites');
  return readdirSync(dir)
    .filter((name) => name.endsWith(`.test.${CODE_EXTENSION}`))
    .filter((name) => {
      const text = readFileSync(join(dir, name), 'utf8');
      return [...rules].some((rule) => text.includes(rule));
    })
    .map((name) => `suites/${name}`);
}

/** The run uses the default drivers (none given): they check the target, not a client under test. */
const usesDefaultDrivers = (drivers: readonly string[]): boolean =>
  drivers.length === DEFAULT_DRIVERS.length && DEFAULT_DRIVERS.every((name) => drivers.includes(name));

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Everything a run found. */
export interface RunResult {
  readonly targetUrl: string;
  readonly settings: ProfileSettings;
  readonly seed: number;
  readonly runs: number;
  /** The stateful suite's longest command sequence. */
  readonly maxCommands?: number;
  readonly storePrefix: string;
  /** The drivers the client rule families ran through: name, package, version. */
  readonly drivers: readonly DriverInfo[];
  readonly startedAt: Date;
  readonly durationMs: number;
  readonly verdicts: readonly RuleVerdict[];
  readonly outcomes: readonly TestOutcome[];
  /** Errors outside any test; a run with any is a tool error (exit 2). */
  readonly runErrors: readonly string[];
  readonly cleanup: CleanupResult;
  /**
   * Requests sent outside the tests (each test's own are in its evidence): by the suite files'
   * set-up and clean-up, and by the runner (the target check before the suites, the last cleanup).
   */
  readonly requests?: { readonly suiteFiles: number; readonly runner: number };
  /** True when the run was stopped by SIGINT/SIGTERM. */
  readonly interrupted: boolean;
}

/** The rules a run checks: those the filters select that apply under the profile. */
export function selectRules(
  contract: Contract,
  options: ResolvedRunOptions,
  settings: ProfileSettings,
): Set<RuleId> {
  const unknownArea = options.suite.find((area) => !contract.areas.has(area));
  if (unknownArea) {
    throw new HarnessError(
      'KVSC_USAGE',
      `--suite ${unknownArea} is not a rule area; allowed: ${[...contract.areas.keys()].join(', ')}`,
    );
  }
  const unknownRule = options.rule.find((id) => !contract.rules.has(id as RuleId));
  if (unknownRule)
    throw new HarnessError('KVSC_USAGE', `--rule ${unknownRule} is not in the catalog (spec/rules.yaml)`);
  const filtered = options.suite.length > 0 || options.rule.length > 0;
  return new Set(
    [...contract.rules.values()]
      .filter((rule) => !filtered || options.suite.includes(rule.area) || options.rule.includes(rule.id))
      .filter((rule) => ruleApplies(rule, settings))
      .map((rule) => rule.id),
  );
}

/** A short one-line view of a target's answer for an error message (redacted, control characters dropped). */
function answerExcerpt(body: Buffer, redact: (text: string) => string): string {
  const text = redact(body.subarray(0, 200).toString('utf8')).replace(/\p{Cc}+/gu, ' ');
  return text.length === 0 ? 'an empty body' : JSON.stringify(text.slice(0, 120));
}

/** Whether a body is a KVS store list: `{"data":{"items":[…],"total":n,"offset":n,"limit":n,"count":n}}`. */
function isStoreList(body: Buffer): boolean {
  try {
    const data = (JSON.parse(body.toString('utf8')) as { data?: Record<string, unknown> } | null)?.data;
    return (
      Array.isArray(data?.items) &&
      ['total', 'offset', 'limit', 'count'].every((field) => typeof data[field] === 'number')
    );
  } catch {
    return false;
  }
}

/**
 * Checks, before any rule, that the target answers and speaks the KVS API: GET
 * /v2/key-value-stores answers a well-formed store list, or a well-formed 401/403 error (then the
 * token is refused). Anything else — no answer, only 429s or 503s, an HTML page — is a tool error
 * with one line saying what came back.
 */
async function preflight(api: HttpApi, targetUrl: string): Promise<void> {
  const redact = (text: string): string => api.client.redact(text);
  const response = await api
    .call('keyValueStores_get', { query: { limit: 1 }, unchecked: true })
    .catch((error: Error) => error);
  if (response instanceof Error) {
    const reason = response.message.split('\n')[0]?.replace(/^\[KVS-[A-Z]+-\d{3}\] /, '') ?? 'no response';
    throw new HarnessError('KVSC_TARGET_UNREACHABLE', `cannot reach ${targetUrl}: ${redact(reason)}`, {
      hint: 'check --target and that the server is running',
    });
  }
  if (response.status === 401 || response.status === 403) {
    const type = readErrorEnvelope(response.body)?.type;
    throw new HarnessError(
      'KVSC_TOKEN_REFUSED',
      `${targetUrl} refused ${api.client.options.token === undefined ? 'a request without a token' : 'the token'}: GET /v2/key-value-stores answered ${response.status}${type === undefined ? '' : ` (error type ${JSON.stringify(redact(type))})`}`,
      {
        hint:
          api.client.options.token === undefined
            ? 'pass the token with --token or APIFY_TOKEN'
            : 'check the token given with --token or APIFY_TOKEN (a replay takes it the same way)',
      },
    );
  }
  if (response.status !== 200 || !isStoreList(response.body)) {
    throw new HarnessError(
      'KVSC_TARGET_UNREACHABLE',
      `${targetUrl} does not answer as a KVS server: GET /v2/key-value-stores answered ${response.status} with ${answerExcerpt(response.body, redact)}`,
      {
        hint: 'expected 200 with a store list, or 401/403 with an error envelope; check --target',
      },
    );
  }
}

/**
 * Runs the conformance suites (the vitest `conformance` project) against a target: provides the
 * run context to every suite, collects the outcomes, judges every rule, and deletes exactly the
 * stores the run created — also when interrupted by SIGINT or SIGTERM.
 */
export async function runConformance(
  contract: Contract,
  options: ResolvedRunOptions,
  targetUrl: string,
  replay?: ReplayCase,
  /** Aborted when the caller was interrupted (also before the suites started): the run stops and cleans up. */
  interrupt?: AbortSignal,
  extras: { readonly clientContract?: boolean } = {},
): Promise<RunResult> {
  const startedAt = new Date();
  const settings = resolveProfileSettings(contract.profiles, {
    ...(options.profile === undefined ? {} : { preset: options.profile }),
    overrides: options.settings,
    origin: 'run options',
  });
  // CLIENT rules judge client libraries, not the target: checked when asked for by name or area,
  // when replaying one of them, by `matrix`, and in an unfiltered run whose drivers were given
  // (`run --driver X` checks X's whole client profile); the default drivers check the target only.
  const clientContract =
    extras.clientContract === true ||
    options.suite.includes('CLIENT') ||
    options.rule.some((id) => id.startsWith('KVS-CLIENT-')) ||
    (replay?.test.includes('KVS-CLIENT-') ?? false) ||
    (options.suite.length === 0 && options.rule.length === 0 && !usesDefaultDrivers(options.driver));
  const selected = new Set(
    [...selectRules(contract, options, settings)].filter(
      (id) => clientContract || !id.startsWith('KVS-CLIENT-'),
    ),
  );
  // Declared known failures (--expect-fail, --deviations and the shipped manifest): read before
  // anything runs, so a malformed manifest is an error up front. The shipped manifest lists known
  // deviations of client libraries: it applies when clients are judged (the client contract runs),
  // never to a run that checks only the target (its client-only cases do not run there, so its
  // entries would read as unexpectedly passing).
  const manifests = options.deviations
    .filter((file) => clientContract || file !== SHIPPED_DEVIATIONS)
    .map(loadExpectedDeviations);
  const out = resolve(options.out);
  mkdirSync(out, { recursive: true });
  const storePrefix = newRunPrefix(options.shard);
  const journalFile = join(out, `.created-stores-${storePrefix.slice(0, -1)}.jsonl`);
  const client = new HttpClient({
    baseUrl: targetUrl,
    token: options.token,
    timeoutMs: options.timeoutMs,
    maxResponseBytes: options.maxResponseBytes,
    connections: 4,
    onSend: () => {
      runnerRequests += 1;
    },
  });
  let runnerRequests = 0;
  const api = new HttpApi(contract, client);
  try {
    await preflight(api, targetUrl);
    const drivers = await prepareDrivers(options.driver, process.cwd(), {
      targetUrl,
      token: options.token,
      timeoutMs: options.timeoutMs,
      maxResponseBytes: options.maxResponseBytes,
      maxRetries: 0,
    });
    const context: SuiteContext = {
      targetUrl,
      token: options.token,
      settings,
      seed: options.seed,
      runs: options.runs,
      maxCommands: options.maxCommands,
      timeoutMs: options.timeoutMs,
      maxResponseBytes: options.maxResponseBytes,
      concurrency: options.concurrency,
      storePrefix,
      journalFile,
      contractFiles: contract.files,
      drivers: drivers.specs,
      clientContract,
      clientsUnderTest: extras.clientContract === true || !usesDefaultDrivers(options.driver),
      ...(replay?.path ? { replayPath: replay.path } : {}),
      ...(replay?.commandsPath ? { replayCommandsPath: replay.commandsPath } : {}),
    };
    const reporter = new VerdictReporter();
    // SIGINT/SIGTERM (or the caller's interrupt) cancel the run and let the cleanup below happen.
    let interrupted = false;
    let cancel = (): void => undefined;
    const stop = (): void => {
      interrupted = true;
      cancel();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    interrupt?.addEventListener('abort', stop, { once: true });
    if (interrupt?.aborted) interrupted = true;
    // Vitest's logger exits the process on SIGINT/SIGTERM, which would skip that cleanup: its
    // listeners are taken off as soon as they are added (a signal is handled on a later turn of the
    // event loop, so none is missed).
    const dropSignalListener = (event: string | symbol, listener: (...args: unknown[]) => void): void => {
      if (event === 'SIGINT' || event === 'SIGTERM') queueMicrotask(() => process.off(event, listener));
    };
    process.on('newListener', dropSignalListener);
    // Everything the test runner prints (reporters, serialized errors, the workers' console) is
    // redacted on its way to the terminal.
    const secrets = options.token ? [options.token] : [];
    const stdout = redactingWritable(process.stdout, secrets);
    const stderr = redactingWritable(process.stderr, secrets);
    // Vite's cache goes to a temporary folder of this run, never into the (possibly read-only) package.
    const viteCacheDir = mkdtempSync(join(tmpdir(), 'kvsc-vite-'));
    try {
      const filtered = options.suite.length > 0 || options.rule.length > 0;
      // A run loads only the suite files that name its rules (a replay: the rules of its test).
      const include = suiteFilesCiting(
        replay === undefined ? selected : new Set(replay.test.match(/KVS-[A-Z]+-\d{3}/g)),
      );
      // The conformance project is configured here, not in a config file: loading a config file
      // makes Vite bundle it next to itself, a write into the package that a read-only install forbids.
      // Loaded here, not at the top: a suite worker imports the harness too and has no use for Vite.
      const { createVitest } = await import('vitest/node');
      const vitest = await createVitest(
        'test',
        {
          root: CODE_ROOT,
          config: false,
          include,
          exclude: [],
          setupFiles: [`suites/setup.${CODE_EXTENSION}`],
          // Built code: only the suite files go through Vite; the harness they import loads as
          // plain Node modules, as it does from an installed package (under node_modules). The
          // TypeScript sources need Vite's transform.
          ...(CODE_EXTENSION === 'js'
            ? { server: { deps: { external: [/\/(harness|generators|spec)\//] } } }
            : {}),
          // Suite files share one target; one at a time, a file's store listing is disturbed only by itself.
          fileParallelism: false,
          // One module graph for all suite files: the contract is set up once per run.
          isolate: false,
          // A hang detector above fast-check's own time limit (suites/setup.ts), scaled with --runs.
          testTimeout: Math.max(120_000, options.runs * 2_000),
          hookTimeout: 60_000,
          cache: false,
          watch: false,
          // Watch mode prints only changed verdicts: vitest's own progress output is left out there.
          reporters: options.watch ? [reporter] : [reporter, 'default'],
          provide: { kvsRun: context },
          passWithNoTests: true,
          ...(replay
            ? { testNamePattern: escapeRegExp(replay.test) }
            : filtered
              ? { testNamePattern: [...selected].join('|') || '^$' }
              : {}),
          ...(options.shard ? { shard: `${options.shard.index}/${options.shard.count}` } : {}),
        },
        { cacheDir: viteCacheDir },
        { stdout, stderr },
      );
      cancel = () => void vitest.cancelCurrentRun('keyboard-input');
      try {
        if (!interrupted) await vitest.start();
      } finally {
        await vitest.close();
      }
    } catch (error) {
      throw new HarnessError('KVSC_RUN_FAILED', `the suites could not run: ${(error as Error).message}`, {
        cause: error,
      });
    } finally {
      process.off('newListener', dropSignalListener);
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      interrupt?.removeEventListener('abort', stop);
      rmSync(viteCacheDir, { recursive: true, force: true });
      await Promise.all(
        [stdout, stderr].map((stream) => new Promise<void>((done) => stream.end(() => done()))),
      );
    }
    // One pass: the stores the suite files did not delete; the store list only when the journal
    // cannot vouch for every store (an unsettled create, an interrupted or broken-off run).
    const cleanup = await deleteRunStores(api, journalFile, storePrefix, {
      mayHaveUnjournaled: interrupted || reporter.runErrors.length > 0,
    });
    // The journal is only needed while some store of the run may be left.
    if (cleanup.left.length === 0 && cleanup.problems.length === 0) rmSync(journalFile, { force: true });
    return {
      targetUrl,
      settings,
      seed: options.seed,
      runs: options.runs,
      maxCommands: options.maxCommands,
      storePrefix,
      drivers: drivers.infos,
      startedAt,
      durationMs: Date.now() - startedAt.getTime(),
      verdicts: applyExpectedFailures(
        judgeRules(contract, settings, selected, reporter.outcomes, {
          sharded: options.shard !== undefined,
          requested: new Set(options.rule),
          // The CLIENT rules judge a client driver: none in the run, or not asked of the default ones.
          clientNotApplicable: !drivers.infos.some(isClientDriver)
            ? 'not applicable: no client driver in this run (give one with --driver)'
            : clientContract
              ? undefined
              : 'not applicable: the default drivers check the target; a client is checked when given with --driver (or in `matrix`)',
        }),
        expectedFailuresOf(
          options.expectFail,
          manifests,
          drivers.infos.map((driver) => driver.name),
        ),
      ),
      outcomes: reporter.outcomes,
      runErrors: reporter.runErrors.map((message) => client.redact(message)),
      cleanup,
      requests: { suiteFiles: reporter.fileRequests, runner: runnerRequests },
      interrupted,
    };
  } finally {
    await client.close();
  }
}
