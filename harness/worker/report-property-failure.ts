import fc from 'fast-check';
import type { PropertyFailure } from './test-evidence.ts';

/** Where a failed property's error carries its run details to the test's evidence (EvidenceRecorder.take). */
export const PROPERTY_FAILURE_KEY = 'kvsProperty';

/**
 * fast-check's reporter for the suites (suites/setup.ts): throws, as fast-check's own does, an
 * error with its report message and the property's error as the cause, and carries the seed,
 * path, counterexample and shrink count from the run details as a value on it, so nothing reads
 * them back from the message. A run that stopped without a counterexample (interrupted, too many
 * skips) carries none.
 */
export function reportPropertyFailure(details: fc.RunDetails<unknown>): void {
  if (!details.failed) return;
  const error = new Error(reportMessage(details), { cause: details.errorInstance });
  if (details.counterexamplePath !== null && details.counterexample !== null) {
    const property: PropertyFailure = {
      seed: details.seed,
      path: details.counterexamplePath,
      counterexample: fc.stringify(details.counterexample),
      shrinks: details.numShrinks,
      runsUntilFailure: details.numRuns,
    };
    Object.assign(error, { [PROPERTY_FAILURE_KEY]: property });
  }
  throw error;
}

/**
 * fast-check's report message without its hints: they name fast-check settings (verbose mode,
 * maxSkipsPerRun) that the harness has no flag for. A counterexample is pointed at what the
 * harness offers instead: the replay command the report gives each failure.
 */
function reportMessage(details: fc.RunDetails<unknown>): string {
  const [message = ''] = (fc.defaultReportMessage(details) ?? '').split(/\n\nHint[ :(]/);
  return details.counterexamplePath === null
    ? message
    : `${message}\n\nTo run this counterexample again alone: the replay command the report gives this failure (kvs-conformance replay <report.json> --rule <rule id>).`;
}
