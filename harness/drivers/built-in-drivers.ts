/** The names of the drivers the harness ships (`--driver NAME`); loading them is driver-registry.ts's job. */
export const BUILT_IN_DRIVERS = [
  'http',
  'apify-client',
  'crawlee-memory-storage',
  'crawlee-memory-storage:persist',
  'apify-storage-local',
] as const;

/**
 * The optional package each in-process built-in driver loads on first use (not installed with the
 * harness: they build native modules); the other built-in drivers need nothing more.
 */
export const OPTIONAL_DRIVER_PACKAGES = {
  'crawlee-memory-storage': '@crawlee/memory-storage',
  'crawlee-memory-storage:persist': '@crawlee/memory-storage',
  'apify-storage-local': '@apify/storage-local',
} as const satisfies Partial<Record<(typeof BUILT_IN_DRIVERS)[number], string>>;
