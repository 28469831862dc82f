import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The `self` project's longest files, longest first (vitest's per-file durations on a 2-core
 * machine; the container and package files wait on Docker and npm, so they start early). Two workers share the files: starting the long ones first keeps one of them from
 * being the last file left running while the other worker idles.
 */
export const LONGEST_FILES = [
  'test/harness/hostile-targets.test.ts',
  'test/container/target-image.test.ts',
  'test/package/installed-package.test.ts',
  'test/reports/report-cli.test.ts',
  'test/harness/cli-run.test.ts',
  'test/suites/faulty-families.test.ts',
  'test/prove/fault-detection.test.ts',
  'test/suites/reference-sweep.test.ts',
  'test/examples/github-actions.test.ts',
  'test/harness/bench-consistency-truth.test.ts',
  'test/drivers/client-drivers-cli.test.ts',
  'test/harness/watch-mode.test.ts',
  'test/cli/shard-seed.test.ts',
  'test/reports/consistency-report.test.ts',
] as const;

/** Where a file stands in LONGEST_FILES (every other file after them). */
function rank(spec: TestSpecification): number {
  const index = LONGEST_FILES.findIndex((path) => spec.moduleId.endsWith(`/${path}`));
  return index === -1 ? LONGEST_FILES.length : index;
}

/**
 * Vitest's sequencer with a fixed start: the files of LONGEST_FILES first, in that order, then the
 * rest in vitest's own order. Vitest orders by the durations in its cache, which a fresh checkout
 * (a CI runner) has not got; this order holds there too.
 */
export class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const ordered = await super.sort(files);
    // Array.prototype.sort is stable: files of equal rank keep vitest's order.
    return ordered.sort((a, b) => rank(a) - rank(b));
  }
}
