import fc from 'fast-check';
import type { ContractLimits } from '../harness/index.ts';

/** The printable ASCII characters and a few non-ASCII ones: the pool keys are judged from. */
const CANDIDATES = [
  ...Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)),
  'é',
  'ß',
  '中',
  '😀',
];

/**
 * Keys "." and ".." match the pattern but cannot be addressed over HTTP: URL parsers resolve them
 * as dot segments, so the request reaches another path. Generators leave them out.
 */
const UNADDRESSABLE = new Set(['.', '..']);

/** The characters the contract's record-key pattern allows (derived from the pattern itself). */
export function recordKeyCharacters(limits: ContractLimits): string[] {
  return CANDIDATES.filter((char) => limits.recordKeyPattern.test(char));
}

/** Valid record keys: 1 to `maxLength` (≤ the contract's maximum) allowed characters; shrinks toward "0". */
export function recordKeyArbitrary(limits: ContractLimits, maxLength = 24): fc.Arbitrary<string> {
  return fc
    .string({
      unit: fc.constantFrom(...recordKeyCharacters(limits)),
      minLength: 1,
      maxLength: Math.min(maxLength, limits.recordKeyMaxLength),
    })
    .filter((key) => !UNADDRESSABLE.has(key));
}

/** The longest valid key (exactly the contract's maximum length). */
export function longestRecordKeyArbitrary(limits: ContractLimits): fc.Arbitrary<string> {
  return fc.string({
    unit: fc.constantFrom(...recordKeyCharacters(limits)),
    minLength: limits.recordKeyMaxLength,
    maxLength: limits.recordKeyMaxLength,
  });
}

/**
 * Keys the contract rejects: a valid key with one character outside the pattern inserted, or a
 * key one to 64 characters over the maximum length.
 */
export function invalidRecordKeyArbitrary(limits: ContractLimits): fc.Arbitrary<string> {
  const forbidden = CANDIDATES.filter((char) => !limits.recordKeyPattern.test(char));
  const withBadCharacter = fc
    .tuple(
      fc.string({ unit: fc.constantFrom(...recordKeyCharacters(limits)), maxLength: 8 }),
      fc.constantFrom(...forbidden),
      fc.string({ unit: fc.constantFrom(...recordKeyCharacters(limits)), maxLength: 8 }),
    )
    .map(([before, bad, after]) => `${before}${bad}${after}`);
  const tooLong = fc
    .integer({ min: 1, max: 64 })
    .map((extra) => 'k'.repeat(limits.recordKeyMaxLength + extra));
  return fc.oneof(withBadCharacter, tooLong);
}
