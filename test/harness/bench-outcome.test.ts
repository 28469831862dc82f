// The benchmark's verdict in one word (harness/consistency/consistency-bench-result.ts): a run
// stopped early or trials that cannot tell never read "NOT within" — only a kind of change past
// the window does — and never "within".
import { describe, expect, it } from 'vitest';
import {
  BENCH_OUTCOME_WORDS,
  benchOutcome,
  type WindowVerdict,
} from '../../harness/consistency/consistency-bench-result.ts';

const verdict = (within: boolean, undetermined = false): WindowVerdict => ({
  quantile: 'p99.9',
  valueMs: null,
  windowMs: 1000,
  within,
  ...(undetermined ? { undetermined: true as const } : {}),
  text: '',
});

describe('benchOutcome', () => {
  it('within only when every kind of change is within and the run was whole', () => {
    expect(benchOutcome(false, [verdict(true), verdict(true)])).toBe('within');
    expect(benchOutcome(true, [verdict(true), verdict(true)])).toBe('interrupted');
  });

  it('over when one kind of change is past the window, even beside undetermined ones', () => {
    expect(benchOutcome(false, [verdict(true), verdict(false, true), verdict(false)])).toBe('over');
  });

  it('undetermined when none is over and one cannot be told, and an interrupted run says so first', () => {
    expect(benchOutcome(false, [verdict(true), verdict(false, true)])).toBe('undetermined');
    expect(benchOutcome(true, [verdict(false)])).toBe('interrupted');
    expect(benchOutcome(true, [])).toBe('interrupted');
  });

  it('the headline never says "NOT within" for a run that could not tell', () => {
    expect(BENCH_OUTCOME_WORDS.undetermined).not.toMatch(/NOT within/);
    expect(BENCH_OUTCOME_WORDS.interrupted).not.toMatch(/NOT within/);
    expect(BENCH_OUTCOME_WORDS.over).toBe('NOT within');
  });
});
