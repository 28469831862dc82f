import type { ValidateFunction } from 'ajv';
import type { OpenAPIV3 } from 'openapi-types';
import { join, resolve } from 'node:path';
import { HarnessError } from '../errors.ts';
import { createSchemaCompiler, toViolations, type SchemaViolation } from './schema-validator-factory.ts';
import { indexOperations, type ContractOperation } from './contract-operation.ts';
import { readContractLimits, type ContractLimits } from './contract-limits.ts';
import { applyContractOverlay, parseContractOverlay, type ContractOverlay } from './contract-overlay.ts';
import { readContractCache } from './contract-cache.ts';
import { parseProfileCatalog, type ProfileCatalog } from './profile-catalog.ts';
import { absoluteSpecLocation, readSpecSource } from './read-spec-location.ts';
import { parseRuleCatalog, type ContractRule, type RuleId } from './rule-catalog.ts';
import { KVS_OPERATION_IDS, selectOperations } from './select-operations.ts';
import { storeAliasesOf, type StoreAlias } from './store-alias-index.ts';
import { STORE_ALIAS_OPERATION_IDS, storeViews } from './store-aliases.ts';
import { displayPath, parsedSource, readYamlSource, type YamlSource } from './yaml-source.ts';
import { packageRoot } from '../package-root.ts';

/** The folder of the contract shipped with the harness. */
export const DEFAULT_SPEC_DIR = join(packageRoot(), 'spec');

/** The files a contract is read from; each defaults to its name inside the spec folder. */
export interface ContractFiles {
  readonly specDir?: string;
  /**
   * The base OpenAPI 3.0/3.1 document: a path or an http(s) URL, one file or split into many with
   * relative `$ref`s (default: the spec folder's openapi.yaml). A document given here is always
   * read, validated and selected anew (never taken from this process's cache).
   */
  readonly openapiFile?: string;
  /** The project's overlay applied to the base (default: the spec folder's overlay.yaml). */
  readonly overlayFile?: string;
  readonly rulesFile?: string;
  readonly profilesFile?: string;
  /**
   * The files as parsed and checked by loadContract before, in another process (a run's main
   * process hands them to its suite workers): then nothing is parsed or validated again, and
   * each body validator is compiled when first used.
   */
  readonly checked?: CheckedContractFiles;
}

/** The parsed content of a contract's files, once loadContract has checked them. Plain data. */
export interface CheckedContractFiles {
  /** The base document's location, as shown. */
  readonly base: string;
  /** The selected operations of the base with the overlay applied: plain JSON, no `$ref`. */
  readonly openapi: unknown;
  readonly overlay: unknown;
  /** How many nodes each overlay entry selected in the base. */
  readonly overlayMatches: readonly number[];
  readonly rules: unknown;
  readonly profiles: unknown;
}

