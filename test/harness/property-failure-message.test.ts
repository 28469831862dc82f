// A failed property's message points at what the harness offers (the report's replay command),
// not at fast-check settings it has no flag for (issue: "Hint: Enable verbose mode…").
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { reportPropertyFailure } from '../../harness/index.ts';

function messageOf(property: fc.IProperty<[number]>, parameters: fc.Parameters<[number]> = {}): string {
  try {
    fc.assert(property, {
      seed: 1,
      numRuns: 20,
      ...parameters,
      reporter: (details) => reportPropertyFailure(details as fc.RunDetails<unknown>),
    });
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('test bug: the property passed');
}

describe('reportPropertyFailure', () => {
  it('keeps seed, path and counterexample, and names the replay command instead of verbose mode', () => {
    const message = messageOf(fc.property(fc.integer(), (n) => n < 5));
    expect(message).toMatch(
      /^Property failed after \d+ tests\n\{ seed: 1, path: "[\d:]+", endOnFailure: true \}/,
    );
    expect(message).toContain('Counterexample: [5]');
    expect(message).not.toMatch(/verbose|Hint/);
    expect(message).toContain('kvs-conformance replay <report.json> --rule <rule id>');
  });

  it('drops the hints of a property that stopped without a counterexample (no such flags)', () => {
    const message = messageOf(
      fc.property(fc.integer(), (n) => {
        fc.pre(n === 123456789);
      }),
      { maxSkipsPerRun: 1 },
    );
    expect(message).toMatch(/^Failed to run property, too many pre-condition failures/);
    expect(message).not.toMatch(/Hint|maxSkipsPerRun|verbose|replay/);
  });
});
