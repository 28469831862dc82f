import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import type { ConsistencyBenchResult } from '../harness/consistency/consistency-bench-result.ts';
import {
  CONSISTENCY_OPERATIONS,
  DEFAULT_VERSIONS,
  type ConsistencyOperation,
} from '../harness/consistency/consistency-operation.ts';
import { parseDuration } from '../harness/config/parse-duration.ts';
import { runOptionsFromEnv } from '../harness/config/resolve-run-options.ts';
import { HarnessError } from '../harness/errors.ts';
import { newRunPrefix } from '../harness/isolation/run-namespace.ts';
import { journalFileName } from '../harness/isolation/earlier-run-journals.ts';
import { DEFAULT_STOPPING_RULE, confirmationsNeeded } from '../harness/consistency/stopping-rule.ts';
import { cliSessionSetup, reportInterruptedBeforeStart, shownPath } from './cli-session.ts';
import { EXIT_CODES } from './exit-codes.ts';
import { wholeNumber } from './parse-flag.ts';

interface BenchConsistencyFlags {
  target?: string;
  token?: string;
  trials: number;
  ops: ConsistencyOperation[];
  resolution: number;
  readers: number;
  maxWait: number;
  window?: number;
  settle?: number;
  missBound: number;
  lagShare: number;
  versions: number;
  stickyReaders?: boolean;
  parallel: number;
  timeout: string;
  out: string;
  compare?: string[];
}

/** A parser of a share strictly between 0 and 1. */
function share(flag: string): (value: string) => number {
  return (value) => {
    const parsed = Number(value);
    if (value.trim() === '' || !(parsed > 0 && parsed < 1))
      throw new InvalidArgumentError(`${flag} "${value}" is not a number strictly between 0 and 1.`);
    return parsed;
  };
}

/** Parses `--ops new-key,overwrite`; `all` means every kind. */
function operationList(value: string): ConsistencyOperation[] {
  if (value.trim() === 'all') return [...CONSISTENCY_OPERATIONS];
  const names = value.split(',').map((name) => name.trim());
  const unknown = names.filter((name) => !(CONSISTENCY_OPERATIONS as readonly string[]).includes(name));
  if (unknown.length > 0 || names.length === 0) {
    throw new InvalidArgumentError(
      `${unknown.join(', ') || '(empty)'} is not a kind of change; allowed: all, or a comma list of ${CONSISTENCY_OPERATIONS.join(', ')}.`,
    );
  }
  return [...new Set(names)] as ConsistencyOperation[];
}

/** Reads a consistency.json (or the one inside a folder), failing with a clear KVSC_USAGE error. */
function readConsistencyFile(path: string, jsonName: string): ConsistencyBenchResult {
  const file = existsSync(path) && statSync(path).isDirectory() ? join(path, jsonName) : path;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new HarnessError(
      'KVSC_USAGE',
      `--compare: cannot read ${file} as JSON: ${(error as Error).message}`,
    );
  }
  const format = (parsed as { format?: unknown } | null)?.format;
  if (format !== 'kvs-conformance-consistency/2') {
    throw new HarnessError(
      'KVSC_USAGE',
      `--compare: ${file} is not a consistency.json of format kvs-conformance-consistency/2 (format ${JSON.stringify(format)})`,
    );
  }
  return parsed as ConsistencyBenchResult;
}

