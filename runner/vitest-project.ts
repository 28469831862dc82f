import type { Writable } from 'node:stream';
import type { Reporter, Vitest } from 'vitest/node';
import type { SuiteContext } from '../harness/worker/suite-context.ts';
import { CODE_EXTENSION, CODE_ROOT } from './code-root.ts';
import { isProgrammingError } from './harness-error.ts';

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
  /** Only the tests whose names match (a replay, a filtered run). */
  readonly testNamePattern: string | undefined;
  readonly shard: { readonly index: number; readonly count: number } | undefined;
  /** fast-check runs per property: the hang detector scales with them. */
  readonly runs: number;
  /** Vite's cache folder for this run. */
  readonly cacheDir: string;
  readonly stdout: Writable;
  readonly stderr: Writable;
}

/**
 * Creates the vitest instance of a run's `conformance` project. The project is configured here,
 * not in a config file: loading a config file makes Vite bundle it next to itself, a write into
 * the package that a read-only install forbids.
 */
export async function createConformanceVitest(options: ConformanceVitestOptions): Promise<Vitest> {
  // Loaded here, not at the top: a suite worker imports the harness too and has no use for Vite.
  const { createVitest } = await import('vitest/node');
  return createVitest(
    'test',
    {
      root: CODE_ROOT,
      config: false,
      include: [...options.include],
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
      // The suites run in a worker thread of this process, not in a forked one: one process, one
      // Node baseline, and the embedded server, the contract and the suites share its memory
      // (measured: about −60 to −100 MB peak RSS at about the same CPU; bench/RESULTS.md,
      // "One warm process"). vmThreads cannot run the suites (ESM in vm contexts).
      pool: 'threads',
      maxWorkers: 1,
      // A hang detector above fast-check's own time limit (suites/setup.ts), scaled with --runs.
      testTimeout: Math.max(120_000, options.runs * 2_000),
      hookTimeout: 60_000,
      cache: false,
      watch: false,
      reporters: options.printProgress ? [options.reporter, 'default'] : [options.reporter],
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