/** The overlay as applied to the base: its entries and how many nodes each one changed there. */
export interface AppliedOverlay extends ContractOverlay {
  /** Per entry name, the nodes its target selected in the base (0: the base needed no change). */
  readonly matches: ReadonlyMap<string, number>;
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
  /** The base document's location as shown (a path relative to the working directory, or a URL). */
  readonly specFile: string;
  /** The base document's `info.version`. */
  readonly specVersion: string;
  /**
   * The base when it is not the spec folder's openapi.yaml (`run --spec`): its absolute path or
   * URL, which replay commands pass on; undefined for the shipped base.
   */
  readonly specGiven: string | undefined;
  /** The overlay applied to the base, with the published document it was compared against. */
  readonly overlay: AppliedOverlay;
  /** The parsed files, to hand to another process (ContractFiles.checked). */
  readonly files: CheckedContractFiles;
  /** The key-value-store operations of the validated base with the overlay applied, no `$ref` left. */
  readonly document: OpenAPIV3.Document;
  readonly operations: ReadonlyMap<string, ContractOperation>;
  /** The alias operations the base documents (a run's default store…), by operationId. */
  readonly aliases: ReadonlyMap<string, StoreAlias>;
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

type ResolvedFiles = Required<Omit<ContractFiles, 'checked'>>;

/** Validates the base, keeps its 12 key-value-store operations and applies the overlay. */
async function composeDocument(
  baseSource: YamlSource,
  overlay: ContractOverlay,
): Promise<{ document: OpenAPIV3.Document; matches: number[] }> {
  // swagger-parser loads only when a document is validated (not when the contract comes checked).
  const { loadOpenApi } = await import('./load-openapi.ts');
  const base = await loadOpenApi(baseSource);
  // The alias operations are taken where the base has them (a run's store is addressed through
  // them only when asked for, with --run-id); the 12 store operations are required.
  const selected = selectOperations(base, [...KVS_OPERATION_IDS, ...STORE_ALIAS_OPERATION_IDS], baseSource);
  const { document } = selected;
  const missing = selected.missing.filter((id) => !STORE_ALIAS_OPERATION_IDS.includes(id));
  if (missing.length > 0) {
    throw new HarnessError(
      'KVSC_SPEC_OPERATION_MISSING',
      `the document defines no operation with operationId ${missing.join(', ')}`,
      {
        location: baseSource.locate('/paths'),
        hint: `the harness checks the key-value-store operations ${KVS_OPERATION_IDS.join(', ')}`,
      },
    );
  }
  const matches = applyContractOverlay(document, overlay.entries);
  // What the overlay made of the base must still be a valid OpenAPI document; a problem it brought
  // in is located in the composed document, not in the base's lines.
  const file = `${baseSource.file} with ${overlay.file} applied`;
  await loadOpenApi({
    file,
    absolutePath: baseSource.absolutePath,
    data: document,
    locate: (pointer) => ({ file, pointer }),
  });
  return { document, matches };
}

async function buildContract(
  files: ResolvedFiles,
  checked: CheckedContractFiles | undefined,
): Promise<Contract> {
  const overlaySource = checked
    ? parsedSource(files.overlayFile, checked.overlay)
    : readYamlSource(files.overlayFile);
  const overlay = parseContractOverlay(overlaySource);
  const rulesSource = checked
    ? parsedSource(files.rulesFile, checked.rules)
    : readYamlSource(files.rulesFile);
  const profilesSource = checked
    ? parsedSource(files.profilesFile, checked.profiles)
    : readYamlSource(files.profilesFile);
  const baseSource = checked
    ? parsedSource(files.openapiFile, checked.openapi)
    : await readSpecSource(files.openapiFile);
  const { document, matches } = checked
    ? { document: checked.openapi as OpenAPIV3.Document, matches: [...checked.overlayMatches] }
    : await composeDocument(baseSource, overlay);
  const openapiSource = parsedSource(baseSource.absolutePath, document);
  const compiler = createSchemaCompiler();
  const compile = checked ? (schema: object) => compiledOnFirstUse(schema, compiler) : compiler;
  // The store-scoped operations are checked at their own paths; the alias operations are the same
  // operations elsewhere, so answers through them are judged by these.
  const [storeView] = storeViews(document);
  const operations = indexOperations(storeView as OpenAPIV3.Document, openapiSource, compile);
  const aliases = storeAliasesOf(document, operations);
  const limits = readContractLimits(document, operations, openapiSource);
  const profiles = parseProfileCatalog(profilesSource);
  const { rules, areas } = parseRuleCatalog(rulesSource, new Set(operations.keys()), profiles);

  const operation = (operationId: string): ContractOperation => {
    const found = operations.get(operationId);
    if (!found) throw new Error(`harness bug: unknown operationId ${operationId}`);
    return found;
  };
  const base = checked?.base ?? baseSource.file;
  return {
    specFile: base,
    specVersion: document.info.version,
    specGiven:
      files.openapiFile === absoluteSpecLocation(join(files.specDir, 'openapi.yaml'))
        ? undefined
        : files.openapiFile,
    overlay: {
      ...overlay,
      matches: new Map(overlay.entries.map((entry, index) => [entry.name, matches[index] ?? 0])),
    },
    files: {
      base,
      openapi: document,
      overlay: overlaySource.data,
      overlayMatches: matches,
      rules: rulesSource.data,
      profiles: profilesSource.data,
    },
    document,
    operations,
    aliases,
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
 * The files as the build checked them (CONTRACT_CACHE_FILE), when they are byte for byte the files
 * to load: no YAML parsed, no OpenAPI validation, validators compiled on first use. The shipped
 * base is one file, so its bytes and those of the overlay, rules and profiles decide.
 */
function cachedFiles(resolved: ResolvedFiles): CheckedContractFiles | undefined {
  const cached = readContractCache([
    resolved.openapiFile,
    resolved.overlayFile,
    resolved.rulesFile,
    resolved.profilesFile,
  ]) as CheckedContractFiles | undefined;
  // The base is shown relative to this process's working directory, not the build's.
  return cached && { ...cached, base: displayPath(resolved.openapiFile) };
}

/**
 * Loads the contract: validates and dereferences the base OpenAPI document (the shipped one, or
 * any OpenAPI 3.0/3.1 document such as Apify's published one), keeps its 12 key-value-store
 * operations, applies the project's overlay (limits, patterns, deliberate tightenings), compiles
 * one validator per operation × status × media type, reads limits, profile settings and rules.
 * Every problem is a HarnessError naming the file, JSON pointer and reason. The shipped base is
 * loaded once per process and set of files; a base given as `openapiFile` is read anew each time.
 * With `checked` (files parsed and checked before, in another process) it skips the parsing and
 * the OpenAPI validation, and compiles each validator on first use; so it does for the shipped
 * files when the build's cache (contract-cache.ts) was made from exactly their bytes.
 */
export function loadContract(files: ContractFiles = {}): Promise<Contract> {
  const specDir = resolve(files.specDir ?? DEFAULT_SPEC_DIR);
  const resolved: ResolvedFiles = {
    specDir,
    openapiFile: absoluteSpecLocation(files.openapiFile ?? join(specDir, 'openapi.yaml')),
    overlayFile: resolve(files.overlayFile ?? join(specDir, 'overlay.yaml')),
    rulesFile: resolve(files.rulesFile ?? join(specDir, 'rules.yaml')),
    profilesFile: resolve(files.profilesFile ?? join(specDir, 'profiles.yaml')),
  };
  if (files.openapiFile !== undefined && files.checked === undefined)
    return buildContract(resolved, undefined);
  const key = JSON.stringify(resolved);
  let contract = loaded.get(key);
  if (!contract) {
    contract = buildContract(resolved, files.checked ?? cachedFiles(resolved));
    loaded.set(key, contract);
    contract.catch(() => loaded.delete(key));
  }
  return contract;
}
