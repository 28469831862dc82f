import { defineConfig } from 'vitest/config';

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
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
