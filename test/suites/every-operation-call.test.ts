// KVS-AUTH asks every operation of the contract: its calls come from the contract, and each one
// carries what its operation needs.
import { describe, expect, it } from 'vitest';
import { loadContract } from '../../harness/index.ts';
import { everyOperationCall } from '../../suites/support/every-operation-call.ts';

const contract = await loadContract();
const calls = new Map(everyOperationCall(contract, { storeId: 'S', recordKey: 'k', newStoreName: 'n' }));

describe('everyOperationCall (the operations KVS-AUTH asks)', () => {
  it('calls every operation of the contract once', () => {
    expect([...calls.keys()]).toEqual([...contract.operations.keys()]);
  });

  it.each([...contract.operations.values()].map((operation) => [operation.id, operation] as const))(
    '%s gets its path parameters, and a write its body or store name',
    (id, operation) => {
      const call = calls.get(id);
      for (const parameter of operation.parameters.filter((candidate) => candidate.in === 'path'))
        expect(call?.[parameter.name as 'storeId' | 'recordKey'], `${id}: ${parameter.name}`).toBeDefined();
      if (operation.method === 'PUT' || operation.method === 'POST')
        expect(call?.body ?? call?.query?.name, `${id}: a body or a name`).toBeDefined();
    },
  );
});
