import type {
  ConsistencyBenchResult,
  OperationVisibility,
  QuantileEstimate,
} from '../harness/consistency/consistency-bench-result.ts';

/** A quantile as `412 ms (398–430)`; `> max-wait` when it did not converge. */
export function formatQuantile(estimate: QuantileEstimate): string {
  if (estimate.valueMs === null) return '> max-wait';
  const interval =
    estimate.lowMs === null || estimate.highMs === null
      ? ' (… – > max-wait)'
      : estimate.lowMs === estimate.highMs
        ? ''
        : ` (${estimate.lowMs}–${estimate.highMs})`;
  return `${estimate.valueMs} ms${interval}`;
}

/** Fraction as a percentage with one decimal. */
export function formatPercent(fraction: number): string {
  return `${Math.round(fraction * 1000) / 10}%`;
}

function anomalyCell(operation: OperationVisibility): string {
  const found = Object.entries(operation.anomalies).filter(([, count]) => count > 0);
  return found.length === 0 ? 'none' : found.map(([kind, count]) => `${count} ${kind}`).join(', ');
}

/** The Markdown summary of a consistency benchmark (consistency.md, $GITHUB_STEP_SUMMARY). */
export function renderConsistencyMarkdown(result: ConsistencyBenchResult): string {
  const { settings, resolution, cost } = result;
  const lines = [
    `## Consistency benchmark: ${result.verdict.within ? 'within' : 'NOT within'} the window of ${settings.windowMs} ms`,
    '',
    `Target ${result.target}; ${settings.trials} trials per kind of change, ${settings.readers} reader(s), ` +
      `probes every ${settings.resolutionMs} ms from each write's acknowledgement, max-wait ${settings.maxWaitMs} ms.`,
    `Resolution: ${resolution.stepMs} ms slots; probes sent p99 ${resolution.probeLateness.p99Ms} ms late; ` +
      `request latency p50 ${resolution.requestLatency.p50Ms} ms, p99 ${resolution.requestLatency.p99Ms} ms; ` +
      `a visibility time is exact to within ${resolution.honestMs} ms.`,
    `Cost: ${cost.requests} requests (estimated ${cost.estimatedRequests.min}–${cost.estimatedRequests.max}), ${Math.round(cost.durationMs / 100) / 10} s.`,
    '',
    'Visibility time from the acknowledgement (95% bootstrap interval):',
    '',
    '| change | trials | consistent at 0 | p50 | p90 | p99 | p99.9 | max | anomalies |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---|',
    ...result.operations.map((operation) => {
      const q = operation.quantiles;
      const failed = operation.failedTrials > 0 ? ` (${operation.failedTrials} failed)` : '';
      return `| ${operation.operation} | ${operation.trials}${failed} | ${formatPercent(operation.consistentAtZero)} | ${formatQuantile(q.p50)} | ${formatQuantile(q.p90)} | ${formatQuantile(q.p99)} | ${formatQuantile(q.p999)} | ${formatQuantile(q.max)} | ${anomalyCell(operation)} |`;
    }),
    '',
    'Verdict:',
    '',
    ...result.verdict.lines.map((line) => `- ${line}`),
  ];
  const examples = result.operations.flatMap((operation) =>
    operation.examples.map(
      (example) => `- ${operation.operation}, trial ${example.trial}, ${example.kind}: ${example.detail}`,
    ),
  );
  if (examples.length > 0) lines.push('', 'Anomaly examples:', '', ...examples);
  const failures = result.operations.filter((operation) => operation.failure !== undefined);
  if (failures.length > 0) {
    lines.push(
      '',
      'Failed trials:',
      '',
      ...failures.map((operation) => `- ${operation.operation}: ${operation.failure ?? ''}`),
    );
  }
  if (result.leftStores.length > 0) {
    lines.push(
      '',
      ...result.leftStores.map((store) => `- could not delete store ${store.id}: ${store.reason}`),
    );
  }
  return `${lines.join('\n')}\n`;
}
