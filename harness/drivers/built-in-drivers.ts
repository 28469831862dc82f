/** The names of the drivers the harness ships (`--driver NAME`); loading them is driver-registry.ts's job. */
export const BUILT_IN_DRIVERS = [
  'http',
  'apify-client',
  'crawlee-memory-storage',
  'crawlee-memory-storage:persist',
  'apify-storage-local',
] as const;
