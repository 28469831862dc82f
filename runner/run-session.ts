import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureOutDir } from '../harness/config/ensure-out-dir.ts';
import { resolveRunOptions, type RunOptionSources } from '../harness/config/resolve-run-options.ts';
import type { ResolvedRunOptions } from '../harness/config/run-options.ts';
import { loadContract, type Contract } from '../harness/contract/load-contract.ts';
import { HarnessError } from '../harness/errors.ts';
import { RULES_REFERENCE_FILE } from '../harness/contract/rules-reference-location.ts';
import { redactSecrets, shortTokenWarning } from '../harness/http/redact.ts';
import type { RunResult } from '../harness/results/run-result.ts';
import { HARNESS_VERSION } from '../harness/version.ts';
import {
  buildReport,
  REPORT_FILES,
  writeErrorReport,
  writeReportFiles,
  type ConformanceReport,
  type WrittenReport,
} from '../reports/index.ts';
import { listenForInterruption } from './interruption.ts';
import { runSuites, type ReplayCase } from './run-suites.ts';
import {
  startRunTarget,
  withEmbeddedToken,
  type RunTarget,
  type StartEmbeddedServer,
} from './start-run-target.ts';

/** What the caller hears along the way; every hook is optional (the package API hears nothing). */
export interface RunSessionHooks {
  /** A progress line: the embedded server or the container started. */
  readonly notify?: (line: string) => void;
  /** A warning before any output (a token too short to redact everywhere). */
  readonly warn?: (line: string) => void;
  /** How a written file is named in the report (the CLI: relative to the working directory). */
  readonly showPath?: (path: string) => string;
}

/** How a session is set up. */
export interface RunSessionSetup {
  /** Where the options come from: flags over environment over config file over defaults (one resolver). */
  readonly sources: RunOptionSources;
  /**
   * `keep` (default): every run writes its four report files to `out`. `scratch`: the run's
   * working files go to a temporary folder removed at the end, and no report file is written
   * (`replay`, the package API without `out`).
   */
  readonly out?: 'keep' | 'scratch';
  /** How `out` is named in an error about it (`--out` on the command line, `out` in the API). */
  readonly outOrigin?: string;
  /** Starts the embedded reference server (wired by cli/ or api/). */
  readonly startEmbeddedServer: StartEmbeddedServer;
  readonly hooks?: RunSessionHooks;
}

/** What one run of a session asks for beyond the session's options. */
export interface SessionRunRequest {
  /** One recorded failing case to run again (`replay`). */
  readonly replay?: ReplayCase;
  /** A seed other than the options' (a replayed case's own). */
  readonly seed?: number;
  /** Judge the clients (the CLIENT rules) whatever the drivers are (`matrix`). */
  readonly clientContract?: boolean;
  /**
   * The process runs the suites no more after this run (the CLI's `run` without --watch): the
   * suite files load as plain Node modules instead of through Vite's transform, which a later run
   * in the same process could not load again.
   */
  readonly onlyRun?: boolean;
}

/** One finished run: what the suites found, the report built from it, and the files written. */
export interface SessionRun {
  readonly result: RunResult;
  readonly report: ConformanceReport;
  /** The report files, when the session keeps them. */
  readonly written: WrittenReport | undefined;
}

/** An open session: its resolved options, contract and started target, and how to run the suites. */
export interface RunSession {
  readonly options: ResolvedRunOptions;
  readonly contract: Contract;
  readonly target: RunTarget;
  /** The folder the runs write to (absolute). */
  readonly out: string;
  /** Aborted on SIGINT/SIGTERM. */
  readonly signal: AbortSignal;
  /** Redacts the run's token from a text. */
  readonly redact: (text: string) => string;
  /** Runs the suites once against the target, builds the report and (when kept) writes it. */
  readonly run: (request?: SessionRunRequest) => Promise<SessionRun>;
}

/**
 * The one place a run is composed: resolves the options, loads the contract (the `--spec` base
 * document too), gives the embedded server its token, holds the signal guard, starts the target
 * (the given URL, a container, or the embedded reference server), hands the session to `use` —
 * which runs the suites once, repeatedly (`--watch`) or per recorded case (`replay`) — and, on
 * every exit path (a result, an error, SIGINT/SIGTERM), stops what it started and removes its
 * scratch folder. Resolves with what `use` returned, or `undefined` when a signal came before the
 * target was up (nothing was judged).
 */
