import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadContract } from '../../harness/index.ts';
import {
  caseBatchArbitrary,
  invalidRecordKeyArbitrary,
  keySetArbitrary,
  longestRecordKeyArbitrary,
  pageSizeArbitrary,
  recordKeyArbitrary,
  recordValueArbitrary,
} from '../../generators/index.ts';

const { limits } = await loadContract();

const generators: [string, fc.Arbitrary<unknown>][] = [
  ['recordKeyArbitrary', recordKeyArbitrary(limits)],
  ['invalidRecordKeyArbitrary', invalidRecordKeyArbitrary(limits)],
  ['recordValueArbitrary', recordValueArbitrary()],
  ['keySetArbitrary', keySetArbitrary(limits)],
  ['pageSizeArbitrary', pageSizeArbitrary(limits)],
];

/** The value fast-check shrinks to when the property "value is smaller than `size`" fails. */
function shrunk<T>(arbitrary: fc.Arbitrary<T>, isLarge: (value: T) => boolean): T {
  const details = fc.check(
    fc.property(arbitrary, (value) => !isLarge(value)),
    { seed: 7, numRuns: 500 },
  );
  if (!details.failed || !details.counterexample)
    throw new Error('the property never failed: no large value generated');
  return details.counterexample[0];
}

describe('generators', () => {
  it.each(generators)('%s gives the same values for the same seed', (_name, arbitrary) => {
    expect(fc.sample(arbitrary, { seed: 42, numRuns: 30 })).toEqual(
      fc.sample(arbitrary, { seed: 42, numRuns: 30 }),
    );
  });

  it('valid record keys all match the contract pattern and stay addressable (never "." or "..")', () => {
    fc.assert(
      fc.property(
        recordKeyArbitrary(limits),
        (key) => limits.recordKeyPattern.test(key) && key !== '.' && key !== '..',
      ),
    );
    fc.assert(
      fc.property(
        longestRecordKeyArbitrary(limits),
        (key) => key.length === limits.recordKeyMaxLength && limits.recordKeyPattern.test(key),
      ),
    );
  });

  it('invalid record keys never match the contract pattern', () => {
    fc.assert(fc.property(invalidRecordKeyArbitrary(limits), (key) => !limits.recordKeyPattern.test(key)));
  });

  it('page sizes stay within 1..the contract maximum', () => {
    fc.assert(fc.property(pageSizeArbitrary(limits), (size) => size >= 1 && size <= limits.keysMaxLimit));
  });

  it('keys shrink toward the shortest failing key', () => {
    expect(shrunk(recordKeyArbitrary(limits), (key) => key.length > 3)).toHaveLength(4);
  });

  it('key sets shrink toward the fewest keys', () => {
    expect(shrunk(keySetArbitrary(limits), (keys) => keys.length > 4)).toHaveLength(5);
  });

  it('record values shrink toward the smallest failing value', () => {
    expect(
      shrunk(recordValueArbitrary(), (sample) => sample.value.length > 10).value.length,
    ).toBeLessThanOrEqual(12);
  });

  it('case batches hold minCases (a quarter of maxCases by default) to maxCases cases, and shrink to the floor', () => {
    const lengths = (arbitrary: fc.Arbitrary<unknown[]>): number[] =>
      fc.sample(arbitrary, { seed: 3, numRuns: 200 }).map((batch) => batch.length);
    const byDefault = lengths(caseBatchArbitrary(fc.nat(), { maxCases: 32 }));
    expect(Math.min(...byDefault)).toBeGreaterThanOrEqual(8);
    expect(Math.max(...byDefault)).toBeLessThanOrEqual(32);
    const floored = caseBatchArbitrary(fc.nat(), { maxCases: 80, minCases: 8 });
    const withFloor = lengths(floored);
    expect(Math.min(...withFloor)).toBeGreaterThanOrEqual(8);
    expect(Math.max(...withFloor)).toBeLessThanOrEqual(80);
    expect(Math.max(...withFloor)).toBeGreaterThan(32);
    expect(shrunk(floored, (batch) => batch.length > 0)).toHaveLength(8);
    const fixed = caseBatchArbitrary(fc.nat(), { maxCases: 4, minCases: 4 });
    expect(new Set(lengths(fixed))).toEqual(new Set([4]));
    expect(shrunk(fixed, () => true)).toHaveLength(4);
  });
});
