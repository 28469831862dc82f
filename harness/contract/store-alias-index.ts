import type { OpenAPIV3 } from 'openapi-types';
import type { ContractOperation } from './contract-operation.ts';
import { aliasFamilyOf, type StoreAliasFamily } from './store-aliases.ts';

/** One alias operation of a contract: a store-scoped operation at an alias path. */
export interface StoreAlias {
  readonly id: string;
  readonly method: string;
  /** The alias path template, e.g. `/v2/actor-runs/{runId}/key-value-store/keys`. */
  readonly path: string;
  readonly family: StoreAliasFamily;
  /** The store-scoped operation it stands for (its answers are judged by that one). */
  readonly operationId: string;
}

const METHODS = ['get', 'put', 'post', 'delete', 'head'] as const;

/**
 * The alias operations of a composed document, by operationId: each one whose name is its family's
 * prefix before a store-scoped operation of the contract.
 */
export function storeAliasesOf(
  document: OpenAPIV3.Document,
  operations: ReadonlyMap<string, ContractOperation>,
): Map<string, StoreAlias> {
  const aliases = new Map<string, StoreAlias>();
  for (const [path, item] of Object.entries(document.paths)) {
    const family = aliasFamilyOf(path);
    if (!family || !item) continue;
    for (const method of METHODS) {
      const id = item[method]?.operationId;
      if (id === undefined || !id.startsWith(family.operationIdPrefix)) continue;
      const operationId = id.slice(family.operationIdPrefix.length);
      if (operations.get(operationId)?.method !== method.toUpperCase()) continue;
      aliases.set(id, { id, method: method.toUpperCase(), path, family, operationId });
    }
  }
  return aliases;
}
