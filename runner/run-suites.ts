import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { HarnessError } from '../harness/errors.ts';
import type { Contract } from '../harness/contract/load-contract.ts';
import { resolveProfileSettings, type ProfileSettings } from '../harness/contract/profile-catalog.ts';
import { leadingRuleIds, ruleApplies, type RuleId } from '../harness/contract/rule-catalog.ts';
import { notApplicableInRunStore } from '../harness/contract/run-store-applicability.ts';
import { resolveRunStore, RunStoreViews } from '../harness/drivers/run-store.ts';
import { deleteRunRecords } from '../harness/isolation/delete-run-records.ts';
import { HttpApi } from '../harness/drivers/http-api.ts';
import { isClientDriver } from '../harness/drivers/kvs-driver.ts';
import { SHIPPED_DEVIATIONS } from '../harness/config/resolve-run-options.ts';
import { DEFAULT_DRIVERS, type ResolvedRunOptions } from '../harness/config/run-options.ts';
import { prepareDrivers } from '../harness/drivers/prepare-drivers.ts';
import { driverFlagOf } from '../harness/drivers/driver-registry.ts';
import { HttpClient } from '../harness/http/http-client.ts';
import { redactingWritable } from '../harness/http/redacting-writable.ts';
import { deleteRunStores } from '../harness/isolation/delete-run-stores.ts';
import {
  cleanEarlierRuns,
  journalFileName,
  startJournal,
} from '../harness/isolation/earlier-run-journals.ts';
import { newRunPrefix } from '../harness/isolation/run-namespace.ts';
import type { RunResult } from '../harness/results/run-result.ts';
import type { SuiteContext } from '../harness/worker/suite-context.ts';
import { judgeRules } from './rule-verdicts.ts';
import { applyExpectedFailures, expectedFailuresOf } from './expected-failures.ts';
import { loadExpectedDeviations } from './expected-deviations.ts';
import { preflight } from './preflight.ts';
import { checkRuleFlags } from './check-rule-flags.ts';
import { escapeRegExp } from './escape-reg-exp.ts';
import { suiteFilesCiting } from './suite-files.ts';
import { VerdictReporter } from './verdict-reporter.ts';
import { snapshotEnvironment } from './environment-snapshot.ts';
import { createConformanceVitest } from './vitest-project.ts';

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

/** The run uses the default drivers (none given): they check the target, not a client under test. */
const usesDefaultDrivers = (drivers: readonly string[]): boolean =>
  drivers.length === DEFAULT_DRIVERS.length && DEFAULT_DRIVERS.every((name) => drivers.includes(name));

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
  checkRuleFlags(options.rule, [...contract.rules.keys()]);
  const filtered = options.suite.length > 0 || options.rule.length > 0;
  return new Set(
    [...contract.rules.values()]
      .filter((rule) => !filtered || options.suite.includes(rule.area) || options.rule.includes(rule.id))
      .filter((rule) => ruleApplies(rule, settings))
      .map((rule) => rule.id),
  );
}

/** What one pass of the suites runs: the contract, the options, the target, and what to run of it. */
export interface RunSuitesOptions {
  readonly contract: Contract;
  readonly options: ResolvedRunOptions;
  /** The target's base URL (without /v2). */
  readonly targetUrl: string;
  /** Aborted on SIGINT/SIGTERM (the session's signal guard), also before the suites started: the run stops and cleans up. */
  readonly interrupt: AbortSignal;
  /** One recorded failing case to run again instead of the selected rules. */
  readonly replay?: ReplayCase | undefined;
  /** Judge the clients (the CLIENT rules) whatever the drivers are: `matrix`. */
  readonly clientContract?: boolean;
  /** The process runs the suites this once: they may load as plain Node modules (`SessionRunRequest.onlyRun`). */
  readonly onlyRun?: boolean;
}

/**
 * Runs the conformance suites (the vitest `conformance` project) against a target: checks the
 * target answers, provides the run context to every suite, collects the outcomes, judges every
 * rule, and deletes exactly the stores the run created — also when interrupted. A run is composed
 * by `runSession` (runner/run-session.ts), which calls this.
 */
