import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'self',
          include: ['test/**/*.test.ts'],
          // Many tests start a CLI run in a child process: two at a time keeps them off each other's toes on 2 cores.
          maxConcurrency: 2,
          testTimeout: 60_000,
          hookTimeout: 60_000,
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
