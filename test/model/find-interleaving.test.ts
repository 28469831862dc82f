// The bounded interleaving search of the concurrent variant: linearizability per key under strong
// (Wing & Gong with memoisation), each read within the window under eventual (Δ-atomicity).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findInterleavingMisfit, MAX_KEY_OPERATIONS, type KeyOperation } from '../../harness/index.ts';

const write = (label: string | null, start: number, end: number): KeyOperation => ({
  kind: 'write',
  label,
  start,
  end,
});
const read = (saw: string | null, start: number, end: number): KeyOperation => ({
  kind: 'read',
  saw,
  start,
  end,
});
const exists = (saw: boolean, start: number, end: number): KeyOperation => ({
  kind: 'exists',
  saw,
  start,
  end,
});

describe('the interleaving search under strong (linearizable per key)', () => {
  it('a read overlapping a write may show the state before or after it', () => {
    const history = (saw: string | null) => [write('x', 0, 1), write('y', 2, 10), read(saw, 3, 4)];
    expect(findInterleavingMisfit(history('x'), null, 0)).toBeUndefined();
    expect(findInterleavingMisfit(history('y'), null, 0)).toBeUndefined();
    expect(findInterleavingMisfit(history(null), null, 0)?.read).toEqual(read(null, 3, 4));
  });

  it('a read after a write was answered must show it (or a later write); a read cannot show a write sent after it', () => {
    expect(findInterleavingMisfit([write('x', 0, 1), read(null, 2, 3)], null, 0)).toBeDefined();
    expect(findInterleavingMisfit([read('x', 0, 1), write('x', 2, 3)], null, 0)).toBeDefined();
    expect(findInterleavingMisfit([write(null, 0, 1), exists(false, 2, 3)], 'x', 0)).toBeUndefined();
    expect(findInterleavingMisfit([write(null, 0, 1), exists(true, 2, 3)], 'x', 0)).toBeDefined();
  });

  it('two reads during two overlapping writes must agree on one order', () => {
    const writes = [write('x', 0, 10), write('y', 0, 10)];
    // x then y, or y then x: reads in a row may not see y, then x, then y again.
    expect(findInterleavingMisfit([...writes, read('x', 1, 2), read('y', 3, 4)], null, 0)).toBeUndefined();
    expect(
      findInterleavingMisfit([...writes, read('y', 1, 2), read('x', 3, 4), read('y', 5, 6)], null, 0),
    ).toBeDefined();
  });

  it('blames the first read no order explains', () => {
    const misfit = findInterleavingMisfit(
      [write('x', 0, 1), read('x', 2, 3), read(null, 4, 5), read('x', 6, 7)],
      null,
      0,
    );
    expect(misfit?.read).toEqual(read(null, 4, 5));
  });

  it('agrees with brute force over every order on random small histories', () => {
    const operation = fc
      .record({
        kind: fc.constantFrom('write', 'read', 'exists'),
        value: fc.constantFrom('x', 'y', null),
        start: fc.integer({ min: 0, max: 20 }),
        length: fc.integer({ min: 0, max: 8 }),
      })
      .map(({ kind, value, start, length }): KeyOperation => {
        const end = start + length;
        return kind === 'write'
          ? write(value, start, end)
          : kind === 'read'
            ? read(value, start, end)
            : exists(value !== null, start, end);
      });
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 6 }), (operations) => {
        expect(findInterleavingMisfit(operations, null, 0) === undefined).toBe(bruteForce(operations));
      }),
    );
  });

  it('refuses a history longer than its bound', () => {
    const long = Array.from({ length: MAX_KEY_OPERATIONS + 1 }, (_, i) => read(null, i, i));
    expect(() => findInterleavingMisfit(long, null, 0)).toThrow(RangeError);
  });
});

describe('the interleaving search under eventual (each read within the window)', () => {
  it('a read may show a replaced state until the window has passed after its replacement', () => {
    const history = (start: number) => [write('x', 0, 1), write('y', 2, 3), read('x', start, start + 1)];
    expect(findInterleavingMisfit(history(500), null, 1000)).toBeUndefined();
    expect(findInterleavingMisfit(history(1500), null, 1000)?.read).toEqual(read('x', 1500, 1501));
  });

  it('never shows a state nobody wrote, nor a write sent after the read', () => {
    expect(findInterleavingMisfit([write('x', 0, 1), read('z', 2, 3)], null, 1000)).toBeDefined();
    expect(findInterleavingMisfit([read('x', 0, 1), write('x', 2, 3)], null, 1000)).toBeDefined();
  });
});

/** Every permutation, keeping the real-time order of operations that do not overlap. */
function bruteForce(operations: readonly KeyOperation[]): boolean {
  const orders = (left: readonly KeyOperation[]): KeyOperation[][] =>
    left.length === 0
      ? [[]]
      : left.flatMap((first, index) => {
          const rest = left.filter((_, other) => other !== index);
          if (rest.some((other) => other.end < first.start)) return [];
          return orders(rest).map((order) => [first, ...order]);
        });
  return orders(operations).some((order) => {
    let state: string | null = null;
    for (const operation of order) {
      if (operation.kind === 'write') state = operation.label;
      else if (operation.kind === 'read' ? operation.saw !== state : operation.saw !== (state !== null))
        return false;
    }
    return true;
  });
}
