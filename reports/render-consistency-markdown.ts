import {
  BENCH_OUTCOME_WORDS,
  type ConsistencyBenchResult,
  type OperationVisibility,
  type QuantileEstimate,
} from '../harness/consistency/consistency-bench-result.ts';
import type { TVisibilityPoint } from '../harness/consistency/visibility-statistics.ts';

/** A quantile as `412 ms (398–430)`; `≥ x ms` when censored trials hide it; undetermined when too few trials were made for it. */
export function formatQuantile(estimate: QuantileEstimate): string {
  if (estimate.trialsNeeded !== undefined)
    return `undetermined (needs ≥ ${estimate.trialsNeeded} trials; largest ${estimate.atLeastMs ?? 0} ms)`;
  if (estimate.valueMs === null) return `≥ ${estimate.atLeastMs ?? 0} ms`;
  const interval =
    estimate.lowMs === null || estimate.highMs === null
      ? ` (${estimate.lowMs ?? '…'} – unbounded)`
      : estimate.lowMs === estimate.highMs
        ? ''
        : ` (${estimate.lowMs}–${estimate.highMs})`;
  return `${estimate.valueMs} ms${interval}`;
}

/** What the time to full visibility is, said once for every report. */
export const FULL_VISIBILITY_TEXT =
  'Time to full visibility from the acknowledgement: when the change reached the last replica, per trial the send time of the last stale read (a sure lower bound) corrected for the reads after it that missed a still lagging replica — each read reaches one with the laggard share q̂ = 1/N̂, N̂ the number of randomly routed replicas the trials’ reads show (1: no correction). A trial’s upper end is where the stopping rule’s miss chance falls below its bound.';

/** Fraction as a percentage with one decimal. */
export function formatPercent(fraction: number): string {
  return `${Math.round(fraction * 1000) / 10}%`;
}

function censoredCell(operation: OperationVisibility): string {
  const found = Object.entries(operation.censored).filter(([, count]) => count > 0);
  return found.length === 0 ? '0' : found.map(([reason, count]) => `${count} ${reason}`).join(', ');
}

/** A per-read curve (t-visibility, k-staleness) at `tMs` (the nearest slot at or before it) as `0.49 (0.45–0.53)`. */
export function perReadAt(curve: readonly TVisibilityPoint[], tMs: number): string {
  const point = curve.findLast((candidate) => candidate.tMs <= tMs);
  if (!point) return '—';
  return `${point.p.toFixed(2)} (${point.low.toFixed(2)}–${point.high.toFixed(2)})`;
}

/** The t-visibility at `tMs` as `0.49 (0.45–0.53)`. */
export function tVisibilityAt(operation: OperationVisibility, tMs: number): string {
  return perReadAt(operation.tVisibility, tMs);
}

/** P(fully visible by tMs) from the Kaplan–Meier curve. */
export function fullVisibilityAt(operation: OperationVisibility, tMs: number): string {
  if (operation.curve.length === 0) return '—';
  const point = operation.curve.findLast((candidate) => candidate.tMs <= tMs) ?? operation.curve.at(-1);
  return (
    tMs > (operation.curve.at(-1)?.tMs ?? 0) ? (operation.curve.at(-1)?.p ?? 0) : (point?.p ?? 0)
  ).toFixed(2);
}

function anomalyCell(operation: OperationVisibility): string {
  const found = Object.entries(operation.anomalies).filter(([, count]) => count > 0);
  return found.length === 0 ? 'none' : found.map(([kind, count]) => `${count} ${kind}`).join(', ');
}

/** The k-staleness table, for the kinds of change whose versions can be told apart. */
function kStalenessLines(result: ConsistencyBenchResult): string[] {
  const rows = result.operations.flatMap((operation) =>
    (operation.kStaleness ?? []).map(
      ({ k, curve }) =>
        `| ${operation.operation} | ${k} | ${perReadAt(curve, 100)} | ${perReadAt(curve, 400)} |`,
    ),
  );
  if (rows.length === 0) return [];
  return [
    '',
    `k-staleness — P(a single read t ms after the last of ${result.settings.versions} versions written back to back was acknowledged shows one at most k versions old; k = 0 is t-visibility), 95% Wilson interval over trials:`,
    '',
    '| change | k | 100 ms | 400 ms |',
    '|---|---:|---:|---:|',
    ...rows,
  ];
}

