import type {
  ConformanceReport,
  ReportFailure,
  ReportRule,
  ReportSequenceStep,
  ReportSource,
} from './conformance-report.ts';
import { describeDrivers } from './describe-drivers.ts';
import { cleanupIssues, verdictHeadline, verdictSlug } from './verdict-headline.ts';

/** Escapes text for HTML content and attributes. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1b1f24;background:#f6f8fa}
header{padding:20px 28px;color:#fff}header.pass{background:#1a7f37}header.warn{background:#9a6700}header.fail{background:#cf222e}header.incomplete{background:#57606a}
header h1{margin:0 0 6px;font-size:22px}header p{margin:2px 0;opacity:.92}
main{padding:8px 28px 40px}section{background:#fff;border:1px solid #d0d7de;border-radius:8px;margin:16px 0;padding:14px 18px}
h2{font-size:17px;margin:4px 0 12px}table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:5px 8px;border-bottom:1px solid #eaeef2;vertical-align:top}
th{background:#f6f8fa;font-weight:600}.v{font-weight:600;border-radius:10px;padding:1px 8px;font-size:12px;white-space:nowrap}
.v-pass{background:#dafbe1;color:#1a7f37}.v-fail{background:#ffebe9;color:#cf222e}.v-skipped{background:#eaeef2;color:#57606a}.v-inconclusive{background:#fff8c5;color:#9a6700}.v-expected-fail{background:#ddf4ff;color:#0969da}.v-unexpectedly-passing{background:#ffebe9;color:#cf222e}
.filters{display:flex;gap:10px;margin-bottom:10px}.filters input,.filters select{padding:5px 8px;border:1px solid #d0d7de;border-radius:6px;font:inherit}
pre,.msg{white-space:pre-wrap}pre{background:#f6f8fa;border:1px solid #d0d7de;border-radius:6px;padding:8px;overflow:auto;white-space:pre-wrap;word-break:break-all;margin:4px 0}
.copy{font:12px system-ui;border:1px solid #d0d7de;background:#fff;border-radius:6px;padding:2px 8px;cursor:pointer;float:right}
details{margin:8px 0;border-left:3px solid #cf222e;padding-left:10px}summary{cursor:pointer;font-weight:600}
.cov td{text-align:center;font-family:ui-monospace,monospace}.cov td:first-child{text-align:left}.ok{background:#dafbe1}.miss{color:#8c959f}.bad{background:#ffebe9;font-weight:700}
.src{margin:4px 0 10px;padding-left:18px}.src li{margin:2px 0}.kind{font-size:11px;color:#57606a;border:1px solid #d0d7de;border-radius:8px;padding:0 6px;margin-right:4px}
a{color:#0969da}header a{color:#fff}#rules td:first-child{white-space:nowrap}.stats{display:flex;gap:18px;flex-wrap:wrap}.stats div{background:#f6f8fa;border-radius:6px;padding:6px 12px}.stats b{display:block;font-size:18px}
`;

const SCRIPT = `
const q=document.getElementById('q'),s=document.getElementById('verdict');
function filter(){const text=q.value.toLowerCase(),v=s.value;for(const row of document.querySelectorAll('#rules tbody tr')){
const show=(!v||row.dataset.verdict===v)&&row.textContent.toLowerCase().includes(text);row.style.display=show?'':'none';}}
q.addEventListener('input',filter);s.addEventListener('change',filter);
for(const b of document.querySelectorAll('button.copy'))b.addEventListener('click',()=>{const t=b.nextElementSibling.textContent;
(navigator.clipboard?navigator.clipboard.writeText(t):Promise.reject()).then(()=>{b.textContent='copied'},()=>{b.textContent='select and copy'});});
`;

/** A source as a link with its locator and statement; an inference names the setting that settles it. */
function sourceItem(source: ReportSource): string {
  const kind = `<span class="kind">${escapeHtml(source.kind)}</span>`;
  if (source.url === null)
    return `<li>${kind}<i>${source.setting ? `open point, profile setting <code>${escapeHtml(source.setting)}</code>` : 'reading of the harness'}</i>: ${escapeHtml(source.quote)}</li>`;
  return `<li>${kind}<a href="${escapeHtml(source.url)}">${escapeHtml(source.title)}</a>${source.locator ? `, ${escapeHtml(source.locator)}` : ''}: ${escapeHtml(source.quote)}</li>`;
}

