// Benchmark: what a run costs on this machine, against the targets of the speed issue (#28). In one
// sitting, for this build and optionally for another build of kvs-conformance (`--before <dir>`: a
// built copy, e.g. `main` before a change; `--after <dir>` measures a copy in place of this tree),
// interleaved round by round, it measures:
//   - the default run (`kvs-conformance run`, no target: the embedded reference server): wall, CPU
//     of the whole process tree (user + system of the CLI and every process it waited for), peak
//     RSS of the tree (the sum over its processes, sampled every 50 ms), requests counted at the
//     server (a preloaded diagnostics-channel counter), and time from spawn to the first request;
//   - a tight property (`--rule KVS-RECORD-001 --runs 2000`) against a counting reference server
//     in its own process, its request rate next to a bare undici loop (PUT then GET of a small
//     record, one connection, sequential) on the same server in the same round; CPU per request
//     of each client side (the CLI's process tree, the loop's own process), and the rate of the
//     round-trip property alone (the KVS-RECORD-001/002 test: its requests over its duration, from
//     the run's report; the rule's other tests, the stateful suite above all, send most requests);
//   - the peak RSS of a run at 25 and at 1,000 runs per property (`--runs 1000`).
// Medians over the rounds; the load average is printed next to each figure, since the machine may
// be shared. Run: npm run bench:run (after a build; `-- --before /tmp/main-copy`, `-- --rounds 5`,
// `-- --write` to refresh bench/RESULTS.md). No thresholds here: RESULTS.md states the targets.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Client } from 'undici';
import { writeResultsSection } from '../proof/write-results-section.ts';
import { startCountingServer } from './start-counting-server.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TOKEN = 'bench-run-footprint-token';
const { values } = parseArgs({
  options: {
    before: { type: 'string' },
    after: { type: 'string' },
    'memory-suite': { type: 'string' },
    'tight-runs': { type: 'string' },
    build: { type: 'string', multiple: true },
    only: { type: 'string' },
    rounds: { type: 'string' },
    'long-rounds': { type: 'string' },
    'loop-seconds': { type: 'string' },
    write: { type: 'boolean' },
  },
});
const ROUNDS = Number(values.rounds ?? 3);
const LONG_ROUNDS = Number(values['long-rounds'] ?? 1);
const LOOP_SECONDS = Number(values['loop-seconds'] ?? 3);
/** Runs of the tight property (`--tight-runs`, default 2000). */
const TIGHT_RUNS = values['tight-runs'] ?? '2000';

/** A build of kvs-conformance to measure: its label and its bin script. */
interface Build {
  readonly label: string;
  readonly cli: string;
}
const buildAt = (label: string, dir: string): Build => ({
  label,
  cli: join(resolve(dir), 'bin/kvs-conformance.js'),
});
const builds: Build[] = [
  ...(values.before ? [buildAt('before', values.before)] : []),
  // `--build label=dir`: more builds to compare (e.g. experiments on copies).
  ...(values.build ?? []).map((given) =>
    buildAt(given.split('=')[0] ?? given, given.split('=').slice(1).join('=')),
  ),
  buildAt(values.before ? 'after' : 'this build', values.after ?? ROOT),
];
/** The parts to measure (`--only default,tight,memory`): all by default. */
const parts = new Set((values.only ?? 'default,tight,memory').split(','));

/**
 * Preloaded into the measured processes: counts the requests their HTTP servers receive and, at
 * exit, writes `<pid> <count> <first> <second> <last>` (epoch ms) into BENCH_COUNT_DIR.
 */
const COUNTER = `data:text/javascript,${encodeURIComponent(`
import { subscribe } from 'node:diagnostics_channel';
import { writeFileSync } from 'node:fs';
const dir = process.env.BENCH_COUNT_DIR;
if (dir) {
  let count = 0, first = 0, second = 0, last = 0, cpu = 0;
  subscribe('http.server.request.start', () => {
    const now = Date.now();
    if (count === 0) {
      first = now;
      const used = process.cpuUsage();
      cpu = (used.user + used.system) / 1000;
    }
    if (count === 1) second = now;
    last = now;
    count += 1;
  });
  process.on('exit', () => {
    if (count > 0) writeFileSync(dir + '/' + process.pid + '.count', [count, first, second, last, cpu].join(' '));
  });
}`)}`;

const CLOCK_TICKS_PER_SECOND = 100;

/** User + system CPU of this process's waited-for descendants, in ms (/proc/self/stat cutime + cstime). */
function childrenCpuMs(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[13]) + Number(fields[14])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** The resident set of a process and of all its descendants, in bytes (Linux /proc). */
function treeRss(root: number): number {
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
  return total;
}

