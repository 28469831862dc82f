import { randomBytes } from 'node:crypto';
import type { Contract } from '../contract/load-contract.ts';
import { HttpApi } from '../drivers/http-api.ts';
import { HttpClient, type HttpRequest } from '../http/http-client.ts';
import type { Exchange } from '../http/exchange.ts';
import { deleteRunStores } from '../isolation/delete-run-stores.ts';
import { recordCreatedStore } from '../isolation/run-namespace.ts';
import { HarnessError } from '../errors.ts';
import { HARNESS_VERSION } from '../version.ts';
import type {
  ConsistencyBenchResult,
  ConsistencyBenchSettings,
  OperationVisibility,
  WindowVerdict,
} from './consistency-bench-result.ts';
import { OPERATION_DESCRIPTIONS, type ConsistencyOperation } from './consistency-operation.ts';
import { SETUP_POLL_MS, consistencyTrialPlan } from './consistency-trial-plan.ts';
import {
  BOOTSTRAP,
  latencySummary,
  visibilityCurve,
  visibilityHistogram,
  visibilityQuantiles,
} from './visibility-statistics.ts';
import { runVisibilityTrial, type TrialAnomaly, type VisibilityTrial } from './visibility-trial.ts';

/** What `bench consistency` needs beyond its settings. */
export interface ConsistencyBenchOptions extends Omit<ConsistencyBenchSettings, 'bootstrap'> {
  readonly targetUrl: string;
  readonly token: string | undefined;
  /** How the target is shown in the report (a redacted URL or the embedded server's settings). */
  readonly targetLabel: string;
  /** Run namespace: the store-name prefix and the journal of created stores (harness/isolation). */
  readonly prefix: string;
  readonly journalFile: string;
  readonly timeoutMs: number;
  readonly onProgress?: (progress: BenchProgress) => void;
}

/** Where a running benchmark is. */
export interface BenchProgress {
  readonly operation: ConsistencyOperation;
  readonly trialsDone: number;
  readonly trials: number;
  readonly requests: number;
  readonly elapsedMs: number;
}

/** Requests per trial before the write (setup) for each kind of change, without setup re-reads. */
const SETUP_REQUESTS: Readonly<Record<ConsistencyOperation, number>> = {
  'new-key': 0,
  'list-add': 0,
  'store-create': 0,
  'negative-cache': 1,
  overwrite: 2,
  delete: 2,
  'list-remove': 2,
  rename: 2,
};

/** The fewest probes per reader a trial makes: the run of new states it ends on (runVisibilityTrial). */
const MIN_PROBES_PER_READER = 3;

/** The cost of a benchmark, stated before it starts: requests and duration, both as a range. */
export function estimateBenchCost(settings: Omit<ConsistencyBenchSettings, 'bootstrap'>): {
  readonly requests: { readonly min: number; readonly max: number };
  readonly durationMs: { readonly min: number; readonly max: number };
} {
  const maxSlots = Math.ceil(settings.maxWaitMs / settings.resolutionMs) + 1;
  const setupPolls = Math.ceil(settings.maxWaitMs / SETUP_POLL_MS);
  let min = 0;
  let max = 0;
  for (const operation of settings.operations) {
    const fixed = SETUP_REQUESTS[operation] + 1;
    const waits = SETUP_REQUESTS[operation] >= 2 ? setupPolls : 0;
    min += settings.trials * (fixed + settings.readers * MIN_PROBES_PER_READER);
    max += settings.trials * (fixed + waits + settings.readers * maxSlots);
  }
  const rounds = Math.ceil(settings.trials / settings.parallel) * settings.operations.length;
  return {
    requests: { min, max },
    durationMs: {
      min: rounds * MIN_PROBES_PER_READER * settings.resolutionMs,
      max: rounds * 2 * settings.maxWaitMs,
    },
  };
}

/** The HTTP client counting every request it sends. */
class CountingHttpClient extends HttpClient {
  requests = 0;

  override async send(input: HttpRequest): Promise<Exchange> {
    this.requests += 1;
    return super.send(input);
  }
}