export async function runSession<T>(
  setup: RunSessionSetup,
  use: (session: RunSession) => Promise<T>,
): Promise<T | undefined> {
  const hooks = setup.hooks ?? {};
  const scratch = setup.out === 'scratch' ? mkdtempSync(join(tmpdir(), 'kvsc-run-')) : undefined;
  // From here on a signal ends the session through the cleanup below: stores, server, container.
  const interruption = listenForInterruption();
  let target: RunTarget | undefined;
  // Where an error that ends the session before any report was written leaves its junit.xml (a CI
  // step reading the junit must see why nothing was judged), and the token to keep out of it.
  let errorOut: { readonly folder: string; readonly secrets: readonly string[] } | undefined;
  const startedAt = new Date();
  try {
    const resolved = resolveRunOptions(
      scratch === undefined
        ? setup.sources
        : { ...setup.sources, flags: { ...setup.sources.flags, out: scratch } },
    );
    const out = ensureOutDir(resolved.out, setup.outOrigin);
    if (scratch === undefined) errorOut = { folder: out, secrets: resolved.token ? [resolved.token] : [] };
    const contract = await loadContract(resolved.spec === undefined ? {} : { openapiFile: resolved.spec });
    const options = withEmbeddedToken(resolved);
    const redact = (text: string): string => redactSecrets(text, options.token ? [options.token] : []);
    // A short token is redacted only where it stands alone: say so once, before any output.
    const warning = shortTokenWarning(options.token);
    if (warning !== undefined) hooks.warn?.(warning);
    if (interruption.signal.aborted) return undefined;
    target = await startRunTarget({
      contract,
      options,
      startEmbeddedServer: setup.startEmbeddedServer,
      notify: hooks.notify ?? (() => undefined),
    });
    if (interruption.signal.aborted) return undefined;
    const started = target;
    const showPath = hooks.showPath ?? ((path: string) => path);
    return await use({
      options,
      contract,
      target: started,
      out,
      signal: interruption.signal,
      redact,
      run: async (request = {}) => {
        const result = await runSuites({
          contract,
          options: request.seed === undefined ? options : { ...options, seed: request.seed },
          targetUrl: started.url,
          interrupt: interruption.signal,
          replay: request.replay,
          clientContract: request.clientContract === true,
          onlyRun: request.onlyRun === true,
        });
        const report = buildReport({
          contract,
          result,
          harnessVersion: HARNESS_VERSION,
          preset: options.profile,
          seedSource: options.seedSource,
          shard: options.shard,
          embedded: started.embedded,
          // Without kept files the replay commands name the report.json the caller writes.
          reportPath: scratch === undefined ? showPath(join(out, REPORT_FILES.json)) : REPORT_FILES.json,
          redact,
          withToken: options.token !== undefined,
          rulesReference: { url: options.rulesUrl, file: RULES_REFERENCE_FILE },
        });
        if (scratch !== undefined) return { result, report, written: undefined };
        // From here on the folder holds this run's report, which an error after it must not replace.
        errorOut = undefined;
        return { result, report, written: writeReportFiles(report, out) };
      },
    });
  } catch (error) {
    if (errorOut !== undefined) leaveErrorReport(error, errorOut.folder, errorOut.secrets, startedAt);
    throw error;
  } finally {
    try {
      await target?.close();
    } finally {
      interruption.dispose();
      if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
    }
  }
}

/**
 * A session that ends on an error before it wrote a report (exit 2: unreachable target, token
 * refused, a usage error found once the run started, the suites not starting) leaves junit.xml with
 * that error in the output folder, the token redacted (reports/write-report-files.ts). A folder
 * that cannot be written to keeps the original error, which is the one to report.
 */
function leaveErrorReport(error: unknown, folder: string, secrets: readonly string[], startedAt: Date): void {
  const [code, message] =
    error instanceof HarnessError
      ? [error.code, error.message]
      : ['unexpected-error', error instanceof Error ? `${error.name}: ${error.message}` : String(error)];
  try {
    writeErrorReport({ code, message: redactSecrets(message, secrets), startedAt }, folder);
  } catch {
    // The error being reported matters more than the junit.xml that could not be written.
  }
}
