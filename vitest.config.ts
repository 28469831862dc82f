import { defineConfig } from 'vitest/config';

/**
 * Timeouts are hang detectors, not speed checks: set far above the slowest expected time on a
 * loaded 2-core machine (a CLI run takes seconds; the longest test, the fault table, minutes), so
 * no verdict depends on machine speed. Timings are measured in bench/, never asserted here.
 */
const HANG_DETECTOR_MS = 15 * 60_000;

/** Unit and contract tests: no child process, no server started by a CLI run (`npm run test:quick`). */
const QUICK_TESTS = [
  'test/contract/**/*.test.ts',
  'test/generators/**/*.test.ts',
  'test/reports/renderers.test.ts',
  'test/reports/run-verdict.test.ts',
  'test/harness/resolve-run-options.test.ts',
  'test/harness/url-signature.test.ts',
  'test/harness/evidence-recorder.test.ts',
  'test/harness/replay-verdict.test.ts',
  'test/server/consistency-simulator.test.ts',
];

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'self',
          include: ['test/**/*.test.ts'],
          // Many tests start a CLI run in a child process: two at a time keeps them off each other's toes on 2 cores.
          maxConcurrency: 2,
          testTimeout: HANG_DETECTOR_MS,
          hookTimeout: HANG_DETECTOR_MS,
        },
      },
      {
        test: {
          name: 'quick',
          include: QUICK_TESTS,
          testTimeout: HANG_DETECTOR_MS,
          hookTimeout: HANG_DETECTOR_MS,
        },
      },
      {
        test: {
          name: 'conformance',
          include: ['suites/**/*.test.ts'],
          setupFiles: ['suites/setup.ts'],
          // Suite files share one target; one at a time, a file's store listing is disturbed only by itself.
          fileParallelism: false,
          // One module graph for all suite files: the contract is loaded and compiled once per run.
          isolate: false,
          testTimeout: 120_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
