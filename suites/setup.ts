// Applies the run's seed and runs-per-property to every fast-check property of the suites.
import fc from 'fast-check';
import { inject } from 'vitest';
import type { SuiteContext } from '../harness/index.ts';

const context = inject('kvsRun') as SuiteContext | undefined;
if (context)
  fc.configureGlobal({
    seed: context.seed,
    numRuns: context.runs,
    interruptAfterTimeLimit: 60_000,
    markInterruptAsFailure: true,
  });
