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
