import { defineConfig } from 'vitest/config';
import { LongestFirstSequencer } from './test/setup/longest-first-sequencer.ts';

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
  'test/harness/token-redaction.test.ts',
  'test/harness/replay-verdict.test.ts',
  'test/server/consistency-simulator.test.ts',
  'test/server/directory-fsync.test.ts',
  'test/server/request-target.test.ts',
  'test/runner/run-session.test.ts',
  'test/harness/suite-index.test.ts',
  'test/suites/no-dead-checks.test.ts',
  'test/suites/every-operation-call.test.ts',
  'test/harness/closed-connection-resend.test.ts',
  'test/harness/read-back-ledger.test.ts',
  'test/harness/read-back-lag.test.ts',
  'test/harness/observe-for.test.ts',
  'test/harness/bench-outcome.test.ts',
  'test/harness/lag-aware-driver.test.ts',
  'test/runner/verdict-reporter.test.ts',
  'test/harness/raw-probe.test.ts',
];

export default defineConfig({
  test: {
    // The longest files start first, on a fresh checkout too (vitest's own order needs its cache).
    sequence: { sequencer: LongestFirstSequencer },
    projects: [
      {
        test: {
          name: 'self',
          include: ['test/**/*.test.ts'],
          // The tests start the built CLI (bin/ runs dist/): build it first.
          globalSetup: ['test/setup/build-dist.ts'],
          // Two files at a time (vitest's default on 2 cores is one): much of a file's time is spent
          // waiting (on timeouts of hostile targets, npm, Docker, Chromium), and the other file uses
          // the core meanwhile. Sharing the cores slows each file down; its time limits are hang
          // detectors, far above that.
          maxWorkers: 2,
          // Many tests start a CLI run in a child process: two at a time within a file.
          maxConcurrency: 2,
          testTimeout: HANG_DETECTOR_MS,
          hookTimeout: HANG_DETECTOR_MS,
        },
      },
      {
        test: {
          name: 'quick',
          include: QUICK_TESTS,
          // Most of these files' time is loading modules: one file per core.
          maxWorkers: 2,
          testTimeout: HANG_DETECTOR_MS,
          hookTimeout: HANG_DETECTOR_MS,
        },
      },
    ],
  },
});
