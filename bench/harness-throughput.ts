// Benchmark: how close the harness runs to the wire's limit. On one reference server (its own
// process, counting requests at the server), it measures in one sitting:
//   - autocannon on GET of a 100 B record, sequential (1 connection) and with 10 connections;
//   - `kvs-conformance run` at --runs 25, 100 and 1000: wall time, requests counted at the server,
//     request rate while tests run, start-up time (CLI spawn → first request at the server) and
//     peak RSS of the CLI with its vitest workers;
//   - where a run's worker time goes, from V8 CPU profiles of one default run: validation (ajv and
//     the response checks), recording (exchange excerpts, redaction), generation (fast-check and
//     the generators), the HTTP client, waiting on the network (idle) and the rest.
// Run: npm run bench:harness (add -- --write to refresh bench/RESULTS.md). No thresholds here: the
// targets of the speed issue are stated next to the numbers in RESULTS.md.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { writeResultsSection } from '../proof/write-results-section.ts';
import { startCountingServer, type CountingServer } from './start-counting-server.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'bin/kvs-conformance.js');
const TOKEN = 'bench-harness-token';
const LOAD_SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const RUN_SIZES = (process.env.BENCH_RUNS ?? '25,100,1000').split(',').map(Number);
const SEED = 7;

/** The resident set of a process and of all its descendants, in bytes (Linux /proc). */
function treeRss(root: number): { readonly total: number; readonly root: number } {
  const parents = new Map<number, number>();
  const rss = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parents.set(Number(entry), Number(fields[1]));
      rss.set(Number(entry), Number(fields[21]) * 4096);
    } catch {
      // The process ended while we looked.
    }
  }
  let total = 0;
  for (const [pid, bytes] of rss) {
    for (let p: number | undefined = pid; p !== undefined && p > 1; p = parents.get(p)) {
      if (p === root) {
        total += bytes;
        break;
      }
    }
  }
  return { total, root: rss.get(root) ?? 0 };
}

interface RunMeasurement {
  readonly runs: number;
  readonly exitCode: number | null;
  readonly wallMs: number;
  readonly startupMs: number;
  readonly requests: number;
  readonly testRate: number;
  readonly peakRssMb: number;
  /** The CLI process alone (vitest's main side; with the embedded server when it has no target). */
  readonly peakCliMb: number;
}

/** Runs the CLI with `args` and samples its memory: exit code, wall time, peak RSS (tree and CLI alone). */
async function runCli(args: readonly string[], nodeArgs: readonly string[] = []) {
  const out = mkdtempSync(join(tmpdir(), 'kvsc-bench-harness-'));
  const started = Date.now();
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, CLI, 'run', ...args, '--out', out], {
    cwd: ROOT,
    stdio: 'ignore',
  });
  let peak = 0;
  let peakCli = 0;
  const sampler = setInterval(() => {
    if (!child.pid) return;
    const rss = treeRss(child.pid);
    peak = Math.max(peak, rss.total);
    peakCli = Math.max(peakCli, rss.root);
  }, 50);
  const exitCode = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearInterval(sampler);
  return {
    started,
    exitCode,
    wallMs: Date.now() - started,
    peakRssMb: peak / 2 ** 20,
    peakCliMb: peakCli / 2 ** 20,
  };
}

async function measureRun(
  server: CountingServer,
  runs: number,
  nodeArgs: readonly string[] = [],
): Promise<RunMeasurement> {
  await server.command('mark');
  const { started, exitCode, wallMs, peakRssMb, peakCliMb } = await runCli(
    ['--target', server.url, '--token', TOKEN, '--seed', String(SEED), '--runs', String(runs)],
    nodeArgs,
  );
  const [, count = '0', first = '0', second = '0', last = '0'] = (await server.command('count')).split(' ');
  const requests = Number(count);
  return {
    runs,
    exitCode,
    wallMs,
    startupMs: Number(first) - started,
    requests,
    // From the suites' first request (the one after the preflight) to the last.
    testRate: (requests - 1) / Math.max(0.001, (Number(last) - Number(second)) / 1000),
    peakRssMb,
    peakCliMb,
  };
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string };
  readonly children?: readonly number[];
}
interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Stage of a stack, checked from the innermost frame outwards; the first stage found wins. */
const STAGES: readonly [string, (frame: ProfileNode['callFrame']) => boolean][] = [
  [
    'validation (ajv, response checks)',
    (f) =>
      /\/ajv|harness\/contract\/|harness\/checks\//.test(f.url) ||
      (f.url === '' && /^validate\d*$/.test(f.functionName)),
  ],
  [
    'recording (exchanges, redaction)',
    (f) => /harness\/http\/(exchange|redact)|harness\/failures/.test(f.url),
  ],
  ['generation (fast-check, generators)', (f) => /fast-check|\/generators\//.test(f.url)],
  ['HTTP client (undici, sockets)', (f) => /undici|node:net|node:internal\/stream/.test(f.url)],
  ['waiting on the network (idle)', (f) => f.functionName === '(idle)'],
];

function profileShares(dir: string): Map<string, number> {
  const totals = new Map<string, number>();
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
    // Only the vitest workers that ran the suites.
    if (!profile.nodes.some((node) => node.callFrame.url.includes('/suites/'))) continue;
    const byId = new Map(profile.nodes.map((node) => [node.id, node]));
    const parent = new Map<number, number>();
    for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
    const stageOf = new Map<number, string>();
    const classify = (id: number): string => {
      const known = stageOf.get(id);
      if (known) return known;
      let stage = 'other (vitest, module loading, suites)';
      for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
        const frame = byId.get(at)?.callFrame;
        const found = frame && STAGES.find(([, test]) => test(frame));
        if (found) {
          stage = found[0];
          break;
        }
      }
      stageOf.set(id, stage);
      return stage;
    };
    profile.samples.forEach((id, index) => {
      const stage = classify(id);
      totals.set(stage, (totals.get(stage) ?? 0) + (profile.timeDeltas[index] ?? 0));
    });
  }
  return totals;
}

