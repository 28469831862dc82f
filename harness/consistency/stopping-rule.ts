/**
 * When a trial may stop confirming that a change is visible everywhere. A reader (or replica) that
 * still lags answers some share of the reads; a trial that stops after m reads in a row showed the
 * change misses such a laggard with probability (1 − share)^m. The rule keeps confirming until that
 * is below `missBound` for any laggard answering at least `lagShare` of the reads (with random
 * routing over N replicas one lagging replica answers 1/N of them: the default 0.1 covers N ≤ 10).
 */
export interface StoppingRule {
  /** The largest chance, per trial, of stopping while a laggard answering `lagShare` of the reads is left. */
  readonly missBound: number;
  /** The smallest share of reads a laggard is assumed to answer. */
  readonly lagShare: number;
}

/** The default: a miss below 1 % for a laggard answering at least 10 % of the reads. */
export const DEFAULT_STOPPING_RULE: StoppingRule = { missBound: 0.01, lagShare: 0.1 };

/** The reads in a row showing the change that the rule needs: the least m with (1 − lagShare)^m ≤ missBound. */
export function confirmationsNeeded(rule: StoppingRule): number {
  if (rule.lagShare >= 1) return 1;
  return Math.max(1, Math.ceil(Math.log(rule.missBound) / Math.log(1 - rule.lagShare)));
}

/** The chance the rule misses a laggard answering `share` of the reads: (1 − share)^m. */
export function missChance(rule: StoppingRule, share: number = rule.lagShare): number {
  return (1 - share) ** confirmationsNeeded(rule);
}
