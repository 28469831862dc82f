import type { RuleId } from '../harness/contract/rule-catalog.ts';
import type { RuleExpectation, RuleVerdict } from '../harness/results/rule-verdict.ts';
import type { ExpectedDeviations } from './expected-deviations.ts';
import { driverOfTest } from './rule-verdicts.ts';

/** A rule declared to fail: through which drivers (`any`: however it is checked), and why. */
export interface ExpectedFailure extends RuleExpectation {
  readonly drivers: ReadonlySet<string> | 'any';
}

/**
 * The declared failures of a run: each `--expect-fail` rule (through any driver), and each
 * manifest entry of a driver the run uses. Rules checked over the wire without a client driver
 * belong to the driver `http`, as in `matrix`.
 */
export function expectedFailuresOf(
  expectFail: readonly string[],
  manifests: readonly ExpectedDeviations[],
  driverNames: readonly string[],
): Map<RuleId, ExpectedFailure> {
  const expected = new Map<RuleId, ExpectedFailure>();
  for (const manifest of manifests) {
    for (const driver of new Set(['http', ...driverNames])) {
      for (const entry of manifest.entries.get(driver)?.values() ?? []) {
        const rule = entry.rule as RuleId;
        const known = expected.get(rule);
        const drivers = known?.drivers === 'any' ? 'any' : new Set([...(known?.drivers ?? []), driver]);
        expected.set(rule, {
          reason: known?.reason ?? entry.reason,
          link: known?.link ?? entry.link,
          from: known?.from ?? `${manifest.file}: ${driver}`,
          drivers,
        });
      }
    }
  }
  for (const rule of expectFail)
    expected.set(rule as RuleId, {
      reason: expected.get(rule as RuleId)?.reason ?? 'declared with --expect-fail',
      link: expected.get(rule as RuleId)?.link,
      from: '--expect-fail',
      drivers: 'any',
    });
  return expected;
}

/**
 * Applies the declared failures strictly, as pytest's strict xfail and the matrix do: a declared
 * rule that fails only through the declared drivers is `expected-fail`; one that passes through a
 * declared driver is `unexpectedly-passing` (remove the declaration); a failure through a driver
 * no declaration names stays `fail`; a rule that was not judged keeps its verdict.
 */
export function applyExpectedFailures(
  verdicts: readonly RuleVerdict[],
  expected: ReadonlyMap<RuleId, ExpectedFailure>,
): RuleVerdict[] {
  return verdicts.map((verdict) => {
    const expectation = expected.get(verdict.rule.id);
    if (!expectation) return verdict;
    const declared = (title: string): boolean =>
      expectation.drivers === 'any' || expectation.drivers.has(driverOfTest(title));
    const { reason, link, from } = expectation;
    const declaration = { reason, link, from };
    if (verdict.verdict === 'fail' && verdict.failures.every((test) => declared(test.title)))
      return {
        ...verdict,
        verdict: 'expected-fail',
        reason: `expected to fail (${from}): ${reason}`,
        expectation: declaration,
      };
    if (
      verdict.verdict === 'pass' &&
      verdict.tests.some((test) => test.state === 'passed' && declared(test.title))
    )
      return {
        ...verdict,
        verdict: 'unexpectedly-passing',
        reason: `unexpectedly passing: ${from} expects a failure (${reason}); remove the declaration`,
        expectation: declaration,
      };
    return { ...verdict, expectation: declaration };
  });
}
