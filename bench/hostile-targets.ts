// Wall time and peak memory of the CLI against every hostile target of the table
// (proof/hostile/hostile-cases.ts), one case at a time so the figures are the case's own.
// `npm run bench:hostile` prints the table; `-- --write` also puts it into bench/RESULTS.md.
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { HOSTILE_CASES } from '../proof/hostile/hostile-cases.ts';
import { runHostileCase } from '../proof/hostile/run-hostile-case.ts';
import { tokenHits } from '../proof/hostile/token-hits.ts';
import { writeResultsSection } from '../proof/write-results-section.ts';

const { values } = parseArgs({
  options: { write: { type: 'boolean', default: false }, only: { type: 'string' } },
});

const rows: string[] = [];
for (const testCase of HOSTILE_CASES) {
  if (values.only !== undefined && !testCase.name.includes(values.only)) continue;
  const { run, token } = await runHostileCase(testCase, { measure: true });
  const outputs = new Map([
    ['stdout', run.stdout],
    ['stderr', run.stderr],
    ...[...run.files].map(([name, bytes]) => [name, bytes] as const),
  ]);
  const hits = tokenHits(token, outputs).length;
  const files = ['report.json', 'junit.xml', 'summary.md', 'report.html'].filter((name) =>
    run.files.has(name),
  ).length;
  const row = `| ${testCase.name} | ${testCase.what} | ${run.exit ?? 'signal'} (expected ${testCase.exit}) | ${(run.wallMs / 1000).toFixed(1)} s | ${run.peakRssKb === undefined ? 'n/a' : `${Math.round(run.peakRssKb / 1024)} MiB`} | ${files}/4 | ${hits} |`;
  rows.push(row);
  console.log(row);
}

const table = [
  `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} cores (shared with other jobs; load average about 20), Node ${process.version}: \`npm run bench:hostile -- --write\`. Each case is one CLI run (\`--runs 2 --timeout 3s\`, the rule named in proof/hostile/hostile-cases.ts) against a real misbehaving server on 127.0.0.1; peak RSS is GNU time's maximum resident set of the largest process of the run (the CLI or a test worker). Token bytes: hits of the token (raw, URL-encoded, base64 at any alignment, hex) in stdout, stderr and every written file.`,
  '',
  '| case | behaviour | exit | wall | peak RSS | report files | token bytes found |',
  '|---|---|---|---|---|---|---|',
  ...rows,
].join('\n');
console.log(`\n${table}`);
if (values.write) writeResultsSection('hostile', 'Hostile targets: exit, wall time, peak memory', table);
