import {
  BENCH_OUTCOME_WORDS,
  type ConsistencyBenchResult,
  type OperationVisibility,
} from '../harness/consistency/consistency-bench-result.ts';
import { CONSISTENCY_OPERATIONS } from '../harness/consistency/consistency-operation.ts';
import { escapeHtml } from './render-html-report.ts';
import { FULL_VISIBILITY_TEXT, formatPercent, formatQuantile } from './render-consistency-markdown.ts';

/** One colour per kind of change (Okabe–Ito, readable for colour-blind readers, plus two). */
const COLOURS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#8C564B'];

/** The colour of a kind of change: fixed per kind, so two reports use the same ones. */
export function operationColour(operation: OperationVisibility['operation']): string {
  return COLOURS[CONSISTENCY_OPERATIONS.indexOf(operation) % COLOURS.length] ?? '#000000';
}

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#1f2328;max-width:1100px}
h1{font-size:22px}h2{font-size:17px;margin-top:28px}table{border-collapse:collapse;margin:8px 0}
td,th{border:1px solid #d0d7de;padding:4px 8px;text-align:right}td:first-child,th:first-child{text-align:left}
.ok{color:#1a7f37}.bad{color:#cf222e}.swatch{display:inline-block;width:12px;height:12px;margin-right:6px;vertical-align:middle}
svg text{font-family:system-ui,sans-serif}.charts{display:flex;flex-wrap:wrap;gap:12px}`;

/** A "nice" upper bound for an axis: 1, 2 or 5 × 10^n at or above `value`. */
function niceCeiling(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 5, 10].map((step) => step * power).find((candidate) => candidate >= value) ?? 10 * power;
}

type Curve = readonly { readonly tMs: number; readonly p: number }[];

/**
 * One probability curve per kind of change, as step lines on one chart (`pick` chooses the curve),
 * with the known truth dashed over it when the target was a simulator.
 */
function curveChart(
  operations: readonly OperationVisibility[],
  pick: (operation: OperationVisibility) => Curve,
  truth: (operation: OperationVisibility) => Curve | undefined,
  yLabel: string,
): string {
  const width = 720;
  const height = 320;
  const left = 60;
  const right = 170;
  const top = 16;
  const bottom = 50;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const lastT = Math.max(1, ...operations.flatMap((operation) => pick(operation).map((point) => point.tMs)));
  const maxT = niceCeiling(lastT);
  const x = (t: number) => left + (t / maxT) * plotW;
  const y = (p: number) => top + (1 - p) * plotH;
  const parts: string[] = [];
  for (let tick = 0; tick <= 5; tick += 1) {
    const t = (maxT * tick) / 5;
    parts.push(
      `<line x1="${x(t)}" y1="${top}" x2="${x(t)}" y2="${top + plotH}" stroke="#eaeef2"/>`,
      `<text x="${x(t)}" y="${top + plotH + 16}" font-size="11" text-anchor="middle">${Math.round(t * 10) / 10}</text>`,
    );
  }
  for (const p of [0, 0.25, 0.5, 0.75, 1]) {
    parts.push(
      `<line x1="${left}" y1="${y(p)}" x2="${left + plotW}" y2="${y(p)}" stroke="#eaeef2"/>`,
      `<text x="${left - 6}" y="${y(p) + 4}" font-size="11" text-anchor="end">${p}</text>`,
    );
  }
  parts.push(
    `<line x1="${left}" y1="${top + plotH}" x2="${left + plotW}" y2="${top + plotH}" stroke="#57606a"/>`,
    `<line x1="${left}" y1="${top}" x2="${left}" y2="${top + plotH}" stroke="#57606a"/>`,
    `<text x="${left + plotW / 2}" y="${height - 10}" font-size="12" text-anchor="middle">time since the write's acknowledgement (ms)</text>`,
    `<text transform="translate(16 ${top + plotH / 2}) rotate(-90)" font-size="12" text-anchor="middle">${escapeHtml(yLabel)}</text>`,
  );
  operations.forEach((operation, index) => {
    const colour = operationColour(operation.operation);
    let path = '';
    let previous = 0;
    for (const point of pick(operation)) {
      path += path === '' ? `M${x(point.tMs)},${y(point.p)}` : `H${x(point.tMs)}V${y(point.p)}`;
      previous = point.p;
    }
    if (path !== '') path += `H${x(maxT)}V${y(previous)}`;
    const known = truth(operation)?.filter((point) => point.tMs <= maxT) ?? [];
    if (known.length > 0) {
      const line = known.map((point, at) => `${at === 0 ? 'M' : 'L'}${x(point.tMs)},${y(point.p)}`).join('');
      parts.push(
        `<path d="${line}" fill="none" stroke="${colour}" stroke-width="1" stroke-dasharray="4 3"><title>${escapeHtml(operation.operation)}: known truth</title></path>`,
      );
    }
    parts.push(
      `<path d="${path}" fill="none" stroke="${colour}" stroke-width="2"><title>${escapeHtml(operation.operation)}</title></path>`,
      `<rect x="${left + plotW + 16}" y="${top + index * 18}" width="12" height="12" fill="${colour}"/>`,
      `<text x="${left + plotW + 34}" y="${top + index * 18 + 10}" font-size="12">${escapeHtml(operation.operation)}</text>`,
    );
  });
  return `<svg role="img" aria-label="${escapeHtml(yLabel)}" width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg">${parts.join('')}</svg>`;
}