/** `kvs-conformance bench consistency`: visibility times per kind of change, measured from the acknowledgement. */
export function addBenchConsistencyCommand(bench: Command, setExitCode: (code: number) => void): void {
  bench
    .command('consistency')
    .description(
      "measure how soon each kind of change becomes visible, from the write's acknowledgement (default target: the embedded reference server)",
    )
    .option('--target <url>', 'base URL of the API (without /v2); default: the embedded reference server')
    .option('--token <token>', 'API token (default: $APIFY_TOKEN); redacted from all output')
    .option('--trials <n>', 'trials per kind of change', wholeNumber(1, 1_000_000), 200)
    .option(
      '--ops <list>',
      `kinds of change: all, or a comma list of ${CONSISTENCY_OPERATIONS.join(', ')}`,
      operationList,
      [...CONSISTENCY_OPERATIONS],
    )
    .option(
      '--resolution <ms>',
      'time between probe slots, from the acknowledgement (ms)',
      wholeNumber(1, 60_000),
      10,
    )
    .option('--readers <n>', 'concurrent readers probing at every slot', wholeNumber(1, 64), 3)
    .option(
      '--max-wait <ms>',
      'give a trial up as never converged after this long (ms)',
      wholeNumber(1, 600_000),
      10_000,
    )
    .option(
      '--window <ms>',
      'the window the p99.9 is judged against (ms; default: the profile default, 10000)',
      wholeNumber(0, 600_000),
    )
    .option(
      '--settle <ms>',
      'how long every reader must see a setup stably before the change, and how long a key must read absent everywhere before an older value is a resurrection (ms; default: the profile default consistencySettleMs, 300)',
      wholeNumber(0, 600_000),
    )
    .option(
      '--miss-bound <p>',
      'stopping rule: the largest chance a trial stops while a lagging reader answering --lag-share of reads is left',
      share('--miss-bound'),
      DEFAULT_STOPPING_RULE.missBound,
    )
    .option(
      '--lag-share <q>',
      'stopping rule: the smallest share of reads a lagging reader answers (1/N for N replicas with random routing)',
      share('--lag-share'),
      DEFAULT_STOPPING_RULE.lagShare,
    )
    .option(
      '--versions <k>',
      'versions a `versions` trial writes: v1 settled, then v2 … vK back to back (k-staleness)',
      wholeNumber(3, 100),
      DEFAULT_VERSIONS,
    )
    .option(
      '--sticky-readers',
      'each reader one keep-alive connection (a session), the first making the change: measures monotonic reads and read-your-writes per session',
    )
    .option('--parallel <n>', 'trials in flight at once', wholeNumber(1, 256), 8)
    .option('--timeout <duration>', 'per-request timeout, e.g. 10s', '30s')
    .option(
      '--out <dir>',
      'folder for consistency.json, consistency.md and consistency.html',
      'kvs-conformance-report',
    )
    .option(
      '--compare <files...>',
      'show two consistency.json files (or folders) side by side instead of measuring',
    )
    .action(async (flags: BenchConsistencyFlags) => {
      // The heavy parts (contract compiler, reports, server) load only when the command runs.
      const [
        { estimateBenchCost, runConsistencyBench },
        { runSession },
        { CONSISTENCY_FILES, renderConsistencyComparison, renderConsistencyMarkdown, writeConsistencyFiles },
      ] = await Promise.all([
        import('../runner/run-consistency-bench.ts'),
        import('../runner/run-session.ts'),
        import('../reports/index.ts'),
      ]);
      if (flags.compare) {
        if (flags.compare.length !== 2) {
          throw new HarnessError(
            'KVSC_USAGE',
            `--compare takes exactly two consistency.json files (got ${flags.compare.length})`,
          );
        }
        const [a = '', b = ''] = flags.compare;
        console.log(
          renderConsistencyComparison(
            readConsistencyFile(a, CONSISTENCY_FILES.json),
            readConsistencyFile(b, CONSISTENCY_FILES.json),
            [a, b],
          ),
        );
        return;
      }
      // The target, token, contract, embedded server and signal guard come from the run session,
      // as for `run`; of the environment, only the token is read (APIFY_TOKEN).
      const sources = {
        flags: {
          ...(flags.target === undefined ? {} : { target: flags.target }),
          ...(flags.token === undefined ? {} : { token: flags.token }),
          timeoutMs: parseDuration(flags.timeout, '--timeout'),
          out: flags.out,
        },
        env: { token: runOptionsFromEnv(process.env).token },
      };
      const silent = (): void => undefined;
      const exitCode = await runSession(cliSessionSetup(sources, 'keep', silent), async (session) => {
        const { contract, options, out, redact, target } = session;
        const windowMs = flags.window ?? Number(contract.profiles.defaults.consistencyWindowMs);
        const settleMs = flags.settle ?? Number(contract.profiles.defaults.consistencySettleMs);
        const targetLabel = target.embedded
          ? `embedded reference server (strong) at ${target.url}`
          : redact(target.url);
        const prefix = newRunPrefix();
        const journalFile = join(out, journalFileName(prefix));
        const settings = {
          trials: flags.trials,
          readers: flags.readers,
          resolutionMs: flags.resolution,
          maxWaitMs: flags.maxWait,
          windowMs,
          settleMs,
          stopping: { missBound: flags.missBound, lagShare: flags.lagShare },
          parallel: flags.parallel,
          operations: flags.ops,
          versions: flags.versions,
          stickyReaders: flags.stickyReaders === true,
        };
        const cost = estimateBenchCost(settings);
        console.log(
          `kvs-conformance bench consistency: ${targetLabel}; ${flags.ops.length} kind(s) of change × ${flags.trials} trials, ` +
            `${flags.readers} reader(s) every ${flags.resolution} ms; cost ${cost.requests.min}–${cost.requests.max} requests, ` +
            `about ${Math.ceil(cost.durationMs.min / 1000)}–${Math.ceil(cost.durationMs.max / 1000)} s (the upper ends if nothing ever converges); ` +
            `a trial stops after ${confirmationsNeeded(settings.stopping)} reads in a row show the change (misses a reader lagging on ${settings.stopping.lagShare} of reads with chance ≤ ${settings.stopping.missBound})`,
        );
        let lastShown = 0;
        const result = await runConsistencyBench(contract, {
          ...settings,
          targetUrl: target.url,
          token: options.token,
          targetLabel,
          prefix,
          journalFile,
          timeoutMs: options.timeoutMs,
          signal: session.signal,
          onProgress: (progress) => {
            const now = performance.now();
            if (now - lastShown < 1000 && progress.trialsDone < progress.trials) return;
            lastShown = now;
            process.stderr.write(
              `  ${progress.operation}: ${progress.trialsDone}/${progress.trials} trials, ${progress.requests} requests, ${Math.round(progress.elapsedMs / 100) / 10} s\n`,
            );
          },
        });
        if (result.leftStores.length === 0) rmSync(journalFile, { force: true });
        const written = writeConsistencyFiles(result, out);
        console.log(redact(renderConsistencyMarkdown(result)));
        console.log(
          `written: ${shownPath(written.json)}, ${shownPath(written.markdown)}, ${shownPath(written.html)}`,
        );
        // Over the window: 1; within: 0; undetermined or interrupted: not everything was judged, 2.
        return {
          within: EXIT_CODES.ok,
          over: EXIT_CODES.ruleFailed,
          undetermined: EXIT_CODES.toolError,
          interrupted: EXIT_CODES.toolError,
        }[result.verdict.outcome];
      });
      if (exitCode === undefined) reportInterruptedBeforeStart(setExitCode);
      else setExitCode(exitCode);
    });
}
