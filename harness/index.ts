/** The public API of the harness. */
export { HARNESS_ERROR_CODES, HarnessError, formatLocation } from './errors.ts';
export type { HarnessErrorCode, HarnessErrorOptions, SourceLocation } from './errors.ts';
export { DEFAULT_SPEC_DIR, loadContract } from './contract/load-contract.ts';
export type { BodyCheck, Contract, ContractFiles } from './contract/load-contract.ts';
export type {
  ContractOperation,
  ContractParameter,
  ContractResponse,
  HttpMethod,
} from './contract/contract-operation.ts';
export type { ContractLimits } from './contract/contract-limits.ts';
export { PROFILE_SETTING_NAMES, resolveProfileSettings, settingItems } from './contract/profile-catalog.ts';
export { settingStatuses } from './contract/setting-statuses.ts';
export { acceptsLimitAboveMax, acceptsLimitBelowMin } from './contract/list-limit-expectation.ts';
export type {
  ProfileCatalog,
  ProfilePreset,
  ProfileSelection,
  ProfileSettingDefinition,
  ProfileSettingName,
  ProfileSettings,
} from './contract/profile-catalog.ts';
export { RULE_ID_PATTERN, ruleApplies } from './contract/rule-catalog.ts';
export type { ContractRule, RuleCatalog, RuleId, RuleLevel } from './contract/rule-catalog.ts';
export { SOURCE_KINDS } from './contract/source-citation.ts';
export type { SourceCitation, SourceKind } from './contract/source-citation.ts';
export { buildRulesReference, ruleAnchor, settingAnchor } from './contract/rules-reference.ts';
export type {
  FaultSummary,
  RuleEvidence,
  RuleReferenceEntry,
  RulesReference,
  SettingReferenceEntry,
  SuiteTest,
} from './contract/rules-reference.ts';
export { describeViolations } from './contract/schema-validator-factory.ts';
export type { SchemaViolation } from './contract/schema-validator-factory.ts';
export { HttpClient } from './http/http-client.ts';
export type { HttpClientOptions, HttpRequest } from './http/http-client.ts';
export { sendOnOneConnection, type SameConnectionResult } from './http/same-connection.ts';
export { PROBE_QUIET_MS, sendRawProbe } from './http/raw-probe.ts';
export type { RawProbeEnd, RawProbeRequest, RawProbeResult } from './http/raw-probe.ts';
export { renderCurl } from './http/exchange.ts';
export { readZipEntries } from './http/read-zip-entries.ts';
export { createHmacSignature, createKeysSignature } from './signing/url-signature.ts';
export type { Exchange, RecordedRequest, RecordedResponse } from './http/exchange.ts';
export { REDACTED_TOKEN, redactSecrets, secretRedactor } from './http/redact.ts';
export { ContractViolationError, expectRule, failureEvidence } from './failures.ts';
export type { Failure, FailureEvidence } from './failures.ts';
export { APIFY_STORE_ID, RESPONSE_CHECKS, mediaTypeOf, runResponseChecks } from './checks/response-checks.ts';
export type { CheckInput, CheckViolation, ResponseCheck } from './checks/response-checks.ts';
export { HttpApi, expectStatus } from './drivers/http-api.ts';
export type { CallExpectation, CheckedResponse, OperationCall } from './drivers/http-api.ts';
export { HttpDriver } from './drivers/http-driver.ts';
export { ApifyClientDriver } from './drivers/apify-client-driver.ts';
export { BUILT_IN_DRIVERS } from './drivers/built-in-drivers.ts';
export { loadDriverFactory, resolveDriverSpec } from './drivers/driver-registry.ts';
export type { DriverSpec } from './drivers/driver-registry.ts';
export { prepareDrivers } from './drivers/prepare-drivers.ts';
export type { PreparedDrivers } from './drivers/prepare-drivers.ts';
export { StorageClientDriver } from './drivers/storage-client-driver.ts';
export type { LocalStorageClient, LocalStoreClient } from './drivers/storage-client-driver.ts';
export type {
  DriverAnswer,
  DriverCapability,
  DriverFactoryContext,
  DriverInfo,
  DriverRequest,
  KeysPage,
  KeysQuery,
  KvsDriver,
  KvsDriverFactory,
  RecordValue,
  StoreInfo,
  StoreListPage,
  StoreListQuery,
} from './drivers/kvs-driver.ts';
export { isClientDriver, toKeysPage } from './drivers/kvs-driver.ts';
export { startScriptedServer } from './http/scripted-server.ts';
export type { Script, ScriptedAnswer, ScriptedRequest, ScriptedServer } from './http/scripted-server.ts';
export type {
  ConformanceMatrix,
  MatrixCell,
  MatrixRow,
  MatrixVerdict,
} from './results/conformance-matrix.ts';
export { observationResolutionMs, observeUntil } from './consistency/observe-until.ts';
export { observeFor, type HeldObservation } from './consistency/observe-for.ts';
export type { Observation } from './consistency/observe-until.ts';
export { CONSISTENCY_OPERATIONS, OPERATION_DESCRIPTIONS } from './consistency/consistency-operation.ts';
export type { ConsistencyOperation } from './consistency/consistency-operation.ts';
export type {
  ConsistencyBenchResult,
  OperationVisibility,
  QuantileEstimate,
} from './consistency/consistency-bench-result.ts';
export { cites, it, type CitingOptions, type CitingTitle } from './worker/rule-test.ts';
export { useConformance } from './worker/conformance-fixture.ts';
export type { Conformance } from './worker/conformance-fixture.ts';
export type { SuiteContext } from './worker/suite-context.ts';
export { EvidenceRecorder } from './worker/evidence-recorder.ts';
export { reportPropertyFailure } from './worker/report-property-failure.ts';
export type { ObservationEvidence, TestEvidence } from './worker/test-evidence.ts';
export type { RunResult } from './results/run-result.ts';
export { KvsModel } from './contract/model/kvs-model.ts';
export type {
  CreateOutcome,
  DeleteRecordOutcome,
  ModelStore,
  RenameOutcome,
  WriteOutcome,
} from './contract/model/kvs-model.ts';
export { RecordHistory } from './contract/model/record-history.ts';
export type { ModelRecord, PendingChange } from './contract/model/record-history.ts';
export { modelSettingsOf } from './contract/model/model-settings.ts';
export type { ModelSettings } from './contract/model/model-settings.ts';
export { judgeKeysPage } from './contract/model/judge-keys-page.ts';
export type { JudgedKeysPage, KeysPageQuery } from './contract/model/judge-keys-page.ts';
export { judgeStoreList } from './contract/model/judge-store-list.ts';
export type { JudgedStoreList } from './contract/model/judge-store-list.ts';
export type { ModelViolation } from './contract/model/model-violation.ts';
export { utf8Order } from './contract/model/utf8-order.ts';
export { keyViewsOf, type KeyView } from './contract/model/key-views.ts';
export { findInterleavingMisfit, MAX_KEY_OPERATIONS } from './contract/model/find-interleaving.ts';
export type { InterleavingMisfit, KeyOperation, KeyRead } from './contract/model/find-interleaving.ts';
export {
  judgeKeyListing,
  type ListingJudgement,
  type ListingRange,
} from './contract/model/judge-key-listing.ts';
export type { PropertyFailure, RuleExpectation, RuleVerdict, TestOutcome } from './results/rule-verdict.ts';
