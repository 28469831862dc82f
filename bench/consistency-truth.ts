// Benchmark: does `bench consistency` recover a known truth? For each lag distribution the reference
// server runs as `kvs-conformance serve --consistency eventual --lag overwrite=SPEC --seed 1` and
// `kvs-conformance bench consistency --target URL --ops overwrite` measures it; the table compares
// configured and measured quantiles and gives the KS distance (proof/truth/visibility-truth.ts).
// Also: 3 replicas (anomalies expected) and a strong server. Run: npm run bench:consistency
// (BENCH_TRIALS to change the size). It prints the table and writes its section of bench/RESULTS.md.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConsistencyBenchResult } from '../harness/consistency/consistency-bench-result.ts';
import { lagQuantile, startTruthServer } from '../proof/truth/consistency-truth.ts';
import { runCli } from '../proof/run-cli.ts';
import { truthDistance } from '../proof/truth/visibility-truth.ts';
import { parseLagDistribution } from '../server/index.ts';
import { format, resolveConfig } from 'prettier';
import { RESULTS_FILE, writeResultsSection } from '../proof/write-results-section.ts';

const TRIALS = Number(process.env.BENCH_TRIALS ?? 2000);
const RESOLUTION_MS = 5;
const SEED = 1;

interface Case {
  readonly name: string;
  readonly serve: readonly string[];
  readonly spec?: string;
  readonly readers: number;
  readonly trials: number;
}

const CASES: readonly Case[] = [
  ...[
    ['fixed', 'fixed:40'],
    ['uniform', 'uniform:0:100'],
    ['exponential', 'exponential:30'],
    ['mixture, long tail', 'uniform:0:40@0.9+exponential:300@0.1'],
  ].map(([name = '', spec = '']) => ({
    name,
    spec,
    serve: ['--consistency', 'eventual', '--lag', `overwrite=${spec}`, '--seed', String(SEED)],
    readers: 1,
    trials: TRIALS,
  })),
  {
    name: '3 replicas, uniform',
    serve: [
      '--consistency',
      'eventual',
      '--lag',
      'overwrite=uniform:0:100',
      '--replicas',
      '3',
      '--seed',
      '1',
    ],
    readers: 3,
    trials: Math.ceil(TRIALS / 10),
  },
  { name: 'strong', serve: ['--consistency', 'strong'], readers: 3, trials: Math.ceil(TRIALS / 10) },
];

const out = mkdtempSync(join(tmpdir(), 'kvsc-bench-consistency-'));
const rows: string[] = [];
const fmt = (ms: number | null | undefined) =>
  ms === null || ms === undefined ? '—' : `${Math.round(ms * 10) / 10}`;
try {
  for (const [index, testCase] of CASES.entries()) {
    const server = await startTruthServer(testCase.serve);
    const dir = join(out, String(index));
    const args = [
      'bench',
      'consistency',
      '--target',
      server.url,
      '--ops',
      'overwrite',
      '--trials',
      String(testCase.trials),
      '--readers',
      String(testCase.readers),
      '--resolution',
      String(RESOLUTION_MS),
      '--parallel',
      '4',
      '--max-wait',
      '5000',
      // One replica: a reader that lags answers every read, so 7 reads in a row bound a miss by 1 %.
      ...(testCase.serve.includes('--replicas') ? [] : ['--lag-share', '0.5']),
      '--out',
      dir,
    ];
    const started = performance.now();
    const ran = await runCli(args);
    const wallS = (performance.now() - started) / 1000;
    await server.stop();
    // Exit 1 only says a p99.9 is over the window (10 s here); 2 is a tool error.
    if (ran.code !== 0 && ran.code !== 1)
      throw new Error(`bench consistency exited ${ran.code}: ${ran.stderr}`);
    const result = JSON.parse(readFileSync(join(dir, 'consistency.json'), 'utf8')) as ConsistencyBenchResult;
    const overwrite = result.operations[0];
    if (!overwrite) throw new Error('no overwrite result');
    const lag = testCase.spec ? parseLagDistribution(testCase.spec) : undefined;
    const distance = lag
      ? truthDistance(overwrite.samples, overwrite.lagBoundsMs, lag, RESOLUTION_MS)
      : undefined;
    const configured = lag ? [0.5, 0.9, 0.99].map((p) => fmt(lagQuantile(lag, p))).join(' / ') : '—';
    const q = overwrite.quantiles;
    const anomalies = Object.entries(overwrite.anomalies)
      .filter(([, count]) => count > 0)
      .map(([kind, count]) => `${count} ${kind}`)
      .join(', ');
    rows.push(
      `| ${testCase.name} | \`${testCase.serve.join(' ')}\` | ${testCase.trials} × ${testCase.readers} | ${configured} | ${fmt(q.p50.valueMs)} / ${fmt(q.p90.valueMs)} / ${fmt(q.p99.valueMs)} | ${distance ? distance.ks.toFixed(3) : '—'} | ${distance ? distance.ksFromAck.toFixed(3) : '—'} | ${Math.round(overwrite.consistentAtZero * 1000) / 10}% | ${anomalies || 'none'} | ${RESOLUTION_MS} / ${result.resolution.honestMs} | ${result.cost.requests} | ${wallS.toFixed(1)} |`,
    );
    console.error(rows.at(-1));
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}

const body = [
  `Measured ${new Date().toISOString().slice(0, 10)} on a shared 2-core machine (other jobs running), Node ${process.version}.`,
  `Each row: \`kvs-conformance serve <flags>\` in a child process, then \`kvs-conformance bench consistency --target URL --ops overwrite --trials N --readers R --resolution ${RESOLUTION_MS} --parallel 4 --max-wait 5000\`.`,
  'Quantiles in ms (configured: of the lag distribution; measured: visibility time from the acknowledgement, on the probe grid).',
  "KS: distance of the configured distribution from the band the measurement allows (per trial, the lag since the commit lies between the last probe that missed the change and the first one that saw it, widened by the write's round trip; see proof/truth/visibility-truth.ts); KS from ack: the uncorrected distance of the acknowledgement-based times. Resolution: slot / honest (slot + p99 probe lateness + p99 request latency).",
  '',
  '| case | serve flags | trials × readers | configured p50 / p90 / p99 | measured p50 / p90 / p99 | KS | KS from ack | consistent at 0 | anomalies | resolution ms | requests | wall s |',
  '|---|---|---|---|---|---:|---:|---:|---|---|---:|---:|',
  ...rows,
].join('\n');
console.log(body);
writeResultsSection('consistency-truth', '`bench consistency` against a known truth', body);
// The table's columns are aligned the way `npm run format:check` expects.
const results = readFileSync(RESULTS_FILE, 'utf8');
const options = (await resolveConfig(RESULTS_FILE)) ?? {};
writeFileSync(RESULTS_FILE, await format(results, { ...options, parser: 'markdown' }));
