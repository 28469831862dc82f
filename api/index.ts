/**
 * The programmatic API of kvs-conformance (the package's main export). It follows semantic
 * versioning with the package (API_VERSION); report.json follows REPORT_SCHEMA_VERSION.
 */
import { HARNESS_VERSION } from '../harness/version.ts';

/** The version of this API: the package's version (semver). */
export const API_VERSION: string = HARNESS_VERSION;

export { runConformance } from './run-conformance.ts';
export type { ConformanceOptions } from './run-conformance.ts';
export { startReferenceServer as startServer } from './start-reference-server.ts';
export type { ReferenceServer, ReferenceServerOptions } from './start-reference-server.ts';
export { loadContract, HarnessError, HARNESS_ERROR_CODES } from '../harness/index.ts';
// The driver kit: what a driver module (`--driver ./my-driver.mjs`) implements, and its helpers.
export { isClientDriver, toKeysPage } from '../harness/index.ts';
export type {
  DriverAnswer,
  DriverCapability,
  DriverFactoryContext,
  DriverInfo,
  DriverRequest,
  KvsDriverFactory,
} from '../harness/index.ts';
export type {
  Contract,
  ContractFiles,
  ContractOperation,
  ContractRule,
  HarnessErrorCode,
  KeysPage,
  KeysQuery,
  KvsDriver,
  ProfileSettingName,
  ProfileSettings,
  RecordValue,
  RuleId,
  RuleLevel,
  StoreInfo,
  StoreListPage,
  StoreListQuery,
} from '../harness/index.ts';
export { mergeReports, REPORT_FORMAT_VERSION, REPORT_SCHEMA_VERSION } from '../reports/index.ts';
export type {
  ConformanceReport,
  ReportAssumption,
  ReportConsistency,
  ReportCoverage,
  ReportExchange,
  ReportFailure,
  ReportRule,
  ReportTotals,
  RuleVerdictKind,
} from '../reports/index.ts';
