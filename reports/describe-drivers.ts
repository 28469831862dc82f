import type { ReportDriver } from './conformance-report.ts';

/** One line naming every driver with the package and version it judged, e.g. `apify-client@2.12.0 (apify-client 2.12.0, http)`. */
export function describeDrivers(drivers: readonly ReportDriver[]): string {
  return drivers
    .map(
      (driver) =>
        `${driver.name} (${driver.package ?? 'no package'}${driver.version ? ` ${driver.version}` : ''}, ${driver.transport})`,
    )
    .join(' · ');
}
