import type { ReportDriver } from './conformance-report.ts';

/**
 * The package and version a driver declared (`info.package`, `info.version`): `apify-client 2.12.0`,
 * or for a client that is not an npm package `version 0.1.0, no npm package` / `no package`.
 */
export function describeDriverPackage(
  driver:
    | Pick<ReportDriver, 'package' | 'version'>
    | { readonly package?: string | undefined; readonly version?: string | undefined },
): string {
  if (driver.package) return `${driver.package}${driver.version ? ` ${driver.version}` : ''}`;
  return driver.version ? `version ${driver.version}, no npm package` : 'no package';
}

/** One line naming every driver with the package and version it judged, e.g. `apify-client@2.12.0 (apify-client 2.12.0, http)`. */
export function describeDrivers(drivers: readonly ReportDriver[]): string {
  return drivers
    .map((driver) => `${driver.name} (${describeDriverPackage(driver)}, ${driver.transport})`)
    .join(' · ');
}