/** One measured run of the CLI. */
interface RunMeasurement {
  readonly exitCode: number | null;
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly peakRssMb: number;
  readonly requests: number;
  readonly firstRequestMs: number;
  /** CPU the process serving the first request had used by then (the CLI, before any suite runs). */
  readonly firstRequestCpuMs: number;
  /** Requests per second from the second request counted to the last (the first is the preflight). */
  readonly rate: number;
  readonly load: number;
  /** The round-trip property's test (KVS-RECORD-001 KVS-RECORD-002 …) in the run's report, if it ran. */
  readonly roundTrip: { readonly requests: number; readonly durationMs: number } | undefined;
}

/** The round-trip property's requests and duration, from a run's report.json (undefined when absent). */
function roundTripOf(out: string): RunMeasurement['roundTrip'] {
  try {
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as {
      rules: { tests?: { title: string; requests?: number; durationMs: number }[] }[];
    };
    const test = report.rules
      .flatMap((rule) => rule.tests ?? [])
      .find((candidate) => candidate.title.startsWith('KVS-RECORD-001 KVS-RECORD-002 '));
    return test?.requests === undefined
      ? undefined
      : { requests: test.requests, durationMs: test.durationMs };
  } catch {
    return undefined;
  }
}

/** Runs `kvs-conformance run …args` of a build, measuring it (see RunMeasurement). */
async function measureRun(build: Build, args: readonly string[]): Promise<RunMeasurement> {
  const out = mkdtempSync(join(tmpdir(), 'kvsc-bench-run-'));
  const countDir = mkdtempSync(join(tmpdir(), 'kvsc-bench-count-'));
  const load = loadavg()[0] ?? 0;
  const cpuBefore = childrenCpuMs();
  const started = Date.now();
  const child = spawn(process.execPath, [`--import=${COUNTER}`, build.cli, 'run', ...args, '--out', out], {
    cwd: tmpdir(),
    stdio: 'ignore',
    env: { ...process.env, BENCH_COUNT_DIR: countDir },
  });
  let peak = 0;
  const sampler = setInterval(() => {
    if (child.pid) peak = Math.max(peak, treeRss(child.pid));
  }, 50);
  const exitCode = await new Promise<number | null>((done) => child.once('exit', done));
  const wallMs = Date.now() - started;
  clearInterval(sampler);
  const cpuMs = childrenCpuMs() - cpuBefore;
  const counts = readdirSync(countDir).map((file) =>
    readFileSync(join(countDir, file), 'utf8').split(' ').map(Number),
  );
  const roundTrip = roundTripOf(out);
  rmSync(out, { recursive: true, force: true });
  rmSync(countDir, { recursive: true, force: true });
  const requests = counts.reduce((sum, [count = 0]) => sum + count, 0);
  const first = Math.min(...counts.map(([, at = Infinity]) => at));
  const second = Math.min(...counts.map(([, , at = Infinity]) => at));
  const last = Math.max(...counts.map(([, , , at = 0]) => at));
  const firstCpu = counts.find(([, at]) => at === first)?.[4] ?? NaN;
  return {
    exitCode,
    wallMs,
    cpuMs,
    peakRssMb: peak / 2 ** 20,
    requests,
    firstRequestMs: first - started,
    firstRequestCpuMs: firstCpu,
    rate: (requests - 1) / Math.max(0.001, (last - second) / 1000),
    load,
    roundTrip,
  };
}

/**
 * A bare undici loop on the server: one connection, sequential, PUT then GET of a 100 B record under
 * a new key each time (the shape of KVS-RECORD-001's cases, with no checks), for LOOP_SECONDS.
 * Returns requests per second.
 */
async function bareUndiciRate(url: string): Promise<{ rate: number; cpuUsPerRequest: number }> {
  const headers = { authorization: `Bearer ${TOKEN}` };
  const client = new Client(url);
  try {
    const created = await client.request({
      method: 'POST',
      path: '/v2/key-value-stores?name=bench-run-footprint-loop',
      headers,
    });
    const storeId = ((await created.body.json()) as { data: { id: string } }).data.id;
    const value = Buffer.alloc(100, 120);
    const until = Date.now() + LOOP_SECONDS * 1000;
    const started = Date.now();
    const cpuBefore = process.cpuUsage();
    let requests = 0;
    for (let index = 0; Date.now() < until; index += 1) {
      const path = `/v2/key-value-stores/${storeId}/records/k${index}`;
      const put = await client.request({
        method: 'PUT',
        path,
        headers: { ...headers, 'content-type': 'application/octet-stream' },
        body: value,
      });
      await put.body.dump();
      const get = await client.request({ method: 'GET', path, headers });
      await get.body.arrayBuffer();
      requests += 2;
    }
    const rate = requests / ((Date.now() - started) / 1000);
    const cpu = process.cpuUsage(cpuBefore);
    const cpuUsPerRequest = (cpu.user + cpu.system) / requests;
    await (
      await client.request({ method: 'DELETE', path: `/v2/key-value-stores/${storeId}`, headers })
    ).body.dump();
    return { rate, cpuUsPerRequest };
  } finally {
    await client.close();
  }
}