function formatMs(ms: number): string {
  return ms >= 1000 && ms % 100 === 0 ? `${ms / 1000} s` : `${Math.round(ms * 10) / 10} ms`;
}

function windowVerdict(
  operation: ConsistencyOperation,
  valueMs: number | null,
  windowMs: number,
): WindowVerdict {
  const within = valueMs !== null && valueMs <= windowMs;
  const text =
    valueMs === null
      ? `p99.9 of ${operation} visibility did not converge within max-wait > window ${formatMs(windowMs)}`
      : `p99.9 of ${operation} visibility ${formatMs(valueMs)} ${within ? '≤' : '>'} window ${formatMs(windowMs)}`;
  return { quantile: 'p99.9', valueMs, windowMs, within, text };
}

const ANOMALY_KINDS: readonly TrialAnomaly['kind'][] = [
  'monotonic-read',
  'resurrected-delete',
  'unexpected-state',
  'never-converged',
];

function summarise(
  operation: ConsistencyOperation,
  trials: readonly VisibilityTrial[],
  requests: number,
  options: ConsistencyBenchOptions,
): OperationVisibility {
  const measured = trials.filter((trial) => trial.error === undefined);
  const failed = trials.filter((trial) => trial.error !== undefined);
  const samples = measured.map((trial) => trial.visibleAtMs);
  const quantiles = visibilityQuantiles(samples);
  const anomalies = Object.fromEntries(ANOMALY_KINDS.map((kind) => [kind, 0])) as Record<
    TrialAnomaly['kind'],
    number
  >;
  const examples: { trial: number; kind: TrialAnomaly['kind']; detail: string }[] = [];
  trials.forEach((trial, index) => {
    for (const anomaly of trial.anomalies) {
      anomalies[anomaly.kind] += 1;
      if (anomalies[anomaly.kind] <= 5) examples.push({ trial: index + 1, ...anomaly });
    }
  });
  const probes = measured.flatMap((trial) => trial.probes);
  return {
    operation,
    description: OPERATION_DESCRIPTIONS[operation],
    trials: trials.length,
    failedTrials: failed.length,
    ...(failed[0]?.error === undefined ? {} : { failure: failed[0].error }),
    consistentAtZero:
      measured.length === 0
        ? 0
        : measured.filter((trial) => trial.visibleAtMs === 0).length / measured.length,
    quantiles,
    curve: visibilityCurve(samples, options.resolutionMs),
    histogram: visibilityHistogram(samples, options.resolutionMs, options.maxWaitMs),
    anomalies,
    examples,
    requests,
    writeLatency: latencySummary(measured.map((trial) => trial.writeLatencyMs)),
    probeLatency: latencySummary(probes.map((probe) => probe.latencyMs)),
    probeLateness: latencySummary(probes.map((probe) => probe.latenessMs)),
    verdict: windowVerdict(operation, quantiles.p999.valueMs, options.windowMs),
    samples,
    lagBoundsMs: measured.map((trial) => trial.lagBoundsMs),
  };
}

/**
 * `bench consistency`: for each kind of change, `trials` trials (`parallel` at a time), each
 * measured from the write's acknowledgement on a fixed probe schedule (see runVisibilityTrial);
 * then statistics per kind, and cleanup of exactly the stores the benchmark created.
 */
