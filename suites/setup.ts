// Per run: applies the seed, runs per property and (for replay) the fast-check path. (Each test's
// evidence reaches the report through the suite fixture, `useConformance`.)
import fc from 'fast-check';
import { afterAll, inject } from 'vitest';
import { reportPropertyFailure, type SuiteContext } from '../harness/index.ts';

const context = inject('kvsRun') as SuiteContext | undefined;
if (context) {
  // The suites run in the caller's process (runner/in-process-pool.ts): the settings fast-check had
  // before this file go back when it ends, and never reach the CLI or a library user's own properties.
  const before = fc.readConfigureGlobal();
  afterAll(() => fc.configureGlobal(before));
  fc.configureGlobal({
    seed: context.seed,
    numRuns: context.runs,
    ...(context.replayPath === undefined ? {} : { path: context.replayPath, endOnFailure: true }),
    // A hang detector scaled with the runs asked for (a property with settle waits takes ~0.3 s a
    // run); an interrupted property is reported as not checked, never as a rule failure.
    interruptAfterTimeLimit: Math.max(60_000, context.runs * 1_000),
    markInterruptAsFailure: true,
    // A failed property's seed, path and counterexample travel from its run details to the report.
    reporter: reportPropertyFailure,
  });
}