/** The histogram of one kind of change's visibility times. */
function histogramChart(operation: OperationVisibility): string {
  const width = 340;
  const height = 200;
  const left = 46;
  const top = 24;
  const bottom = 44;
  const plotW = width - left - 12;
  const plotH = height - top - bottom;
  const bins = operation.histogram;
  const maxCount = niceCeiling(Math.max(1, ...bins.map((bin) => bin.count)));
  const barW = plotW / Math.max(1, bins.length);
  const colour = operationColour(operation.operation);
  const parts: string[] = [
    `<text x="${left}" y="14" font-size="12" font-weight="600">${escapeHtml(operation.operation)}</text>`,
  ];
  bins.forEach((bin, index) => {
    const barH = (bin.count / maxCount) * plotH;
    const label = bin.censored
      ? `no time (censored): ${bin.count}`
      : `${bin.fromMs}–${bin.toMs} ms: ${bin.count}`;
    parts.push(
      `<rect x="${left + index * barW + 1}" y="${top + plotH - barH}" width="${Math.max(1, barW - 2)}" height="${barH}" fill="${bin.censored ? '#cf222e' : colour}"><title>${label}</title></rect>`,
    );
  });
  const lastBin = bins.filter((bin) => !bin.censored).at(-1);
  parts.push(
    `<line x1="${left}" y1="${top + plotH}" x2="${left + plotW}" y2="${top + plotH}" stroke="#57606a"/>`,
    `<line x1="${left}" y1="${top}" x2="${left}" y2="${top + plotH}" stroke="#57606a"/>`,
    `<text x="${left - 4}" y="${top + 4}" font-size="10" text-anchor="end">${maxCount}</text>`,
    `<text x="${left - 4}" y="${top + plotH}" font-size="10" text-anchor="end">0</text>`,
    `<text x="${left}" y="${top + plotH + 14}" font-size="10">0</text>`,
    `<text x="${left + plotW}" y="${top + plotH + 14}" font-size="10" text-anchor="end">${lastBin?.toMs ?? 0} ms</text>`,
    `<text x="${left + plotW / 2}" y="${height - 6}" font-size="11" text-anchor="middle">visibility time (ms)</text>`,
    `<text transform="translate(12 ${top + plotH / 2}) rotate(-90)" font-size="11" text-anchor="middle">trials</text>`,
  );
  return `<svg role="img" aria-label="${escapeHtml(operation.operation)} histogram" width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg">${parts.join('')}</svg>`;
}

