// replay says FIXED only when the recorded test ran and passed (issue: replay said FIXED when the
// test was skipped or failed on another rule).
import { describe, expect, it } from 'vitest';
import type { RunResult, TestOutcome } from '../../harness/index.ts';
import { judgeReplay } from '../../cli/replay-command.ts';

const recorded = { test: 'KVS-KEYS-005 the last page ends with a null cursor', ruleId: 'KVS-KEYS-005' };

function result(outcome: Partial<TestOutcome> | undefined, extra: Partial<RunResult> = {}): RunResult {
  const outcomes: TestOutcome[] = outcome
    ? [
        {
          title: recorded.test,
          file: 'suites/key-pagination.test.ts',
          rules: ['KVS-KEYS-005'],
          state: 'passed',
          skipNote: undefined,
          failedRules: [],
          message: undefined,
          durationMs: 1,
          evidence: undefined,
          property: undefined,
          ...outcome,
        },
      ]
    : [];
  return {
    targetUrl: 'http://127.0.0.1:1',
    settings: {} as RunResult['settings'],
    seed: 1,
    runs: 1,
    storePrefix: 'p-',
    drivers: [],
    startedAt: new Date(0),
    durationMs: 1,
    verdicts: [],
    outcomes,
    runErrors: [],
    cleanup: { created: 0, deleted: 0, left: [], problems: [] },
    interrupted: false,
    ...extra,
  };
}

describe('judgeReplay', () => {
  it.each([
    ['FIXED', { state: 'passed' }],
    ['STILL FAILING', { state: 'failed', failedRules: ['KVS-KEYS-005'] }],
    ['FAILING ON ANOTHER RULE', { state: 'failed', failedRules: ['KVS-SCHEMA-001'] }],
    ['FAILING ON ANOTHER RULE', { state: 'failed', failedRules: [], message: 'TypeError: boom' }],
    ['NOT RUN', { state: 'skipped', skipNote: 'the run has no token' }],
  ] as const)('says %s when the test %j', (verdict, outcome) => {
    expect(judgeReplay(result(outcome as Partial<TestOutcome>), recorded).verdict).toBe(verdict);
  });

  it('says NOT RUN, with why, when the test did not run at all', () => {
    // Other tests ran (skipped by the name filter), this title was not among them.
    const other = result({ title: 'KVS-KEYS-005 another test', state: 'skipped' });
    expect(judgeReplay(other, recorded)).toEqual({
      verdict: 'NOT RUN',
      detail: 'no test has this title any more',
    });
    // No test collected at all is not a missing title (a second run in one process that loaded nothing).
    expect(judgeReplay(result(undefined), recorded).detail).toBe(
      'the run collected no test at all (not even the skipped others of its file)',
    );
    expect(judgeReplay(result(undefined, { interrupted: true }), recorded).detail).toBe(
      'the run was interrupted',
    );
  });
});
