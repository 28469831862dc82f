// Benchmark: does `bench consistency` recover the closed-form truth of a replicated store? The
// reference server runs in this process with proof/truth/replicated-store.ts as its consistency model
// (N replicas, each change reaching each after an independent exponential lag of mean 150 ms, reads
// and listings routed at random, stale arrivals ignored), and `runConsistencyBench` measures new
// key, overwrite, delete, list add and list remove. The store keeps every change's commit and
// arrival times, so each trial is compared with what really happened to it, counted from its own
// acknowledgement (proof/truth/trial-truth.ts): p50/p90 of the time to full visibility and both
// curves at 100 and 400 ms, next to the closed form counted from the commit (F(t)^N, F(t)), and
// how often the per-trial bounds held. It counts the trials without a time and why. Run: npm run bench:replicated (BENCH_TRIALS to change the
// size). It prints the table and writes its section of bench/RESULTS.md; consistency.json and .html
// (with the truth dashed over the curves) go to BENCH_OUT when set.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { format, resolveConfig } from 'prettier';
import type {
  ConsistencyBenchResult,
  OperationVisibility,
} from '../harness/consistency/consistency-bench-result.ts';
import type { ConsistencyOperation } from '../harness/consistency/consistency-operation.ts';
import { runConsistencyBench } from '../runner/run-consistency-bench.ts';
import { DEFAULT_STOPPING_RULE } from '../harness/consistency/stopping-rule.ts';
import { loadContract } from '../harness/contract/load-contract.ts';
import { newRunPrefix } from '../harness/isolation/run-namespace.ts';
import { ReplicatedStore, replicatedTruth, type ReplicaLag } from '../proof/truth/replicated-store.ts';
import { trialTruth, truthFromAcknowledgement, type TrialTruth } from '../proof/truth/trial-truth.ts';
import type { VisibilityTrial } from '../harness/consistency/visibility-trial.ts';
import { writeConsistencyFiles } from '../reports/index.ts';
import { fullVisibilityAt, perReadAt, tVisibilityAt } from '../reports/render-consistency-markdown.ts';
import { startServer } from '../server/index.ts';
import { RESULTS_FILE, writeResultsSection } from '../proof/write-results-section.ts';

const TRIALS = Number(process.env.BENCH_TRIALS ?? 200);
const RESOLUTION_MS = 10;
const LAG = { kind: 'exponential', meanMs: 150 } as const;
const OPERATIONS: ConsistencyOperation[] = [
  'new-key',
  'overwrite',
  'versions',
  'delete',
  'list-add',
  'list-remove',
];
const VERSIONS = 4;
/**
 * The stores measured: N = 1 and 3 with exponential lags and no replica at the commit, and the
 * shape of #26's stranger's store (session 7): log-normal lags (median 120 ms, σ 0.6), with three
 * replicas one of which takes the change at the commit (a leader applying it before acknowledging).
 */
const LOGNORMAL = { kind: 'lognormal', medianMs: 120, sigma: 0.6 } as const;
const STORES: readonly {
  readonly replicas: number;
  readonly lag: ReplicaLag;
  readonly atCommit: number;
  readonly label: string;
  readonly operations: readonly ConsistencyOperation[];
}[] = [
  { replicas: 1, lag: LAG, atCommit: 0, label: 'exponential lag mean 150 ms', operations: OPERATIONS },
  { replicas: 3, lag: LAG, atCommit: 0, label: 'exponential lag mean 150 ms', operations: OPERATIONS },
  {
    replicas: 1,
    lag: LOGNORMAL,
    atCommit: 0,
    label: 'log-normal lag median 120 ms σ 0.6',
    operations: ['new-key', 'overwrite', 'delete'],
  },
  {
    replicas: 3,
    lag: LOGNORMAL,
    atCommit: 1,
    label: 'log-normal lag median 120 ms σ 0.6, one replica at the commit',
    operations: ['new-key', 'overwrite', 'delete'],
  },
];

const contract = await loadContract();
const loadAtStart = loadavg()[0] ?? 0;
const scratch = mkdtempSync(join(tmpdir(), 'kvsc-bench-replicated-'));
const rows: string[] = [];
const censoredRows: string[] = [];
const fmt = (value: number | null | undefined) =>
  value === null || value === undefined ? '—' : `${Math.round(value)}`;
