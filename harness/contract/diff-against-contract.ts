import type { OpenAPIV3 } from 'openapi-types';
import { compareOperations, type OperationDifference } from './compare-operations.ts';
import { applyContractOverlay } from './contract-overlay.ts';
import type { Contract } from './load-contract.ts';
import { loadOpenApi } from './load-openapi.ts';
import { absoluteSpecLocation, readSpecSource } from './read-spec-location.ts';
import { KVS_OPERATION_IDS, selectOperations } from './select-operations.ts';
import { ALIASED_OPERATION_IDS, STORE_ALIAS_FAMILIES, STORE_ALIAS_OPERATION_IDS } from './store-aliases.ts';

/** One difference between a document and the shipped contract, with the overlay entry behind it. */
export interface ExplainedDifference extends OperationDifference {
  /** The overlay entry that makes the document agree here, or undefined: unexplained. */
  readonly explainedBy: string | undefined;
  /**
   * On an alias operation: the store operation it copies when that one has the identical
   * difference (place, mark, both values, explanation); undefined for an alias-specific one.
   */
  readonly copyOf: string | undefined;
}

/** What `contract diff` found. */
export interface ContractDiff {
  readonly given: { readonly location: string; readonly version: string };
  readonly ours: { readonly location: string; readonly version: string; readonly overlayVersion: string };
  readonly differences: readonly ExplainedDifference[];
  /** Per overlay entry, how many nodes of the given document its target selected. */
  readonly entryMatches: ReadonlyMap<string, number>;
  readonly unexplained: number;
  /** The alias operations (STORE_ALIAS_OPERATION_IDS) each document has; those in both are compared. */
  readonly aliasOperations: { readonly given: number; readonly ours: number; readonly compared: number };
}

/** The alias operations a document has, by operationId. */
const aliasesOf = (document: OpenAPIV3.Document): Set<string> =>
  new Set(
    Object.values(document.paths ?? {}).flatMap((item) =>
      Object.values(item ?? {}).flatMap((operation) => {
        const id = (operation as { operationId?: unknown } | null)?.operationId;
        return typeof id === 'string' && STORE_ALIAS_OPERATION_IDS.includes(id) ? [id] : [];
      }),
    ),
  );

const keyOf = (difference: OperationDifference): string =>
  `${difference.operationId}\u0000${difference.where}`;

/** The store operation an alias operation stands for (actorRun_keyValueStore_get → keyValueStore_get). */
function storeOperationOf(operationId: string): string | undefined {
  for (const family of STORE_ALIAS_FAMILIES) {
    const rest = operationId.slice(family.operationIdPrefix.length);
    if (
      operationId.startsWith(family.operationIdPrefix) &&
      (ALIASED_OPERATION_IDS as readonly string[]).includes(rest)
    )
      return rest;
  }
  return undefined;
}

/** Marks each alias operation's difference that its store operation has identically (copyOf). */
function markAliasCopies(differences: readonly Omit<ExplainedDifference, 'copyOf'>[]): ExplainedDifference[] {
  const same = (d: Omit<ExplainedDifference, 'copyOf'>, operationId: string): string =>
    JSON.stringify([operationId, d.where, d.mark, d.given, d.ours, d.explainedBy ?? null]);
  const onStore = new Set(differences.map((d) => same(d, d.operationId)));
  return differences.map((d) => {
    const store = storeOperationOf(d.operationId);
    return { ...d, copyOf: store !== undefined && onStore.has(same(d, store)) ? store : undefined };
  });
}

/**
 * Compares the key-value-store operations of a document (a path or URL; validated like a `--spec`
 * base) with the shipped contract. Each difference is explained by the first overlay entry after
 * which it is gone for good (the entries are applied one by one, in order); one the whole overlay
 * leaves standing, or brings in, is unexplained.
 */
export async function diffAgainstContract(location: string, contract: Contract): Promise<ContractDiff> {
  const source = await readSpecSource(absoluteSpecLocation(location));
  const base = await loadOpenApi(source);
  const { document } = selectOperations(base, [...KVS_OPERATION_IDS, ...STORE_ALIAS_OPERATION_IDS], source);
  const entries = contract.overlay.entries;
  const steps = [compareOperations(document, contract.document)];
  const entryMatches = new Map<string, number>();
  for (const entry of entries) {
    entryMatches.set(entry.name, applyContractOverlay(document, [entry])[0] ?? 0);
    steps.push(compareOperations(document, contract.document));
  }
  const present = steps.map((step) => new Set(step.map(keyOf)));
  const last = present.length - 1;
  const explainedBy = (key: string): string | undefined => {
    if (present[last]?.has(key)) return undefined;
    let step = last;
    while (step > 0 && !present[step - 1]?.has(key)) step -= 1;
    return entries[step - 1]?.name;
  };
  const initial = steps[0] ?? [];
  const introduced = (steps[last] ?? []).filter((difference) => !present[0]?.has(keyOf(difference)));
  const differences = markAliasCopies([
    ...initial.map((difference) => ({ ...difference, explainedBy: explainedBy(keyOf(difference)) })),
    ...introduced.map((difference) => ({ ...difference, explainedBy: undefined })),
  ]);
  return {
    given: { location: source.file, version: base.info.version },
    ours: {
      location: contract.specFile,
      version: contract.specVersion,
      overlayVersion: contract.overlay.version,
    },
    differences,
    entryMatches,
    unexplained: differences.filter((difference) => difference.explainedBy === undefined).length,
    aliasOperations: {
      given: aliasesOf(document).size,
      ours: aliasesOf(contract.document).size,
      compared: [...aliasesOf(document)].filter((id) => aliasesOf(contract.document).has(id)).length,
    },
  };
}
