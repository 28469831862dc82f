import type { Writable } from 'node:stream';
import type { Reporter, Vitest } from 'vitest/node';
import type { RuleId } from '../harness/contract/rule-catalog.ts';
import type { SuiteContext } from '../harness/worker/suite-context.ts';
import { CODE_EXTENSION, CODE_ROOT } from './code-root.ts';
import { escapeRegExp } from './escape-reg-exp.ts';
import { isProgrammingError } from './harness-error.ts';
import { inProcessPool } from './in-process-pool.ts';
import type { ExpectedFailure } from './expected-failures.ts';

/** What one run's conformance project is made of. */
export interface ConformanceVitestOptions {
  /** Suite files relative to CODE_ROOT. */
  readonly include: readonly string[];
  /** The run context every suite file reads (`inject('kvsRun')`). */
  readonly context: SuiteContext;
  /** Collects the outcomes for the verdicts. */
  readonly reporter: Reporter;
  /** Whether vitest's own progress output is printed too (watch mode prints only changed verdicts). */
  readonly printProgress: boolean;
  /** The run's declared failures: the progress output shows a test failing only as declared as expected. */
  readonly expected: ReadonlyMap<RuleId, ExpectedFailure>;
  /** Only the tests whose names match (a replay, a filtered run). */
  readonly testNamePattern: string | undefined;
  readonly shard: { readonly index: number; readonly count: number } | undefined;
  /** fast-check runs per property: the hang detector scales with them. */
  readonly runs: number;
  /** Vite's cache folder for this run. */
  readonly cacheDir: string;
  /**
   * The suite files load as plain Node modules, not through Vite's transform (the process runs the
   * suites this once: a module Node has loaded stays loaded, so a later run in the same process
   * would find them loaded and register no test).
   */
  readonly suitesAsNodeModules: boolean;
  readonly stdout: Writable;
  readonly stderr: Writable;
}

/** The suite files' folder (with suites/support/) as a pattern of Vite module ids (forward slashes). */
function suiteFolderPattern(): RegExp {
  const folder = `${CODE_ROOT.replaceAll('\\', '/').replace(/\/$/, '')}/suites/`;
  return new RegExp(`^${escapeRegExp(folder)}`);
}

/**
 * Creates the vitest instance of a run's `conformance` project. The project is configured here,
 * not in a config file: loading a config file makes Vite bundle it next to itself, a write into
 * the package that a read-only install forbids.
 */
export async function createConformanceVitest(options: ConformanceVitestOptions): Promise<Vitest> {
  // Loaded here, not at the top: the CLI sends its first request (the preflight) before Vite loads.
  const { createVitest } = await import('vitest/node');
  // Its module imports vitest/node too: loaded with it, after the preflight.
  const { ProgressReporter } = await import('./progress-reporter.ts');
  return createVitest(
    'test',
    {
      root: CODE_ROOT,
      config: false,
      include: [...options.include],
      exclude: [],
      setupFiles: [`suites/setup.${CODE_EXTENSION}`],
      // Only the suite files go through Vite; the harness they import loads as plain Node
      // modules: the instances this process has loaded already (built code, or the TypeScript
      // sources under the loader this process runs with, e.g. tsx). In a process's only run the
      // suite files load as plain modules too: Vite's transform of them cost about 1–2 s of CPU
      // and 60 MB at the peak of a default run (bench/RESULTS.md, "#28, session 7: runcpu").
      // Otherwise they always go through Vite, also where they lie under node_modules (an
      // installed package), which Vite would leave to Node: Node evaluates a module once per process,
      // so a second run in the process (each case of `replay`, `--watch`, `matrix`, a library user's
      // second call) would find the files already loaded and collect no test from them.
      server: {
        deps: options.suitesAsNodeModules
          ? { external: [/\/(harness|generators|spec|suites)\//] }
          : { inline: [suiteFolderPattern()], external: [/\/(harness|generators|spec)\//] },
      },
      // Suite files share one target; one at a time, a file's store listing is disturbed only by itself.
      fileParallelism: false,
      // One test at a time, also in describe.concurrent blocks: the fixture finds the running test's
      // evidence recorder in a plain slot (harness/worker/conformance-fixture.ts). With the server in
      // the same thread, tests side by side overlapped little (default run: the same wall, 17 % less
      // CPU and about 40 MB less at the peak one at a time, without an AsyncLocalStorage).
      maxConcurrency: 1,
      // One module graph for all suite files: the contract is set up once per run.
      isolate: false,
      // The suites run in this process's own isolate (runner/in-process-pool.ts), not in a worker
      // thread (`threads`) that loaded the harness again, cold: they import the harness, the
      // contract and undici the CLI has already loaded. Measured against `threads` (bench/RESULTS.md,
      // "One warm process, in one isolate"): peak RSS −70 to −170 MB, CPU the same within the
      // noise; the embedded server now shares the suites' thread (wall under load is longer). `forks`
      // costs a second process; vmThreads cannot run the suites (ESM in vm contexts).
      // Inside a vitest worker already (a user's vitest test calling runConformance, as the README
      // shows; vitest's worker state is a global of that isolate, not inherited by child processes
      // as its environment variables are): that worker's runtime owns this isolate, so the suites
      // get a thread of their own.
      pool: '__vitest_worker__' in globalThis ? 'threads' : inProcessPool(),
      // What the suites and drivers print goes to the run's (redacting) output streams as it comes,
      // in every run of the process alike: vitest installs its console (lines sent to the reporters)
      // only once per process, in its first run.
      disableConsoleIntercept: true,
      maxWorkers: 1,
      // A hang detector above fast-check's own time limit (suites/setup.ts), scaled with --runs.
      testTimeout: Math.max(120_000, options.runs * 2_000),
      hookTimeout: 60_000,
      cache: false,
      watch: false,
      reporters: options.printProgress
        ? [options.reporter, new ProgressReporter(options.expected)]
        : [options.reporter],
      // A failure is said by its rule, message, counterexample and exchanges: the harness's own
      // stack frames are printed only for a bug of its own (a TypeError, ReferenceError, RangeError).
      onStackTrace: (error) => isProgrammingError(error.name),
      provide: { kvsRun: options.context },
      passWithNoTests: true,
      ...(options.testNamePattern === undefined ? {} : { testNamePattern: options.testNamePattern }),
      ...(options.shard ? { shard: `${options.shard.index}/${options.shard.count}` } : {}),
    },
    { cacheDir: options.cacheDir },
    { stdout: options.stdout, stderr: options.stderr },
  );
}