const server = await startCountingServer(TOKEN);
try {
  const created = await fetch(`${server.url}/v2/key-value-stores?name=bench-harness`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  const storeId = ((await created.json()) as { data: { id: string } }).data.id;
  const recordUrl = `${server.url}/v2/key-value-stores/${storeId}/records/small`;
  const headers = { authorization: `Bearer ${TOKEN}` };
  await fetch(recordUrl, { method: 'PUT', body: Buffer.alloc(100, 120), headers });
  const load = (connections: number) =>
    autocannon({ url: recordUrl, connections, duration: LOAD_SECONDS, headers });
  const sequential = await load(1);
  const parallel = await load(10);

  const runs: RunMeasurement[] = [];
  for (const size of RUN_SIZES) runs.push(await measureRun(server, size));
  // The default run a newcomer makes: no target (the embedded reference server), 25 runs.
  const embedded: Awaited<ReturnType<typeof runCli>>[] = [];
  for (let round = 0; round < 3; round += 1) embedded.push(await runCli(['--seed', String(SEED + round)]));
  const embeddedMedian = [...embedded].sort((a, b) => a.wallMs - b.wallMs)[1];

  const profileDir = mkdtempSync(join(tmpdir(), 'kvsc-bench-prof-'));
  // V8 flags pass to the vitest workers (forked with the CLI's execArgv); NODE_OPTIONS may not carry them.
  await measureRun(server, 25, ['--cpu-prof', `--cpu-prof-dir=${profileDir}`]);
  const shares = profileShares(profileDir);
  const profiled = [...shares.values()].reduce((sum, us) => sum + us, 0);

  const base = runs.find((run) => run.runs === 25);
  const hundred = runs.find((run) => run.runs === 100);
  const thousand = runs.find((run) => run.runs === 1000);
  const lines = [
    `Command: \`npm run bench:harness\` (${new Date().toISOString().slice(0, 10)}, Node ${process.version}, 2 cores; the reference server in its own process counts requests at the server; autocannon ${LOAD_SECONDS} s per row on GET of a 100 B record).`,
    '',
    '| load | requests/s |',
    '| --- | --- |',
    `| autocannon, 1 connection (sequential) | ${Math.round(sequential.requests.average)} |`,
    `| autocannon, 10 connections | ${Math.round(parallel.requests.average)} |`,
    ...runs.map(
      (run) =>
        `| kvs-conformance run --runs ${run.runs} (from the suites' first request to the last; exit ${run.exitCode}) | ${Math.round(run.testRate)} |`,
    ),
    '',
    '| --runs | wall s | requests | start-up to first request ms | peak RSS MB (CLI + workers) | of which the CLI process |',
    '| --- | --- | --- | --- | --- | --- |',
    ...runs.map(
      (run) =>
        `| ${run.runs} | ${(run.wallMs / 1000).toFixed(1)} | ${run.requests} | ${run.startupMs} | ${run.peakRssMb.toFixed(0)} | ${run.peakCliMb.toFixed(0)} |`,
    ),
    '',
    `The default run, \`kvs-conformance run\` with no target (the embedded reference server in the CLI process), 3 seeds: wall ${embedded.map((run) => (run.wallMs / 1000).toFixed(1)).join(' s, ')} s (median **${((embeddedMedian?.wallMs ?? 0) / 1000).toFixed(1)} s**, target ≤ 5 s; exit ${embedded.map((run) => run.exitCode).join(', ')}); peak RSS ${embedded.map((run) => run.peakRssMb.toFixed(0)).join(', ')} MB (CLI with the server: ${embedded.map((run) => run.peakCliMb.toFixed(0)).join(', ')} MB).`,
    '',
    `Harness rate / sequential autocannon: **${base ? (base.testRate / sequential.requests.average).toFixed(2) : '—'}** (target ≥ 0.6).` +
      (hundred && thousand
        ? ` wall(1000 runs) / wall(100 runs): **${(thousand.wallMs / hundred.wallMs).toFixed(1)}** (target ≤ 10).`
        : ''),
    '',
    'Where the suite workers spend their time (V8 CPU profile of one `--runs 25` run, inclusive by stage):',
    '',
    '| stage | share |',
    '| --- | --- |',
    ...[...shares.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([stage, us]) => `| ${stage} | ${((100 * us) / profiled).toFixed(1)} % |`),
  ];
  const body = lines.join('\n');
  console.log(body);
  if (process.argv.includes('--write'))
    writeResultsSection('harness', 'Harness throughput (the harness near the wire)', body);
} finally {
  server.stop();
}
