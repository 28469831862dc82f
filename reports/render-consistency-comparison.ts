import type { ConsistencyBenchResult } from '../harness/consistency/consistency-bench-result.ts';
import { formatPercent, formatQuantile } from './render-consistency-markdown.ts';

/** Two benchmark results side by side (before/after a server change), as Markdown. */
export function renderConsistencyComparison(
  before: ConsistencyBenchResult,
  after: ConsistencyBenchResult,
  names: readonly [string, string],
): string {
  const kinds = [
    ...new Set([...before.operations, ...after.operations].map((operation) => operation.operation)),
  ];
  const lines = [
    `## Consistency: ${names[0]} (A) vs ${names[1]} (B)`,
    '',
    `A: ${before.target}, ${before.startedAt}, ${before.settings.trials} trials, resolution ${before.resolution.honestMs} ms`,
    `B: ${after.target}, ${after.startedAt}, ${after.settings.trials} trials, resolution ${after.resolution.honestMs} ms`,
    '',
    '| change | consistent at 0 A → B | p50 A → B | p99 A → B | p99.9 A → B | anomalies A → B |',
    '|---|---|---|---|---|---|',
  ];
  for (const kind of kinds) {
    const a = before.operations.find((operation) => operation.operation === kind);
    const b = after.operations.find((operation) => operation.operation === kind);
    const cell = (pick: (side: NonNullable<typeof a>) => string) =>
      `${a ? pick(a) : '—'} → ${b ? pick(b) : '—'}`;
    const anomalies = (side: NonNullable<typeof a>) =>
      String(Object.values(side.anomalies).reduce((sum, count) => sum + count, 0));
    lines.push(
      `| ${kind} | ${cell((side) => formatPercent(side.consistentAtZero))} | ${cell((side) => formatQuantile(side.quantiles.p50))} | ${cell((side) => formatQuantile(side.quantiles.p99))} | ${cell((side) => formatQuantile(side.quantiles.p999))} | ${cell(anomalies)} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}