const costRows: string[] = [];
const kRows: string[] = [];
const boundRows: string[] = [];
const sessionRows: string[] = [];
try {
  for (const { replicas, lag, atCommit, label, operations } of STORES) {
    const truth = replicatedTruth({ replicas, lag, atCommit });
    // The table's first column: N, and for the log-normal stores "ln" and the replicas at the commit.
    const shape =
      lag.kind === 'exponential'
        ? `${replicas}`
        : `${replicas} ln${atCommit > 0 ? `, ${atCommit} at commit` : ''}`;
    const store = new ReplicatedStore({
      replicas,
      lag,
      atCommit,
      repair: 'versioned',
      seed: replicas,
      keepHistory: true,
    });
    const server = await startServer({ consistencyModel: store });
    const prefix = newRunPrefix();
    const judged = new Map<ConsistencyOperation, { trial: VisibilityTrial; truth: TrialTruth }[]>();
    let result: ConsistencyBenchResult;
    try {
      result = await runConsistencyBench(contract, {
        targetUrl: server.url,
        token: undefined,
        targetLabel: `replicated store, ${replicas} replica(s), ${label}`,
        prefix,
        journalFile: join(scratch, `${prefix}.jsonl`),
        timeoutMs: 30_000,
        trials: TRIALS,
        readers: 3,
        resolutionMs: RESOLUTION_MS,
        maxWaitMs: 10_000,
        windowMs: 10_000,
        settleMs: 300,
        stopping: DEFAULT_STOPPING_RULE,
        parallel: 8,
        operations: [...operations],
        versions: VERSIONS,
        onTrial: ({ operation, name, trial }) => {
          const truth = trialTruth(store.changesOf(name), trial);
          if (truth) judged.set(operation, [...(judged.get(operation) ?? []), { trial, truth }]);
        },
      });
    } finally {
      await server.close();
    }
    const grid = Array.from({ length: 121 }, (_, index) => index * RESOLUTION_MS);
    const withTruth: ConsistencyBenchResult = {
      ...result,
      truth: {
        label: `the replicated store (N = ${replicas}, ${label})`,
        operations: operations.map((operation) => ({
          operation,
          tVisibility: grid.map((tMs) => ({ tMs, p: truth.tVisibility(tMs) })),
          fullVisibility: grid.map((tMs) => ({ tMs, p: truth.fullVisibility(tMs) })),
        })),
      },
    };
    if (process.env.BENCH_OUT) {
      const dir = join(process.env.BENCH_OUT, `n${replicas}-${lag.kind}`);
      mkdirSync(dir, { recursive: true });
      writeConsistencyFiles(withTruth, dir);
    }
    const measured = (operation: OperationVisibility) => operation.quantiles;
    for (const operation of result.operations) {
      const q = measured(operation);
      // Measured / true for these trials from their acknowledgements (closed form from the commit).
      const real = truthFromAcknowledgement(judged.get(operation.operation) ?? [], DEFAULT_STOPPING_RULE);
      const pair = (measuredCell: string, fromAck: number, closed: number, digits: number) =>
        `${measuredCell} / ${digits === 0 ? Math.round(fromAck) : fromAck.toFixed(digits)} (${digits === 0 ? Math.round(closed) : closed.toFixed(digits)})`;
      const lower = operation.fullVisibility.lowerBound;
      rows.push(
        `| ${shape} | ${operation.operation} | ${pair(fmt(q.p50.valueMs), real.fullQuantile(0.5), truth.fullQuantile(0.5), 0)} | ${pair(fmt(q.p90.valueMs), real.fullQuantile(0.9), truth.fullQuantile(0.9), 0)} | ${pair(tVisibilityAt(operation, 100), real.tVisibility(100), truth.tVisibility(100), 2)} | ${pair(tVisibilityAt(operation, 400), real.tVisibility(400), truth.tVisibility(400), 2)} | ${pair(fullVisibilityAt(operation, 100), real.fullVisibility(100), truth.fullVisibility(100), 2)} | ${pair(fullVisibilityAt(operation, 400), real.fullVisibility(400), truth.fullVisibility(400), 2)} | ${operation.fullVisibility.laggardShare} | ${fmt(lower.quantiles.p50.valueMs)} / ${fmt(lower.quantiles.p90.valueMs)} |`,
      );
      const errors = real.errorsMs;
      boundRows.push(
        `| ${shape} | ${operation.operation} | ${real.trials} | ${real.belowLower} | ${real.aboveUpper} | ${real.shareBelow.toFixed(2)} (${real.midpointShareBelow.toFixed(2)}) | ${errors.length === 0 ? '—' : Math.round(errors[Math.floor(errors.length / 2)] ?? 0)} | ${errors.length === 0 ? '—' : `${Math.round(errors[Math.floor(errors.length * 0.05)] ?? 0)} … ${Math.round(errors[Math.floor(errors.length * 0.95)] ?? 0)}`} | ${real.ackDelayMs.toFixed(1)} |`,
      );
      const censored = Object.entries(operation.censored)
        .filter(([, count]) => count > 0)
        .map(([reason, count]) => `${count} ${reason}`)
        .join(', ');
      const anomalies = Object.entries(operation.anomalies)
        .filter(([, count]) => count > 0)
        .map(([kind, count]) => `${count} ${kind}`)
        .join(', ');
      censoredRows.push(
        `| ${shape} | ${operation.operation} | ${operation.trials} | ${censored || '0'} | ${anomalies || 'none'} | ${operation.reads} |`,
      );
      console.error(rows.at(-1));
      // The versions were committed one write's round trip apart (the trial's write time covers K − 1 writes).
      const spacingMs = operation.writeLatency.p50Ms / (VERSIONS - 1);
      for (const { k, curve } of operation.kStaleness ?? []) {
        kRows.push(
          `| ${shape} | ${k} | ${perReadAt(curve, 100)} / ${truth.kStaleness(k, 100).toFixed(2)} (${truth.kStaleness(k, 100, spacingMs).toFixed(2)}) | ${perReadAt(curve, 400)} / ${truth.kStaleness(k, 400).toFixed(2)} (${truth.kStaleness(k, 400, spacingMs).toFixed(2)}) | ${spacingMs.toFixed(1)} |`,
        );
      }
    }
    costRows.push(
      `| ${shape} | ${result.cost.projected.requests} | ${result.cost.requests} | ${Math.round((result.cost.projected.requests / result.cost.requests - 1) * 100)}% | ${(result.cost.projected.durationMs / 1000).toFixed(1)} | ${(result.cost.durationMs / 1000).toFixed(1)} | ${Math.round((result.cost.projected.durationMs / result.cost.durationMs - 1) * 100)}% |`,
    );
  }
  // Session guarantees with sticky readers (one keep-alive connection each), against the store
  // routing by connection and per request: the truth is that sessions read monotonically and read
  // their own writes with sticky routing, and neither holds with random routing.
  for (const routing of ['sticky', 'random'] as const) {
    const server = await startServer({
      consistencyModel: new ReplicatedStore({ replicas: 3, lag: LAG, repair: 'versioned', routing, seed: 7 }),
    });
    const prefix = newRunPrefix();
    try {
      const result = await runConsistencyBench(contract, {
        targetUrl: server.url,
        token: undefined,
        targetLabel: `replicated store, 3 replicas, ${routing} routing`,
        prefix,
        journalFile: join(scratch, `${prefix}.jsonl`),
        timeoutMs: 30_000,
        trials: Math.min(TRIALS, 50),
        readers: 3,
        resolutionMs: RESOLUTION_MS,
        maxWaitMs: 10_000,
        windowMs: 10_000,
        settleMs: 300,
        stopping: DEFAULT_STOPPING_RULE,
        parallel: 8,
        operations: ['overwrite', 'versions'],
        versions: VERSIONS,
        stickyReaders: true,
      });
      for (const operation of result.operations) {
        const sessions = operation.sessions;
        if (!sessions) continue;
        sessionRows.push(
          `| ${routing} | ${operation.operation} | ${sessions.monotonicReadsBroken} of ${sessions.sessions} | ${sessions.readYourWritesBroken} of ${sessions.writerSessions} | ${operation.anomalies['cross-reader-non-monotonic']} of ${operation.trials} |`,
        );
      }
    } finally {
      await server.close();
    }
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

const body = [
  `Measured ${new Date().toISOString().slice(0, 10)} on a shared 2-core machine (other jobs running; 1-minute load average ${loadAtStart.toFixed(1)} at the start, ${loadavg()[0]?.toFixed(1)} at the end), Node ${process.version}: \`npm run bench:replicated\` (${TRIALS} trials per kind of change, 3 readers, ${RESOLUTION_MS} ms slots, settle 300 ms, stopping rule: miss ≤ 0.01 for a laggard answering ≥ 10 % of reads).`,
  'The target: the reference server with proof/truth/replicated-store.ts (N replicas, exponential lag mean 150 ms per replica, random routing, stale arrivals ignored; rows “ln”: log-normal lag, median 120 ms, σ 0.6, and with “1 at commit” one of the three replicas takes the change at its commit, t-visibility 1/3 + 2/3 F(t), full visibility F(t)²), keeping every change’s commit and arrival times. True: what really happened to these trials, counted like the measurement from each trial’s acknowledgement (proof/truth/trial-truth.ts); in brackets the closed form counted from the commit, t-visibility F(t) = 1 − e^(−t/150), full visibility F(t)^N (the acknowledgement comes back after the commit, so the truth from the acknowledgement reads a little higher on a loaded machine).',
  'Convention: a read is placed where it was actually sent and answered; a stale read says the change was not visible at its send time, a read that saw it says it was visible by its answer time. t-visibility places each read at the middle of its round trip (off by at most half a round trip). An answer (the acknowledgement too) counts from its status line. A trial’s time to full visibility (harness/consistency/full-visibility-estimate.ts) is the median of where the change reached the last replica given its reads: after the last stale read took effect, each later read that showed the change having missed a still lagging replica with chance 1 − q̂ (q̂ = 1/N̂, N̂ the randomly routed replicas the trials’ reads show, harness/consistency/replica-lag-model.ts; q̂ = 1: no correction); each read placed uniformly within its round trip. Beside it the uncorrected last stale read’s send time, a sure lower bound.',
  '',
  '| N | change | p50 measured / true (closed) ms | p90 measured / true (closed) ms | t-vis 100 ms measured (95%) / true (closed) | t-vis 400 ms | full 100 ms measured / true (closed) | full 400 ms | laggard share q̂ | last stale read p50 / p90 ms (lower bound) |',
  '|---|---|---|---|---|---|---|---|---:|---|',
  ...rows,
  '',
  'Per trial, measured against the store’s record: the true time was after the last stale read’s send time (a sure claim: must never fail) and at most the estimate’s upper end (sure with one replica; with three, within the stopping rule’s miss bound); the share of trials whose estimate was below their true time (½ for a median-unbiased estimate; in brackets the uncorrected middle of the last stale read and the first confirming answer); the error of the estimate (measured − true); the median time from commit to acknowledgement:',
  '',
  '| N | change | trials | true ≤ last stale send | true > upper end | estimate below true (uncorrected) | median error ms | 5 %…95 % error ms | commit → ack ms |',
  '|---|---|---:|---:|---:|---:|---:|---|---:|',
  ...boundRows,
  '',
  'Trials without a time (censored) and why, anomalies, reads:',
  '',
  '| N | change | trials | censored | anomalies | reads |',
  '|---|---|---:|---|---|---:|',
  ...censoredRows,
  '',
  `k-staleness of \`versions\` (${VERSIONS} versions of a key written back to back, the first settled): P(a read t ms after the last acknowledgement shows one at most k versions old), measured (95%) / true 1 − (1 − F(t))^(k+1) (in brackets: with the versions committed one median write round trip apart, 1 − ∏ (1 − F(t + j × spacing))):`,
  '',
  '| N | k | 100 ms measured / true | 400 ms measured / true | spacing (ms) |',
  '|---|---:|---|---|---:|',
  ...kRows,
  '',
  `Session guarantees with \`--sticky-readers\` (each reader one keep-alive connection, the first making the change; ${Math.min(TRIALS, 50)} trials, 3 replicas), the store routing by connection (sticky: truth 0 broken) or per request (random):`,
  '',
  '| routing | change | monotonic reads broken (sessions) | read-your-writes broken (writer sessions) | across readers (trials) |',
  '|---|---|---:|---:|---:|',
  ...sessionRows,
  '',
  'Cost projected from the first trials of each kind of change against the run:',
  '',
  '| N | projected requests | requests | off | projected s | s | off |',
  '|---|---:|---:|---:|---:|---:|---:|',
  ...costRows,
].join('\n');
console.log(body);
writeResultsSection(
  'replicated-truth',
  '`bench consistency` against the replicated store’s closed-form truth',
  body,
);
const results = readFileSync(RESULTS_FILE, 'utf8');
const options = (await resolveConfig(RESULTS_FILE)) ?? {};
writeFileSync(RESULTS_FILE, await format(results, { ...options, parser: 'markdown' }));