/** The rule's sentence, a link to its entry in the rules reference and its sources. */
function ruleReference(rule: ReportRule): string {
  return `<p id="contract-${escapeHtml(rule.id.toLowerCase())}"><a href="${escapeHtml(rule.reference)}"><b>${escapeHtml(rule.id)}</b></a> (${rule.level}): ${escapeHtml(rule.rule)} — <a href="${escapeHtml(rule.reference)}">rules reference entry</a></p>
<ul class="src">${rule.sources.map(sourceItem).join('')}</ul>`;
}

const copyable = (text: string): string =>
  `<button class="copy" type="button">copy</button><pre>${escapeHtml(text)}</pre>`;

/** A failing command sequence as a table (step, request, expected by the model, got) and its curl script. */
function sequenceTable(steps: readonly ReportSequenceStep[], curlScript: string): string {
  const rows = steps
    .map(
      (step) =>
        `<tr><td>${step.step}</td><td><code>${escapeHtml(step.command)}</code><br>${step.requests.map((request) => `<code>${escapeHtml(request)}</code>`).join('<br>')}</td><td>${escapeHtml(step.expected)}</td><td>${escapeHtml(step.got)}</td></tr>`,
    )
    .join('');
  return `<p>The shrunk command sequence:</p><table><tr><th>step</th><th>request</th><th>expected by the model</th><th>got</th></tr>${rows}</table>
<p>The sequence as a script:</p>${copyable(curlScript)}`;
}

function failureDetails(rule: ReportRule, failure: ReportFailure): string {
  const exchanges = failure.exchanges
    .map(
      (exchange) =>
        `${copyable(exchange.curl)}<pre>→ ${escapeHtml(String(exchange.status ?? exchange.error ?? ''))} ${escapeHtml(exchange.responseExcerpt.slice(0, 1500))}</pre>`,
    )
    .join('');
  return `<details open><summary>${escapeHtml(failure.ruleId)} in “${escapeHtml(failure.test)}”</summary>
<p class="msg">${escapeHtml(failure.message)}</p>
${failure.counterexample ? `<p>Shrunk counterexample (${failure.shrinks ?? 0} shrinks; seed ${failure.seed ?? '?'}, path <code>${escapeHtml(failure.path ?? '')}</code>):</p><pre>${escapeHtml(failure.counterexample.text)}</pre>` : ''}
${failure.sequence ? sequenceTable(failure.sequence, failure.curlScript ?? '') : ''}
${exchanges ? `<p>Exchanges (token shown as <code>$APIFY_TOKEN</code>):</p>${exchanges}` : ''}
<p>Replay only this failure:</p>${copyable(failure.replay)}
<p class="miss">Rule ${escapeHtml(rule.id)}: ${escapeHtml(rule.rule)} — <a href="${escapeHtml(rule.reference)}">rules reference entry</a> · <a href="#contract-${escapeHtml(rule.id.toLowerCase())}">its sources</a></p></details>`;
}

/** A histogram of the tolerated stale durations as inline SVG (no scripts, no network). */
function staleChart(durations: readonly number[]): string {
  if (durations.length === 0)
    return '<p class="miss">No stale read was observed (every read showed the expected state at once).</p>';
  const max = Math.max(...durations, 1);
  const bins = 12;
  const width = Math.ceil((max + 1) / bins);
  const counts = Array.from(
    { length: bins },
    (_, i) => durations.filter((d) => d >= i * width && d < (i + 1) * width).length,
  );
  const top = Math.max(...counts, 1);
  const bars = counts
    .map((count, i) => {
      const h = Math.round((count / top) * 120);
      return `<rect x="${40 + i * 44}" y="${150 - h}" width="36" height="${h}" fill="#0969da"><title>${i * width}–${(i + 1) * width} ms: ${count}</title></rect><text x="${58 + i * 44}" y="166" font-size="10" text-anchor="middle">${i * width}</text>`;
    })
    .join('');
  return `<svg role="img" aria-label="stale read durations" width="${60 + bins * 44}" height="190" xmlns="http://www.w3.org/2000/svg"><text x="4" y="14" font-size="11">observations</text><line x1="36" y1="150" x2="${40 + bins * 44}" y2="150" stroke="#57606a"/>${bars}<text x="${40 + (bins * 44) / 2}" y="184" font-size="11" text-anchor="middle">ms until the write showed</text></svg>`;
}

