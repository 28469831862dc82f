import type { ConformanceReport } from './conformance-report.ts';

/** report.json: the canonical form (see conformance-report.schema.json). */
export function renderJsonReport(report: ConformanceReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
