import SwaggerParser from '@apidevtools/swagger-parser';
import type { ValidateFunction } from 'ajv';
import type { OpenAPIV3 } from 'openapi-types';
import { join, resolve } from 'node:path';
import { createSchemaCompiler, toViolations, type SchemaViolation } from './schema-validator-factory.ts';
import { indexOperations, type ContractOperation } from './contract-operation.ts';
import { readContractLimits, type ContractLimits } from './contract-limits.ts';
import { loadOpenApi } from './load-openapi.ts';
import { parseProfileCatalog, type ProfileCatalog } from './profile-catalog.ts';
import { parseRuleCatalog, type ContractRule, type RuleId } from './rule-catalog.ts';
import { parsedSource, readYamlSource, type YamlSource } from './yaml-source.ts';
import { packageRoot } from '../package-root.ts';

/** The folder of the contract shipped with the harness. */
export const DEFAULT_SPEC_DIR = join(packageRoot(), 'spec');

/** The files a contract is read from; each defaults to its name inside the spec folder. */
export interface ContractFiles {
  readonly specDir?: string;
  readonly openapiFile?: string;
  readonly rulesFile?: string;
  readonly profilesFile?: string;
  /**
   * The three files as parsed and checked by loadContract before, in another process (a run's
   * main process hands them to its suite workers): then nothing is parsed or validated again, and
   * each body validator is compiled when first used.
   */
  readonly checked?: CheckedContractFiles;
}

/** The parsed content of a contract's three files, once loadContract has checked them. Plain data. */
export interface CheckedContractFiles {
  readonly openapi: unknown;
  readonly rules: unknown;
  readonly profiles: unknown;
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
  /** The parsed files, to hand to another process (ContractFiles.checked). */
  readonly files: CheckedContractFiles;
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

/** A validator that compiles its schema when first called. */
function compiledOnFirstUse(schema: object, compile: (schema: object) => ValidateFunction): ValidateFunction {
  let compiled: ValidateFunction | undefined;
  const validate = ((data: unknown) => {
    compiled ??= compile(schema);
    const valid = compiled(data);
    validate.errors = compiled.errors ?? null;
    return valid;
  }) as ValidateFunction;
  return validate;
}

interface ContractSources {
  readonly openapi: YamlSource;
  readonly rules: YamlSource;
  readonly profiles: YamlSource;
  /** True when loadContract checked these sources before (ContractFiles.checked). */
  readonly checked: boolean;
}

/** The three files of a contract: read and parsed, or (ContractFiles.checked) as parsed before. */
function contractSources(
  files: Required<Omit<ContractFiles, 'checked'>>,
  checked?: CheckedContractFiles,
): ContractSources {
  return checked
    ? {
        openapi: parsedSource(files.openapiFile, checked.openapi),
        rules: parsedSource(files.rulesFile, checked.rules),
        profiles: parsedSource(files.profilesFile, checked.profiles),
        checked: true,
      }
    : {
        openapi: readYamlSource(files.openapiFile),
        rules: readYamlSource(files.rulesFile),
        profiles: readYamlSource(files.profilesFile),
        checked: false,
      };
}

async function buildContract(
  files: Required<Omit<ContractFiles, 'checked'>>,
  checked: CheckedContractFiles | undefined,
): Promise<Contract> {
  const sources = contractSources(files, checked);
  const openapiSource = sources.openapi;
  const document = sources.checked
    ? ((await SwaggerParser.dereference(
        structuredClone(openapiSource.data) as OpenAPIV3.Document,
      )) as OpenAPIV3.Document)
    : await loadOpenApi(openapiSource);
  const compiler = createSchemaCompiler();
  const compile = sources.checked ? (schema: object) => compiledOnFirstUse(schema, compiler) : compiler;
  const operations = indexOperations(document, openapiSource, compile);
  const limits = readContractLimits(document, operations, openapiSource);
  const profiles = parseProfileCatalog(sources.profiles);
  const { rules, areas } = parseRuleCatalog(sources.rules, new Set(operations.keys()), profiles);

  const operation = (operationId: string): ContractOperation => {
    const found = operations.get(operationId);
    if (!found) throw new Error(`harness bug: unknown operationId ${operationId}`);
    return found;
  };
  return {
    specFile: openapiSource.file,
    specVersion: document.info.version,
    files: { openapi: openapiSource.data, rules: sources.rules.data, profiles: sources.profiles.data },
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
 * With `checked` (files parsed and checked before, in another process) it skips the parsing and
 * the OpenAPI validation, and compiles each validator on first use.
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
    contract = buildContract(resolved, files.checked);
    loaded.set(key, contract);
    contract.catch(() => loaded.delete(key));
  }
  return contract;
}
