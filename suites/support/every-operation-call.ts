import type { Contract, OperationCall } from '../../harness/index.ts';

/** What the calls address: a store of the run holding the record `recordKey`, and a name no store has. */
export interface OperationTargets {
  readonly storeId: string;
  readonly recordKey: string;
  readonly newStoreName: string;
}

/**
 * One call of every operation the contract defines, in its order, with what each needs read from
 * the operation itself: its path parameters (the store, the record), a body for a write to a store
 * (text for a record, JSON for the store), and for a create the query parameter `name` (a fresh
 * name of the run's namespace, so a create wrongly accepted makes a store the cleanup deletes).
 */
export function everyOperationCall(contract: Contract, targets: OperationTargets): [string, OperationCall][] {
  return [...contract.operations.values()].map((operation) => {
    const inPath = (name: string): boolean =>
      operation.parameters.some((parameter) => parameter.in === 'path' && parameter.name === name);
    const inQuery = (name: string): boolean =>
      operation.parameters.some((parameter) => parameter.in === 'query' && parameter.name === name);
    const write = operation.method === 'PUT' || operation.method === 'POST';
    const call: OperationCall = {
      ...(inPath('storeId') ? { storeId: targets.storeId } : {}),
      ...(inPath('recordKey') ? { recordKey: targets.recordKey } : {}),
      ...(write && !inPath('storeId') && inQuery('name') ? { query: { name: targets.newStoreName } } : {}),
      ...(write && inPath('storeId')
        ? inPath('recordKey')
          ? { headers: { 'content-type': 'text/plain' }, body: 'overwritten' }
          : { headers: { 'content-type': 'application/json' }, body: '{}' }
        : {}),
    };
    return [operation.id, call];
  });
}
