// The run's progress output shows a test as an expected failure only when it failed only as
// declared (issue: an --expect-fail run printed vitest's red "Failed Tests" block before its
// PASS WITH EXPECTED DEVIATIONS).
import { describe, expect, it } from 'vitest';
import type { RuleId } from '../../harness/index.ts';
import type { ExpectedFailure } from '../../runner/expected-failures.ts';
import { failedAsDeclared } from '../../runner/progress-reporter.ts';

const declared = (drivers: ExpectedFailure['drivers']): Map<RuleId, ExpectedFailure> =>
  new Map([['KVS-KEYS-005', { reason: 'known', link: undefined, from: '--expect-fail', drivers }]]);

const failure = (ruleId: string) => ({ ruleId, message: 'm', operationId: undefined, exchanges: [] });

function task(name: string, failures: string[] | undefined): Parameters<typeof failedAsDeclared>[0] {
  const [first, ...others] = failures ?? [];
  return {
    name,
    meta: {
      kvsEvidence:
        first === undefined
          ? undefined
          : {
              coverage: [],
              observations: [],
              watches: [],
              failure: failure(first),
              violations: others.map(failure),
            },
    },
  } as unknown as Parameters<typeof failedAsDeclared>[0];
}

describe('failedAsDeclared', () => {
  it('is true for a failure on a declared rule through any driver, or through the declared one', () => {
    expect(failedAsDeclared(task('KVS-KEYS-005 t', ['KVS-KEYS-005']), declared('any'))).toBe(true);
    const clientOnly = declared(new Set(['apify-client']));
    expect(failedAsDeclared(task('KVS-KEYS-005 [apify-client] t', ['KVS-KEYS-005']), clientOnly)).toBe(true);
    expect(failedAsDeclared(task('KVS-KEYS-005 [http] t', ['KVS-KEYS-005']), clientOnly)).toBe(false);
  });

  it('is false for a failure on another rule, a violation of one, or an error that is no contract failure', () => {
    expect(failedAsDeclared(task('KVS-KEYS-001 t', ['KVS-KEYS-001']), declared('any'))).toBe(false);
    expect(failedAsDeclared(task('KVS-KEYS-005 t', ['KVS-KEYS-005', 'KVS-HTTP-001']), declared('any'))).toBe(
      false,
    );
    expect(failedAsDeclared(task('KVS-KEYS-005 t', undefined), declared('any'))).toBe(false);
  });
});