/** report.html: one self-contained page — filterable rules, failure details with copyable curl, coverage matrix, consistency chart. */
/** A verdict shown first and in red: a failure, or a declared failure that passed. */
const red = (rule: ReportRule): boolean => rule.verdict === 'fail' || rule.verdict === 'unexpectedly-passing';

export function renderHtmlReport(report: ConformanceReport): string {
  const statuses = [...new Set(report.coverage.flatMap((op) => [...op.documented, ...op.observed]))].sort(
    (a, b) => a - b,
  );
  const rows = [...report.rules]
    .sort((a, b) => Number(red(b)) - Number(red(a)))
    .map(
      (rule) =>
        `<tr data-verdict="${rule.verdict}"><td><a href="${escapeHtml(rule.reference)}"><b>${escapeHtml(rule.id)}</b></a></td><td>${rule.level}</td><td><span class="v v-${rule.verdict}">${rule.verdict}</span></td><td>${escapeHtml(rule.rule)}${rule.reason ? `<br><span class="miss">${escapeHtml(rule.reason)}</span>` : ''}</td><td>${rule.tests.length}</td>${report.requests ? `<td>${rule.requests ?? 0}</td>` : ''}</tr>`,
    )
    .join('\n');
  const failures = report.rules
    .flatMap((rule) => rule.failures.map((failure) => failureDetails(rule, failure)))
    .join('\n');
  const contract = report.rules
    .filter((rule) => rule.verdict === 'fail')
    .map(ruleReference)
    .join('\n');
  const coverage = report.coverage
    .map((op) => {
      const cells = statuses
        .map((status) => {
          const documented = op.documented.includes(status);
          const seen = op.observed.includes(status);
          if (seen && documented) return '<td class="ok" title="observed">✓</td>';
          if (seen) return '<td class="bad" title="observed but not documented">✗</td>';
          return documented ? '<td class="miss" title="documented, not observed">·</td>' : '<td></td>';
        })
        .join('');
      return `<tr><td><code>${op.method} ${escapeHtml(op.path)}</code></td>${cells}</tr>`;
    })
    .join('\n');
  const c = report.consistency;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>kvs-conformance ${report.verdict} — ${escapeHtml(report.target.url)}</title><style>${STYLE}</style></head>
<body>
<header class="${verdictSlug(report.verdict)}"><h1>kvs-conformance: ${escapeHtml(verdictHeadline(report))}</h1>
<p>Target ${escapeHtml(report.target.url)}${report.target.embedded ? ' (embedded reference server)' : ''} · seed ${report.run.seed} · ${report.run.runs} runs per property · ${(report.run.durationMs / 1000).toFixed(1)} s · started ${escapeHtml(report.run.startedAt)}</p>
<p>Drivers: ${escapeHtml(describeDrivers(report.drivers))}</p>${report.requests ? `\n<p>${report.requests.total} requests to the target: ${report.requests.tests} by the tests, ${report.requests.suiteFiles} by the suite files' set-up and clean-up, ${report.requests.runner} by the runner (target check, last cleanup)</p>` : ''}
<p>kvs-conformance ${escapeHtml(report.harness.version)} · spec ${escapeHtml(report.spec.version)} + overlay ${escapeHtml(report.spec.overlay)} (compared against ${escapeHtml(report.spec.comparedAgainst)})${report.run.shard ? ` · shard ${report.run.shard.index}/${report.run.shard.count}` : ''} · <a href="${escapeHtml(report.rulesReference.url)}">rules reference</a> (installed copy: <code>${escapeHtml(report.rulesReference.file)}</code>)</p></header>
<main>
${report.incomplete.length ? `<section id="incomplete"><h2>${report.verdict === 'INCOMPLETE' ? 'Incomplete: what was not checked' : 'Also not checked'}</h2><ul>${report.incomplete.map((why) => `<li>${escapeHtml(why)}</li>`).join('')}</ul></section>` : ''}
${report.runErrors.length ? `<section><h2>Run errors</h2>${report.runErrors.map((e) => `<pre>${escapeHtml(e)}</pre>`).join('')}</section>` : ''}
${report.cleanup && cleanupIssues(report) ? `<section id="cleanup"><h2>Cleanup: ${report.cleanup.left.length} store(s) of this run left on the target (${report.cleanup.created ?? '?'} created, ${report.cleanup.deleted} deleted)</h2>${report.cleanup.problems.map((p) => `<pre>${escapeHtml(p)}</pre>`).join('')}<table><thead><tr><th>store id</th><th>why it is left</th></tr></thead><tbody>${report.cleanup.left.map((store) => `<tr><td><code>${escapeHtml(store.id)}</code></td><td>${escapeHtml(store.reason)}</td></tr>`).join('')}</tbody></table></section>` : ''}${failures ? `<section id="failures"><h2>Failures</h2>${failures}</section>` : ''}
${contract ? `<section id="contract"><h2>What the failed rules rest on</h2><p class="miss">Each rule with the public statements it comes from; the <a href="${escapeHtml(report.rulesReference.url)}">rules reference</a> has every rule, the tests that check it and the faults that fail it.</p>${contract}</section>` : ''}
<section><h2>Rules</h2><div class="filters"><input id="q" type="search" placeholder="filter rules…" aria-label="filter rules">
<select id="verdict" aria-label="verdict"><option value="">all verdicts</option><option>fail</option><option>pass</option><option>skipped</option><option>inconclusive</option><option>expected-fail</option><option>unexpectedly-passing</option></select></div>
<table id="rules"><thead><tr><th>rule</th><th>level</th><th>verdict</th><th>statement</th><th>tests</th>${report.requests ? '<th title="requests sent by the tests citing the rule (a test citing several rules counts for each)">requests</th>' : ''}</tr></thead><tbody>
${rows}
</tbody></table></section>
<section><h2>Spec coverage</h2><p class="miss">✓ observed · documented but not observed ✗ observed but not documented</p>
<table class="cov"><thead><tr><th>operation</th>${statuses.map((s) => `<th>${s}</th>`).join('')}</tr></thead><tbody>
${coverage}
</tbody></table></section>
<section><h2>Consistency</h2><div class="stats"><div><b>${c.observations}</b>observations</div><div><b>${c.fresh}</b>fresh</div><div><b>${c.toleratedStale}</b>stale within window</div><div><b>${c.violations}</b>past the window</div><div><b>${c.p50StaleMs} / ${c.p90StaleMs} / ${c.maxStaleMs} ms</b>p50 / p90 / max stale</div>${c.revertWatches ? `<div><b>${c.revertWatches.watches}</b>revert watches (${c.revertWatches.reads} reads, up to ${c.revertWatches.longestHeldMs} ms)</div><div><b>${c.revertWatches.reverted}</b>reverted</div>` : ''}</div>
${staleChart(c.staleDurationsMs)}</section>
<section><h2>Assumptions</h2><table><thead><tr><th>setting</th><th>value</th><th>meaning</th><th>evidence (why it is open)</th></tr></thead><tbody>
${report.profile.assumptions.map((a) => `<tr><td>${escapeHtml(a.setting)}</td><td><code>${escapeHtml(String(a.value))}</code></td><td>${escapeHtml(a.meaning)}</td><td><a href="${escapeHtml(a.reference)}">${escapeHtml(a.setting)} in the rules reference</a><ul class="src">${a.sources.map(sourceItem).join('')}</ul></td></tr>`).join('\n')}
</tbody></table></section>
</main><script>${SCRIPT}</script></body></html>
`;
}