/** consistency.html: verdict, t-visibility curves, histograms and the numbers, self-contained (no scripts). */
export function renderConsistencyHtml(result: ConsistencyBenchResult): string {
  const { settings, resolution, cost } = result;
  const truthOf = (operation: OperationVisibility) =>
    result.truth?.operations.find((candidate) => candidate.operation === operation.operation);
  const rows = result.operations
    .map((operation) => {
      const q = operation.quantiles;
      const anomalies = Object.entries(operation.anomalies)
        .filter(([, count]) => count > 0)
        .map(([kind, count]) => `${count} ${kind}`)
        .join(', ');
      const { laggardShare, laggardTrials, lowerBound } = operation.fullVisibility;
      return `<tr><td><span class="swatch" style="background:${operationColour(operation.operation)}"></span>${escapeHtml(operation.operation)}</td><td>${operation.trials}</td><td>${formatPercent(operation.consistentAtZero)}</td><td>${formatQuantile(q.p50)}</td><td>${formatQuantile(q.p90)}</td><td>${formatQuantile(q.p99)}</td><td>${formatQuantile(q.p999)}</td><td>${formatQuantile(q.max)}</td><td>${laggardShare} (${laggardTrials})</td><td>${formatQuantile(lowerBound.quantiles.p50)} / ${formatQuantile(lowerBound.quantiles.p90)}</td><td>${escapeHtml(anomalies || 'none')}</td><td>${operation.requests}</td></tr>`;
    })
    .join('');
  const verdicts = result.verdict.lines.map((line) => `<li>${escapeHtml(line)}</li>`).join('');
  const examples = result.operations
    .flatMap((operation) =>
      operation.examples.map(
        (example) =>
          `<li>${escapeHtml(operation.operation)}, trial ${example.trial}, <b>${escapeHtml(example.kind)}</b>: ${escapeHtml(example.detail)}</li>`,
      ),
    )
    .join('');
  const word = BENCH_OUTCOME_WORDS[result.verdict.outcome];
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>kvs-conformance consistency — ${escapeHtml(result.target)}</title><style>${STYLE}</style></head><body>
<h1>Consistency benchmark: <span class="${result.verdict.within ? 'ok' : 'bad'}">${word}</span> the window of ${settings.windowMs} ms</h1>
<p>Target ${escapeHtml(result.target)} · ${escapeHtml(result.startedAt)} · ${settings.trials} trials per kind of change · ${settings.readers} reader(s) · probes every ${settings.resolutionMs} ms from each write's acknowledgement · max-wait ${settings.maxWaitMs} ms</p>
<p>Resolution: ${resolution.stepMs} ms slots; probes sent p99 ${resolution.probeLateness.p99Ms} ms late; request latency p50 ${resolution.requestLatency.p50Ms} ms, p99 ${resolution.requestLatency.p99Ms} ms; a visibility time is exact to within <b>${resolution.honestMs} ms</b>.</p>
<p>Stopping rule: a trial stops once ${settings.stopping.confirmations} reads in a row (from every reader) show the change, every read sent having come back; the chance of stopping while a reader lagging on ${settings.stopping.lagShare} of reads is left is <b>≤ ${settings.stopping.missBound}</b> per trial. Setups are seen stably by every reader for ${settings.settleMs} ms before the change.</p>
<p>Cost: ${cost.requests} requests, ${Math.round(cost.durationMs / 100) / 10} s; projected from the first trials: ${cost.projected.requests} requests, ${Math.round(cost.projected.durationMs / 100) / 10} s.</p>
<ul>${verdicts}</ul>
<h2>t-visibility: P(a single read t ms after the acknowledgement shows the change)</h2>
${curveChart(
  result.operations,
  (operation) => operation.tVisibility,
  (operation) => truthOf(operation)?.tVisibility,
  't-visibility',
)}
<h2>Full visibility: P(the change reached every replica by t) (Kaplan–Meier of the estimate below)</h2>
${curveChart(
  result.operations,
  (operation) => operation.curve,
  (operation) => truthOf(operation)?.fullVisibility,
  'P(fully visible by t)',
)}
${result.truth ? `<p>Dashed: the known truth of ${escapeHtml(result.truth.label)}.</p>` : ''}
<h2>Time to full visibility</h2>
<p>${escapeHtml(FULL_VISIBILITY_TEXT)}</p>
<table><tr><th>change</th><th>trials</th><th>consistent at 0</th><th>p50</th><th>p90</th><th>p99</th><th>p99.9</th><th>max</th><th>laggard share (trials)</th><th>last stale read p50 / p90 (lower bound)</th><th>anomalies</th><th>requests</th></tr>${rows}</table>
<p>Intervals are 95% percentile-bootstrap intervals (${settings.bootstrap.resamples} resamples, seed ${settings.bootstrap.seed}).</p>
<div class="charts">${result.operations.map(histogramChart).join('')}</div>
${examples ? `<h2>Anomaly examples</h2><ul>${examples}</ul>` : ''}
</body></html>
`;
}