/** The session-guarantee table, with sticky readers. */
function sessionLines(result: ConsistencyBenchResult): string[] {
  const rows = result.operations.flatMap(({ operation, sessions, anomalies }) =>
    sessions
      ? [
          `| ${operation} | ${sessions.monotonicReadsBroken} of ${sessions.sessions} | ${sessions.readYourWritesBroken} of ${sessions.writerSessions} | ${anomalies['cross-reader-non-monotonic']} |`,
        ]
      : [],
  );
  if (rows.length === 0) return [];
  return [
    '',
    'Session guarantees (sticky readers: each reader one keep-alive connection, the first made the change) — sessions that broke monotonic reads, writer sessions that did not read their own write, and across readers (trials):',
    '',
    '| change | monotonic reads broken (sessions) | read-your-writes broken (writer sessions) | across readers (trials) |',
    '|---|---:|---:|---:|',
    ...rows,
  ];
}

/** The Markdown summary of a consistency benchmark (consistency.md, $GITHUB_STEP_SUMMARY). */
export function renderConsistencyMarkdown(result: ConsistencyBenchResult): string {
  const { settings, resolution, cost } = result;
  const lines = [
    `## Consistency benchmark: ${BENCH_OUTCOME_WORDS[result.verdict.outcome]} the window of ${settings.windowMs} ms`,
    '',
    `Target ${result.target}; ${settings.trials} trials per kind of change, ${settings.readers} reader(s), ` +
      `probes every ${settings.resolutionMs} ms from each write's acknowledgement, max-wait ${settings.maxWaitMs} ms.`,
    `Resolution: ${resolution.stepMs} ms slots; probes sent p99 ${resolution.probeLateness.p99Ms} ms late; ` +
      `request latency p50 ${resolution.requestLatency.p50Ms} ms, p99 ${resolution.requestLatency.p99Ms} ms; ` +
      `a visibility time is exact to within ${resolution.honestMs} ms.`,
    `Stopping rule: a trial stops once ${settings.stopping.confirmations} reads in a row (from every reader) show the change, all reads sent having come back; ` +
      `the chance of stopping while a reader lagging on ${settings.stopping.lagShare} of reads is left is ≤ ${settings.stopping.missBound} per trial. ` +
      `Setups are seen stably by every reader for ${settings.settleMs} ms before the change.`,
    `Cost: ${cost.requests} requests in ${Math.round(cost.durationMs / 100) / 10} s; ` +
      `projected from the first trials ${cost.projected.requests} requests, ${Math.round(cost.projected.durationMs / 100) / 10} s ` +
      `(${formatPercent(cost.projected.requests / Math.max(1, cost.requests) - 1)} / ${formatPercent(cost.projected.durationMs / Math.max(1, cost.durationMs) - 1)} off); ` +
      `stated before the run ${cost.estimatedRequests.min}–${cost.estimatedRequests.max} requests.`,
    '',
    `${FULL_VISIBILITY_TEXT} Kaplan–Meier with censored trials (95% bootstrap interval):`,
    '',
    '| change | trials | no time (censored) | consistent at 0 | p50 | p90 | p99 | p99.9 | max | laggard share (trials) | last stale read p50 / p90 (lower bound) | anomalies |',
    '|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|',
    ...result.operations.map((operation) => {
      const q = operation.quantiles;
      const { laggardShare, laggardTrials, lowerBound } = operation.fullVisibility;
      return `| ${operation.operation} | ${operation.trials} | ${censoredCell(operation)} | ${formatPercent(operation.consistentAtZero)} | ${formatQuantile(q.p50)} | ${formatQuantile(q.p90)} | ${formatQuantile(q.p99)} | ${formatQuantile(q.p999)} | ${formatQuantile(q.max)} | ${laggardShare} (${laggardTrials}) | ${formatQuantile(lowerBound.quantiles.p50)} / ${formatQuantile(lowerBound.quantiles.p90)} | ${anomalyCell(operation)} |`;
    }),
    '',
    't-visibility — P(a single read t ms after the acknowledgement shows the change), from every probe (95% Wilson interval over trials), and P(fully visible by t):',
    '',
    '| change | reads | t-vis 100 ms | t-vis 400 ms | full 100 ms | full 400 ms | stale share while mixed |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...result.operations.map(
      (operation) =>
        `| ${operation.operation} | ${operation.reads} | ${tVisibilityAt(operation, 100)} | ${tVisibilityAt(operation, 400)} | ${fullVisibilityAt(operation, 100)} | ${fullVisibilityAt(operation, 400)} | ${operation.mixedStaleShare ?? '—'} |`,
    ),
    ...kStalenessLines(result),
    ...sessionLines(result),
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
