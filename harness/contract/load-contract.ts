import type { OpenAPIV3 } from 'openapi-types';
import { join, resolve } from 'node:path';
import { createSchemaCompiler, toViolations, type SchemaViolation } from './schema-validator-factory.ts';
import { indexOperations, type ContractOperation } from './contract-operation.ts';
import { readContractLimits, type ContractLimits } from './contract-limits.ts';
import { loadOpenApi } from './load-openapi.ts';
import { parseProfileCatalog, type ProfileCatalog } from './profile-catalog.ts';
import { parseRuleCatalog, type ContractRule, type RuleId } from './rule-catalog.ts';
import { readYamlSource } from './yaml-source.ts';
import { packageRoot } from '../package-root.ts';

/** The folder of the contract shipped with the harness. */
export const DEFAULT_SPEC_DIR = join(packageRoot(), 'spec');

/** The files a contract is read from; each defaults to its name inside the spec folder. */
export interface ContractFiles {
  readonly specDir?: string;
  readonly openapiFile?: string;
  readonly rulesFile?: string;
  readonly profilesFile?: string;
}

/** What checking a body against the contract found. */
export type BodyCheck =
  | { readonly outcome: 'valid' }
  /** The contract documents no schema to check (opaque media type or no body). */
  | { readonly outcome: 'unchecked' }
  | { readonly outcome: 'invalid'; readonly violations: readonly SchemaViolation[] }
  /** The operation, status or media type is not documented. */
  | { readonly outcome: 'undocumented'; readonly reason: string };

/** The parsed contract: operations with compiled validators, limits, profile settings and rules. */
export interface Contract {
  readonly specFile: string;
  readonly specVersion: string;
  /** The validated OpenAPI document with every $ref resolved. */
  readonly document: OpenAPIV3.Document;
  readonly operations: ReadonlyMap<string, ContractOperation>;
  readonly limits: ContractLimits;
  readonly profiles: ProfileCatalog;
  readonly rules: ReadonlyMap<RuleId, ContractRule>;
  readonly areas: ReadonlyMap<string, string>;
  /** The operation by id; throws for an unknown id (a harness bug, not a target's). */
  operation(operationId: string): ContractOperation;
  /** The rule by id; throws for an unknown id (a harness bug, not a target's). */
  rule(ruleId: RuleId): ContractRule;
  /** Checks a parsed response body against the documented schema (media type essence, e.g. application/json). */
  checkBody(operationId: string, status: number, mediaType: string, body: unknown): BodyCheck;
}

async function buildContract(files: Required<ContractFiles>): Promise<Contract> {
  const openapiSource = readYamlSource(files.openapiFile);
  const document = await loadOpenApi(openapiSource);
  const operations = indexOperations(document, openapiSource, createSchemaCompiler());
  const limits = readContractLimits(document, operations, openapiSource);
  const profiles = parseProfileCatalog(readYamlSource(files.profilesFile));
  const { rules, areas } = parseRuleCatalog(
    readYamlSource(files.rulesFile),
    new Set(operations.keys()),
    profiles,
  );

  const operation = (operationId: string): ContractOperation => {
    const found = operations.get(operationId);
    if (!found) throw new Error(`harness bug: unknown operationId ${operationId}`);
    return found;
  };
  return {
    specFile: openapiSource.file,
    specVersion: document.info.version,
    document,
    operations,
    limits,
    profiles,
    rules,
    areas,
    operation,
    rule(ruleId) {
      const found = rules.get(ruleId);
      if (!found) throw new Error(`harness bug: unknown rule ${ruleId}`);
      return found;
    },
    checkBody(operationId, status, mediaType, body) {
      const response = operation(operationId).responses.get(status);
      if (!response)
        return { outcome: 'undocumented', reason: `status ${status} is not documented for ${operationId}` };
      if (response.media.size === 0) return { outcome: 'unchecked' };
      const validate = response.media.has(mediaType)
        ? response.media.get(mediaType)
        : response.media.get('*/*');
      if (validate === undefined) {
        return {
          outcome: 'undocumented',
          reason: `media type ${mediaType} is not documented for ${operationId} ${status} (documented: ${[...response.media.keys()].join(', ')})`,
        };
      }
      if (validate === null) return { outcome: 'unchecked' };
      return validate(body)
        ? { outcome: 'valid' }
        : { outcome: 'invalid', violations: toViolations(validate.errors) };
    },
  };
}

const loaded = new Map<string, Promise<Contract>>();

/**
 * Loads the contract once per process and set of files: validates and dereferences the OpenAPI
 * document, compiles one validator per operation × status × media type, reads limits, profile
 * settings and rules. Every problem is a HarnessError naming the file, JSON pointer and reason.
 */
export function loadContract(files: ContractFiles = {}): Promise<Contract> {
  const specDir = resolve(files.specDir ?? DEFAULT_SPEC_DIR);
  const resolved = {
    specDir,
    openapiFile: resolve(files.openapiFile ?? join(specDir, 'openapi.yaml')),
    rulesFile: resolve(files.rulesFile ?? join(specDir, 'rules.yaml')),
    profilesFile: resolve(files.profilesFile ?? join(specDir, 'profiles.yaml')),
  };
  const key = JSON.stringify(resolved);
  let contract = loaded.get(key);
  if (!contract) {
    contract = buildContract(resolved);
    loaded.set(key, contract);
    contract.catch(() => loaded.delete(key));
  }
  return contract;
}
