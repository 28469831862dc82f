// Per run: applies the seed, runs per property and (for replay) the fast-check path. Per test:
// hands the report what the test left — coverage, consistency observations, its contract failure.
import fc from 'fast-check';
import { beforeEach, inject } from 'vitest';
import { drainEvidence, type SuiteContext } from '../harness/index.ts';

const context = inject('kvsRun') as SuiteContext | undefined;
if (context) {
  fc.configureGlobal({
    seed: context.seed,
    numRuns: context.runs,
    ...(context.replayPath === undefined ? {} : { path: context.replayPath, endOnFailure: true }),
    interruptAfterTimeLimit: 60_000,
    markInterruptAsFailure: true,
  });
}

/** The messages of an error and of its causes (fast-check keeps the property's own error as the cause). */
function messages(error: { message?: unknown; cause?: unknown } | undefined): string[] {
  if (!error || typeof error.message !== 'string') return [];
  return [error.message, ...messages(error.cause as { message?: unknown; cause?: unknown } | undefined)];
}

beforeEach(({ onTestFinished }) => {
  drainEvidence([]);
  onTestFinished(({ task }) => {
    task.meta.kvsEvidence = drainEvidence((task.result?.errors ?? []).flatMap((error) => messages(error)));
  });
});
