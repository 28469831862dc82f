import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { HarnessError } from '../harness/errors.ts';
import {
  isReadableFormat,
  REPORT_FILES,
  REPORT_FORMAT_VERSION,
  upgradeReport,
  type ConformanceReport,
} from '../reports/index.ts';

/**
 * Reads a report.json (or the one inside a folder) in the current format (one of format 2 is
 * upgraded), failing with a clear KVSC_USAGE error.
 */
export function readReportFile(path: string): ConformanceReport {
  const file = existsSync(path) && statSync(path).isDirectory() ? join(path, REPORT_FILES.json) : path;
  if (!existsSync(file))
    throw new HarnessError(
      'KVSC_USAGE',
      `${file} does not exist; give a report.json or the folder a run wrote it to`,
    );
  let report: unknown;
  try {
    report = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new HarnessError('KVSC_USAGE', `${file} is not JSON: ${(error as Error).message}`);
  }
  const format = (report as { format?: unknown } | null)?.format;
  if (!isReadableFormat(format)) {
    throw new HarnessError(
      'KVSC_USAGE',
      `${file} is not a kvs-conformance report of format ${REPORT_FORMAT_VERSION} or 2 (format ${JSON.stringify(format)})`,
    );
  }
  return upgradeReport(report as Parameters<typeof upgradeReport>[0]);
}
