/**
 * Takes a copy of `process.env` and returns the function that puts it back: variables added since
 * are removed, changed ones get their old values. A run's vitest sets variables in the process it
 * runs in (Vite's `NODE_ENV`, `MODE`, `BASE_URL`, `DEV`, `PROD`; its worker runtime's `SSR`,
 * `VITEST_POOL_ID`, `VITEST_WORKER_ID`), which would otherwise reach the next run, the CLI's later
 * child processes and a library user's process.
 */
export function snapshotEnvironment(): () => void {
  const saved = { ...process.env };
  return () => {
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
    Object.assign(process.env, saved);
  };
}