const median = (numbers: readonly number[]): number => {
  const sorted = [...numbers].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? NaN)
    : ((sorted[middle - 1] ?? NaN) + (sorted[middle] ?? NaN)) / 2;
};

interface BuildResults {
  readonly defaults: RunMeasurement[];
  readonly tight: RunMeasurement[];
  readonly bare: { readonly rate: number; readonly cpuUsPerRequest: number; readonly load: number }[];
  readonly runs25: RunMeasurement[];
  readonly runs1000: RunMeasurement[];
}
const results = new Map<Build, BuildResults>(
  builds.map((build) => [build, { defaults: [], tight: [], bare: [], runs25: [], runs1000: [] }]),
);
const progress = (text: string): void => void process.stderr.write(`${text}\n`);
const resultsOf = (build: Build): BuildResults => results.get(build) as BuildResults;

for (let round = 0; round < (parts.has('default') ? ROUNDS : 0); round += 1) {
  for (const build of builds) {
    const measured = await measureRun(build, ['--seed', String(7 + round)]);
    resultsOf(build).defaults.push(measured);
    progress(`${build.label} default run ${round + 1}: ${JSON.stringify(measured)}`);
  }
}
const server = await startCountingServer(TOKEN);
try {
  const target = ['--target', server.url, '--token', TOKEN];
  for (let round = 0; round < (parts.has('tight') ? ROUNDS : 0); round += 1) {
    for (const build of builds) {
      // The CLI runs on the counting server: its requests are counted there, not by the preload.
      await server.command('mark');
      const measured = await measureRun(build, [...target, '--rule', 'KVS-RECORD-001', '--runs', TIGHT_RUNS]);
      const [, count = '0', , second = '0', last = '0'] = (await server.command('count')).split(' ');
      const requests = Number(count);
      const rate = (requests - 1) / Math.max(0.001, (Number(last) - Number(second)) / 1000);
      resultsOf(build).tight.push({ ...measured, requests, rate });
      const load = loadavg()[0] ?? 0;
      resultsOf(build).bare.push({ ...(await bareUndiciRate(server.url)), load });
      progress(
        `${build.label} tight property ${round + 1}: ${rate.toFixed(0)}/s, ${((measured.cpuMs * 1000) / requests).toFixed(0)} µs CPU/request, round trip ${JSON.stringify(measured.roundTrip)}; bare ${resultsOf(build).bare.at(-1)?.rate.toFixed(0)}/s, ${resultsOf(build).bare.at(-1)?.cpuUsPerRequest.toFixed(0)} µs CPU/request`,
      );
    }
  }
} finally {
  server.stop();
}
for (let round = 0; round < (parts.has('memory') ? LONG_ROUNDS : 0); round += 1) {
  for (const build of builds) {
    for (const [runs, list] of [
      [25, resultsOf(build).runs25],
      [1000, resultsOf(build).runs1000],
    ] as const) {
      const measured = await measureRun(build, [
        '--seed',
        String(7 + round),
        '--runs',
        String(runs),
        // `--memory-suite AREA`: the pair on one rule area only, when a whole run at 1,000 is too long.
        ...(values['memory-suite'] ? ['--suite', values['memory-suite']] : []),
      ]);
      list.push(measured);
      progress(`${build.label} --runs ${runs}: ${JSON.stringify(measured)}`);
    }
  }
}

