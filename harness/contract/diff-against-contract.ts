import type { OpenAPIV3 } from 'openapi-types';
import { compareOperations, type OperationDifference } from './compare-operations.ts';
import { applyContractOverlay } from './contract-overlay.ts';
import type { Contract } from './load-contract.ts';
import { loadOpenApi } from './load-openapi.ts';
import { absoluteSpecLocation, readSpecSource } from './read-spec-location.ts';
import { KVS_OPERATION_IDS, selectOperations } from './select-operations.ts';
import { STORE_ALIAS_OPERATION_IDS } from './store-aliases.ts';

/** One difference between a document and the shipped contract, with the overlay entry behind it. */
export interface ExplainedDifference extends OperationDifference {
  /** The overlay entry that makes the document agree here, or undefined: unexplained. */
  readonly explainedBy: string | undefined;
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
  const differences = [
    ...initial.map((difference) => ({ ...difference, explainedBy: explainedBy(keyOf(difference)) })),
    ...introduced.map((difference) => ({ ...difference, explainedBy: undefined })),
  ];
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
