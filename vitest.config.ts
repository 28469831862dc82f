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
          // The tests start the built CLI (bin/ runs dist/): build it first.
          globalSetup: ['test/setup/build-dist.ts'],
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
    ],
  },
});