export async function runSuites({
  contract,
  options,
  targetUrl,
  interrupt,
  replay,
  clientContract: judgeClients = false,
  onlyRun = false,
}: RunSuitesOptions): Promise<RunResult> {
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
    judgeClients ||
    options.suite.includes('CLIENT') ||
    options.rule.some((id) => id.startsWith('KVS-CLIENT-')) ||
    (replay?.test.includes('KVS-CLIENT-') ?? false) ||
    (options.suite.length === 0 && options.rule.length === 0 && !usesDefaultDrivers(options.driver));
  // Under --run-id the rules that need stores of the run's own do not apply (a run's default
  // store is one existing store): said so with the reason, their tests not started.
  const notApplicable = new Map(
    options.runId === undefined
      ? []
      : [...contract.rules.values()].flatMap((rule) => {
          const why = notApplicableInRunStore(rule);
          return why === undefined ? [] : [[rule.id, why] as const];
        }),
  );
  const selected = new Set(
    [...selectRules(contract, options, settings)].filter(
      (id) => (clientContract || !id.startsWith('KVS-CLIENT-')) && !notApplicable.has(id),
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
  const journalFile = join(out, journalFileName(storePrefix));
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
    // Under --run-id the alias answers first (a target may offer nothing else); otherwise the store list.
    const runStore =
      options.runId === undefined
        ? undefined
        : await resolveRunStore(contract, client, options.runId, storePrefix);
    if (!runStore) await preflight(api, targetUrl);
    // The journal starts once the target answered: a run that could not reach it leaves none.
    startJournal(journalFile, targetUrl);
    // What an earlier run into this folder, killed before its cleanup, left on this target.
    const earlierRuns = await cleanEarlierRuns(api, out, journalFile, targetUrl);
    if (runStore && options.driver.some((name) => name !== 'http') && !usesDefaultDrivers(options.driver))
      throw new HarnessError(
        'KVSC_USAGE',
        `--run-id reaches the run's default store through the HTTP driver only; --driver ${options.driver.filter((name) => name !== 'http').join(', ')} cannot address it`,
      );
    const drivers = await prepareDrivers(runStore ? ['http'] : options.driver, process.cwd(), {
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
      ...(runStore ? { runStore } : {}),
      clientsUnderTest: judgeClients || !usesDefaultDrivers(options.driver),
      ...(replay?.path ? { replayPath: replay.path } : {}),
      ...(replay?.commandsPath ? { replayCommandsPath: replay.commandsPath } : {}),
    };
    const reporter = new VerdictReporter();
    const expected = expectedFailuresOf(
      options.expectFail,
      manifests,
      drivers.infos.map((driver) => driver.name),
    );
    // SIGINT/SIGTERM (the session's interrupt) cancel the run and let the cleanup below happen.
    let interrupted = false;
    let cancel = (): void => undefined;
    const stop = (): void => {
      interrupted = true;
      cancel();
    };
    interrupt.addEventListener('abort', stop, { once: true });
    if (interrupt.aborted) interrupted = true;
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
    // What vitest sets in the process's environment goes when it is closed.
    const restoreEnvironment = snapshotEnvironment();
    // Vite's cache goes to a temporary folder of this run, never into the (possibly read-only) package.
    const viteCacheDir = mkdtempSync(join(tmpdir(), 'kvsc-vite-'));
    try {
      const filtered = options.suite.length > 0 || options.rule.length > 0 || runStore !== undefined;
      // A run loads only the suite files that name its rules (a replay: the rules of its test).
      const include = suiteFilesCiting(
        replay === undefined ? selected : new Set(leadingRuleIds(replay.test)),
      );
      const vitest = await createConformanceVitest({
        include,
        context,
        reporter,
        printProgress: !options.watch,
        expected,
        testNamePattern: replay
          ? escapeRegExp(replay.test)
          : filtered
            ? [...selected].join('|') || '^$'
            : undefined,
        shard: options.shard,
        runs: options.runs,
        cacheDir: viteCacheDir,
        suitesAsNodeModules: onlyRun,
        stdout,
        stderr,
      });
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
      interrupt.removeEventListener('abort', stop);
      restoreEnvironment();
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
    // Under --run-id: the records the run wrote in the run's default store (never the store).
    const views = runStore ? new RunStoreViews(runStore) : undefined;
    const recordCleanup = views
      ? await deleteRunRecords(new HttpApi(contract, client, { runStore: views }), views.everyKeyOfTheRun())
      : undefined;
    // The journal is only needed while some store of the run may be left.
    if (cleanup.left.length === 0 && cleanup.problems.length === 0) rmSync(journalFile, { force: true });
    return {
      ...(earlierRuns.length > 0 ? { earlierRuns } : {}),
      targetUrl,
      settings,
      seed: options.seed,
      runs: options.runs,
      maxCommands: options.maxCommands,
      storePrefix,
      drivers: drivers.infos,
      driverFlags: drivers.specs.map(driverFlagOf),
      startedAt,
      durationMs: Date.now() - startedAt.getTime(),
      verdicts: applyExpectedFailures(
        judgeRules(contract, settings, selected, reporter.outcomes, {
          sharded: options.shard !== undefined,
          requested: new Set(options.rule),
          // The CLIENT rules judge a client driver: none in the run, or not asked of the default ones.
          notApplicable,
          clientNotApplicable: !drivers.infos.some(isClientDriver)
            ? 'not applicable: no client driver in this run (give one with --driver)'
            : clientContract
              ? undefined
              : 'not applicable: the default drivers check the target; a client is checked when given with --driver (or in `matrix`)',
        }),
        expected,
      ),
      outcomes: reporter.outcomes,
      runErrors: reporter.runErrors.map((message) => client.redact(message)),
      cleanup,
      requests: { suiteFiles: reporter.fileRequests, runner: runnerRequests },
      interrupted,
      ...(runStore && recordCleanup ? { runStore: { ...runStore, cleanup: recordCleanup } } : {}),
    };
  } finally {
    await client.close();
  }
}
