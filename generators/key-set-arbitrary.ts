import fc from 'fast-check';
import type { ContractLimits } from '../harness/index.ts';
import { recordKeyArbitrary } from './record-key-arbitrary.ts';

/** Distinct valid keys for pagination properties; shrinks toward few, short keys. */
export function keySetArbitrary(limits: ContractLimits, maxKeys = 30): fc.Arbitrary<string[]> {
  return fc.uniqueArray(recordKeyArbitrary(limits, 12), { minLength: 0, maxLength: maxKeys });
}

/** Page sizes 1..the contract's key-list maximum, mostly small so that listings span pages. */
export function pageSizeArbitrary(limits: ContractLimits): fc.Arbitrary<number> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min: 1, max: 7 }) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: limits.keysMaxLimit }) },
  );
}