/** `median (load a–b)` of a list of measurements. */
const cell = (
  list: readonly { readonly load: number }[],
  pick: (item: never) => number,
  digits: number,
): string => {
  if (list.length === 0) return '—';
  const numbers = list.map((item) => pick(item as never));
  const loads = list.map((item) => item.load);
  return `${median(numbers).toFixed(digits)} (load ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)})`;
};
const rows: [string, string, (b: BuildResults) => string][] = [
  ['default run: wall s', '≤ 5', (b) => cell(b.defaults, (m: RunMeasurement) => m.wallMs / 1000, 1)],
  [
    'default run: CPU of the process tree s',
    '≤ 6',
    (b) => cell(b.defaults, (m: RunMeasurement) => m.cpuMs / 1000, 1),
  ],
  [
    'default run: peak RSS of the tree MB',
    '≤ 250',
    (b) => cell(b.defaults, (m: RunMeasurement) => m.peakRssMb, 0),
  ],
  ['default run: requests at the server', '—', (b) => cell(b.defaults, (m: RunMeasurement) => m.requests, 0)],
  [
    'default run: spawn to first request s',
    '≤ 0.5',
    (b) => cell(b.defaults, (m: RunMeasurement) => m.firstRequestMs / 1000, 2),
  ],
  [
    'default run: CPU of the CLI by its first request s (load-proof)',
    '—',
    (b) => cell(b.defaults, (m: RunMeasurement) => m.firstRequestCpuMs / 1000, 2),
  ],
  [
    `tight property (KVS-RECORD-001, ${TIGHT_RUNS} runs): requests/s`,
    '—',
    (b) => cell(b.tight, (m: RunMeasurement) => m.rate, 0),
  ],
  ['bare undici loop, same server: requests/s', '—', (b) => cell(b.bare, (m: { rate: number }) => m.rate, 0)],
  [
    'tight property / bare undici',
    '≥ 0.5',
    (b) =>
      b.tight.length === 0
        ? '—'
        : median(b.tight.map((m, index) => m.rate / (b.bare[index]?.rate ?? NaN))).toFixed(2),
  ],
  [
    'tight property: CPU of the CLI tree per request µs',
    '—',
    (b) => cell(b.tight, (m: RunMeasurement) => (m.cpuMs * 1000) / m.requests, 0),
  ],
  [
    'bare undici loop: CPU of its process per request µs',
    '—',
    (b) => cell(b.bare, (m: { cpuUsPerRequest: number }) => m.cpuUsPerRequest, 0),
  ],
  [
    'round-trip property alone (its test in the report): requests/s',
    '—',
    (b) =>
      cell(
        b.tight.filter((m) => m.roundTrip !== undefined),
        (m: RunMeasurement) => ((m.roundTrip?.requests ?? NaN) * 1000) / (m.roundTrip?.durationMs ?? NaN),
        0,
      ),
  ],
  [
    'round-trip property / bare undici',
    '—',
    (b) =>
      b.tight.length === 0
        ? '—'
        : median(
            b.tight.map(
              (m, index) =>
                ((m.roundTrip?.requests ?? NaN) * 1000) /
                (m.roundTrip?.durationMs ?? NaN) /
                (b.bare[index]?.rate ?? NaN),
            ),
          ).toFixed(2),
  ],
  ['--runs 25: peak RSS of the tree MB', '—', (b) => cell(b.runs25, (m: RunMeasurement) => m.peakRssMb, 0)],
  [
    '--runs 1000: peak RSS of the tree MB',
    'flat',
    (b) => cell(b.runs1000, (m: RunMeasurement) => m.peakRssMb, 0),
  ],
  ['--runs 1000: wall s', '—', (b) => cell(b.runs1000, (m: RunMeasurement) => m.wallMs / 1000, 1)],
];
const exitCodes = builds
  .map((build) => {
    const b = resultsOf(build);
    return `${build.label}: ${[...b.defaults, ...b.tight, ...b.runs25, ...b.runs1000].map((m) => m.exitCode).join(' ')}`;
  })
  .join('; ');
const body = [
  `Command: \`npm run bench:run${values.before ? ' -- --before <copy of main>' : ''}\` (${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, Node ${process.version}, 2 cores; medians of ${ROUNDS} rounds, ${LONG_ROUNDS} for the --runs 25/1000 pair${values['memory-suite'] ? ` (--suite ${values['memory-suite']})` : ' (whole runs)'}; builds interleaved; load = 1-minute load average at each start).`,
  '',
  `| measure | target | ${builds.map((build) => build.label).join(' | ')} |`,
  `| --- | --- | ${builds.map(() => '---').join(' | ')} |`,
  ...rows.map(
    ([name, target, pick]) =>
      `| ${name} | ${target} | ${builds.map((build) => pick(resultsOf(build))).join(' | ')} |`,
  ),
  '',
  `Exit codes (default runs, tight properties, --runs 25, --runs 1000): ${exitCodes}.`,
].join('\n');
console.log(body);
if (values.write)
  writeResultsSection('run-footprint', 'A run’s footprint (wall, CPU, memory, requests, start-up)', body);
