// How long the built CLI takes to answer --help and --version (the issue asks for ≤ 300 ms), next to
// a bare `node` start. `npm run bench:cli-startup` builds first; `-- --write` records the result.
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeResultsSection } from '../proof/write-results-section.ts';

const { values } = parseArgs({ options: { write: { type: 'boolean' }, runs: { type: 'string' } } });
const RUNS = Number(values.runs ?? 30);
const cli = fileURLToPath(new URL('../bin/kvs-conformance.js', import.meta.url));

/** Wall time of one start of `node …args` to its exit, in ms. */
function once(args: readonly string[]): number {
  const start = process.hrtime.bigint();
  execFileSync(process.execPath, args, { stdio: 'ignore' });
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const percentile = (sorted: readonly number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

const cases: [string, string[]][] = [
  ['`node -e 0` (bare Node start)', ['-e', '0']],
  ['`kvs-conformance --help`', [cli, '--help']],
  ['`kvs-conformance --version`', [cli, '--version']],
  ['`kvs-conformance run --help`', [cli, 'run', '--help']],
];
const rows = cases.map(([name, args]) => {
  once(args); // warm the file cache
  const times = Array.from({ length: RUNS }, () => once(args)).sort((a, b) => a - b);
  return `| ${name} | ${percentile(times, 0).toFixed(0)} | ${percentile(times, 50).toFixed(0)} | ${percentile(times, 90).toFixed(0)} |`;
});
const body = [
  `Command: \`npm run bench:cli-startup\` (${RUNS} starts each, one after another; ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, load average ${loadavg()[0]?.toFixed(1)} on 2 cores shared with other work)`,
  '',
  '| command | min ms | median ms | p90 ms |',
  '| ------- | ------ | --------- | ------ |',
  ...rows,
].join('\n');
console.log(body);
if (values.write) writeResultsSection('cli-startup', 'CLI startup', body);