export async function runConsistencyBench(
  contract: Contract,
  options: ConsistencyBenchOptions,
): Promise<ConsistencyBenchResult> {
  const startedAt = new Date();
  const started = performance.now();
  const client = new CountingHttpClient({
    baseUrl: options.targetUrl.replace(/\/+$/, ''),
    token: options.token,
    timeoutMs: options.timeoutMs,
    maxResponseBytes: 16 * 1024 * 1024,
    connections: options.parallel * (options.readers + 1),
  });
  const created = (store: { readonly id: string; readonly name: string | null }): void =>
    recordCreatedStore(options.journalFile, store);
  const runId = randomBytes(2).toString('hex');
  const operations: OperationVisibility[] = [];
  let left: { id: string; reason: string }[];
  try {
    let storeId = '';
    if (options.operations.some((operation) => operation !== 'store-create' && operation !== 'rename')) {
      const name = `${options.prefix}records`;
      const exchange = await client.send({
        method: 'POST',
        path: `/v2/key-value-stores?name=${encodeURIComponent(name)}`,
      });
      const status = exchange.response?.status;
      const id =
        status === 200 || status === 201
          ? (JSON.parse(exchange.response?.body.toString() ?? '{}') as { data?: { id?: unknown } }).data?.id
          : undefined;
      if (typeof id !== 'string') {
        throw new HarnessError(
          'KVSC_TARGET_UNREACHABLE',
          `bench consistency: creating a store on ${options.targetLabel} answered ${status ?? exchange.error ?? 'nothing'}`,
        );
      }
      created({ id, name });
      storeId = id;
    }
    for (const operation of options.operations) {
      const before = client.requests;
      const trials: VisibilityTrial[] = [];
      let next = 0;
      const worker = async (): Promise<void> => {
        for (let index = next++; index < options.trials; index = next++) {
          const plan = consistencyTrialPlan(operation, {
            client,
            storeId,
            name:
              operation === 'store-create' || operation === 'rename'
                ? `${options.prefix}${operation === 'rename' ? 'rn' : 'sc'}-${runId}-${index + 1}`
                : `${operation}-${runId}-${index + 1}`,
            created,
            setupWaitMs: options.maxWaitMs,
          });
          trials[index] = await runVisibilityTrial(plan, {
            readers: options.readers,
            resolutionMs: options.resolutionMs,
            maxWaitMs: options.maxWaitMs,
            removes: operation === 'delete' || operation === 'list-remove',
          });
          options.onProgress?.({
            operation,
            trialsDone: trials.filter(Boolean).length,
            trials: options.trials,
            requests: client.requests,
            elapsedMs: performance.now() - started,
          });
        }
      };
      await Promise.all(Array.from({ length: Math.min(options.parallel, options.trials) }, worker));
      operations.push(summarise(operation, trials, client.requests - before, options));
    }
  } finally {
    const api = new HttpApi(contract, client);
    left = [...(await deleteRunStores(api, options.journalFile, options.prefix)).left];
    await client.close();
  }
  const lateness = Math.max(0, ...operations.map((operation) => operation.probeLateness.p99Ms));
  const latency = Math.max(0, ...operations.map((operation) => operation.probeLatency.p99Ms));
  const estimate = estimateBenchCost(options);
  const anomalyLines = operations.flatMap((operation) =>
    ANOMALY_KINDS.filter((kind) => operation.anomalies[kind] > 0).map(
      (kind) =>
        `${operation.operation}: ${operation.anomalies[kind]} ${kind} anomal${operation.anomalies[kind] === 1 ? 'y' : 'ies'}`,
    ),
  );
  return {
    format: 'kvs-conformance-consistency/1',
    harnessVersion: HARNESS_VERSION,
    startedAt: startedAt.toISOString(),
    target: options.targetLabel,
    settings: {
      trials: options.trials,
      readers: options.readers,
      resolutionMs: options.resolutionMs,
      maxWaitMs: options.maxWaitMs,
      windowMs: options.windowMs,
      parallel: options.parallel,
      operations: options.operations,
      bootstrap: { resamples: BOOTSTRAP.resamples, seed: BOOTSTRAP.seed },
    },
    cost: {
      estimatedRequests: estimate.requests,
      requests: client.requests,
      durationMs: Math.round(performance.now() - started),
    },
    resolution: {
      stepMs: options.resolutionMs,
      probeLateness: {
        p50Ms: Math.max(0, ...operations.map((operation) => operation.probeLateness.p50Ms)),
        p99Ms: lateness,
      },
      requestLatency: {
        p50Ms: Math.max(0, ...operations.map((operation) => operation.probeLatency.p50Ms)),
        p99Ms: latency,
      },
      honestMs: Math.round((options.resolutionMs + lateness + latency) * 100) / 100,
    },
    operations,
    verdict: {
      within: operations.every((operation) => operation.verdict.within),
      lines: [...operations.map((operation) => operation.verdict.text), ...anomalyLines],
    },
    leftStores: left,
  };
}
