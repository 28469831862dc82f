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
export { PROFILE_SETTING_NAMES, resolveProfileSettings } from './contract/profile-catalog.ts';
export { acceptsLimitAboveMax } from './contract/list-limit-expectation.ts';
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
export { describeViolations } from './contract/schema-validator-factory.ts';
export type { SchemaViolation } from './contract/schema-validator-factory.ts';
export { HttpClient } from './http/http-client.ts';
export type { HttpClientOptions, HttpRequest } from './http/http-client.ts';
export { renderCurl } from './http/exchange.ts';
export { readZipEntries } from './http/read-zip-entries.ts';
export { createHmacSignature, createKeysSignature } from './signing/url-signature.ts';
export type { Exchange, RecordedRequest, RecordedResponse } from './http/exchange.ts';
export { REDACTED_TOKEN, redactSecrets } from './http/redact.ts';
export { ContractViolationError, expectRule, RULE_MARKER } from './failures.ts';
export type { Failure } from './failures.ts';
export { RESPONSE_CHECKS, runResponseChecks } from './checks/response-checks.ts';
export type { CheckInput, CheckViolation, ResponseCheck } from './checks/response-checks.ts';
export { HttpApi, expectStatus } from './drivers/http-api.ts';
export type { CallExpectation, CheckedResponse, OperationCall } from './drivers/http-api.ts';
export { HttpDriver } from './drivers/http-driver.ts';
export { ApifyClientDriver } from './drivers/apify-client-driver.ts';
export type {
  KeysPage,
  KeysQuery,
  KvsDriver,
  RecordValue,
  StoreInfo,
  StoreListPage,
  StoreListQuery,
} from './drivers/kvs-driver.ts';
export { observeUntil } from './consistency/observe-until.ts';
export { observeFor, type HeldObservation } from './consistency/observe-for.ts';
export type { Observation } from './consistency/observe-until.ts';
export { useConformance } from './runner/conformance-fixture.ts';
export type { Conformance } from './runner/conformance-fixture.ts';
export type { SuiteContext } from './runner/suite-context.ts';
export { drainEvidence } from './runner/run-evidence.ts';
export type { FailureEvidence, ObservationEvidence, TestEvidence } from './runner/run-evidence.ts';
export { runConformance, selectRules } from './runner/run-conformance.ts';
export type { RunResult } from './runner/run-conformance.ts';
export { judgeRules, parsePropertyFailure, rulesInTitle } from './runner/rule-verdicts.ts';
export type { PropertyFailure, RuleVerdict, TestOutcome } from './runner/rule-verdicts.ts';
